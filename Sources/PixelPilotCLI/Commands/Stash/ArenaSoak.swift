import ArgumentParser
import Arena
import Desktop
import Foundation
import Workshop
import StashSorter

struct ArenaSoak: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Sort many random stashes in the arena with faults, checked against its truth.",
        discussion: """
            A benchmark, not a test: opens the game-style arena on a private display \
            (or --display) again and again with a random stash, sorts it in auto mode \
            with the built-in model (or --model) while the arena drops clicks and \
            answers late, then checks the arena's true contents: items lost (goal 0), \
            stashes left unsorted, items left on the cursor, and clicks against the \
            plan's lower bound.

            Example:
              pixelpilot arena soak --sorts 200 --drop-clicks 0.1 --click-delay 0.03
            """)

    @Option(help: "X display to use (default: a private Xvfb).") var display: String?
    @Option(help: "The cell classifier (default: the built-in one).") var model: String?
    @Option(parsing: .unconditional, help: "How many stashes to sort.") var sorts = 200
    @Option(parsing: .unconditional, help: "Fraction of cells holding a gem.") var fill = 0.4
    @Option(parsing: .unconditional, help: "Probability that the arena ignores a click.") var dropClicks = 0.1
    @Option(parsing: .unconditional, help: "Seconds before a click takes effect (a slow UI).") var clickDelay = 0.03
    @Option(parsing: .unconditional, help: "Game-style UI scale of the arena.") var scale = 1.0
    @Option(parsing: .unconditional, help: "First random seed.") var seed: UInt64 = 1000

    var configuration: StashSoak.Configuration {
        var c = StashSoak.Configuration()
        (c.sorts, c.seed, c.fill) = (sorts, seed, fill)
        (c.dropClicks, c.clickDelay, c.scale) = (dropClicks, clickDelay, scale)
        return c
    }

    func validate() throws {
        if let problem = configuration.problem { throw ValidationError(problem) }
    }

    func run() throws {
        let classifier =
            try model.map { try CellClassifier(contentsOf: URL(fileURLWithPath: $0)) } ?? BuiltInModel.load().classifier
        var virtual: VirtualDisplay?
        if display == nil {
            virtual = try VirtualDisplay(width: Int(900 * scale) + 100, height: Int(900 * scale) + 100)
        }
        defer { virtual?.stop() }
        let bar = ProgressBar()
        let start = Date()
        let t = try StashSoak(configuration).run(
            display: display ?? virtual!.name, classifier: classifier,
            problem: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) },
            progress: { t in
                bar.update(
                    done: t.sorts, total: sorts, elapsed: Date().timeIntervalSince(start),
                    suffix: "lost \(t.lost), unsorted \(t.unsorted), clicks \(t.clicks)/\(t.lowerBound) of the bound",
                    force: true)
            })
        bar.finish("Sorted \(sorts) stashes in \(ProgressBar.duration(Date().timeIntervalSince(start)))")
        print(
            """
            Stashes: \(sorts) (12x12, fill \(fill), game style at scale \(scale)); faults: \(dropClicks) of clicks dropped, \(clickDelay) s late
            Items lost: \(t.lost); stashes left unsorted: \(t.unsorted); left holding an item: \(t.onCursor); runs that stopped early: \(t.stopped)
            Clicks: \(t.clicks) against a lower bound of \(t.lowerBound) (\(String(format: "%.3f", Double(t.clicks) / Double(max(1, t.lowerBound))))x); clicks the arena dropped: \(t.droppedClicks); re-plans: \(t.replans)
            Sorting time: \(String(format: "%.1f", t.seconds)) s (\(String(format: "%.2f", t.seconds / Double(sorts))) s a stash)
            """)
        if !t.passed { throw ExitCode(2) }
    }
}
