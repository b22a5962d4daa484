import Arena
import Desktop
import DesktopTesting
import StashSorter
import Imaging
import XCTest

/// Tells gem colours by the mean colour of a cell's centre: a classifier for the arena's drawn
/// gems that needs no training, so the executor's logic is tested on its own.
final class MeanColorClassifier: CellClassifying {
    let classNames = ["blue", "empty", "green", "red"]
    let inputSize = 52

    func predict(_ images: [Image]) throws -> [CellClassifier.Prediction] {
        images.map { img in
            var sum = [0, 0, 0]
            let s = img.width / 4
            for y in s..<(img.height - s) {
                for x in s..<(img.width - s) {
                    let o = (y * img.width + x) * img.channels
                    for c in 0..<3 { sum[c] += Int(img.pixels[o + c]) }
                }
            }
            let n = (img.width - 2 * s) * (img.height - 2 * s)
            let mean = sum.map { $0 / max(1, n) }
            let k: Int
            if mean.max()! < 45 { k = 1 } else { k = [2: 0, 1: 2, 0: 3][mean.firstIndex(of: mean.max()!)!]! }
            var p = [Float](repeating: 0, count: 4)
            p[k] = 1
            return CellClassifier.Prediction(index: k, className: classNames[k], confidence: 1, probabilities: p)
        }
    }
}

/// The sorter against the in-memory stash on a manual clock: no X server, no training; dropped
/// clicks, a slow UI, the kill switch and a lost focus, each in milliseconds.
final class InMemorySortTests: XCTestCase {
    struct Rig {
        let clock = ManualClock()
        let simulator: StashSimulator
        let windows = MemoryWindowSystem()
        let hotkeys = MemoryHotkeys()
        let window: WindowInfo
        let session: SortSession

        init(seed: UInt64, fill: Double = 0.45, faults: ArenaFaults = ArenaFaults()) throws {
            simulator = StashSimulator(state: .random(fill: fill, seed: seed), faults: faults, seed: seed, clock: clock)
            window = windows.add(title: "Path of Exile", rect: simulator.windowRect)
            windows.focus(window.id)
            let agent = try InputAgent(
                backend: simulator, windows: windows, target: window.id, hotkeys: hotkeys,
                timing: .immediate, clock: clock)
            let o = simulator.gridOrigin
            session = SortSession(
                source: simulator, classifier: MeanColorClassifier(), agent: agent, window: window.rect,
                options: SortSession.Options(grid: GridGeometry(originX: o.x, originY: o.y)), clock: clock)
        }
    }

    func assertSortedWithNothingLost(
        _ before: StashState, _ after: StashState, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        XCTAssertNil(after.cursor, "nothing left on the cursor", file: file, line: line)
        XCTAssertEqual(
            after.allItems.map(\.id), before.allItems.map(\.id), "exactly the same items", file: file, line: line)
        let expected = try SortLayout().targets(
            for: before.cells.compactMap { $0?.color.rawValue }.sorted(),
            columns: before.columns, rows: before.rows
        ) { $0 }
        XCTAssertEqual(after.cells.map { $0?.color.rawValue }, expected, "sorted by color", file: file, line: line)
    }

    func testSimulatorClicksByTheGamesRulesWithDeadBorderLines() throws {
        let start = StashState.random(columns: 4, rows: 2, fill: 0.5, seed: 7)
        let simulator = StashSimulator(state: start, clock: ManualClock())
        let o = simulator.gridOrigin
        func point(_ i: Int, dx: Int = 26) -> ScreenPoint { o.offset(dx: (i % 4) * 53 + dx, dy: (i / 4) * 53 + 26) }
        let full = try XCTUnwrap(start.cells.firstIndex { $0 != nil })
        let empty = try XCTUnwrap(start.cells.firstIndex { $0 == nil })
        try simulator.click(at: point(empty))
        XCTAssertEqual(simulator.state, start, "an empty cell clicked with an empty cursor: nothing happens")
        try simulator.click(at: point(full, dx: 52))
        XCTAssertEqual(simulator.state, start, "the line after a cell is a dead spot")
        try simulator.click(at: point(full, dx: 51))
        XCTAssertEqual(simulator.state.cursor, start.cells[full], "the cell's last pixel picks its item up")
        XCTAssertNil(simulator.state.cells[full])
        try simulator.click(at: point(empty, dx: 0))
        XCTAssertNil(simulator.state.cursor)
        XCTAssertEqual(simulator.state.cells[empty], start.cells[full], "the cell's first pixel puts it down")
        XCTAssertEqual(simulator.appliedClicks, 2)
        XCTAssertEqual(simulator.droppedClicks, 0)
    }

    func testTheClassifierSeesTheSimulatedStashExactly() throws {
        let rig = try Rig(seed: 3)
        let readings = try rig.session.perception.readAll()
        XCTAssertEqual(readings.map(\.className), rig.simulator.state.cells.map { $0?.color.rawValue })
    }

    func testSortsWithTheFewestClicksWhenNothingGoesWrong() throws {
        let rig = try Rig(seed: 1)
        let before = rig.simulator.state
        let report = try rig.session.executor.run()
        XCTAssertTrue(report.completed, "\(report)")
        XCTAssertEqual(report.clicks, report.lowerBound)
        XCTAssertEqual(report.replans, 0)
        try assertSortedWithNothingLost(before, rig.simulator.state)
    }

    func testRecoversFromDroppedClicks() throws {
        let rig = try Rig(seed: 4, faults: ArenaFaults(dropClickProbability: 0.15))
        let before = rig.simulator.state
        let report = try rig.session.executor.run()
        XCTAssertTrue(report.completed, "\(report)")
        XCTAssertGreaterThan(rig.simulator.droppedClicks, 0, "the fault really happened")
        XCTAssertGreaterThan(report.replans, 0)
        XCTAssertEqual(rig.simulator.appliedClicks + rig.simulator.droppedClicks, report.clicks)
        try assertSortedWithNothingLost(before, rig.simulator.state)
    }

    func testWaitsForASlowUIAndRecoversWhenItIsSlowerThanTheTimeout() throws {
        // Slower than a click, faster than the verify timeout: no re-plan needed.
        let slow = try Rig(seed: 5, faults: ArenaFaults(clickDelay: 0.4))
        var before = slow.simulator.state
        var report = try slow.session.executor.run()
        XCTAssertTrue(report.completed, "\(report)")
        XCTAssertEqual(report.replans, 0)
        XCTAssertGreaterThan(
            report.seconds, 0.4 * Double(report.clicks), "time on the manual clock includes every wait")
        try assertSortedWithNothingLost(before, slow.simulator.state)
        // Slower than the timeout: clicks look missed, the sorter re-observes and still ends sorted.
        let slower = try Rig(seed: 6, faults: ArenaFaults(clickDelay: 1.3))
        before = slower.simulator.state
        report = try slower.session.executor.run()
        XCTAssertTrue(report.completed, "\(report)")
        XCTAssertGreaterThan(report.replans, 0)
        try assertSortedWithNothingLost(before, slower.simulator.state)
    }

    func testKillSwitchStopsTheSortReleasesEverythingAndLosesNothing() throws {
        let rig = try Rig(seed: 7)
        let before = rig.simulator.state
        var clicks = 0
        rig.session.executor.beforeClick = { _ in
            clicks += 1
            if clicks == 6 { rig.hotkeys.press(KillSwitch.defaultCombo) }  // the user's panic key
        }
        let report = try rig.session.executor.run()
        XCTAssertFalse(report.completed)
        XCTAssertTrue(report.stopReason?.contains("kill switch") == true, report.stopReason ?? "nil")
        XCTAssertEqual(report.clicks, 5, "no click after the kill switch")
        XCTAssertTrue(rig.simulator.held.isEmpty, "every key and button released")
        XCTAssertEqual(
            rig.simulator.state.allItems.map(\.id), before.allItems.map(\.id), "no item lost (one may be on the cursor)"
        )
        XCTAssertThrowsError(try rig.session.agent.device.click(at: rig.window.rect.center)) { e in
            XCTAssertEqual(e as? DesktopError, .refused(.move(to: rig.window.rect.center), .killSwitch))
        }
    }

    func testLosingFocusStopsTheSort() throws {
        let rig = try Rig(seed: 8)
        var clicks = 0
        rig.session.executor.beforeClick = { _ in
            clicks += 1
            if clicks == 3 { rig.windows.focus(nil) }
        }
        let report = try rig.session.executor.run()
        XCTAssertFalse(report.completed)
        XCTAssertTrue(report.stopReason?.contains("does not have focus") == true, report.stopReason ?? "nil")
        XCTAssertEqual(rig.session.agent.binding?.refusals.count, 1)
    }
}

/// The item reader on the in-memory clipboard: Ctrl+C over a cell puts the simulated game's item
/// text there, as the game does; a cell the game ignores keeps the reader's sentinel, so it reads
/// nothing rather than the previous item.
final class InMemoryItemReaderTests: XCTestCase {
    func testReadsTheItemUnderThePointerAndNothingWhereTheGameStaysSilent() throws {
        let state = StashState.random(fill: 0.5, seed: 12)
        let grid = GridGeometry(originX: 28, originY: 138)
        let clipboard = MemoryClipboard()
        let device = MemoryInputDevice()
        device.onAction = { action in
            guard case .input(.key(let k, true)) = action, k.name == "c", device.held.contains(.key(.control)) else {
                return
            }
            let p = device.pointer
            let column = Int((Double(p.x) - grid.originX) / grid.pitch)
            let row = Int((Double(p.y) - grid.originY) / grid.pitch)
            if let item = state.cells[row * 12 + column] { try clipboard.own(item.clipboardText) }
        }
        let reader = ClipboardItemReader(device: device, clipboard: clipboard, grid: grid, order: .name)
        reader.timeout = 0.05
        let full = try XCTUnwrap(state.cells.firstIndex { $0 != nil })
        let item = try reader.text(at: GridCell(column: full % 12, row: full / 12))
        XCTAssertEqual(item?.name, state.cells[full]?.name)
        XCTAssertEqual(item?.level, state.cells[full]?.level)
        let empty = try XCTUnwrap(state.cells.firstIndex { $0 == nil })
        XCTAssertNil(
            try reader.text(at: GridCell(column: empty % 12, row: empty / 12)), "the sentinel, not the last item")
        XCTAssertEqual(
            try reader.key(at: GridCell(column: full % 12, row: full / 12), className: "red").split(separator: "|")
                .count, 3)
    }
}
