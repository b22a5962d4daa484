import Foundation

/// Metrics of one training epoch.
public struct EpochLog: Sendable, Equatable {
    /// 1-based epoch number.
    public var epoch: Int
    public var loss: Double
    public var accuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    public var learningRate: Double
    /// Wall time of the epoch, seconds.
    public var seconds: Double

    public init(
        epoch: Int, loss: Double, accuracy: Double, validationLoss: Double?, validationAccuracy: Double?,
        learningRate: Double, seconds: Double
    ) {
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
    }
}

/// What ``Trainer/fit(epochs:training:validation:options:onImprovement:progress:)`` did, epoch by epoch.
public struct History: Sendable {
    public var epochs: [EpochLog] = []
    /// The epoch with the best monitored value.
    public var bestEpoch: EpochLog?
    /// True when early stopping ended training.
    public var stoppedEarly = false

    public init() {}

    /// The history as CSV: `epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds`.
    public func csv() -> String {
        var s = "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n"
        for e in epochs {
            let vl = e.validationLoss.map { String(format: "%.6f", $0) } ?? ""
            let va = e.validationAccuracy.map { String(format: "%.6f", $0) } ?? ""
            s +=
                "\(e.epoch),\(String(format: "%.6f", e.loss)),\(String(format: "%.6f", e.accuracy)),\(vl),\(va),\(String(format: "%g", e.learningRate)),\(String(format: "%.3f", e.seconds))\n"
        }
        return s
    }

    /// Writes ``csv()`` to a file.
    public func writeCSV(to url: URL) throws {
        do { try csv().write(to: url, atomically: true, encoding: .utf8) } catch {
            throw TensorError.badFile(path: url.path, reason: "cannot write CSV (\(error.localizedDescription))")
        }
    }
}
