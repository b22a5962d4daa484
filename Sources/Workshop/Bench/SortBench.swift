import Arena
import Desktop
import Foundation
import StashSorter
import TensorKit

/// `pixelpilot bench --only sort`: clicks and wall time to sort random 12x12 stashes against the
/// original gem sorter's algorithm with its fixed sleeps.
public enum SortBench {
    public static func run(displayName: String?, report: (BenchResult) -> Void) throws {
        func emit(_ suite: String, _ c: String, _ framework: String, _ value: Double, _ unit: String) {
            report(BenchResult(suite: suite, case: c, framework: framework, value: value, unit: unit))
        }
        // Clicks over many random stashes (planner vs the original gem sorter's algorithm), no screen needed.
        var ours = 0
        var seeds = 0
        for seed in 1...50 {
            let s = StashState.random(fill: 0.5, seed: UInt64(seed))
            let grid = StashGrid(columns: 12, rows: 12, cells: s.cells.map { $0?.color.rawValue })
            let target = try SortLayout().targets(for: grid.items.sorted(), columns: 12, rows: 12) { $0 }
            ours += try SortPlanner.plan(from: grid, to: target).clicks.count
            seeds += try SeedSorter.clicks(for: grid).count
        }
        emit("sort", "clicks, 50 random 12x12 stashes", "PixelPilot planner", Double(ours), "clicks")
        emit(
            "sort", "clicks, 50 random 12x12 stashes", "original gem sorter's algorithm", Double(seeds), "clicks")

        // Wall time in the arena with the original gem sorter's 50 ms pauses, checking every click on screen.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sortbench-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try GemDataset.write(to: dir, perClass: 60, seed: 11)
        var options = ClassifierTraining.Options()
        options.epochs = 15
        let classifier = try ClassifierTraining(directory: dir, options: options).run(
            output: dir.appendingPathComponent("m.safetensors")
        ).classifier
        var virtual: VirtualDisplay?
        if displayName == nil { virtual = try VirtualDisplay(width: 1024, height: 900) }
        defer { virtual?.stop() }
        let name = displayName ?? virtual!.name
        var oursSeconds = 0.0
        var seedSeconds = 0.0
        var lost = 0
        for seed in [UInt64(101), 102] {
            let arena = try StashArena(
                display: name, state: .random(fill: 0.5, seed: seed), position: ScreenPoint(x: 10, y: 10), seed: seed)
            defer { arena.close() }
            arena.window.focus()
            let connection = try X11Connection(name: name)
            // The original gem sorter's 50 ms pauses; no kill switch (the bench's stashes run one after another).
            let agent = try InputAgent.x11(
                connection: connection, target: arena.window.window, killSwitch: false, timing: InputTiming())
            let o = arena.gridOrigin
            let session = SortSession(
                source: X11ScreenSource(connection: connection), classifier: classifier, agent: agent,
                window: arena.window.rect, options: SortSession.Options(grid: GridGeometry(originX: o.x, originY: o.y)))
            let executor = session.executor
            let before = arena.state.allItems.count
            let sorted = try executor.run()
            oursSeconds += sorted.seconds
            seedSeconds += SeedTiming.seconds(forClicks: sorted.seedClicks)
            lost += before - arena.state.allItems.count
        }
        emit(
            "sort", "seconds, 2 stashes at the original gem sorter's pauses", "PixelPilot (verified clicks)",
            oursSeconds, "s")
        emit(
            "sort", "seconds, 2 stashes at the original gem sorter's pauses",
            "original gem sorter's algorithm (fixed sleeps)", seedSeconds, "s")
        emit("sort", "items lost", "PixelPilot", Double(lost), "items")
    }
}
