import Arena
import Desktop
import Foundation
import StashSorter

/// Many sorts of shuffled game-style stashes whose arena drops and delays clicks (`arena soak`),
/// each checked against the arena's true state: same items, sorted by colour, nothing on the cursor.
public struct StashSoak {
    /// The stashes and the faults.
    public struct Configuration: Sendable {
        /// How many stashes to sort, from random seed `seed` up.
        public var sorts = 200
        public var seed: UInt64 = 1000
        /// Fraction of cells holding a gem.
        public var fill = 0.4
        /// Probability that the arena ignores a click, and seconds before a click takes effect.
        public var dropClicks = 0.1
        public var clickDelay = 0.03
        /// Game-style UI scale of the arena.
        public var scale = 1.0
        public init() {}

        /// Nil when the configuration can run, else what is wrong.
        public var problem: String? {
            if sorts <= 0 { return "--sorts must be positive" }
            if !(0..<1).contains(dropClicks) { return "--drop-clicks must be in [0, 1)" }
            if !(clickDelay >= 0 && clickDelay < 2) { return "--click-delay must be in [0, 2) s" }
            if !(0.5...2).contains(scale) { return "--scale must be 0.5...2" }
            return nil
        }
    }

    /// The totals over every sort.
    public struct Totals: Sendable, Equatable {
        public var sorts = 0
        public var lost = 0
        public var unsorted = 0
        public var onCursor = 0
        public var stopped = 0
        public var clicks = 0
        public var lowerBound = 0
        public var replans = 0
        public var droppedClicks = 0
        public var seconds = 0.0
        public init() {}
        /// Nothing lost, every stash sorted, the cursor always empty.
        public var passed: Bool { lost == 0 && unsorted == 0 && onCursor == 0 }
    }

    public let configuration: Configuration
    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// Sorts every stash on X display `display` (the arena at its scale must fit).
    /// - Parameters:
    ///   - problem: a line about one stash that went wrong (unsorted cells, an early stop).
    ///   - progress: the totals after each sort.
    public func run(
        display: String, classifier: CellClassifier, problem: (String) -> Void = { _ in },
        progress: (Totals) -> Void = { _ in }
    ) throws -> Totals {
        let c = configuration
        if let why = c.problem { throw WorkshopError.invalidValue(why) }
        let connection = try X11Connection(name: display)
        var t = Totals()
        for k in 0..<c.sorts {
            let s = c.seed &+ UInt64(k)
            let state = StashState.random(fill: c.fill, seed: s)
            let arena = try StashArena(
                display: display, state: state, position: ScreenPoint(x: 10, y: 10), layout: .game(scale: c.scale),
                faults: ArenaFaults(dropClickProbability: c.dropClicks, clickDelay: c.clickDelay), seed: s)
            defer { arena.close() }
            arena.window.focus()
            // The same set-up as `pixelpilot sort` (no kill switch: the sorts run one after another).
            let agent = try InputAgent.x11(
                connection: connection, target: arena.window.window, killSwitch: false, timing: .immediate)
            defer { agent.stop() }
            let executor = SortSession(
                source: X11ScreenSource(connection: connection), classifier: classifier, agent: agent,
                window: arena.window.rect, options: SortSession.Options(grid: GridGeometry(arena.screenGrid))
            ).executor
            executor.verifyTimeout = Swift.max(0.3, c.clickDelay * 6)
            executor.settleTime = Swift.max(0.03, c.clickDelay * 2)
            let report = try executor.run()
            let after = arena.state
            let ids = Set(after.cells.compactMap { $0?.id })
            t.lost += state.allItems.filter { !ids.contains($0.id) && after.cursor?.id != $0.id }.count
            if after.cursor != nil { t.onCursor += 1 }
            let want = try SortLayout().targets(
                for: state.cells.compactMap { $0?.color.rawValue }.sorted(), columns: 12, rows: 12
            ) { $0 }
            let got = after.cells.map { $0?.color.rawValue }
            if got != want {
                t.unsorted += 1
                let wrong = got.indices.filter { got[$0] != want[$0] }.map {
                    "(\($0 % 12),\($0 / 12)): \(got[$0] ?? "empty") not \(want[$0] ?? "empty")"
                }
                problem(
                    "seed \(s): unsorted cells \(wrong.prefix(6).joined(separator: ", ")); unsure \(report.unrecognised)"
                )
            }
            if !report.completed {
                t.stopped += 1
                problem("seed \(s): stopped: \(report.stopReason ?? "not sorted")")
            }
            t.sorts += 1
            t.clicks += report.clicks
            t.lowerBound += report.lowerBound
            t.replans += report.replans
            t.droppedClicks += arena.droppedClicks
            t.seconds += report.seconds
            progress(t)
        }
        return t
    }
}
