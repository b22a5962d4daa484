import Foundation
import TensorKit

/// Keras-style progress text: `loss: 0.1234 - accuracy: 0.9000`, durations as `850ms`, `12s`, `3:05`.
/// It formats; the caller decides where the text goes (TensorKit and the apps never print).
public struct KerasProgress: Sendable {
    /// The name of the accuracy metric (`accuracy`; `key_set_accuracy` for a policy).
    public var accuracyName: String
    /// Epochs in the run, for `Epoch 3/10`.
    public var epochs: Int

    public init(accuracyName: String = "accuracy", epochs: Int) {
        self.accuracyName = accuracyName
        self.epochs = epochs
    }

    /// `name: value` pairs joined by ` - `, each value with `digits` decimals.
    public static func metrics(_ values: [(name: String, value: Double)], digits: Int = 4) -> String {
        values.map { "\($0.name): \(String(format: "%.\(digits)f", $0.value))" }.joined(separator: " - ")
    }

    /// A duration as Keras prints it: milliseconds under a second, seconds under a minute, else m:ss.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return String(format: "%.0fs", seconds) }
        return String(format: "%d:%02d", Int(seconds) / 60, Int(seconds) % 60)
    }

    /// The metrics after a step's progress bar.
    public func stepSuffix(loss: Double, accuracy: Double) -> String {
        Self.metrics([("loss", loss), (accuracyName, accuracy)])
    }

    /// The line that ends an epoch; `numbered` puts `Epoch N/M` first (for logs, where no bar showed it).
    public func epochLine(_ log: EpochLog, numbered: Bool) -> String {
        var values: [(name: String, value: Double)] = [("loss", log.loss), (accuracyName, log.accuracy)]
        if let vl = log.validationLoss, let va = log.validationAccuracy {
            values += [("val_loss", vl), ("val_" + accuracyName, va)]
        }
        return (numbered ? "Epoch \(log.epoch)/\(epochs) " : "") + Self.duration(log.seconds) + " - "
            + Self.metrics(values)
    }
}
