import Foundation

/// Something that happened during ``Trainer/fit(epochs:training:validation:options:onImprovement:progress:)``,
/// reported to the caller's progress handler (TensorKit itself never prints).
public enum TrainingEvent {
    case epochBegan(epoch: Int, of: Int, steps: Int)
    case stepEnded(epoch: Int, step: Int, steps: Int, loss: Double, accuracy: Double, elapsed: Double)
    case epochEnded(EpochLog)
    /// The monitored metric improved; the improvement handler has run (checkpoint saved).
    case improved(EpochLog)
    case stoppedEarly(epoch: Int, bestEpoch: Int)
}

/// Which metric decides the best epoch and early stopping.
public enum Monitor: String, Sendable, CaseIterable {
    case validationLoss = "val_loss"
    case validationAccuracy = "val_accuracy"
    case loss, accuracy

    func value(_ e: EpochLog) -> Double? {
        switch self {
        case .validationLoss: return e.validationLoss
        case .validationAccuracy: return e.validationAccuracy
        case .loss: return e.loss
        case .accuracy: return e.accuracy
        }
    }

    var higherIsBetter: Bool { self == .validationAccuracy || self == .accuracy }
}

/// Options of a training run.
public struct FitOptions: Sendable {
    /// Stop after this many epochs without improvement of ``monitor`` (nil: never).
    public var earlyStoppingPatience: Int?
    /// The metric that decides improvement (falls back to training loss without validation data).
    public var monitor: Monitor = .validationLoss
    /// Clip the global gradient norm to this value before each step (nil: no clipping).
    public var gradientClipNorm: Float?
    /// Learning rate per optimizer step (nil: keep the optimizer's rate).
    public var schedule: (any LearningRateSchedule)?

    public init(
        earlyStoppingPatience: Int? = nil, monitor: Monitor = .validationLoss, gradientClipNorm: Float? = nil,
        schedule: (any LearningRateSchedule)? = nil
    ) {
        self.earlyStoppingPatience = earlyStoppingPatience
        self.monitor = monitor
        self.gradientClipNorm = gradientClipNorm
        self.schedule = schedule
    }
}

/// Trains a classifier with a Keras-like `fit`: epochs of mini-batch steps, validation after
/// each epoch, best-epoch tracking (for checkpoints), early stopping, and a ``History``.
public final class Trainer {
    public let model: any UnaryLayer
    public let optimizer: any Optimizer
    /// Loss from the model's output and the batch; softmax cross-entropy for classifiers.
    public let loss: (Tensor, Batch) -> Tensor
    /// Optimizer steps taken so far.
    public private(set) var step = 0

    public init(model: any UnaryLayer, optimizer: any Optimizer, loss: @escaping (Tensor, Batch) -> Tensor) {
        self.model = model
        self.optimizer = optimizer
        self.loss = loss
    }

    /// Number of correct argmax predictions in `logits` ([N, C]) for `labels`.
    public static func correctCount(_ logits: Tensor, _ labels: [Int]) -> Int {
        zip(logits.argmaxLastAxis(), labels).filter { $0 == $1 }.count
    }

    /// Mean loss and accuracy over `data` in evaluation mode, recording no gradients.
    public func evaluate<S: Sequence>(_ data: S) -> (loss: Double, accuracy: Double) where S.Element == Batch {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        var total = 0.0
        var correct = 0
        var n = 0
        GradMode.withoutGrad {
            for b in data {
                let out = model(b.inputs)
                total += Double(loss(out, b).item) * Double(b.labels.count)
                correct += Trainer.correctCount(out, b.labels)
                n += b.labels.count
            }
        }
        return (n > 0 ? total / Double(n) : .nan, n > 0 ? Double(correct) / Double(n) : .nan)
    }

    /// Trains for `epochs` epochs.
    ///
    /// - Parameters:
    ///   - training: iterated once per epoch (a ``Sequence`` that reshuffles on each pass).
    ///   - validation: evaluated after each epoch, when given.
    ///   - onImprovement: called when the monitored metric reaches a new best (save a checkpoint there).
    ///   - progress: receives every ``TrainingEvent``.
    @discardableResult
    public func fit<T: Sequence, V: Sequence>(
        epochs: Int, training: T, validation: V?, options: FitOptions = FitOptions(),
        onImprovement: (EpochLog) throws -> Void = { _ in },
        progress: (TrainingEvent) -> Void = { _ in }
    ) throws -> History
    where T.Element == Batch, V.Element == Batch {
        var history = History()
        var bestValue: Double?
        var sinceBest = 0
        let steps = training.underestimatedCount
        for epoch in 1...Swift.max(epochs, 1) where epochs > 0 {
            progress(.epochBegan(epoch: epoch, of: epochs, steps: steps))
            model.train()
            let start = Date()
            var lossSum = 0.0
            var correct = 0
            var seen = 0
            var s = 0
            for batch in training {
                if let schedule = options.schedule { optimizer.learningRate = schedule.learningRate(at: step) }
                optimizer.zeroGrad()
                let out = model(batch.inputs)
                let l = loss(out, batch)
                l.backward()
                if let maxNorm = options.gradientClipNorm {
                    GradientClipping.clipNorm(model.trainableParameters(), maxNorm: maxNorm)
                }
                optimizer.step()
                step += 1
                s += 1
                lossSum += Double(l.item) * Double(batch.labels.count)
                correct += Trainer.correctCount(out, batch.labels)
                seen += batch.labels.count
                progress(
                    .stepEnded(
                        epoch: epoch, step: s, steps: Swift.max(steps, s), loss: lossSum / Double(seen),
                        accuracy: Double(correct) / Double(seen), elapsed: Date().timeIntervalSince(start)))
            }
            var log = EpochLog(
                epoch: epoch, loss: seen > 0 ? lossSum / Double(seen) : .nan,
                accuracy: seen > 0 ? Double(correct) / Double(seen) : .nan,
                validationLoss: nil, validationAccuracy: nil,
                learningRate: Double(optimizer.learningRate), seconds: 0)
            if let validation {
                let (vl, va) = evaluate(validation)
                log.validationLoss = vl
                log.validationAccuracy = va
            }
            log.seconds = Date().timeIntervalSince(start)
            history.epochs.append(log)
            progress(.epochEnded(log))
            let monitor =
                validation == nil && (options.monitor == .validationLoss || options.monitor == .validationAccuracy)
                ? Monitor.loss : options.monitor
            if let v = monitor.value(log), v.isFinite {
                let better = bestValue.map { monitor.higherIsBetter ? v > $0 : v < $0 } ?? true
                if better {
                    bestValue = v
                    sinceBest = 0
                    history.bestEpoch = log
                    try onImprovement(log)
                    progress(.improved(log))
                } else {
                    sinceBest += 1
                    if let patience = options.earlyStoppingPatience, sinceBest >= patience {
                        history.stoppedEarly = true
                        progress(.stoppedEarly(epoch: epoch, bestEpoch: history.bestEpoch?.epoch ?? epoch))
                        break
                    }
                }
            }
        }
        return history
    }
}
