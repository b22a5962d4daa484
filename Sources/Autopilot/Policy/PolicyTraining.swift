import Foundation
import Recording
import TensorKit

/// The optimizers `train policy` offers.
public enum PolicyOptimizer: String, Sendable, CaseIterable {
    /// Keras's RMSprop (rho 0.9, epsilon 1e-7), as the seed trained.
    case rmsprop
    /// Adam (epsilon 1e-7, Keras's).
    case adam
}

/// How a policy is trained.
public struct PolicyTrainingOptions: Sendable {
    public var epochs = 10
    public var batchSize = 16
    /// Consecutive windows per run in a batch (they share frames: each is encoded once a step).
    public var runLength = 8
    public var optimizer = PolicyOptimizer.rmsprop
    public var learningRate: Float = 1e-3
    /// Stop after this many epochs without a better validation loss (the seed's 2; nil: never).
    public var patience: Int? = 2
    /// Fractions of the recordings held out (split by recording).
    public var validation = 0.15, test = 0.15
    /// These recordings (indices into the recordings trained on) are the validation part and the
    /// rest are trained on, with no test part, instead of the random split by ``validation`` and
    /// ``test``.
    public var validationRecordings: [Int]?
    public var splitSeed: UInt64 = 69
    /// Seed of the weights and the batch order.
    public var seed: UInt64 = 0
    /// The seed's balancing of the training windows.
    public var balance = false
    /// Add mirrored training windows (left and right swapped).
    public var flip = false
    public var preprocessing = FramePreprocessing(width: 64, height: 48, scale: 1 / 127.5, offset: -1, windowLength: 10)
    public var network = SmallPolicy.Configuration()
    /// The network: the small default, or the seed's (square frames, its encoder frozen as in the seed).
    public var architecture = PolicyArchitecture.small
    /// Loss weight of a correction window (a stretch where a person took over).
    public var correctionWeight: Float = 3
    public init() {}
}

/// A part's quality on the held-out data: per-key precision and recall, and how often the
/// predicted set of keys equals the demonstrator's.
public struct PolicyEvaluation: Sendable {
    public var keyNames: [String]
    public var windows: Int
    public var loss: Double
    /// Per key: true positives, false positives, false negatives, positives in the labels.
    public var truePositives: [Int], falsePositives: [Int], falseNegatives: [Int], positives: [Int]
    /// Windows whose predicted key set equals the label's.
    public var exactMatches: Int
    /// What always predicting each key's majority state gets right, as a set (the baseline).
    public var majorityExactMatches: Int
    /// Every window's probabilities and labels, key by key (for calibration).
    public var probabilities: [[Float]] = [], labels: [[Bool]] = []

    /// Per key, the threshold in 0.3...0.7 with the best F1 score (0.5 when the key is never held).
    public func bestThresholds() -> [Float] {
        keyNames.indices.map { k in
            guard positives[k] > 0 else { return 0.5 }
            var best: (f1: Double, t: Float) = (-1, 0.5)
            for step in 6...14 {
                let t = Float(step) * 0.05
                var tp = 0
                var fp = 0
                for (p, l) in zip(probabilities, labels) {
                    if p[k] > t { if l[k] { tp += 1 } else { fp += 1 } }
                }
                let fn = positives[k] - tp
                let f1 = tp == 0 ? 0 : 2 * Double(tp) / Double(2 * tp + fp + fn)
                if f1 > best.f1 + 1e-9 || (abs(f1 - best.f1) < 1e-9 && abs(t - 0.5) < abs(best.t - 0.5)) {
                    best = (f1, t)
                }
            }
            return best.t
        }
    }

    public func precision(_ k: Int) -> Double? {
        let d = truePositives[k] + falsePositives[k]
        return d > 0 ? Double(truePositives[k]) / Double(d) : nil
    }
    public func recall(_ k: Int) -> Double? {
        positives[k] > 0 ? Double(truePositives[k]) / Double(positives[k]) : nil
    }
    public var exactMatchRate: Double { windows > 0 ? Double(exactMatches) / Double(windows) : .nan }
    public var majorityRate: Double { windows > 0 ? Double(majorityExactMatches) / Double(windows) : .nan }
}

/// The result of a training run.
public struct PolicyTrainingResult {
    public var model: PolicyModel
    public var history: History
    /// Recording indices of each part.
    public var parts: [DatasetPart: [Int]]
    /// Windows per part (training after balancing and flips; corrections included).
    public var windowCounts: [DatasetPart: Int]
    /// Per part and key: windows whose label holds the key; last entry: windows with no key.
    public var balance: [DatasetPart: [Int]]
    public var correctionWindows: Int
    public var test: PolicyEvaluation?
    public var validation: PolicyEvaluation?

    public init(
        model: PolicyModel, history: History, parts: [DatasetPart: [Int]], windowCounts: [DatasetPart: Int],
        balance: [DatasetPart: [Int]], correctionWindows: Int, test: PolicyEvaluation? = nil,
        validation: PolicyEvaluation? = nil
    ) {
        self.model = model
        self.history = history
        self.parts = parts
        self.windowCounts = windowCounts
        self.balance = balance
        self.correctionWindows = correctionWindows
        self.test = test
        self.validation = validation
    }
}

/// Trains a ``SmallPolicy`` on recordings with binary cross-entropy: split by recording, frames
/// of a batch encoded once each, checkpoint on validation loss, early stopping, best weights
/// restored, then an evaluation on the held-out test recordings.
public struct PolicyTraining {
    public let recordings: [RecordingFile]
    /// Recordings made by `play --record-corrections` (their takeover stretches are trained on).
    public let corrections: [RecordingFile]
    public let options: PolicyTrainingOptions

    public init(recordings: [RecordingFile], corrections: [RecordingFile] = [], options: PolicyTrainingOptions) {
        self.recordings = recordings
        self.corrections = corrections
        self.options = options
    }

    /// The frame ranges a corrections recording marks as a person's (meta `takeovers`: JSON
    /// `[[first, last], ...]`, inclusive).
    public static func takeovers(_ r: RecordingFile) -> [ClosedRange<Int>] {
        guard let s = r.meta["takeovers"], let pairs = try? JSONDecoder().decode([[Int]].self, from: Data(s.utf8))
        else {
            return []
        }
        return pairs.compactMap { $0.count == 2 && $0[0] <= $0[1] ? $0[0]...$0[1] : nil }
    }

    /// Trains; `checkpoint` receives the model each time the validation loss improves.
    public func run(
        checkpoint: (PolicyModel, EpochLog) throws -> Void = { _, _ in },
        progress: (TrainingEvent) -> Void = { _ in }
    ) throws -> PolicyTrainingResult {
        guard !recordings.isEmpty else { throw PolicyError.badData("give at least one recording to train on") }
        let all = recordings + corrections
        let p = options.preprocessing
        let dataset: WindowedDataset
        do { dataset = try WindowedDataset(recordings: all, windowLength: p.windowLength) } catch {
            throw PolicyError.badData("\(error)")
        }
        let base = try WindowedDataset(recordings: recordings, windowLength: p.windowLength)
        var parts = base.split(validation: options.validation, test: options.test, seed: options.splitSeed)
        if recordings.count == 1 { parts = [.train: [0], .validation: [], .test: []] }
        if let held = options.validationRecordings {
            guard held.allSatisfy(recordings.indices.contains), Set(held).count < recordings.count else {
                throw PolicyError.badData(
                    "validation recordings \(held) must be distinct indices of the \(recordings.count) recordings, leaving some to train on")
            }
            parts = [
                .validation: held.sorted(), .test: [],
                .train: recordings.indices.filter { !held.contains($0) },
            ]
        }
        var train = dataset.examples(recordings: parts[.train])
        if options.balance { train = dataset.balanced(train, seed: options.splitSeed) }
        if options.flip { train = dataset.withFlips(train) }
        var weights = [Float](repeating: 1, count: train.count)
        var correctionWindows = 0
        for (c, r) in corrections.enumerated() {
            let id = recordings.count + c
            for range in PolicyTraining.takeovers(r) {
                for i in range where i < r.count {
                    train.append(WindowExample(recording: id, frame: i))
                    weights.append(options.correctionWeight)
                    correctionWindows += 1
                    if options.flip {
                        train.append(WindowExample(recording: id, frame: i, flipped: true))
                        weights.append(options.correctionWeight)
                    }
                }
            }
        }
        guard !train.isEmpty else { throw PolicyError.badData("no training windows (the recordings are empty)") }
        let fingerprint = all[0].fingerprint
        let network: any PolicyNetwork
        switch options.architecture {
        case .small:
            network = SmallPolicy(
                preprocessing: p, keyNames: fingerprint.keys, configuration: options.network, seed: options.seed)
        case .seed:
            guard p.width == p.height else {
                throw PolicyError.badData("the seed's network needs square frames, got \(p.width)x\(p.height)")
            }
            network = SeedPolicy(
                keyNames: fingerprint.keys, frameSize: p.width, windowLength: p.windowLength, seed: options.seed)
        }
        let metadata = PolicyMetadata(
            fingerprint: fingerprint, preprocessing: network.preprocessing,
            trainedOn: all.map { $0.url.lastPathComponent })
        let model = PolicyModel(network: network, metadata: metadata, architecture: options.architecture)

        let trainStream = SharedFrameBatchStream(
            dataset: dataset, examples: train, weights: weights, preprocessing: p, batchSize: options.batchSize,
            runLength: options.runLength, seed: options.seed)
        func evaluationStream(_ part: DatasetPart) -> SharedFrameBatchStream? {
            let ex = dataset.examples(recordings: parts[part])
            guard !ex.isEmpty else { return nil }
            let s = SharedFrameBatchStream(
                dataset: dataset, examples: ex, preprocessing: p, batchSize: 64, runLength: 32, seed: 0)
            s.shuffle = false
            return s
        }
        let validationStream = evaluationStream(.validation)
        let testStream = evaluationStream(.test)

        let parameters = network.trainableParameters()
        let optimizer: any Optimizer =
            options.optimizer == .rmsprop
            ? RMSprop.keras(parameters: parameters, learningRate: options.learningRate)
            : Adam(parameters: parameters, learningRate: options.learningRate, epsilon: 1e-7)

        var history = History()
        var best: (value: Double, state: [String: Tensor])?
        var sinceBest = 0
        let steps = trainStream.batchesPerEpoch
        for epoch in 1...Swift.max(1, options.epochs) {
            progress(.epochBegan(epoch: epoch, of: options.epochs, steps: steps))
            network.train()
            let start = Date()
            var lossSum = 0.0
            var exact = 0
            var seen = 0
            var s = 0
            let iterator = trainStream.makeIterator()
            while let batch = iterator.next() {
                optimizer.zeroGrad()
                let logits = PolicyTraining.logits(network, batch)
                let loss = PolicyTraining.loss(logits, batch)
                loss.backward()
                GradientClipping.clipNorm(parameters, maxNorm: 5)
                optimizer.step()
                s += 1
                lossSum += Double(loss.item) * Double(batch.count)
                exact += PolicyTraining.exactMatches(logits, batch.labels)
                seen += batch.count
                progress(
                    .stepEnded(
                        epoch: epoch, step: s, steps: Swift.max(steps, s), loss: lossSum / Double(seen),
                        accuracy: Double(exact) / Double(seen), elapsed: Date().timeIntervalSince(start)))
            }
            if let e = iterator.error { throw PolicyError.badData("\(e)") }
            var log = EpochLog(
                epoch: epoch, loss: lossSum / Double(Swift.max(1, seen)),
                accuracy: Double(exact) / Double(Swift.max(1, seen)),
                validationLoss: nil, validationAccuracy: nil, learningRate: Double(optimizer.learningRate), seconds: 0)
            if let validationStream {
                let v = try PolicyTraining.evaluate(network, validationStream)
                log.validationLoss = v.loss
                log.validationAccuracy = v.exactMatchRate
            }
            log.seconds = Date().timeIntervalSince(start)
            history.epochs.append(log)
            progress(.epochEnded(log))
            let monitored = log.validationLoss ?? log.loss
            if best.map({ monitored < $0.value }) ?? true {
                best = (monitored, network.stateDict().mapValues { $0.copy() })
                sinceBest = 0
                history.bestEpoch = log
                try checkpoint(model, log)
                progress(.improved(log))
            } else {
                sinceBest += 1
                if let patience = options.patience, sinceBest >= patience {
                    history.stoppedEarly = true
                    progress(.stoppedEarly(epoch: epoch, bestEpoch: history.bestEpoch?.epoch ?? epoch))
                    break
                }
            }
        }
        if let best { try network.load(stateDict: best.state) }
        network.eval()

        var counts: [DatasetPart: Int] = [.train: train.count]
        var balance: [DatasetPart: [Int]] = [:]
        for part in DatasetPart.allCases {
            let ex = part == .train ? train : dataset.examples(recordings: parts[part])
            if part != .train { counts[part] = ex.count }
            var b = [Int](repeating: 0, count: fingerprint.keys.count + 1)
            for e in ex {
                let l = trainStream.labels(e)
                for (k, h) in l.enumerated() where h { b[k] += 1 }
                if !l.contains(true) { b[fingerprint.keys.count] += 1 }
            }
            balance[part] = b
        }
        let validation = try validationStream.map { try PolicyTraining.evaluate(network, $0) }
        var trained = model
        trained.metadata.calibratedThresholds = validation?.bestThresholds()
        return PolicyTrainingResult(
            model: trained, history: history, parts: parts, windowCounts: counts, balance: balance,
            correctionWindows: correctionWindows, test: try testStream.map { try PolicyTraining.evaluate(network, $0) },
            validation: validation)
    }

    /// Logits `[B, K]` of a batch: each distinct frame encoded once, features gathered per window.
    public static func logits(_ network: any PolicyNetwork, _ batch: SharedFrameBatch) -> Tensor {
        let features = network.encode(batch.frames)
        let windows = features.gather(rows: batch.frameIndex).reshaped([
            batch.count, batch.windowLength, network.featureCount,
        ])
        return network.keyLogits(features: windows)
    }

    /// Weighted binary cross-entropy on logits (numerically stable form), mean over keys and
    /// the windows' weights.
    public static func loss(_ logits: Tensor, _ batch: SharedFrameBatch) -> Tensor {
        let t = batch.labels
        let perElement = logits.relu() - logits * t + ((logits.abs() * -1).exp() + 1).log()
        if batch.weights.allSatisfy({ $0 == 1 }) { return perElement.mean() }
        let w = Tensor(shape: [batch.count, 1], scalars: batch.weights)
        let total = batch.weights.reduce(0, +) * Float(logits.shape[1])
        return (perElement * w).sum() * (1 / Swift.max(total, 1e-6))
    }

    /// Windows whose thresholded logits (> 0, i.e. probability > 0.5) equal the labels in every key.
    static func exactMatches(_ logits: Tensor, _ labels: Tensor) -> Int {
        let b = logits.shape[0]
        let k = logits.shape[1]
        var n = 0
        for i in 0..<b {
            var same = true
            for j in 0..<k where (logits.pointer[i * k + j] > 0) != (labels.pointer[i * k + j] > 0.5) { same = false }
            if same { n += 1 }
        }
        return n
    }

    /// Loss, per-key precision and recall and exact-set matches over a stream, at threshold 0.5.
    public static func evaluate(
        _ network: any PolicyNetwork, _ stream: SharedFrameBatchStream
    ) throws
        -> PolicyEvaluation
    {
        let keys = network.keyNames
        let k = keys.count
        var e = PolicyEvaluation(
            keyNames: keys, windows: 0, loss: 0, truePositives: .init(repeating: 0, count: k),
            falsePositives: .init(repeating: 0, count: k), falseNegatives: .init(repeating: 0, count: k),
            positives: .init(repeating: 0, count: k), exactMatches: 0, majorityExactMatches: 0)
        var labelSets: [[Bool]] = []
        var lossSum = 0.0
        let wasTraining = network.isTraining
        network.eval()
        defer { network.train(wasTraining) }
        let iterator = stream.makeIterator()
        try GradMode.withoutGrad {
            while let batch = iterator.next() {
                let logits = logits(network, batch)
                lossSum += Double(loss(logits, batch).item) * Double(batch.count)
                for i in 0..<batch.count {
                    var same = true
                    var set: [Bool] = []
                    for j in 0..<k {
                        let predicted = logits.pointer[i * k + j] > 0
                        let actual = batch.labels.pointer[i * k + j] > 0.5
                        set.append(actual)
                        if actual { e.positives[j] += 1 }
                        if predicted && actual { e.truePositives[j] += 1 }
                        if predicted && !actual { e.falsePositives[j] += 1 }
                        if !predicted && actual { e.falseNegatives[j] += 1 }
                        if predicted != actual { same = false }
                    }
                    e.probabilities.append((0..<k).map { 1 / (1 + Foundation.exp(-logits.pointer[i * k + $0])) })
                    e.labels.append(set)
                    if same { e.exactMatches += 1 }
                    labelSets.append(set)
                    e.windows += 1
                }
            }
            if let error = iterator.error { throw PolicyError.badData("\(error)") }
        }
        e.loss = e.windows > 0 ? lossSum / Double(e.windows) : .nan
        // The most common key set, always predicted: what "better than chance" must beat.
        var counts: [[Bool]: Int] = [:]
        for s in labelSets { counts[s, default: 0] += 1 }
        e.majorityExactMatches = counts.values.max() ?? 0
        return e
    }
}
