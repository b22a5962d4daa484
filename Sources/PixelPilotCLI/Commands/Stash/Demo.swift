import ArgumentParser
import Arena
import Datasets
import Desktop
import Foundation
import StashSorter
import Imaging
import Workshop

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
        var c = StashDemo.Configuration(directory: URL(fileURLWithPath: out))
        (c.seed, c.fill, c.epochs) = (seed, fill, epochs)
        c.model = model.map { URL(fileURLWithPath: $0) }
        c.clickPause = clickPauseMs.millisecondsAsSeconds
        var virtual: VirtualDisplay?
        if display == nil { virtual = try VirtualDisplay(width: 1024, height: 900) }
        defer { virtual?.stop() }
        let bar = ProgressBar()
        let start = Date()
        let outcome = try StashDemo(c).run(
            display: display ?? virtual!.name, log: { print($0) },
            progress: { bar.update(done: $0, total: $1, elapsed: Date().timeIntervalSince(start), suffix: "clicks") })
        let report = outcome.report
        bar.finish("   \(report.clicks) clicks in \(String(format: "%.1f", report.seconds)) s")
        print("5. " + outcome.summary.replacingOccurrences(of: "\n", with: "\n   "))
        print(
            "Pictures: \(c.path("before.png")), \(c.path("plan.png")), \(c.path("after.png")); summary: \(c.path("summary.txt"))"
        )
        if !report.completed { throw ExitCode(2) }
    }
}
