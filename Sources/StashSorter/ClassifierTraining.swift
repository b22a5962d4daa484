import Foundation
import TensorKit
import Vision
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
        let split = options.validationSplit > 0
            ? folder.split(validationFraction: options.validationSplit, seed: options.splitSeed)
            : (training: folder.samples, validation: [])
        guard !split.training.isEmpty else {
            throw DatasetError.badFolder(path: directory.path, reason: "no training images left after the validation split")
        }
        let train = try LabeledImages(samples: split.training, width: options.imageSize, height: options.imageSize)
        let val = split.validation.isEmpty ? nil : try LabeledImages(samples: split.validation, width: options.imageSize, height: options.imageSize)

        let classifier = CellClassifier(classNames: folder.classNames, inputSize: options.imageSize, seed: options.seed)
        if let resume = options.resumeFrom {
            let old = try CellClassifier(contentsOf: resume)
            guard old.classNames == folder.classNames else {
                throw TensorError.badFile(path: resume.path, reason: "model classes \(old.classNames) differ from the folder's \(folder.classNames)")
            }
            try classifier.network.load(stateDict: old.network.stateDict())
            classifier.weightsDidChange()
        }
        let optimizer = Adam(parameters: classifier.network.trainableParameters(), learningRate: options.learningRate, epsilon: 1e-7)
        let trainer = Trainer(model: classifier.network, optimizer: optimizer) { logits, batch in
            logits.softmaxCrossEntropy(labels: batch.labels)
        }
        let loader = BatchLoader(train, batchSize: options.batchSize, shuffle: true, augmentation: options.augmentation, seed: options.seed &+ 1)
        let valLoader = val.map { BatchLoader($0, batchSize: 64, shuffle: false) }
        var fit = FitOptions()
        fit.earlyStoppingPatience = options.earlyStoppingPatience
        let history = try trainer.fit(epochs: options.epochs, training: loader, validation: valLoader, options: fit,
                                      onImprovement: { _ in try classifier.save(to: output) }, progress: progress)
        // Reload the best epoch's weights so the returned classifier is the saved one.
        let best = try CellClassifier(contentsOf: output)
        return Result(classifier: best, history: history, trainingCount: train.count, validationCount: val?.count ?? 0,
                      trainingFiles: split.training.map(\.url.path), validationFiles: split.validation.map(\.url.path))
    }

    /// The learning curves (loss and accuracy, training and validation) as a picture.
    public static func learningCurves(_ history: History) -> Image {
        let e = history.epochs
        var loss = LineChart(title: "LOSS", series: [
            .init(name: "loss", values: e.map(\.loss), color: [31, 119, 180]),
            .init(name: "val_loss", values: e.map { $0.validationLoss ?? .nan }, color: [255, 127, 14]),
        ])
        var acc = LineChart(title: "ACCURACY", series: [
            .init(name: "accuracy", values: e.map(\.accuracy), color: [31, 119, 180]),
            .init(name: "val_accuracy", values: e.map { $0.validationAccuracy ?? .nan }, color: [255, 127, 14]),
        ])
        loss.width = 560; acc.width = 560
        var img = Image(width: 1120, height: 360, color: [255, 255, 255])
        img.draw(loss.render(), atX: 0, y: 0)
        img.draw(acc.render(), atX: 560, y: 0)
        return img
    }
}
