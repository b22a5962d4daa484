import Foundation
import TensorKit

/// One labelled token set.
public struct LayoutExample: Sendable {
    public var tokens: LayoutTokens
    public var label: Int
    public init(tokens: LayoutTokens, label: Int) {
        self.tokens = tokens
        self.label = label
    }
}

/// The seed's ViT training (reference §14): samples realised lazily by a background worker during
/// the first epoch (then kept), class-balanced steps (§14.4), steps padded to one size with a loss
/// mask (§14.5), Adam (lr 1e-3), and the whole test set scored every few steps; the checkpoint with
/// the best test accuracy is kept (ties: the later one with lower training loss is not preferred,
/// the first best stays).
public final class ViTTraining {
    /// Makes one training sample's tokens (a fog-of-war sampling of a layout); called on the worker.
    public typealias Recipe = @Sendable () throws -> LayoutTokens

    public struct Options: Sendable {
        public var configuration = ViTConfiguration.seed
        public var epochs = 1000
        /// Stop after this much training time (seconds), if set.
        public var timeLimit: Double?
        public var learningRate: Float = 1e-3
        /// At least this many samples of the rarest class per step (the seed's 5).
        public var minimumPerClassPerStep = 5
        /// Score the test set every this many steps (the seed's 5).
        public var evaluateEvery = 5
        public var seed: UInt64 = 0
        /// Start from these weights (a model file's tensors) instead of the seed's initialisation.
        public var initialWeights: [String: Tensor]?
        /// Evaluate and save an exponential moving average of the weights with this decay
        /// (``ExponentialMovingAverage``) instead of the last step's weights; nil: no average.
        public var averageDecay: Float?
        /// Lower the learning rate along a half cosine from `learningRate` to 0 at the end of
        /// training (at `timeLimit` when one is set, else after `epochs`).
        public var cosineDecay = false
        public init() {}
    }

    public enum Event {
        /// The worker has realised `done` of `total` samples.
        case realised(done: Int, total: Int)
        case step(epoch: Int, step: Int, steps: Int, loss: Double, elapsed: Double)
        /// A test-set evaluation; `improved` when it is the best so far (and was saved).
        case evaluated(EpochLog, improved: Bool)
        case epochEnded(epoch: Int)
    }

    public struct Result {
        public var classifier: ViTLayoutClassifier
        public var history: History
        public var bestAccuracy: Double
        public var bestStep: Int
        public var steps: Int
        public var samples: Int
    }

    let recipes: [[Recipe]]
    let test: [LayoutExample]
    let classNames: [String]
    let options: Options

    /// `recipes[c]` makes the training samples of class `c`; `test` is scored every few steps.
    public init(recipes: [[Recipe]], test: [LayoutExample], classNames: [String], options: Options = Options()) {
        self.recipes = recipes
        self.test = test
        self.classNames = classNames
        self.options = options
    }

    /// The seed's epoch schedule (§14.4): each class's samples shuffled and dealt round-robin into
    /// ⌊smallest class / k⌋ steps, so each step holds about count_c / steps samples of class c and
    /// every sample is used once per epoch. Returns (class, index) pairs per step.
    public static func schedule(
        counts: [Int], minimumPerClass k: Int, rng: inout SeededGenerator
    ) throws
        -> [[(label: Int, index: Int)]]
    {
        let present = counts.filter { $0 > 0 }
        guard let smallest = present.min(), let largest = present.max(), present.count == counts.count else {
            throw TensorError.invalidArgument("every class needs training samples (counts \(counts))")
        }
        guard Double(largest) / Double(smallest) < 2 else {
            throw TensorError.invalidArgument(
                "classes are too unbalanced: largest/smallest = \(largest)/\(smallest) must be below 2")
        }
        let stepCount = max(1, smallest / k)
        var steps = [[(label: Int, index: Int)]](repeating: [], count: stepCount)
        for (c, n) in counts.enumerated() {
            var order = Array(0..<n)
            order.shuffle(using: &rng)
            for (j, i) in order.enumerated() { steps[j % stepCount].append((c, i)) }
        }
        for s in steps.indices { steps[s].shuffle(using: &rng) }
        return steps
    }

    /// Trains, writing the best checkpoint (by test accuracy) to `output` whenever it improves.
    public func run(output: URL, events: (Event) -> Void) throws -> Result {
        let c = options.configuration
        precondition(classNames.count == c.classes)
        let network = ViTNetwork(c, seed: options.seed)
        if let w = options.initialWeights { try network.load(stateDict: w) }
        network.train()
        let optimizer = Adam(parameters: network.trainableParameters(), learningRate: options.learningRate)
        let cosine = CosineWithWarmup(peak: options.learningRate, warmupSteps: 0, totalSteps: 1)
        let average = options.averageDecay.map { ExponentialMovingAverage(of: network, decay: $0) }
        // The network the average is scored in (eval mode throughout).
        let averaged = average.map { _ in ViTNetwork(c, seed: options.seed) }
        averaged?.eval()
        var rng = SeededGenerator(seed: options.seed &+ 0x7A1)
        let counts = recipes.map(\.count)
        let total = counts.reduce(0, +)

        // The first epoch's schedule decides the order the worker realises samples in.
        var steps = try ViTTraining.schedule(counts: counts, minimumPerClass: options.minimumPerClassPerStep, rng: &rng)
        let cache = SampleCache(counts: counts)
        let order = steps.flatMap { $0 }
        let recipes = self.recipes
        let worker = Thread {
            for item in order {
                if cache.isCancelled { return }
                let tokens: Swift.Result<PackedLayoutTokens, Error> = Swift.Result {
                    PackedLayoutTokens(try recipes[item.label][item.index]())
                }
                cache.put(item.label, item.index, tokens)
            }
        }
        worker.stackSize = 8 << 20
        worker.start()
        defer { cache.cancel() }

        var history = History()
        var best = -1.0
        var bestStep = 0
        var stepNumber = 0
        var lossSum = 0.0
        var correct = 0
        var seen = 0
        let start = Date()
        var lastEval = Date()
        var bestClassifier = ViTLayoutClassifier(network: ViTNetwork(c, seed: options.seed), classNames: classNames)
        network.train()
        training: for epoch in 1...options.epochs {
            if epoch > 1 {
                steps = try ViTTraining.schedule(
                    counts: counts, minimumPerClass: options.minimumPerClassPerStep, rng: &rng)
            }
            let largest = steps.map(\.count).max() ?? 0
            for (s, step) in steps.enumerated() {
                var samples: [LayoutTokens] = []
                var labels: [Int] = []
                for item in step {
                    let t = try cache.get(item.label, item.index)
                    guard t.count > 0 else { continue }  // an exploration that saw no line has no tokens
                    samples.append(t)
                    labels.append(item.label)
                }
                if epoch == 1 { events(.realised(done: cache.realisedCount, total: total)) }
                guard !samples.isEmpty else { continue }
                let pad = largest - samples.count
                let batch = ViTBatch(samples, configuration: c, padSamples: pad)
                let logits = network(batch)
                let weights = [Float](repeating: 1, count: samples.count) + [Float](repeating: 0, count: pad)
                let loss = logits.softmaxCrossEntropy(
                    labels: labels + [Int](repeating: 0, count: pad), weights: weights)
                if options.cosineDecay {
                    let progress: Double
                    if let limit = options.timeLimit {
                        progress = Date().timeIntervalSince(start) / limit
                    } else {
                        progress = (Double(epoch - 1) + Double(s) / Double(steps.count)) / Double(options.epochs)
                    }
                    optimizer.learningRate = cosine.decayedRate(progress: Float(progress))
                }
                optimizer.zeroGrad()
                loss.backward()
                optimizer.step()
                average?.update()
                stepNumber += 1
                let l = Double(loss.item)
                lossSum += l * Double(samples.count)
                for i in 0..<samples.count {
                    let row = logits.pointer + i * c.classes
                    var arg = 0
                    for k in 1..<c.classes where row[k] > row[arg] { arg = k }
                    if arg == labels[i] { correct += 1 }
                }
                seen += samples.count
                let elapsed = Date().timeIntervalSince(start)
                events(.step(epoch: epoch, step: s + 1, steps: steps.count, loss: l, elapsed: elapsed))
                let outOfTime = options.timeLimit.map { elapsed >= $0 } ?? false
                if stepNumber % options.evaluateEvery == 0 || outOfTime {
                    // The network scored and saved: the average when one is kept, else the live one.
                    let scored: ViTNetwork
                    if let average, let averaged {
                        try averaged.load(stateDict: average.averages)
                        scored = averaged
                    } else {
                        network.eval()
                        scored = network
                    }
                    let (testLoss, testAccuracy) = evaluate(scored)
                    network.train()
                    let log = EpochLog(
                        epoch: stepNumber, loss: lossSum / Double(max(seen, 1)),
                        accuracy: Double(correct) / Double(max(seen, 1)), validationLoss: testLoss,
                        validationAccuracy: testAccuracy, learningRate: Double(optimizer.learningRate),
                        seconds: Date().timeIntervalSince(lastEval))
                    lastEval = Date()
                    lossSum = 0
                    correct = 0
                    seen = 0
                    history.epochs.append(log)
                    let improved = testAccuracy > best
                    if improved {
                        best = testAccuracy
                        bestStep = stepNumber
                        history.bestEpoch = log
                        let copy = ViTNetwork(c, seed: options.seed)
                        try copy.load(stateDict: scored.stateDict().mapValues { $0.copy() })
                        bestClassifier = ViTLayoutClassifier(network: copy, classNames: classNames)
                        try bestClassifier.write(
                            to: output,
                            extra: ["test_accuracy": String(format: "%.4f", testAccuracy), "step": "\(stepNumber)"])
                    }
                    events(.evaluated(log, improved: improved))
                }
                if outOfTime { break training }
            }
            events(.epochEnded(epoch: epoch))
        }
        return Result(
            classifier: bestClassifier, history: history, bestAccuracy: best, bestStep: bestStep, steps: stepNumber,
            samples: total)
    }

    /// Mean cross-entropy and accuracy on the test set (in eval mode).
    func evaluate(_ network: ViTNetwork) -> (loss: Double, accuracy: Double) {
        guard !test.isEmpty else { return (.nan, .nan) }
        let c = network.configuration
        var loss = 0.0
        var right = 0
        var n = 0
        GradMode.withoutGrad {
            var i = 0
            while i < test.count {
                let chunk = test[i..<min(test.count, i + 32)].filter { $0.tokens.count > 0 }
                i += 32
                guard !chunk.isEmpty else { continue }
                let logits = network(ViTBatch(chunk.map(\.tokens), configuration: c))
                let labels = chunk.map(\.label)
                loss += Double(logits.softmaxCrossEntropy(labels: labels).item) * Double(chunk.count)
                for (j, label) in labels.enumerated() {
                    let row = logits.pointer + j * c.classes
                    var arg = 0
                    for k in 1..<c.classes where row[k] > row[arg] { arg = k }
                    if arg == label { right += 1 }
                }
                n += chunk.count
            }
        }
        // Test samples without tokens count as wrong (no answer).
        return (loss / Double(max(n, 1)), Double(right) / Double(test.count))
    }
}

/// Realised samples shared by the worker (which fills it in step order) and the trainer.
final class SampleCache: @unchecked Sendable {
    private let condition = NSCondition()
    private var slots: [[Result<PackedLayoutTokens, Error>?]]
    private var cancelled = false
    private(set) var realisedCount = 0

    init(counts: [Int]) { slots = counts.map { [Result<PackedLayoutTokens, Error>?](repeating: nil, count: $0) } }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    func put(_ label: Int, _ index: Int, _ value: Result<PackedLayoutTokens, Error>) {
        condition.lock()
        slots[label][index] = value
        realisedCount += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the sample is realised.
    func get(_ label: Int, _ index: Int) throws -> LayoutTokens {
        condition.lock()
        defer { condition.unlock() }
        while slots[label][index] == nil { condition.wait() }
        switch slots[label][index]! {
        case .success(let t): return t.unpacked
        case .failure(let e): throw e
        }
    }
}
