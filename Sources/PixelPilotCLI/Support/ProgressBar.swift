import Foundation

/// Keras-style progress output on standard output, redrawn in place on a
/// terminal, one line per finished unit otherwise (logs, CI).
final class ProgressBar {
    let isTerminal = isatty(STDOUT_FILENO) != 0
    private var lastDraw = Date.distantPast
    private let width = 30

    /// Draws `done/total` with a bar, ETA and trailing metrics. Throttled to 20 redraws a second.
    func update(done: Int, total: Int, elapsed: Double, suffix: String, force: Bool = false) {
        guard isTerminal else { return }
        let now = Date()
        guard force || done == total || now.timeIntervalSince(lastDraw) > 0.05 else { return }
        lastDraw = now
        let frac = total > 0 ? Double(done) / Double(total) : 1
        let filled = Int(frac * Double(width))
        let bar =
            String(repeating: "=", count: Swift.max(0, filled - (done < total ? 1 : 0)))
            + (done < total && filled > 0 ? ">" : "")
            + String(repeating: ".", count: Swift.max(0, width - filled))
        let eta =
            done > 0 && done < total
            ? " - ETA: \(ProgressBar.duration(elapsed / Double(done) * Double(total - done)))" : ""
        let line =
            "\(String(repeating: " ", count: Swift.max(0, "\(total)".count - "\(done)".count)))\(done)/\(total) [\(bar)]\(eta) - \(suffix)"
        FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    /// Ends the current bar with a final line (printed on terminals and in logs alike).
    func finish(_ line: String) {
        if isTerminal {
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line + "\n").utf8))
        } else {
            print(line)
            fflush(stdout)
        }
    }

    static func duration(_ s: Double) -> String {
        if s < 1 { return "\(Int((s * 1000).rounded()))ms" }
        if s < 60 { return String(format: "%.0fs", s) }
        return String(format: "%d:%02d", Int(s) / 60, Int(s) % 60)
    }
}
