import Arena
import Foundation
import Imaging
import LayoutReader
import TensorKit
import TrainingReports

/// Trains the layout classifier as `train layout` does: training samples from arena layouts
/// (explorations, tours, full layouts and scripted-player walks through training seeds only), the
/// best model chosen on walks through unseen layouts, then its evaluation on those walks; the model,
/// `.history.csv`, `.curves.png` and the evaluation files are written beside each other.
public struct LayoutClassifierRecipe {
    /// Which captures of the choosing walks score each checkpoint.
    public enum ChoosingSamples: String, CaseIterable, Sendable {
        /// Captures with at least 20, 30, 50 % of the walls and the full layouts.
        case regime
        /// The expert regime: from the moment the landmark is revealed, as the final evaluation scores.
        case expert
    }

    /// What to train on, how long, and what chooses the model.
    public struct Configuration {
        public var network: ViTConfiguration
        /// Training layouts per class.
        public var instances = 8
        public var paths = 40
        public var tours = 0
        public var fullLayouts = false
        /// Scripted-player walks per training layout, a capture every `walkEvery` s.
        public var walks = 0
        public var walkEvery = 4.0
        /// Seconds of game time each walk lasts (training and choosing walks).
        public var walkSeconds = 120.0
        /// Unseen layouts per class that choose the model, from `firstTestInstance`.
        public var testInstances = 4
        public var firstTestInstance = 0
        public var chooseOn = ChoosingSamples.regime
        /// The training options (network, epochs, time limit, learning rate, ...); `configuration` is set from `network`.
        public var options = ViTTraining.Options()
        /// A model to start from (same network shape).
        public var resume: URL?

        public init(network: ViTConfiguration) { self.network = network }

        /// Nil when the configuration can run, else what is wrong.
        public var problem: String? {
            if let p = network.problem { return "network shape: \(p)" }
            if instances <= 0 || testInstances <= 0 || paths < 0 || tours < 0 || firstTestInstance < 0 || walks < 0 {
                return
                    "--instances and --test-instances must be positive, --paths, --tours, --walks and --first-test-instance not negative"
            }
            if paths + tours + walks == 0 && !fullLayouts {
                return "no training samples: give --paths, --tours, --walks or --full-layouts"
            }
            if walkSeconds < 5 || walkEvery <= 0 { return "--walk-seconds must be at least 5, --walk-every positive" }
            return nil
        }
    }

    /// What training made.
    public struct Outcome {
        public var training: ViTTraining.Result
        /// The saved (best) model's evaluation on the choosing walks.
        public var evaluation: LayoutEvaluation
        public var classNames: [String]
    }

    public let configuration: Configuration
    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// Builds the data, trains, writes the model to `output` and its side files.
    /// - Parameters:
    ///   - log: a line for a person (network, data set sizes, the saved step).
    ///   - progress: the training's events.
    public func run(
        output: URL, log: (String) -> Void, progress: (ViTTraining.Event) -> Void = { _ in }
    ) throws
        -> Outcome
    {
        let c = configuration
        if let problem = c.problem { throw WorkshopError.invalidValue(problem) }
        let names = LayoutClass.allCases.map(\.description)
        var options = c.options
        options.configuration = c.network
        if let resume = c.resume {
            let start = try ViTLayoutClassifier(contentsOf: resume)
            guard start.network.configuration == c.network else {
                throw WorkshopError.invalidValue(
                    "--resume \(resume.path): its network (\(start.network.configuration)) is not the one asked for (\(c.network))"
                )
            }
            options.initialWeights = start.network.stateDict().mapValues { $0.copy() }
            log("Starting from \(resume.path).")
        }
        log("Network: \(c.network) (\(ViTNetwork(c.network).parameterCount) parameters).")
        let recipes = try trainingRecipes(log: log)
        let t0 = Date()
        let walks = ArenaLayoutData.testWalks(
            instances: c.testInstances, first: c.firstTestInstance, seconds: c.walkSeconds, tokens: c.network.tokens)
        let test =
            c.chooseOn == .regime ? ArenaLayoutData.regimeExamples(walks) : ArenaLayoutData.expertExamples(walks)
        log(
            String(
                format:
                    "Test set: %d unseen layouts (instances %d-%d) walked by the scripted player, %d %@ samples (%.1f s).",
                walks.count, c.firstTestInstance, c.firstTestInstance + c.testInstances - 1, test.count,
                c.chooseOn == .regime ? "test-regime" : "expert-regime", Date().timeIntervalSince(t0)))
        let training = ViTTraining(recipes: recipes, test: test, classNames: names, options: options)
        let result = try training.run(output: output, events: progress)
        let base = output.path
        try result.history.writeCSV(to: URL(fileURLWithPath: base + ".history.csv"))
        try PNG.write(Self.curves(result.history), path: base + ".curves.png")
        log(
            String(
                format: "Saved step %d (test accuracy %.3f) to %@ after %d steps.", result.bestStep,
                result.bestAccuracy, output.path, result.steps))
        let evaluation = LayoutEvaluation(classifier: try ViTLayoutClassifier(contentsOf: output), walks: walks)
        try evaluation.write(classNames: names, base: base)
        return Outcome(training: result, evaluation: evaluation, classNames: names)
    }

    /// The training samples per class: explorations, tours and full layouts, then the walks.
    private func trainingRecipes(log: (String) -> Void) throws -> [[ViTTraining.Recipe]] {
        let c = configuration
        var t0 = Date()
        var recipes =
            c.paths + c.tours > 0 || c.fullLayouts
            ? try ArenaLayoutData.trainingRecipes(
                instances: c.instances, paths: c.paths, tours: c.tours, fullLayouts: c.fullLayouts,
                tokens: c.network.tokens, seed: c.options.seed)
            : [[ViTTraining.Recipe]](repeating: [], count: LayoutClass.allCases.count)
        log(
            String(
                format: "Training set: %d layouts x %d explorations = %d samples (layouts and paths in %.1f s).",
                c.instances * 9, c.paths + c.tours + (c.fullLayouts ? 1 : 0), recipes.joined().count,
                Date().timeIntervalSince(t0)))
        guard c.walks > 0 else { return recipes }
        t0 = Date()
        let (walked, jobs) = try ArenaLayoutData.trainingWalkRecipes(
            instances: c.instances, walks: c.walks, seconds: c.walkSeconds, every: c.walkEvery,
            tokens: c.network.tokens, seed: c.options.seed)
        for k in recipes.indices { recipes[k] += walked[k] }
        let seeds = jobs.map(\.layoutSeed)
        log(
            String(
                format:
                    "Training walks: %d layouts x %d scripted-player walks of %.0f s, a capture every %.1f s = %d samples (layout seeds %llu-%llu, training seeds only; %.1f s).",
                c.instances * 9, c.walks, c.walkSeconds, c.walkEvery, walked.joined().count, seeds.min() ?? 0,
                seeds.max() ?? 0, Date().timeIntervalSince(t0)))
        log("Training set in all: \(recipes.joined().count) samples.")
        return recipes
    }

    /// Training loss and test accuracy against steps.
    public static func curves(_ history: History) -> Image {
        LearningCurves.picture(history, names: .trainAndTest, xLabel: "evaluation")
    }
}

extension LayoutEvaluation {
    /// Writes `<base>.evaluation.txt`, `<base>.confusion.png` and `<base>.accuracy.png`.
    public func write(classNames: [String], base: String) throws {
        try report(classNames: classNames).write(toFile: base + ".evaluation.txt", atomically: true, encoding: .utf8)
        try PNG.write(confusionPicture(classNames: classNames), path: base + ".confusion.png")
        try PNG.write(curvePicture(), path: base + ".accuracy.png")
    }
}
