import ArgumentParser
import Arena
import Foundation
import Workshop
import Imaging
import LayoutReader
import TensorKit
import TrainingReports

struct TrainUNet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unet",
        abstract: "Train the map-line UNet on arena frames with their exact wall masks.",
        discussion: """
            Training data: the map arena played by its scripted explorer off-screen, at the original layout reader's \
            half scale (600x600 capture squares of a 1920x1080 screen), with scene effects (fires, \
            water, enemies and their skills, the player's aura) and hard cases. Each frame is paired \
            with the arena's exact mask of the revealed wall lines under it (water edges are not \
            lines, as in the original layout reader's masks); frames with the map off or a loading screen have an \
            empty mask, flash frames are skipped. Training instances use seeds 1000+, validation \
            instances 5000+ (the benchmark tests on 9000+, never trained on).

            Looks (--appearance): each walk is rendered in the arena's own look and, by default, \
            again with a look drawn per frame around the real game's measured minimap: wall \
            colours from grey-lavender to blue-lavender, faint to solid and thin to wide lines, \
            dark clean to busy bright grounds, effects over the lines, minimap zoom 0.85-1.25, \
            noise, blur and JPEG compression (quality 40-95).

            The recipe is the original layout reader's : random 32x32 patches of per-image, \
            per-channel standardised RGB, each flipped, rotated by 90/180/270 degrees and given \
            Gaussian noise (sigma 0.05) with probability 1/2; pixel-wise softmax cross-entropy; \
            Adam (3e-4 as the original layout reader; `make layout-models` uses 2e-3 for its short run). Arena frames \
            have under 1% line pixels, so by default half the patches are placed over a line pixel \
            (--line-patches 0 samples uniformly, as the original layout reader). Every --eval-every steps the network is scored on fixed validation \
            patches; the step with the best line IoU is saved to --out. Beside it: \
            <out>.history.csv and <out>.curves.png.

            Networks: --network small (default: depth 3, 8 channels, about 0.13 M parameters, fast \
            enough for live updates on two cores) or original (the original layout reader's: depth 3, 64 channels, 8,173,099 \
            parameters); --depth and --mid-channels override.

            Example: pixelpilot train unet --out unet.safetensors --steps 1500
            """)

    @Option(name: .shortAndLong, help: "Where to write the model (.safetensors).")
    var out: String

    @Option(help: "Network: small or original (the original layout reader's).")
    var network = "small"

    @Option(parsing: .unconditional, help: "Number of 2x2 poolings (overrides --network).")
    var depth: Int?

    @Option(parsing: .unconditional, help: "Channels at full resolution (overrides --network).")
    var midChannels: Int?

    @Option(parsing: .unconditional, help: "Training steps.")
    var steps = 1500

    @Option(parsing: .unconditional, help: "32x32 patches per step.")
    var batchSize = 64

    @Option(parsing: .unconditional, help: "Adam learning rate.")
    var learningRate: Float = 3e-4

    @Option(parsing: .unconditional, help: "Steps between evaluations on the validation patches.")
    var evalEvery = 100

    @Option(parsing: .unconditional, help: "Arena instances per layout class for training (random seeds 1000+).")
    var trainInstances = 2

    @Option(parsing: .unconditional, help: "Arena instances per layout class for validation (random seeds 5000+).")
    var validationInstances = 1

    @Option(parsing: .unconditional, help: "Frames per instance and effects level.")
    var frames = 6

    @Option(help: "Effects levels of the training frames: comma-separated none, normal, heavy.")
    var effects = "normal,heavy"

    @Option(help: "Looks of the frames: comma-separated arena (its own), varied (drawn per frame around the game's).")
    var appearance = "arena,varied"

    @Option(parsing: .unconditional, help: "Random seed of weights, patches and augmentation.")
    var seed: UInt64 = 0

    @Option(help: "Start from the weights of this UNet model file (its network is used).")
    var resume: String?

    @Option(
        parsing: .unconditional,
        help: "Share of patches placed over a line pixel (0: uniform, the original layout reader's sampling).")
    var linePatches: Float = 0.5

    @Flag(help: "No flips, rotations or noise.")
    var noAugmentation = false

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--steps must be positive, got \(steps)") }
        guard (1...1024).contains(batchSize) else {
            throw ValidationError("--batch-size must be 1...1024, got \(batchSize)")
        }
        guard learningRate > 0 else { throw ValidationError("--learning-rate must be positive, got \(learningRate)") }
        guard evalEvery > 0 else { throw ValidationError("--eval-every must be positive, got \(evalEvery)") }
        guard (1...50).contains(trainInstances) else {
            throw ValidationError("--train-instances must be 1...50, got \(trainInstances)")
        }
        guard (0...50).contains(validationInstances) else {
            throw ValidationError("--validation-instances must be 0...50, got \(validationInstances)")
        }
        guard (1...200).contains(frames) else { throw ValidationError("--frames must be 1...200, got \(frames)") }
        guard ["small", "original", "seed"].contains(network) else {
            throw ValidationError("--network must be small or original, got '\(network)'")
        }
        guard (0...1).contains(linePatches) else {
            throw ValidationError("--line-patches must be 0...1, got \(linePatches)")
        }
        _ = try effectLevels()
        _ = try appearances()
    }

    func appearances() throws -> [MapAppearance] { try Self.list(appearance, option: "--appearance") }

    func effectLevels() throws -> [MapEffects] { try Self.list(effects, option: "--effects") }

    /// A comma-separated list of `T`'s names (`normal,heavy`); anything else names the option and its choices.
    static func list<T: RawRepresentable & CaseIterable>(_ text: String, option: String) throws -> [T]
    where T.RawValue == String {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap(T.init(rawValue:))
        guard !values.isEmpty, values.count == parts.count else {
            let names = T.allCases.map(\.rawValue)
            throw ValidationError(
                "\(option) must list \(names.dropLast().joined(separator: ", ")) or \(names.last ?? "") "
                    + "(comma-separated), got '\(text)'")
        }
        return values
    }

    static let smallConfiguration = AttentionUNetConfiguration(depth: 3, midChannels: 8)

    func run() throws {
        var c = LineExtractorRecipe.Configuration()
        var config = network != "small" ? AttentionUNetConfiguration.seed : TrainUNet.smallConfiguration
        if let depth { config.depth = depth }
        if let midChannels { config.midChannels = midChannels }
        c.options.configuration = config
        c.options.steps = steps
        c.options.batchSize = batchSize
        c.options.learningRate = learningRate
        c.options.evaluationInterval = evalEvery
        c.options.augment = !noAugmentation
        c.options.linePatchShare = linePatches
        c.options.seed = seed
        (c.trainInstances, c.validationInstances, c.frames) = (trainInstances, validationInstances, frames)
        c.effects = try effectLevels()
        c.appearances = try appearances()
        c.resume = resume.map { URL(fileURLWithPath: $0) }
        _ = try LineExtractorRecipe(c).run(
            output: URL(fileURLWithPath: out),
            log: {
                print($0)
                fflush(stdout)
            }, progress: Self.progress())
        print("History: \(out).history.csv  Curves: \(out).curves.png")
    }

    /// Keras-like console output of the UNet's training events.
    static func progress() -> (UNetTraining.Event) -> Void {
        let bar = ProgressBar()
        return { event in
            switch event {
            case .step(let s, let total, let loss, let acc, let elapsed):
                bar.update(
                    done: s, total: total, elapsed: elapsed,
                    suffix: KerasProgress.metrics([("loss", Double(loss)), ("accuracy", Double(acc))]))
            case .evaluated(let e):
                bar.finish(
                    "step \(e.step) - \(ProgressBar.duration(e.seconds)) - "
                        + KerasProgress.metrics([("loss", Double(e.loss)), ("val_loss", Double(e.validationLoss))])
                        + " - "
                        + KerasProgress.metrics(
                            [
                                ("val_precision", Double(e.score.precision)), ("val_recall", Double(e.score.recall)),
                                ("val_iou", Double(e.score.iou)),
                            ], digits: 3)
                        + (e.improved ? " (best)" : ""))
            }
        }
    }
}
