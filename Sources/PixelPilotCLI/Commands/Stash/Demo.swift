import ArgumentParser
import Arena
import Datasets
import Desktop
import Foundation
import StashSorter
import Imaging

struct DemoStash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stash",
        abstract: "Run the main demo: sort a shuffled 12x12 stash in the arena, end to end.",
        discussion: """
            Needs no game: (1) draws a labelled set of stash cells and trains the original gem sorter's gem CNN on \
            it (or loads --model), (2) opens the stash arena on a private virtual display (or the \
            display given by --display), (3) plans the fewest clicks and draws the plan, (4) sorts in \
            auto mode through real screen capture and injected clicks, checking every click, \
            (5) writes before/after screenshots, the plan picture and a summary to --out.
            """)

    @Option(name: .shortAndLong, help: "Folder for the model, pictures and summary.") var out = "demo-output"
    @Option(parsing: .unconditional, help: "Random seed of the shuffled stash.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Fraction of cells holding a gem.") var fill = 0.55
    @Option(help: "Use this model instead of training one.") var model: String?
    @Option(parsing: .unconditional, help: "Training epochs when no --model is given.") var epochs = 15
    @Option(help: "X display to use (default: a private Xvfb).") var display: String?
    @Option(parsing: .unconditional, help: "Milliseconds after each pointer move and between button down and up.")
    var clickPauseMs = 2.0

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)
        func path(_ name: String) -> String { outURL.appendingPathComponent(name).path }

        // 1. The classifier.
        let classifier: CellClassifier
        if let model {
            classifier = try CellClassifier(contentsOf: URL(fileURLWithPath: model))
            print("1. Loaded the cell classifier from \(model)")
        } else {
            let trainDir = outURL.appendingPathComponent("gems-train")
            try? FileManager.default.removeItem(at: trainDir)
            print(
                "1. Drawing 240 stash cells and training the original gem sorter's gem CNN on them (\(epochs) epochs)")
            try GemDataset.write(to: trainDir, perClass: 60, seed: seed &+ 7)
            var options = ClassifierTraining.Options()
            options.epochs = epochs
            options.seed = seed
            classifier = try TrainingReporter.train(
                directory: trainDir, options: options,
                output: outURL.appendingPathComponent("gem-classifier.safetensors"), quiet: true
            ).classifier
            print("   Saved \(path("gem-classifier.safetensors"))")
            reportRealGems(classifier)
        }

        // 2. The arena on a display.
        var virtual: VirtualDisplay?
        let displayName: String
        if let display {
            displayName = display
        } else {
            virtual = try VirtualDisplay(width: 1024, height: 900)
            displayName = virtual!.name
        }
        defer { virtual?.stop() }
        let arena = try StashArena(
            display: displayName, state: .random(fill: fill, seed: seed), position: ScreenPoint(x: 10, y: 10),
            seed: seed)
        defer { arena.close() }
        arena.window.focus()
        print("2. Stash arena on \(displayName): \(arena.state.allItems.count) gems shuffled (seed \(seed))")
        let connection = try X11Connection(name: displayName)
        let source = X11ScreenSource(connection: connection)
        try PNG.write(try source.capture(window: arena.window.window).image.rgb(), path: path("before.png"))

        // 3. The plan.
        let o = arena.gridOrigin
        let grid = GridGeometry(originX: o.x, originY: o.y)
        let agent = try InputAgent.x11(
            connection: connection, target: arena.window.window,
            timing: .pauses(clickPauseMs.millisecondsAsSeconds, maxActionsPerSecond: 500))
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
            path: path("plan.png"))
        print(
            "3. Planned \(plan.clicks.count) clicks (lower bound \(plan.lowerBound)) for \(plan.misplacedCount) items; picture: \(path("plan.png"))"
        )

        // 4. Sort.
        print("4. Sorting in auto mode (every click checked on screen; ctrl+alt+k stops)")
        let bar = ProgressBar()
        let start = Date()
        executor.progress = { done, total in
            bar.update(done: done, total: total, elapsed: Date().timeIntervalSince(start), suffix: "clicks")
        }
        let report = try executor.run()
        bar.finish("   \(report.clicks) clicks in \(String(format: "%.1f", report.seconds)) s")
        try PNG.write(try source.capture(window: arena.window.window).image.rgb(), path: path("after.png"))

        // 5. Summary (the arena's true state is read here only to report items lost).
        let truth = arena.state
        let lost = report.itemsBefore.values.reduce(0, +) - truth.allItems.count + (truth.cursor == nil ? 0 : 1)
        let summary =
            SortSummary.text(report)
            + "\nThe arena holds \(truth.allItems.count) gems, cursor \(truth.cursor == nil ? "empty" : "holding one"); items lost: \(Swift.max(0, lost))\n"
        try? summary.write(toFile: path("summary.txt"), atomically: true, encoding: .utf8)
        print("5. " + summary.replacingOccurrences(of: "\n", with: "\n   "))
        print(
            "Pictures: \(path("before.png")), \(path("plan.png")), \(path("after.png")); summary: \(path("summary.txt"))"
        )
        if !report.completed { throw ExitCode(2) }
    }

    /// Accuracy on the real gem crops when they are beside the project.
    func reportRealGems(_ classifier: CellClassifier) {
        let real = URL(fileURLWithPath: "../shared/data/gems")
        guard let folder = try? ImageFolder(directory: real), folder.classNames == classifier.classNames,
            let data = try? LabeledImages(samples: folder.samples, width: 52, height: 52)
        else {
            print("   (Real gem crops not found at ../shared/data/gems: skipped the real-data check.)")
            return
        }
        let cm = classifier.evaluate(data)
        print(
            "   On the 38 real Path of Exile gem crops (trained on drawn gems only): \(cm.correct)/\(cm.total) = \(String(format: "%.1f%%", cm.accuracy * 100))"
        )
    }
}
