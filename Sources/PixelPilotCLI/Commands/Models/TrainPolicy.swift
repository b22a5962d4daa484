import ArgumentParser
import Autopilot
import Foundation
import Imaging
import Recording
import TensorKit
import TrainingReports
import Workshop

extension PolicyOptimizer: ExpressibleByArgument {}

struct TrainPolicy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Train a driving policy on recordings made by `pixelpilot record`.",
        discussion: """
            Learns to press the keys the demonstrator pressed, from the frames before each \
            moment: windows of --frames-per-example frames (newest last, zero frames before a \
            recording's start) labelled with the keys held at their last frame, one \
            independent probability per key of the recordings' key set (binary cross- \
            entropy).

            The default network is small (a CNN per frame, an LSTM over the window): it \
            learns from a few minutes of driving on two cores, and `play` runs a step in \
            about a millisecond. Each frame of a batch is encoded once (batches are runs \
            of consecutive windows that share their frames).

            Recordings are split whole into train, validation and test (--validation-split, --test-split). \
            The epoch with the lowest validation loss is saved to --out (checked each \
            epoch; early stopping after --patience epochs without a better one, the best \
            weights kept). Beside it: <out>.history.csv, <out>.curves.png (loss, and how \
            often the whole key set is right) and a report on the test recordings: per-key \
            precision and recall, how often the predicted key set equals the \
            demonstrator's, and the class balance.

            --corrections adds recordings made by `pixelpilot play --record-corrections`:
            the stretches where a person took over are trained on, weighted by
            --correction-weight, so the policy learns to recover from its own mistakes.

            The model file carries the window length, frame size, preprocessing, fps, key \
            names and the recordings' region, so `pixelpilot play --model FILE` needs \
            nothing else.

            Examples:
              pixelpilot train policy drives/*.ppr --out policy.safetensors
              pixelpilot train policy d/*.ppr --corrections fix.ppr --out p2.safetensors
              pixelpilot train policy d.ppr --optimizer adam --epochs 20 --flip --out p.st
            """)

    @Argument(help: "Recording files (.ppr).") var recordings: [String]
    @Option(name: .shortAndLong, help: "Where to write the model (.safetensors).") var out: String
    @Option(parsing: .upToNextOption, help: "Corrections recordings from `play --record-corrections`.")
    var corrections: [String] = []
    @Option(
        help: "Network: small, or original (the original autopilot's MobileNetV2 + 2 LSTM(128), frozen encoder, 96x96)."
    )
    var architecture = "small"
    @Option(parsing: .unconditional, help: "Passes over the training windows.") var epochs = 10
    @Option(parsing: .unconditional, help: "Windows per step.") var batchSize = 32
    @Option(parsing: .unconditional, help: "Consecutive windows per run in a batch (they share frames).")
    var runLength = 8
    @Option(help: "rmsprop (the original autopilot's, Keras defaults) or adam.") var optimizer = PolicyOptimizer.rmsprop
    @Option(parsing: .unconditional, help: "Learning rate.") var learningRate: Float = 0.001
    @Option(parsing: .unconditional, help: "Stop after this many epochs without a better val_loss (0: never).")
    var patience = 2
    @Option(parsing: .unconditional, help: "Validation fraction of the recordings.") var validationSplit = 0.15
    @Option(parsing: .unconditional, help: "Test fraction of the recordings.") var testSplit = 0.15
    @Option(parsing: .unconditional, help: "Random seed of the split.") var splitSeed: UInt64 = 69
    @Option(parsing: .unconditional, help: "Random seed of the weights and batch order.") var seed: UInt64 = 0
    @Flag(help: "Balance the training windows as the original autopilot does.") var balance = false
    @Flag(help: "Add mirrored training windows (Left and Right swapped).") var flip = false
    @Option(parsing: .unconditional, help: "Frames per example (default: the network's, 10 small, 20 original).")
    var framesPerExample: Int?
    @Option(help: "Network input size WxH (default: 64 wide, the recordings' aspect).") var frameSize: ScreenSize?
    @Option(help: "Encoder channels, comma-separated (one 3x3 stride-2 convolution each).") var channels = "16,32,32,32"
    @Option(parsing: .unconditional, help: "Features per frame.") var features = 64
    @Option(parsing: .unconditional, help: "LSTM size.") var hidden = 32
    @Option(parsing: .unconditional, help: "Loss weight of a correction window.") var correctionWeight: Float = 3

    func parsedChannels() -> [Int]? {
        let c = channels.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return c.isEmpty || c.contains(where: { $0 <= 0 || $0 > 512 }) ? nil : c
    }

    func validate() throws {
        guard !recordings.isEmpty else { throw ValidationError("give at least one recording") }
        guard ["small", "original", "seed"].contains(architecture) else {
            throw ValidationError("--architecture must be small or original, got '\(architecture)'")
        }
        guard epochs > 0, batchSize > 0, runLength > 0 else {
            throw ValidationError("--epochs, --batch-size and --run-length must be positive")
        }
        guard learningRate > 0 else { throw ValidationError("--learning-rate must be positive") }
        guard patience >= 0 else { throw ValidationError("--patience must be 0 or more") }
        guard validationSplit >= 0, testSplit >= 0, validationSplit + testSplit < 1 else {
            throw ValidationError("--validation-split and --test-split must be fractions adding up to less than 1")
        }
        if let framesPerExample, !(1...200).contains(framesPerExample) {
            throw ValidationError("--frames-per-example must be 1...200, got \(framesPerExample)")
        }
        if let frameSize, !(8...512).contains(frameSize.width) || !(8...512).contains(frameSize.height) {
            throw ValidationError("--frame-size must be WxH between 8x8 and 512x512, got '\(frameSize)'")
        }
        guard parsedChannels() != nil else {
            throw ValidationError("--channels must be positive integers, e.g. 16,32,32")
        }
        guard features > 0, hidden > 0 else { throw ValidationError("--features and --hidden must be positive") }
        guard correctionWeight >= 0 else { throw ValidationError("--correction-weight must be 0 or more") }
    }

    func run() throws {
        let files = try recordings.map(openRecording)
        let fixes = try corrections.map(openRecording)
        let first = files[0].fingerprint
        var options = PolicyTrainingOptions()
        options.epochs = epochs
        options.batchSize = batchSize
        options.runLength = runLength
        options.optimizer = optimizer
        options.learningRate = learningRate
        options.patience = patience > 0 ? patience : nil
        options.validation = validationSplit
        options.test = testSplit
        options.splitSeed = splitSeed
        options.seed = seed
        options.balance = balance
        options.flip = flip
        options.correctionWeight = correctionWeight
        let seed = architecture != "small"
        options.architecture = seed ? .seed : .small
        let (w, h) =
            frameSize.map { ($0.width, $0.height) }
            ?? (seed ? (96, 96) : (64, Swift.max(8, Int((64 * Double(first.height) / Double(first.width)).rounded()))))
        options.preprocessing = FramePreprocessing(
            width: w, height: h, scale: 1 / 127.5, offset: -1, windowLength: framesPerExample ?? (seed ? 20 : 10))
        options.network = SmallPolicy.Configuration(
            channels: parsedChannels() ?? [16, 32, 32, 32], featureCount: features, hiddenSize: hidden)
        let url = URL(fileURLWithPath: out)
        let result = try PolicyReporter.train(
            recordings: files, corrections: fixes, options: options, output: url, names: recordings)
        _ = result
    }
}

/// Runs ``PolicyTrainingRecipe`` with Keras-like output.
enum PolicyReporter {
    static func train(
        recordings: [RecordingFile], corrections: [RecordingFile], options: PolicyTrainingOptions, output: URL,
        names: [String]
    ) throws -> PolicyTrainingResult {
        print(PolicyTrainingRecipe.headline(recordings: recordings, corrections: corrections, options: options))
        let result = try PolicyTrainingRecipe.train(
            recordings: recordings, corrections: corrections, options: options, output: output, names: names,
            progress: progress(epochs: options.epochs, output: output))
        let files = PolicyTrainingRecipe.SideFiles(model: output)
        print(PolicyTrainingReport.text(result, names: names), terminator: "")
        print(
            "Model: \(output.path)  History: \(files.history.path)  Curves: \(files.curves.path)  Report: \(files.report.path)"
        )
        return result
    }

    /// Keras-like console output of a policy's training events.
    static func progress(epochs: Int, output: URL) -> (TrainingEvent) -> Void {
        let bar = ProgressBar()
        let keras = KerasProgress(accuracyName: "key_set_accuracy", epochs: epochs)
        return { event in
            guard !bar.show(event, as: keras) else { return }
            switch event {
            case .improved(let log): print("  val_loss improved: saved epoch \(log.epoch) to \(output.path)")
            case .stoppedEarly(let e, let best):
                print("Stopped early after epoch \(e); best epoch \(best) (its weights kept).")
            default: break
            }
        }
    }
}
