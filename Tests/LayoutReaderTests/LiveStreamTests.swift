import XCTest
import Foundation
import Arena
import Desktop
import LayoutReader
import Imaging

/// Reads the arena's frame code from a full-screen capture and hands the stitcher only the
/// capture square, so each stitched frame can be matched to the arena's truth exactly. Every
/// pixel comes from the real X server.
final class CodedScreenSource: ScreenSource, @unchecked Sendable {
    let real: X11ScreenSource
    let lock = NSLock()
    var codes: [Double: Int] = [:]
    init(_ real: X11ScreenSource) { self.real = real }
    var screenRect: ScreenRect { real.screenRect }
    func capture(_ rect: ScreenRect?) throws -> Frame {
        let full = try real.capture(nil)
        let code = MapRenderer.frameIndex(in: full.image)
        lock.lock()
        codes[full.time.seconds] = code
        lock.unlock()
        guard let rect else { return full }
        var f = full
        f.image = try full.image.cropped(x: rect.x, y: rect.y, width: rect.width, height: rect.height)
        f.rect = rect
        return f
    }
    func capture(window: UInt) throws -> Frame { try real.capture(window: window) }
}

/// The whole live path under Xvfb: the map arena window, the scripted explorer pressing real
/// keys through XTest, the capture stream, the stitcher; compared with the arena's truth.
final class LiveStreamTests: XCTestCase {
    func testLiveArenaStreamWithAutoplayStitchesToTheTruth() throws {
        let xvfb = try VirtualDisplay(width: 1280, height: 720)
        defer { xvfb.stop() }
        let layout = MapLayout(layoutClass: .hub, seed: 4)
        let view = MapView(screenWidth: 1280, screenHeight: 720)
        let arena = try MapArena(display: xvfb.name, layout: layout, effects: .normal, view: view, seed: 4, fps: 20)
        defer { arena.close() }
        arena.withWorld { $0.hardCases = false }
        arena.window.focus()
        let autoplay = try MapAutoplay(arena: arena, display: xvfb.name, seed: 4)
        defer { autoplay.stop() }
        let connection = try X11Connection(name: xvfb.name)
        let source = CodedScreenSource(X11ScreenSource(connection: connection))
        let region = LayoutStream.seedRegion(screenWidth: 1280, screenHeight: 720)
        XCTAssertEqual(region, view.captureRect)
        let stream = try LayoutStream(source: source, region: region, fps: 4)
        let reports = Locked<[(StitchReport, Double)]>([])
        let ended = expectation(description: "stream ended")
        stream.start { event in
            switch event {
            case .frame(let r, _, _, _, let time):
                reports.mutate { $0.append((r, time)) }
                // A flash and a loading screen in the middle of the live stream.
                if r.index == 12 { arena.withWorld { $0.trigger(.flash, duration: 0.4) } }
                if r.index == 20 { arena.withWorld { $0.trigger(.mapOff, duration: 0.6) } }
                // A loading screen, then the player stands at a place visited before.
                if r.index == 32 { arena.withWorld { $0.trigger(.teleport, duration: 0.6) } }
                if r.index >= 45 { stream.stop() }
            case .captureFailed(let m): XCTFail(m)
            case .ended: ended.fulfill()
            }
        }
        wait(for: [ended], timeout: 40)
        autoplay.stop()
        XCTAssertNil(autoplay.lastError, "autoplay keys were refused")
        let truth = arena.truth()
        let rs = reports.value
        let codes = source.lock.withLock { source.codes }
        XCTAssertGreaterThanOrEqual(rs.count, 40)
        guard let originReport = rs.first(where: { $0.0.outcome == .origin }) else { return XCTFail("no origin") }
        guard let originCode = codes[originReport.1] else { return XCTFail("unreadable frame code") }
        let origin = truth.frames[originCode]
        var errors: [Float] = []
        var hiddenPasted = 0
        var hiddenSeen = 0
        for (r, time) in rs {
            // Each report carries its frame's capture time, which keys the frame code read then.
            guard let code = codes[time], code < truth.frames.count else {
                XCTFail("frame \(r.index): no frame code")
                continue
            }
            let t = truth.frames[code]
            if t.events.contains(where: { $0.hidesMap }) {
                hiddenSeen += 1
                if r.outcome.isPasted { hiddenPasted += 1 }
            }
            guard r.outcome.isPasted, let x = r.x, let y = r.y else { continue }
            let tx = (t.x - origin.x) * truth.scale
            let ty = (t.y - origin.y) * truth.scale
            errors.append(((x - tx) * (x - tx) + (y - ty) * (y - ty)).squareRoot())
            if ProcessInfo.processInfo.environment["STITCH_DEBUG"] != nil {
                print("live \(r.index) code \(code) est \(x),\(y) truth \(tx),\(ty) \(r.outcome)")
            }
        }
        let moved =
            truth.frames.last.map {
                (($0.x - origin.x) * ($0.x - origin.x) + ($0.y - origin.y) * ($0.y - origin.y)).squareRoot()
            } ?? 0
        print(
            "live: \(rs.count) frames, \(errors.count) pasted, mean error \(errors.reduce(0, +) / Float(max(1, errors.count))) px, max \(errors.max() ?? -1) px, hidden frames \(hiddenSeen) (pasted \(hiddenPasted)), player moved \(moved) map px"
        )
        XCTAssertGreaterThan(moved, 60, "the explorer moved the player with real key presses")
        XCTAssertGreaterThanOrEqual(hiddenSeen, 2, "a flash, a hidden map or a loading screen was captured")
        XCTAssertEqual(hiddenPasted, 0, "no flash or hidden-map frame is pasted")
        XCTAssertGreaterThanOrEqual(errors.count, 30)
        XCTAssertEqual(truth.frames.filter { $0.events.contains(.teleport) }.count, 1, "the arena teleported once")
        XCTAssertTrue(
            rs.contains { $0.0.outcome == .relocalised && $0.0.index > 32 },
            "the stream found itself after the teleport: \(rs.map { "\($0.0.index) \($0.0.outcome)" })")
        XCTAssertLessThan(errors.reduce(0, +) / Float(max(1, errors.count)), 0.5)
        XCTAssertLessThan(errors.max() ?? 99, 2)
    }

    func testRegionOutsideTheScreenIsAClearError() throws {
        let xvfb = try VirtualDisplay(width: 640, height: 480)
        defer { xvfb.stop() }
        let source = X11ScreenSource(connection: try X11Connection(name: xvfb.name))
        XCTAssertThrowsError(
            try LayoutStream(source: source, region: ScreenRect(x: 500, y: 400, width: 400, height: 400), fps: 1)
        ) { e in
            XCTAssertTrue("\(e)".contains("not inside the screen"), "\(e)")
        }
        XCTAssertThrowsError(
            try LayoutStream(source: source, region: ScreenRect(x: 0, y: 0, width: 100, height: 100), fps: 0))
    }
}

/// A value shared between threads.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T
    init(_ v: T) { self.v = v }
    var value: T { lock.withLock { v } }
    func mutate(_ f: (inout T) -> Void) { lock.withLock { f(&v) } }
}
