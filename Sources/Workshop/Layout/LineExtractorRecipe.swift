import Arena
import Foundation
import Imaging
import LayoutReader
import TensorKit

/// Trains the line-extraction UNet as `train unet` does: arena frames of training and validation
/// instances (never the test ones) at the chosen effects, the best step saved on validation IoU,
/// `.history.csv` and `.curves.png` beside the model.
public struct LineExtractorRecipe {
    /// What to train on and how.
    public struct Configuration {
        /// Training options; `configuration` is the network (the initial network's when resuming).
        public var options = UNetTraining.Options()
        /// Arena instances per class for training and for validation.
        public var trainInstances = 4
        public var validationInstances = 1
        /// Frames per instance and effects level.
        public var frames = 8
        public var effects: [MapEffects] = [.normal]
        /// The looks of the frames: the arena's own and, per frame, a varied one around the real game's.
        public var appearances: [MapAppearance] = [.arena, .varied]
        /// A model to start from (its network shape is kept).
        public var resume: URL?
        public init() {}
    }

    public let configuration: Configuration
    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// Builds the frames, trains, writes the best step to `output` and the side files.
    /// - Parameters:
    ///   - log: a line for a person (data, network, the saved step).
    ///   - progress: the training's events.
    /// - Returns: the training's result (evaluations and the best one).
    public func run(
        output: URL, log: (String) -> Void, progress: (UNetTraining.Event) -> Void = { _ in }
    ) throws
        -> UNetTraining.Result
    {
        let c = configuration
        var options = c.options
        if let resume = c.resume {
            let (net, _) = try AttentionUNet.read(from: resume)
            options.initial = net
            options.configuration = net.configuration
            log("Resuming from \(resume.path) (\(net.configuration)).")
        }
        let clock = Date()
        let trainFrames = try LineFrameSet.make(
            seeds: LineFrameSet.seeds(.training, count: c.trainInstances), effects: c.effects, frames: c.frames,
            appearances: c.appearances, lookSeed: 1)
        let validationFrames = try LineFrameSet.make(
            seeds: LineFrameSet.seeds(.validation, count: c.validationInstances), effects: c.effects,
            frames: c.frames, appearances: c.appearances, lookSeed: 2)
        let linePixels = trainFrames.reduce(0) { $0 + $1.lines.reduce(0) { $0 + Int($1) } }
        let lineShare = Double(linePixels) / Double(Swift.max(1, trainFrames.reduce(0) { $0 + $1.lines.count }))
        let levels = c.effects.map(\.rawValue).joined(separator: "+")
        let looks = c.appearances.map(\.rawValue).joined(separator: "+")
        log(
            "Data: \(trainFrames.count) training and \(validationFrames.count) validation frames (600x600, effects \(levels), looks \(looks)"
                + String(format: ", %.1f%% line pixels) in %.1fs", 100 * lineShare, Date().timeIntervalSince(clock)))
        let training = try UNetTraining(
            training: trainFrames.map { LabeledLines(image: $0.image, lines: $0.lines) },
            validation: validationFrames.map { LabeledLines(image: $0.image, lines: $0.lines) }, options: options)
        let config = options.configuration
        let parameters = (options.initial ?? AttentionUNet(config)).parameterCount
        log(
            "Network: attention UNet, \(config), \(parameters) parameters; \(options.steps) steps of \(options.batchSize) patches."
        )
        let name = output.deletingPathExtension().lastPathComponent
        let data =
            "arena frames, \(c.trainInstances) instances/class, effects \(c.effects.map(\.rawValue).joined(separator: ",")), "
            + "looks \(c.appearances.map(\.rawValue).joined(separator: ","))"
        let result = try training.run(
            onImprovement: { net, best in
                try net.write(
                    to: output,
                    extra: [
                        "name": name, "steps": String(options.steps), "best_step": String(best.step),
                        "validation_iou": String(format: "%.4f", best.score.iou), "data": data,
                    ])
            }, progress: progress)
        let history = output.path + ".history.csv"
        do {
            try UNetTraining.csv(result.evaluations).write(toFile: history, atomically: true, encoding: .utf8)
        } catch {
            throw WorkshopError.failed("cannot write \(history): \(error.localizedDescription)")
        }
        try PNG.write(UNetTraining.curves(result.evaluations), path: output.path + ".curves.png")
        if let best = result.best {
            log(
                String(
                    format: "Saved step %d (val_iou %.3f, precision %.3f, recall %.3f) to ", best.step, best.score.iou,
                    best.score.precision, best.score.recall) + output.path)
        }
        return result
    }
}
