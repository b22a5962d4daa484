import Foundation
import TensorKit
import TrainingReports

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

    static func duration(_ s: Double) -> String { KerasProgress.duration(s) }

    /// Shows an epoch's events as Keras does: `Epoch N/M` on a terminal, the step bar, the epoch's line.
    /// - Returns: false for the events it leaves to the caller (improvements, early stopping).
    @discardableResult
    func show(_ event: TrainingEvent, as format: KerasProgress) -> Bool {
        switch event {
        case .epochBegan(let epoch, let epochs, _):
            if isTerminal { print("Epoch \(epoch)/\(epochs)") }
        case .stepEnded(_, let step, let steps, let loss, let accuracy, let elapsed):
            update(
                done: step, total: steps, elapsed: elapsed, suffix: format.stepSuffix(loss: loss, accuracy: accuracy))
        case .epochEnded(let log):
            finish(format.epochLine(log, numbered: !isTerminal))
        case .improved, .stoppedEarly:
            return false
        }
        return true
    }
}
