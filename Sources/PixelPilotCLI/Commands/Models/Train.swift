import ArgumentParser
import Foundation
import StashSorter
import TensorKit
import TrainingReports
import Workshop
import Imaging
import Datasets
import Arena

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model.",
        subcommands: [TrainClassifier.self, TrainPolicy.self, TrainUNet.self, TrainLayout.self])
}

struct TrainClassifier: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train the stash-cell classifier on a folder of labelled images.",
        discussion: """
            DIR holds one sub-folder of PNG images per class (for gems: blue/, empty/, green/, red/); \
            class names are the sub-folder names in sorted order. Images must all be SIZE x SIZE.

            The network, split and defaults are the original gem sorter's: Rescaling 1/255, Conv 8/16/32 3x3 same \
            ReLU each followed by 2x2 max-pool and dropout 0.3, Dense 128 ReLU, Dense N logits; Adam; \
            batch 16; 80/20 split with random seed 123 (the same files Keras picks); random translation up to \
            10% and Gaussian noise sigma 0.1.

            The epoch with the lowest validation loss is saved to --out (one .safetensors file with \
            the architecture, classes, input size and preprocessing in its metadata). Beside it: \
            <out>.history.csv, <out>.curves.png (learning curves) and <out>.split.txt (which files \
            were used for training and validation).

            Small, unbalanced sets (the 38 real crops have 2 empty and 18 red): each class's loss is \
            weighed by the inverse of its share (--no-balance turns it off), and a softmax temperature \
            is fitted on the validation split and stored in the model (--no-calibration). \
            --mix-drawn N adds N drawn gems per class (PixelPilot's own art) to the training split \
            only; validation stays on DIR's images.

            Example: pixelpilot train classifier ../shared/data/gems --out gem.safetensors --epochs 100
            """)

    @Argument(help: "Folder with one sub-folder of PNGs per class.")
    var directory: String

    @Option(name: .shortAndLong, help: "Where to write the model (.safetensors).")
    var out: String

    @Option(parsing: .unconditional, help: "Passes over the training set.")
    var epochs = 100

    @Option(parsing: .unconditional, help: "Images per training step.")
    var batchSize = 16

    @Option(parsing: .unconditional, help: "Adam learning rate.")
    var learningRate: Float = 0.001

    @Option(parsing: .unconditional, help: "Fraction of images held out for validation (0 for none).")
    var validationSplit = 0.2

    @Option(
        parsing: .unconditional,
        help: "Random seed of the train/validation split (123, as the original gem sorter's Keras split).")
    var splitSeed: UInt32 = 123

    @Option(parsing: .unconditional, help: "Random seed of weights, shuffling, dropout and augmentation.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Image width and height in pixels.")
    var cellSize = 52

    @Option(parsing: .unconditional, help: "Stop after this many epochs without a better validation loss.")
    var patience: Int?

    @Flag(help: "No translation or noise augmentation.")
    var noAugmentation = false

    @Option(help: "Start from the weights of this model file instead of random ones.")
    var resume: String?

    @Flag(help: "Do not weigh classes by the inverse of their share of the images.")
    var noBalance = false

    @Flag(help: "Do not fit a softmax temperature on the validation split.")
    var noCalibration = false

    @Option(parsing: .unconditional, help: "Add this many drawn gems per class to the training split (0: none).")
    var mixDrawn = 0

    func validate() throws {
        guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive, got \(batchSize)") }
        guard learningRate > 0 else { throw ValidationError("--learning-rate must be positive, got \(learningRate)") }
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw ValidationError("--validation-split must be in [0, 1), got \(validationSplit)")
        }
        guard cellSize >= 8 else { throw ValidationError("--cell-size must be at least 8, got \(cellSize)") }
        guard (0...5000).contains(mixDrawn) else {
            throw ValidationError("--mix-drawn must be 0...5000, got \(mixDrawn)")
        }
    }

    func run() throws {
        var options = ClassifierTraining.Options()
        options.epochs = epochs
        options.batchSize = batchSize
        options.learningRate = learningRate
        options.validationSplit = validationSplit
        options.splitSeed = splitSeed
        options.seed = seed
        options.imageSize = cellSize
        options.earlyStoppingPatience = patience
        if noAugmentation { options.augmentation = .none }
        options.resumeFrom = resume.map { URL(fileURLWithPath: $0) }
        options.balanceClasses = !noBalance
        options.calibrate = !noCalibration
        let outURL = URL(fileURLWithPath: out)
        var drawn: URL?
        if mixDrawn > 0 {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
                "pixelpilot-drawn-\(UUID().uuidString)")
            _ = try GemDataset.write(to: dir, perClass: mixDrawn, size: cellSize, seed: seed &+ 17)
            print("Mixing \(mixDrawn) drawn gems per class into the training split.")
            options.extraTrainingDirectory = dir
            drawn = dir
        }
        defer { if let drawn { try? FileManager.default.removeItem(at: drawn) } }
        _ = try TrainingReporter.train(directory: URL(fileURLWithPath: directory), options: options, output: outURL)
    }
}

/// Runs ``ClassifierTrainingRecipe`` with Keras-like console output.
enum TrainingReporter {
    static func train(
        directory: URL, options: ClassifierTraining.Options, output: URL
    ) throws -> ClassifierTraining.Result {
        let bar = ProgressBar()
        let result = try ClassifierTrainingRecipe.train(directory: directory, options: options, output: output) {
            event in
            guard !bar.show(event, as: KerasProgress(epochs: options.epochs)) else { return }
            if case .stoppedEarly(let e, let best) = event {
                print("Stopped early after epoch \(e); best epoch \(best).")
            }
        }
        ClassifierTrainingRecipe.summary(result, options: options, output: output).forEach { print($0) }
        return result
    }
}
