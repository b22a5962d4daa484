import ArgumentParser
import Arena
import Desktop
import Foundation
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

    func validate() throws {
        guard sorts > 0 else { throw ValidationError("--sorts must be positive") }
        guard (0..<1).contains(dropClicks) else { throw ValidationError("--drop-clicks must be in [0, 1)") }
        guard clickDelay >= 0, clickDelay < 2 else { throw ValidationError("--click-delay must be in [0, 2) s") }
        guard (0.5...2).contains(scale) else { throw ValidationError("--scale must be 0.5...2") }
    }

    func run() throws {
        let classifier =
            try model.map { try CellClassifier(contentsOf: URL(fileURLWithPath: $0)) } ?? BuiltInModel.load().classifier
        var virtual: VirtualDisplay?
        let name: String
        if let display {
            name = display
        } else {
            virtual = try VirtualDisplay(width: Int(900 * scale) + 100, height: Int(900 * scale) + 100)
            name = virtual!.name
        }
        defer { virtual?.stop() }
        let connection = try X11Connection(name: name)
        let bar = ProgressBar()
        let start = Date()
        var lost = 0
        var unsorted = 0
        var onCursor = 0
        var stopped = 0
        var clicks = 0
        var bound = 0
        var replans = 0
        var dropped = 0
        var seconds = 0.0
        for k in 0..<sorts {
            let s = seed &+ UInt64(k)
            let state = StashState.random(fill: fill, seed: s)
            let arena = try StashArena(
                display: name, state: state, position: ScreenPoint(x: 10, y: 10), layout: .game(scale: scale),
                faults: ArenaFaults(dropClickProbability: dropClicks, clickDelay: clickDelay), seed: s)
            defer { arena.close() }
            arena.window.focus()
            // The same set-up as `pixelpilot sort` (no kill switch: the sorts run one after another).
            let agent = try InputAgent.x11(
                connection: connection, target: arena.window.window, killSwitch: false, timing: .immediate)
            defer { agent.stop() }
            let g = arena.screenGrid
            let grid = GridGeometry(
                originX: g.originX, originY: g.originY, cellSize: g.cellSize, pitch: g.pitch, columns: 12, rows: 12)
            let executor = SortSession(
                source: X11ScreenSource(connection: connection), classifier: classifier, agent: agent,
                window: arena.window.rect, options: SortSession.Options(grid: grid)
            ).executor
            executor.verifyTimeout = max(0.3, clickDelay * 6)
            executor.settleTime = max(0.03, clickDelay * 2)
            let report = try executor.run()
            let after = arena.state
            // Against the truth: same items, sorted by colour, nothing on the cursor.
            let ids = Set(after.cells.compactMap { $0?.id })
            lost += state.allItems.filter { !ids.contains($0.id) && after.cursor?.id != $0.id }.count
            if after.cursor != nil { onCursor += 1 }
            let want = try SortLayout().targets(
                for: state.cells.compactMap { $0?.color.rawValue }.sorted(), columns: 12, rows: 12
            ) { $0 }
            if after.cells.map({ $0?.color.rawValue }) != want {
                unsorted += 1
                let got = after.cells.map { $0?.color.rawValue }
                let wrong = got.indices.filter { got[$0] != want[$0] }.map {
                    "(\($0 % 12),\($0 / 12)): \(got[$0] ?? "empty") not \(want[$0] ?? "empty")"
                }
                FileHandle.standardError.write(
                    Data(
                        "seed \(s): unsorted cells \(wrong.prefix(6).joined(separator: ", ")); unsure \(report.unrecognised)\n"
                            .utf8))
            }
            if !report.completed {
                stopped += 1
                FileHandle.standardError.write(Data("seed \(s): stopped: \(report.stopReason ?? "not sorted")\n".utf8))
            }
            clicks += report.clicks
            bound += report.lowerBound
            replans += report.replans
            dropped += arena.droppedClicks
            seconds += report.seconds
            bar.update(
                done: k + 1, total: sorts, elapsed: Date().timeIntervalSince(start),
                suffix: "lost \(lost), unsorted \(unsorted), clicks \(clicks)/\(bound) of the bound", force: true)
        }
        bar.finish("Sorted \(sorts) stashes in \(ProgressBar.duration(Date().timeIntervalSince(start)))")
        print(
            """
            Stashes: \(sorts) (12x12, fill \(fill), game style at scale \(scale)); faults: \(dropClicks) of clicks dropped, \(clickDelay) s late
            Items lost: \(lost); stashes left unsorted: \(unsorted); left holding an item: \(onCursor); runs that stopped early: \(stopped)
            Clicks: \(clicks) against a lower bound of \(bound) (\(String(format: "%.3f", Double(clicks) / Double(max(1, bound))))x); clicks the arena dropped: \(dropped); re-plans: \(replans)
            Sorting time: \(String(format: "%.1f", seconds)) s (\(String(format: "%.2f", seconds / Double(sorts))) s a stash)
            """)
        if lost > 0 || unsorted > 0 || onCursor > 0 { throw ExitCode(2) }
    }
}
