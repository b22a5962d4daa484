import XCTest
import Foundation
import Arena
import Desktop
import StashSorter
import TensorKit
import Imaging

/// The sorter against the stash arena in a real X server: real capture, real injected clicks,
/// the arena's true state checked at the end (the sorter never reads it).
final class EndToEndSortTests: XCTestCase {
    static var classifier: CellClassifier?

    /// A classifier trained only on arena sprites (once for the whole class).
    static func trainedClassifier() throws -> CellClassifier {
        if let c = classifier { return c }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-gems-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try GemDataset.write(to: dir, perClass: 60, seed: 11)
        var options = ClassifierTraining.Options()
        options.epochs = 15
        options.seed = 2
        let c = try ClassifierTraining(directory: dir, options: options).run(
            output: dir.appendingPathComponent("m.safetensors")
        ).classifier
        classifier = c
        return c
    }

    /// An arena on a private Xvfb with a focus-bound device and a sort executor for it.
    struct Setup {
        let xvfb: VirtualDisplay
        let arena: StashArena
        let connection: X11Connection
        let session: SortSession
        var agent: InputAgent { session.agent }
        var device: SafeInputDevice { session.agent.device }
        var perception: StashPerception { session.perception }
        var executor: SortExecutor { session.executor }
        var grid: GridGeometry { perception.grid }

        /// Stops the agent (releasing input, ungrabbing the kill switch), then the arena and the server.
        func close() {
            agent.stop()
            arena.close()
            xvfb.stop()
        }
    }

    static func rig(
        seed: UInt64, fill: Double, faults: ArenaFaults = ArenaFaults(), columns: Int = 12, rows: Int = 12
    ) throws -> Setup {
        let xvfb = try VirtualDisplay(width: 1024, height: 900)
        let state = StashState.random(columns: columns, rows: rows, fill: fill, seed: seed)
        let arena = try StashArena(
            display: xvfb.name, state: state, position: ScreenPoint(x: 10, y: 10), faults: faults, seed: seed)
        arena.window.focus()
        let connection = try X11Connection(name: xvfb.name)
        // The same set-up as `pixelpilot sort`: focus binding, kill switch, guardian.
        let agent = try InputAgent.x11(connection: connection, target: arena.window.window, timing: .immediate)
        let o = arena.gridOrigin
        let grid = GridGeometry(originX: o.x, originY: o.y, cellSize: 52, pitch: 53, columns: columns, rows: rows)
        let session = SortSession(
            source: X11ScreenSource(connection: connection), classifier: try trainedClassifier(), agent: agent,
            window: arena.window.rect,
            options: SortSession.Options(grid: grid, layout: SortLayout(direction: .vertical)),
            clipboard: X11Clipboard(connection: connection))
        session.executor.verifyTimeout = 0.3
        return Setup(xvfb: xvfb, arena: arena, connection: connection, session: session)
    }

    func makeSetup(seed: UInt64, fill: Double, faults: ArenaFaults = ArenaFaults()) throws -> Setup {
        try EndToEndSortTests.rig(seed: seed, fill: fill, faults: faults)
    }

    /// True when the arena's cells are grouped by colour in the layout order, with the same items.
    func assertSorted(
        _ before: StashState, _ after: StashState, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        XCTAssertNil(after.cursor, "nothing left on the cursor", file: file, line: line)
        XCTAssertEqual(
            after.allItems.map(\.id), before.allItems.map(\.id), "exactly the same items", file: file, line: line)
        let colors = after.cells.map { $0?.color.rawValue }
        let expected = try SortLayout(direction: .vertical).targets(
            for: before.cells.compactMap { $0?.color.rawValue }.sorted(),
            columns: before.columns, rows: before.rows
        ) { $0 }
        XCTAssertEqual(colors, expected, "sorted by color", file: file, line: line)
    }

    func testSortsShuffledStashesOverSeveralSeeds() throws {
        for seed in [UInt64(1), 2, 3] {
            let s = try makeSetup(seed: seed, fill: seed == 2 ? 0.75 : 0.45)
            defer { s.close() }
            let before = s.arena.state
            let report = try s.executor.run()
            XCTAssertTrue(report.completed, "seed \(seed): \(report)")
            XCTAssertNil(report.stopReason)
            XCTAssertEqual(report.clicks, report.lowerBound, "seed \(seed): no re-plans needed without faults")
            XCTAssertLessThanOrEqual(
                report.clicks, report.seedClicks, "seed \(seed): never more clicks than the seed's algorithm")
            XCTAssertGreaterThan(report.seconds, 0)
            XCTAssertEqual(report.itemsBefore, report.itemsAfter)
            try assertSorted(before, s.arena.state)
        }
    }

    func testRecoversFromDroppedClicksAndASlowUI() throws {
        for (seed, faults) in [
            (UInt64(4), ArenaFaults(dropClickProbability: 0.1)), (UInt64(5), ArenaFaults(clickDelay: 0.03)),
        ] {
            let s = try makeSetup(seed: seed, fill: 0.4, faults: faults)
            defer { s.close() }
            let before = s.arena.state
            let report = try s.executor.run()
            XCTAssertTrue(report.completed, "seed \(seed): \(report)")
            XCTAssertEqual(
                s.arena.appliedClicks + s.arena.droppedClicks, report.clicks, "seed \(seed): clicks the arena saw")
            try assertSorted(before, s.arena.state)
            if faults.dropClickProbability > 0 {
                XCTAssertGreaterThan(s.arena.droppedClicks, 0, "the fault really happened")
                XCTAssertGreaterThan(report.replans, 0)
            }
        }
    }

    func testStopsCleanlyWhenTheGameLosesFocusAndLosesNothing() throws {
        let s = try makeSetup(seed: 6, fill: 0.5)
        defer { s.close() }
        let before = s.arena.state
        let other = try X11PictureWindow(
            display: s.xvfb.name, rect: ScreenRect(x: 900, y: 10, width: 50, height: 50),
            picture: .testPattern(width: 50, height: 50), title: "chat")
        defer { other.close() }
        var clicks = 0
        s.executor.beforeClick = { _ in
            clicks += 1
            if clicks == 5 { other.focus() }  // the user alt-tabs away mid-sort
        }
        let report = try s.executor.run()
        XCTAssertFalse(report.completed)
        XCTAssertTrue(report.stopReason?.contains("does not have focus") == true, "\(report.stopReason ?? "nil")")
        let after = s.arena.state
        XCTAssertEqual(after.allItems.map(\.id), before.allItems.map(\.id), "no item lost (one may be on the cursor)")
    }
}

final class GridDetectorTests: XCTestCase {
    func testFindsTheArenaGridFromAScreenshot() throws {
        let xvfb = try VirtualDisplay(width: 1024, height: 900)
        defer { xvfb.stop() }
        for (seed, columns, rows) in [(UInt64(1), 12, 12), (UInt64(2), 12, 5)] {
            let arena = try StashArena(
                display: xvfb.name, state: .random(columns: columns, rows: rows, fill: 0.5, seed: seed),
                position: ScreenPoint(x: 37, y: 23), seed: seed)
            defer { arena.close() }
            let shot = try X11ScreenSource(connection: try X11Connection(name: xvfb.name)).capture(nil)
            let grid = try GridDetector.detect(in: shot.image, columns: columns, rows: rows)
            XCTAssertEqual(grid.originX, Double(arena.gridOrigin.x), accuracy: 0.5, "seed \(seed)")
            XCTAssertEqual(grid.originY, Double(arena.gridOrigin.y), accuracy: 0.5, "seed \(seed)")
            XCTAssertEqual(grid.pitch, 53, accuracy: 0.1)
            XCTAssertEqual(grid.cellSize, 52, accuracy: 0.5)
        }
        XCTAssertThrowsError(try GridDetector.detect(in: Image(width: 300, height: 300, color: [9, 9, 9])))
    }
}

final class ClipboardSortTests: XCTestCase {
    func testSortsByNameAndLevelFromTheItemText() throws {
        let s = try EndToEndSortTests.rig(seed: 21, fill: 0.25)
        defer { s.close() }
        let state = s.arena.state
        let executor = s.executor
        let grid = s.grid
        let device = s.device
        let connection = s.connection
        let arena = s.arena
        let reader = ClipboardItemReader(
            device: device, clipboard: X11Clipboard(connection: connection), grid: grid, order: .name)
        // The reader parses the arena's text exactly.
        let first = state.cells.firstIndex { $0 != nil }!
        let item = try reader.text(at: GridCell(column: first % 12, row: first / 12))
        XCTAssertEqual(item?.name, state.cells[first]!.name)
        XCTAssertEqual(item?.level, state.cells[first]!.level)
        XCTAssertEqual(item?.colorName, state.cells[first]!.color.rawValue)
        executor.itemKey = { cell, cls in try reader.key(at: cell, className: cls) }
        let report = try executor.run()
        XCTAssertTrue(report.completed, "\(report)")
        XCTAssertTrue(reader.disagreements.isEmpty)
        let after = arena.state
        XCTAssertNil(after.cursor)
        XCTAssertEqual(after.allItems.map(\.id), state.allItems.map(\.id))
        // Column by column: colour groups, and within a colour names (then levels) in order.
        let keys = state.cells.compactMap { $0 }.map {
            "\($0.color.rawValue)|\($0.name)|\(String(format: "%02d", $0.level))"
        }.sorted()
        let expected = try SortLayout().targets(for: keys, columns: 12, rows: 12) {
            String($0.split(separator: "|")[0])
        }
        let actual = after.cells.map {
            $0.map { "\($0.color.rawValue)|\($0.name)|\(String(format: "%02d", $0.level))" }
        }
        XCTAssertEqual(actual, expected)
    }
}

final class StepModeTests: XCTestCase {
    func testEachHotkeyPressLetsExactlyOneClickThrough() throws {
        let s = try EndToEndSortTests.rig(seed: 31, fill: 0.2)
        defer { s.close() }
        let executor = s.executor
        let arena = s.arena
        let xvfb = s.xvfb
        let gate = try StepGate(hotkeys: try X11Hotkeys(displayName: xvfb.name))
        s.session.useStepGate(gate)
        // The run's report, handed back from its thread (the semaphore orders the write before the read).
        final class Box: @unchecked Sendable { var report: SortReport? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread {
            box.report = try? executor.run()
            done.signal()
        }.start()
        let user = SafeInputDevice(
            wrapping: try X11InputDevice(connection: try X11Connection(name: xvfb.name)), timing: .immediate)
        for press in 1...3 {
            Thread.sleep(forTimeInterval: 0.3)
            XCTAssertEqual(arena.appliedClicks, press - 1, "no click before the key press")
            try user.tap(StepGate.defaultCombo)
            let deadline = Date().addingTimeInterval(2)
            while arena.appliedClicks < press && Date() < deadline { usleep(2_000) }
            XCTAssertEqual(arena.appliedClicks, press, "exactly one click per key press")
        }
        gate.stop()
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        let report = box.report
        XCTAssertEqual(report?.completed, false)
        XCTAssertEqual(report?.stopReason, "step mode stopped")
    }
}

final class ScaleTests: XCTestCase {
    /// The game rendered at another scale: the grid is detected, crops are resized to the model's
    /// input, and the stash is still sorted with nothing lost.
    func testSortsAnArenaRenderedAtAnotherScale() throws {
        let xvfb = try VirtualDisplay(width: 1024, height: 900)
        defer { xvfb.stop() }
        let state = StashState.random(fill: 0.4, seed: 41)
        let arena = try StashArena(
            display: xvfb.name, state: state, position: ScreenPoint(x: 10, y: 10),
            layout: StashArena.Layout(cellSize: 44), seed: 41)
        defer { arena.close() }
        arena.window.focus()
        let connection = try X11Connection(name: xvfb.name)
        let source = X11ScreenSource(connection: connection)
        let shot = try source.capture(window: arena.window.window)
        let grid = try GridDetector.detect(in: shot.image, originX: shot.rect.x, originY: shot.rect.y)
        XCTAssertEqual(grid.cellSize, 44, accuracy: 0.5)
        XCTAssertEqual(grid.originX, Double(arena.gridOrigin.x), accuracy: 0.5)
        let agent = try InputAgent.x11(connection: connection, target: arena.window.window, timing: .immediate)
        defer { agent.stop() }
        let executor = SortSession(
            source: source, classifier: try EndToEndSortTests.trainedClassifier(), agent: agent,
            window: arena.window.rect, options: SortSession.Options(grid: grid)
        ).executor
        executor.verifyTimeout = 0.3
        let report = try executor.run()
        XCTAssertTrue(report.completed, "\(report)")
        XCTAssertEqual(arena.state.allItems.map(\.id), state.allItems.map(\.id))
        XCTAssertNil(arena.state.cursor)
    }
}

final class UnsureCellTests: XCTestCase {
    /// Cells the classifier is unsure of stay where they are, are reported, and the rest is sorted
    /// around them.
    func testUnsureCellsStayInPlaceAndAreReported() throws {
        let s = try EndToEndSortTests.rig(seed: 51, fill: 0.4)
        defer { s.close() }
        let state = s.arena.state
        let perception = s.perception
        let arena = s.arena
        // A threshold just above the least confident readings of this stash (about a tenth of its
        // cells, empty ones included, at least one): midway between two distinct confidences, since a well-trained
        // model gives many cells exactly the same (saturated) confidence.
        let confidences = try perception.readAll().map(\.confidence).sorted()
        let distinct = Array(Set(confidences)).sorted()
        XCTAssertGreaterThan(distinct.count, 1, "every reading has the same confidence; no threshold separates them")
        var cut = 0
        while cut + 1 < distinct.count - 1,
            confidences.filter({ $0 <= distinct[cut + 1] }).count <= max(1, confidences.count / 10)
        { cut += 1 }
        perception.confidenceThreshold = (distinct[cut] + distinct[cut + 1]) / 2
        let unsure = try perception.readAll().enumerated().filter { !$0.element.isConfident }.map(\.offset)
        XCTAssertFalse(unsure.isEmpty)
        let report = try s.executor.run()
        XCTAssertTrue(report.completed, "\(report)")
        XCTAssertEqual(Set(report.unrecognised.map { $0.row * 12 + $0.column }), Set(unsure))
        let after = arena.state
        for i in unsure { XCTAssertEqual(after.cells[i]?.id, state.cells[i]?.id, "unsure cell \(i) untouched") }
        XCTAssertEqual(after.allItems.map(\.id), state.allItems.map(\.id))
        XCTAssertNil(after.cursor)
    }
}
