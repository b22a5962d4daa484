import Autopilot
import Foundation
import Recording

/// The text report of a policy's training (`<model>.report.txt`): the split, the class balance, the
/// held-out evaluation per key, the calibrated thresholds and the epoch kept.
public enum PolicyTrainingReport {
    /// A fraction as a percentage, or a dash when there is none.
    public static func percent(_ v: Double?) -> String { v.map { String(format: "%5.1f %%", 100 * $0) } ?? "    -  " }

    /// The report of `r`; `names` are the recordings' paths, in the order they were given to training.
    public static func text(_ r: PolicyTrainingResult, names: [String]) -> String {
        let keys = r.model.metadata.keyNames
        var s = ""
        for part in DatasetPart.allCases {
            let idx = r.parts[part] ?? []
            let list = idx.map { URL(fileURLWithPath: names[$0]).lastPathComponent }
            s +=
                "\(part.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(idx.count) recordings, \(r.windowCounts[part] ?? 0) windows"
            s += list.isEmpty ? "\n" : ": \(list.prefix(6).joined(separator: ", "))\(list.count > 6 ? ", ..." : "")\n"
        }
        if r.correctionWindows > 0 { s += "corrections: \(r.correctionWindows) windows where a person drove\n" }
        s += "\nClass balance (windows holding each key):\n"
        s +=
            "  part        "
            + (keys + ["(none)"]).map { $0.padding(toLength: 14, withPad: " ", startingAt: 0) }.joined() + "\n"
        for part in DatasetPart.allCases {
            let b = r.balance[part] ?? []
            let total = r.windowCounts[part] ?? 0
            guard total > 0 else { continue }
            s += "  " + part.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
            for n in b {
                s += "\(n) (\(Int((100 * Double(n) / Double(total)).rounded())) %)".padding(
                    toLength: 14, withPad: " ", startingAt: 0)
            }
            s += "\n"
        }
        func evaluation(_ title: String, _ e: PolicyEvaluation?) {
            guard let e else {
                s += "\n\(title): none (too few recordings to hold any out; give 3 or more)\n"
                return
            }
            s += "\n\(title) (\(e.windows) windows, loss \(String(format: "%.4f", e.loss))):\n"
            s += "  key          precision   recall   held in labels\n"
            for (k, name) in e.keyNames.enumerated() {
                s +=
                    "  \(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(percent(e.precision(k)))   \(percent(e.recall(k)))   \(e.positives[k])\n"
            }
            s +=
                "  key set equal to the demonstrator's: \(percent(e.exactMatchRate)) (always the most common set: \(percent(e.majorityRate)))\n"
        }
        evaluation("Test recordings", r.test)
        if r.test == nil { evaluation("Validation recordings", r.validation) }
        if let t = r.model.metadata.calibratedThresholds {
            s +=
                "\nCalibrated thresholds (best F1 on validation; `play --threshold calibrated`): "
                + zip(keys, t).map { "\($0.0)=\(String(format: "%.2f", $0.1))" }.joined(separator: ",") + "\n"
        }
        if let best = r.history.bestEpoch {
            s +=
                "\nSaved epoch \(best.epoch) of \(r.history.epochs.count) (val_loss \(best.validationLoss.map { String(format: "%.4f", $0) } ?? "-"))\n"
        }
        return s
    }
}
