import Arena
import Datasets
import Desktop
import Foundation
import Imaging
import StashSorter

/// The stash sorter end to end (`demo stash`): a classifier trained on drawn cells (or given), the
/// stash arena shuffled, the fewest clicks planned and drawn, the sort in auto mode through real
/// capture and injected clicks with every click checked, and the before, plan and after pictures.
public struct StashDemo {
    /// What to sort and with what.
    public struct Configuration: Sendable {
        /// Folder for the model, pictures and summary.
        public var directory: URL
        /// Random seed of the shuffled stash (and of the drawn training cells).
        public var seed: UInt64 = 1
        /// Fraction of cells holding a gem.
        public var fill = 0.55
        /// A classifier to use instead of training one.
        public var model: URL?
        /// Training epochs when no model is given.
        public var epochs = 15
        /// Seconds after each pointer move and between button down and up.
        public var clickPause = 0.002
        /// The real gem crops checked after training, when the folder exists.
        public var realGems = URL(fileURLWithPath: "../shared/data/gems")

        public init(directory: URL) { self.directory = directory }
        public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    }

    /// What the demo did.
    public struct Outcome {
        public var report: SortReport
        /// The arena's gems and cursor after the sort, read from its true state.
        public var itemsLeft: Int
        public var cursorHolding: Bool
        /// Items not in the stash after the sort (one held on the cursor counts).
        public var itemsLost: Int
        /// The text of `summary.txt`.
        public var summary: String
    }

    public let configuration: Configuration
    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// Runs the demo on X display `display` (1024x900 or larger).
    /// - Parameters:
    ///   - log: a line for a person (the stages).
    ///   - progress: clicks done and planned, while sorting.
    public func run(
        display: String, log: (String) -> Void, progress: @escaping (Int, Int) -> Void = { _, _ in }
    )
        throws -> Outcome
    {
        let c = configuration
        try FileManager.default.createDirectory(at: c.directory, withIntermediateDirectories: true)
        let classifier = try makeClassifier(log: log)
        let arena = try StashArena(
            display: display, state: .random(fill: c.fill, seed: c.seed), position: ScreenPoint(x: 10, y: 10),
            seed: c.seed)
        defer { arena.close() }
        arena.window.focus()
        log("2. Stash arena on \(display): \(arena.state.allItems.count) gems shuffled (seed \(c.seed))")
        let connection = try X11Connection(name: display)
        let source = X11ScreenSource(connection: connection)
        try PNG.write(try source.capture(window: arena.window.window).image.rgb(), path: c.path("before.png"))

        let o = arena.gridOrigin
        let grid = GridGeometry(originX: o.x, originY: o.y)
        let agent = try InputAgent.x11(
            connection: connection, target: arena.window.window,
            timing: .pauses(c.clickPause, maxActionsPerSecond: 500))
        defer { agent.stop() }
        let session = SortSession(
            source: source, classifier: classifier, agent: agent, window: arena.window.rect,
            options: SortSession.Options(grid: grid))
        let executor = session.executor
        let (plan, _, _) = try executor.currentPlan()
        let shot = try source.capture(grid.bounds)
        try PNG.write(
            PlanPicture.render(
                plan, over: shot.image, grid: grid, imageOriginX: grid.bounds.x, imageOriginY: grid.bounds.y),
            path: c.path("plan.png"))
        log(
            "3. Planned \(plan.clicks.count) clicks (lower bound \(plan.lowerBound)) for \(plan.misplacedCount) items; picture: \(c.path("plan.png"))"
        )
        log("4. Sorting in auto mode (every click checked on screen; ctrl+alt+k stops)")
        executor.progress = progress
        let report = try executor.run()
        try PNG.write(try source.capture(window: arena.window.window).image.rgb(), path: c.path("after.png"))

        // The arena's true state is read here only to report items lost.
        let truth = arena.state
        let holding = truth.cursor != nil
        // A gem left on the cursor is not in the stash: it counts as lost.
        let lost = Swift.max(0, report.itemsBefore.values.reduce(0, +) - truth.allItems.count + (holding ? 1 : 0))
        let summary =
            report.summary
            + "\nThe arena holds \(truth.allItems.count) gems, cursor \(holding ? "holding one" : "empty"); items lost: \(lost)\n"
        try summary.write(toFile: c.path("summary.txt"), atomically: true, encoding: .utf8)
        return Outcome(
            report: report, itemsLeft: truth.allItems.count, cursorHolding: holding, itemsLost: lost, summary: summary)
    }

    /// Stage 1: the given classifier, or one trained on 240 drawn cells (then checked on the real crops).
    private func makeClassifier(log: (String) -> Void) throws -> CellClassifier {
        let c = configuration
        if let model = c.model {
            let classifier = try CellClassifier(contentsOf: model)
            log("1. Loaded the cell classifier from \(model.path)")
            return classifier
        }
        let trainDir = c.directory.appendingPathComponent("gems-train")
        try? FileManager.default.removeItem(at: trainDir)
        log("1. Drawing 240 stash cells and training the original gem sorter's gem CNN on them (\(c.epochs) epochs)")
        try GemDataset.write(to: trainDir, perClass: 60, seed: c.seed &+ 7)
        var options = ClassifierTraining.Options()
        options.epochs = c.epochs
        options.seed = c.seed
        let output = c.directory.appendingPathComponent("gem-classifier.safetensors")
        let classifier = try ClassifierTrainingRecipe.train(directory: trainDir, options: options, output: output)
            .classifier
        log("   Saved \(output.path)")
        log("   " + realGemsCheck(classifier))
        return classifier
    }

    /// Accuracy on the real gem crops when they are beside the project.
    public func realGemsCheck(_ classifier: CellClassifier) -> String {
        let real = configuration.realGems
        guard let folder = try? ImageFolder(directory: real), folder.classNames == classifier.classNames,
            let data = try? LabeledImages(samples: folder.samples, width: 52, height: 52)
        else {
            return "(Real gem crops not found at \(real.relativePath): skipped the real-data check.)"
        }
        let cm = classifier.evaluate(data)
        return
            "On the \(cm.total) real Path of Exile gem crops (trained on drawn gems only): \(cm.correct)/\(cm.total) = \(String(format: "%.1f%%", cm.accuracy * 100))"
    }
}
