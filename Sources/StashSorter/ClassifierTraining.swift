import Foundation
import TrainingReports
import TensorKit
import Imaging
import Datasets

/// Trains a ``CellClassifier`` on a class-folder image set, the way the seed's training script
/// does (80/20 split by seed, Adam, batch 16, translation and noise augmentation), and writes the
/// model, its history and a picture of the learning curves.
public struct ClassifierTraining {
    public struct Options: Sendable {
        public var epochs = 100
        public var batchSize = 16
        public var learningRate: Float = 0.001
        public var validationSplit = 0.2
        /// Seed of the split (Keras's `seed=123` in the seed script).
        public var splitSeed: UInt32 = 123
        /// Seed of weights, shuffling, dropout and augmentation.
        public var seed: UInt64 = 0
        public var augmentation = Augmentation.gemSeed
        public var imageSize = 52
        public var earlyStoppingPatience: Int?
        /// Continue from the weights of an existing model file (the seed did this silently).
        public var resumeFrom: URL?
        /// Weigh each class's loss by the inverse of its share of the training images, so a class
        /// with 2 images counts as much as one with 18 (on by default).
        public var balanceClasses = true
        /// Fit a softmax temperature on the validation split (stored in the model file).
        public var calibrate = true
        /// A second class-folder set added to the training split only (e.g. drawn gems mixed
        /// into a small real set); its class names must be the same.
        public var extraTrainingDirectory: URL?
        public init() {}
    }

    /// What a run produced.
    public struct Result {
        public var classifier: CellClassifier
        public var history: History
        public var trainingCount: Int
        public var validationCount: Int
        public var trainingFiles: [String]
        public var validationFiles: [String]
        /// Loss weight of each class (all 1 without balancing).
        public var classWeights: [Float]
        /// Images per class in the training split (with any extra set).
        public var classCounts: [Int]
        /// Images from the extra training set.
        public var extraCount: Int
        /// The fitted temperature (1 when not calibrated) and the validation negative
        /// log-likelihood before and after it.
        public var temperature: Float
        public var validationNLL: (before: Double, after: Double)?
    }

    public let directory: URL
    public let options: Options

    public init(directory: URL, options: Options) {
        self.directory = directory
        self.options = options
    }

    /// Runs training. The best epoch (by validation loss, or training loss without validation) is
    /// saved to `output`; `progress` receives every event.
    public func run(output: URL, progress: (TrainingEvent) -> Void = { _ in }) throws -> Result {
        let folder = try ImageFolder(directory: directory)
        let split =
            options.validationSplit > 0
            ? folder.split(validationFraction: options.validationSplit, seed: options.splitSeed)
            : (training: folder.samples, validation: [])
        guard !split.training.isEmpty else {
            throw DatasetError.badFolder(
                path: directory.path, reason: "no training images left after the validation split")
        }
        var trainingSamples = split.training
        var extraCount = 0
        if let extraDir = options.extraTrainingDirectory {
            let extra = try ImageFolder(directory: extraDir, minimumClasses: 1)
            for name in extra.classNames where !folder.classNames.contains(name) {
                throw DatasetError.badFolder(
                    path: extraDir.path,
                    reason:
                        "class '\(name)' is not among \(directory.path)'s classes (\(folder.classNames.joined(separator: ", ")))"
                )
            }
            let mapped = extra.samples.map {
                ImageFolder.Sample(url: $0.url, label: folder.classNames.firstIndex(of: extra.classNames[$0.label])!)
            }
            trainingSamples += mapped
            extraCount = mapped.count
        }
        let train = try LabeledImages(samples: trainingSamples, width: options.imageSize, height: options.imageSize)
        var counts = [Int](repeating: 0, count: folder.classNames.count)
        for l in train.labels { counts[l] += 1 }
        let present = counts.filter { $0 > 0 }.count
        let weights: [Float] =
            options.balanceClasses
            ? counts.map { $0 > 0 ? Float(train.count) / Float(present * $0) : 0 }
            : Array(repeating: 1, count: counts.count)
        let val =
            split.validation.isEmpty
            ? nil : try LabeledImages(samples: split.validation, width: options.imageSize, height: options.imageSize)

        let classifier = CellClassifier(classNames: folder.classNames, inputSize: options.imageSize, seed: options.seed)
        if let resume = options.resumeFrom {
            let old = try CellClassifier(contentsOf: resume)
            guard old.classNames == folder.classNames else {
                throw TensorError.badFile(
                    path: resume.path,
                    reason: "model classes \(old.classNames) differ from the folder's \(folder.classNames)")
            }
            try classifier.network.load(stateDict: old.network.stateDict())
            classifier.weightsDidChange()
        }
        let optimizer = Adam(
            parameters: classifier.network.trainableParameters(), learningRate: options.learningRate, epsilon: 1e-7)
        let balance = options.balanceClasses
        let trainer = Trainer(model: classifier.network, optimizer: optimizer) { logits, batch in
            logits.softmaxCrossEntropy(labels: batch.labels, weights: balance ? batch.labels.map { weights[$0] } : nil)
        }
        let loader = BatchLoader(
            train, batchSize: options.batchSize, shuffle: true, augmentation: options.augmentation,
            seed: options.seed &+ 1)
        let valLoader = val.map { BatchLoader($0, batchSize: 64, shuffle: false) }
        var fit = FitOptions()
        fit.earlyStoppingPatience = options.earlyStoppingPatience
        let history = try trainer.fit(
            epochs: options.epochs, training: loader, validation: valLoader, options: fit,
            onImprovement: { _ in try classifier.save(to: output) }, progress: progress)
        // Reload the best epoch's weights so the returned classifier is the saved one.
        let best = try CellClassifier(contentsOf: output)
        var nll: (Double, Double)?
        if options.calibrate, let val, val.count > 0 {
            let fit = ClassifierTraining.fitTemperature(best, on: val)
            best.temperature = fit.temperature
            nll = (fit.before, fit.after)
            try best.save(to: output)
        }
        return Result(
            classifier: best, history: history, trainingCount: train.count, validationCount: val?.count ?? 0,
            trainingFiles: trainingSamples.map(\.url.path), validationFiles: split.validation.map(\.url.path),
            classWeights: weights, classCounts: counts, extraCount: extraCount, temperature: best.temperature,
            validationNLL: nll)
    }

    /// Temperature scaling: the temperature in [1, 5] (log-spaced search; never below 1, since a
    /// small validation set that is all right would otherwise sharpen the model without end) that minimises the
    /// negative log-likelihood of the labelled images, with the NLL at 1 and at the fit.
    public static func fitTemperature(
        _ classifier: CellClassifier, on data: LabeledImages
    ) -> (temperature: Float, before: Double, after: Double) {
        let logits = GradMode.withoutGrad { classifier.logits(batch: data.images) }
        let c = classifier.classNames.count
        func nll(_ t: Float) -> Double {
            var total = 0.0
            for i in 0..<data.count {
                var m = -Float.infinity
                for k in 0..<c { m = Swift.max(m, logits.pointer[i * c + k] / t) }
                var s: Float = 0
                for k in 0..<c { s += Foundation.exp(logits.pointer[i * c + k] / t - m) }
                total += Double(m + Foundation.log(s) - logits.pointer[i * c + data.labels[i]] / t)
            }
            return total / Double(Swift.max(1, data.count))
        }
        var best: Float = 1
        var bestNLL = nll(1)
        let before = bestNLL
        for step in 0...120 {
            let t = Float(Foundation.pow(5, Double(step) / 120))
            let v = nll(t)
            if v < bestNLL - 1e-9 {
                bestNLL = v
                best = t
            }
        }
        return (best, before, bestNLL)
    }

    /// The learning curves (loss and accuracy, training and validation) as a picture.
    public static func learningCurves(_ history: History) -> Image { LearningCurves.picture(history) }
}
