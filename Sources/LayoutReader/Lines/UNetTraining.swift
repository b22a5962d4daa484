import Foundation
import TrainingReports
import Imaging
import TensorKit

/// One image with its exact line mask (1 = line), for UNet training or evaluation.
public struct LabeledLines: Sendable {
    public var image: Image
    public var lines: [UInt8]
    public init(image: Image, lines: [UInt8]) {
        precondition(lines.count == image.width * image.height, "a line mask needs width × height values")
        self.image = image
        self.lines = lines
    }
}

/// Pixel counts of a predicted line mask against the truth.
public struct LineScore: Sendable, Equatable {
    public var truePositives = 0, falsePositives = 0, falseNegatives = 0, pixels = 0
    public init() {}
    public var precision: Double {
        truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives)
    }
    public var recall: Double {
        truePositives + falseNegatives == 0 ? 1 : Double(truePositives) / Double(truePositives + falseNegatives)
    }
    public var iou: Double {
        let u = truePositives + falsePositives + falseNegatives
        return u == 0 ? 1 : Double(truePositives) / Double(u)
    }
    /// Adds the counts of `predicted` against `truth` (same length, 0/1).
    public mutating func add(predicted: [UInt8], truth: [UInt8]) {
        precondition(predicted.count == truth.count, "masks of different sizes")
        for i in predicted.indices {
            let p = predicted[i] != 0
            let t = truth[i] != 0
            if p && t { truePositives += 1 } else if p { falsePositives += 1 } else if t { falseNegatives += 1 }
        }
        pixels += predicted.count
    }
}

/// Trains an ``AttentionUNet`` to find map lines, as the seed did (reference §13.3-13.4): random
/// 32×32 patches of whole-image-standardised RGB, each flipped horizontally, rotated by a random
/// multiple of 90° and given Gaussian noise (σ 0.05) with probability 1/2 each (the seed's clip of
/// noised patches to [0, 1] is not reproduced), pixel-wise softmax cross-entropy over the two
/// classes with no class weights, Adam at 3e-4. Every ``Options/evaluationInterval`` steps the
/// network is scored on fixed validation patches (loss and line IoU); the best IoU is kept.
public final class UNetTraining {
    public struct Options {
        public var configuration = AttentionUNetConfiguration(depth: 3, midChannels: 8)
        public var steps = 1500
        /// Patches per step (the seed: 512).
        public var batchSize = 64
        public var learningRate: Float = 3e-4
        public var evaluationInterval = 100
        /// Validation patches (fixed, no augmentation).
        public var validationPatches = 512
        public var augment = true
        public var noise: Float = 0.05
        /// Share of training patches placed over a line pixel (the rest anywhere). Arena frames
        /// are under 1 % line pixels, so uniform patches are mostly empty ground; the seed sampled
        /// uniformly from crops of the revealed map (about 2 % lines). 0 is the seed's sampling.
        public var linePatchShare: Float = 0.5
        public var seed: UInt64 = 0
        /// Start from these weights instead of random ones.
        public var initial: AttentionUNet?
        public init() {}
    }

    public enum Event {
        case step(step: Int, of: Int, loss: Double, accuracy: Double, elapsed: Double)
        case evaluated(Evaluation)
    }

    /// One evaluation on the validation patches.
    public struct Evaluation: Sendable {
        public var step: Int
        public var loss: Double
        public var accuracy: Double
        public var validationLoss: Double
        public var score: LineScore
        public var improved: Bool
        public var seconds: Double
    }

    public struct Result {
        public var network: AttentionUNet
        public var evaluations: [Evaluation]
        public var best: Evaluation?
    }

    let training: [LabeledLines]
    let validation: [LabeledLines]
    public let options: Options
    private let stats: [(mean: [Float], inv: [Float])]
    /// Indices of the line pixels of each image (training, then validation).
    private let linePixels: [[Int32]]

    public init(training: [LabeledLines], validation: [LabeledLines], options: Options = Options()) throws {
        guard !training.isEmpty else { throw TensorError.invalidArgument("UNet training needs at least one image") }
        for (i, s) in (training + validation).enumerated() where s.image.width < 32 || s.image.height < 32 {
            throw TensorError.invalidArgument(
                "UNet training image \(i) is \(s.image.width)x\(s.image.height); patches need at least 32x32")
        }
        try options.configuration.validate()
        guard options.configuration.depth <= 5 else {
            throw TensorError.invalidArgument("UNet depth \(options.configuration.depth) does not fit 32-pixel patches")
        }
        self.training = training
        self.validation = validation
        self.options = options
        linePixels = (training + validation).map { s in
            s.lines.indices.compactMap { s.lines[$0] != 0 ? Int32($0) : nil }
        }
        stats = (training + validation).map { s in
            let (m, sd) = UNetLineExtractor.channelStatistics(s.image)
            return (m, sd.map { 1 / ($0 + 1e-8) })
        }
    }

    /// A batch of patches: input `[n, 32, 32, 3]` and labels (n·1024).
    func batch(
        _ count: Int, from images: [LabeledLines], statsOffset: Int, augment: Bool, lineShare: Float = 0,
        rng: inout SeededGenerator
    ) -> (Tensor, [Int]) {
        let t = 32
        let x = Tensor.uninitialized([count, t, t, 3])
        var labels = [Int](repeating: 0, count: count * t * t)
        let xp = x.pointer
        for b in 0..<count {
            let i = Int(rng.nextUniform() * Float(images.count)) % images.count
            let s = images[i]
            let (mean, inv) = stats[statsOffset + i]
            let w = s.image.width
            let c = s.image.channels
            // The seed's offsets: top in [0, h - 32), left in [0, w - 32).
            var top = Int(rng.nextUniform() * Float(max(1, s.image.height - t))) % max(1, s.image.height - t)
            var left = Int(rng.nextUniform() * Float(max(1, w - t))) % max(1, w - t)
            let lines = linePixels[statsOffset + i]
            if !lines.isEmpty && rng.nextUniform() < lineShare {
                // A patch holding a random line pixel somewhere inside it.
                let p = Int(lines[Int(rng.nextUniform() * Float(lines.count)) % lines.count])
                let dy = Int(rng.nextUniform() * Float(t)) % t
                let dx = Int(rng.nextUniform() * Float(t)) % t
                top = min(max(0, p / w - dy), s.image.height - t)
                left = min(max(0, p % w - dx), w - t)
            }
            let flip = augment && rng.nextUniform() < 0.5
            let turns = augment && rng.nextUniform() < 0.5 ? 1 + Int(rng.nextUniform() * 3) % 3 : 0
            let noisy = augment && rng.nextUniform() < 0.5
            let dst = xp + b * t * t * 3
            s.image.pixels.withUnsafeBufferPointer { px in
                for yy in 0..<t {
                    for xx in 0..<t {
                        // Output (yy, xx) reads source (sy, sx): flip then rotate counter-clockwise.
                        var u = xx
                        var v = yy
                        for _ in 0..<turns { (u, v) = (t - 1 - v, u) }
                        if flip { u = t - 1 - u }
                        let sy = top + v
                        let sx = left + u
                        let o = (sy * w + sx) * c
                        let d = (yy * t + xx) * 3
                        dst[d] = (Float(px[o]) - mean[0]) * inv[0]
                        dst[d + 1] = (Float(px[o + 1]) - mean[1]) * inv[1]
                        dst[d + 2] = (Float(px[o + 2]) - mean[2]) * inv[2]
                        labels[b * t * t + yy * t + xx] = Int(s.lines[sy * w + sx])
                    }
                }
            }
            if noisy { rng.addNormal(scale: options.noise, to: dst, count: t * t * 3) }
        }
        return (x, labels)
    }

    /// Trains; `progress` hears every step and evaluation, `onImprovement` gets the network (in
    /// evaluation mode) whenever the validation IoU improves (to save a checkpoint). At the end the
    /// best state is restored into ``Result/network``.
    public func run(
        onImprovement: (AttentionUNet, Evaluation) throws -> Void = { _, _ in }, progress: (Event) -> Void
    ) throws -> Result {
        var rng = SeededGenerator(seed: options.seed)
        let net = options.initial ?? AttentionUNet(options.configuration, seed: options.seed &+ 1)
        net.train()
        let adam = Adam(parameters: net.trainableParameters(), learningRate: options.learningRate)
        var vrng = SeededGenerator(seed: options.seed ^ 0xA11D)
        let pool = validation.isEmpty ? training : validation
        let offset = validation.isEmpty ? 0 : training.count
        var validationBatches: [(Tensor, [Int])] = []
        var remaining = options.validationPatches
        while remaining > 0 {
            let n = min(64, remaining)
            validationBatches.append(batch(n, from: pool, statsOffset: offset, augment: false, rng: &vrng))
            remaining -= n
        }
        var evaluations: [Evaluation] = []
        var best: Evaluation?
        var bestState: [String: Tensor]?
        let start = Date()
        var lossSum = 0.0
        var correct = 0
        var seen = 0
        var windowStart = Date()
        for step in 1...options.steps {
            let (x, labels) = batch(
                options.batchSize, from: training, statsOffset: 0, augment: options.augment,
                lineShare: options.linePatchShare, rng: &rng)
            let logits = net(x)
            let flat = logits.reshaped([labels.count, options.configuration.outputClasses])
            let loss = flat.softmaxCrossEntropy(labels: labels)
            adam.zeroGrad()
            loss.backward()
            adam.step()
            lossSum += Double(loss.item)
            let p = flat.pointer
            let k = options.configuration.outputClasses
            for i in labels.indices {
                var arg = 0
                for j in 1..<k where p[i * k + j] > p[i * k + arg] { arg = j }
                if arg == labels[i] { correct += 1 }
            }
            seen += labels.count
            let stepsInWindow = (step - 1) % options.evaluationInterval + 1
            progress(
                .step(
                    step: step, of: options.steps, loss: lossSum / Double(stepsInWindow),
                    accuracy: Double(correct) / Double(seen), elapsed: Date().timeIntervalSince(start)))
            if step % options.evaluationInterval == 0 || step == options.steps {
                net.eval()
                var vloss = 0.0
                var score = LineScore()
                let plan = UNetInferencePlan(net)
                for (vx, vl) in validationBatches {
                    let out = plan.logits(vx)
                    let flat = out.reshaped([vl.count, k])
                    vloss +=
                        Double(GradMode.withoutGrad { flat.softmaxCrossEntropy(labels: vl) }.item) * Double(vl.count)
                    var predicted = [UInt8](repeating: 0, count: vl.count)
                    predicted.withUnsafeMutableBufferPointer { UNetInferencePlan.argmax(out, into: $0.baseAddress!) }
                    score.add(predicted: predicted, truth: vl.map { UInt8($0) })
                }
                net.train()
                let total = validationBatches.reduce(0) { $0 + $1.1.count }
                let improved = best.map { score.iou > $0.score.iou } ?? true
                let e = Evaluation(
                    step: step, loss: lossSum / Double(stepsInWindow), accuracy: Double(correct) / Double(max(1, seen)),
                    validationLoss: vloss / Double(max(1, total)), score: score, improved: improved,
                    seconds: Date().timeIntervalSince(windowStart))
                evaluations.append(e)
                if improved {
                    best = e
                    bestState = net.stateDict().mapValues { $0.copy() }
                    net.eval()
                    try onImprovement(net, e)
                    net.train()
                }
                progress(.evaluated(e))
                lossSum = 0
                correct = 0
                seen = 0
                windowStart = Date()
            }
        }
        if let bestState { try net.load(stateDict: bestState) }
        net.eval()
        return Result(network: net, evaluations: evaluations, best: best)
    }

    /// The history as CSV: `step,loss,accuracy,val_loss,val_precision,val_recall,val_iou,seconds`.
    public static func csv(_ evaluations: [Evaluation]) -> String {
        var s = "step,loss,accuracy,val_loss,val_precision,val_recall,val_iou,seconds\n"
        for e in evaluations {
            s += String(
                format: "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f\n", e.step, e.loss, e.accuracy, e.validationLoss,
                e.score.precision, e.score.recall, e.score.iou, e.seconds)
        }
        return s
    }

    /// Learning curves: loss and validation loss; validation precision, recall and IoU.
    public static func curves(_ evaluations: [Evaluation]) -> Image {
        let loss = LineChart(
            title: "LOSS", xLabel: "evaluation",
            series: [
                .init(name: "loss", values: evaluations.map(\.loss), color: LearningCurves.trainingColor),
                .init(name: "val_loss", values: evaluations.map(\.validationLoss), color: LearningCurves.heldOutColor),
            ])
        let lines = LineChart(
            title: "VALIDATION LINES", xLabel: "evaluation",
            series: [
                .init(name: "precision", values: evaluations.map(\.score.precision), color: [44, 160, 44]),
                .init(name: "recall", values: evaluations.map(\.score.recall), color: [214, 39, 40]),
                .init(name: "iou", values: evaluations.map(\.score.iou), color: [148, 103, 189]),
            ])
        return LearningCurves.sideBySide(loss, lines)
    }
}
