import Desktop
import Foundation

/// Per-key probabilities above which `play` holds a key, parsed from the text a user gives
/// (`--threshold`): one probability for every key (`0.5`), `KEY=P` pairs (the others stay 0.5),
/// or `calibrated` (the thresholds the model stored: best F1 on its validation windows).
public enum KeyThresholds {
    /// What is wrong with a threshold text; the message names `--threshold` and the value.
    public struct ParseError: Error, CustomStringConvertible, Equatable, Sendable {
        public let description: String
    }

    /// The thresholds `text` asks for, in the order of `keys` (the model's key names).
    /// - Parameter calibrated: the model's calibrated thresholds, if it has them.
    public static func parse(_ text: String, keys: [String], calibrated: [Float]? = nil) throws -> [Float] {
        if text == "calibrated" {
            guard let calibrated, calibrated.count == keys.count else {
                throw ParseError(
                    description:
                        "--threshold calibrated: the model has no calibrated thresholds (it was trained without validation recordings)"
                )
            }
            return calibrated
        }
        if let v = Float(text) {
            guard v > 0, v < 1 else { throw ParseError(description: "--threshold must be in (0, 1), got \(text)") }
            return [Float](repeating: v, count: keys.count)
        }
        var out = [Float](repeating: 0.5, count: keys.count)
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let v = Float(kv[1]), v > 0, v < 1 else {
                throw ParseError(description: "--threshold '\(part)' is not KEY=P with P in (0, 1)")
            }
            let name = (try? Key(kv[0]))?.name ?? kv[0]
            guard let i = keys.firstIndex(of: name) else {
                throw ParseError(
                    description:
                        "--threshold names \(kv[0]), which is not one of the model's keys \(keys.joined(separator: ", "))"
                )
            }
            out[i] = v
        }
        return out
    }

    /// `Up=0.50,Left=0.45`: the thresholds beside their keys, as reports print them.
    public static func describe(_ thresholds: [Float], keys: [String]) -> String {
        zip(keys, thresholds).map { "\($0.0)=\(String(format: "%.2f", $0.1))" }.joined(separator: ",")
    }
}
