import ArgumentParser
import Desktop
import Foundation
import LayoutReader
import Imaging

struct LayoutDraw: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draw",
        abstract: "Draw exploration paths by hand over a sample's stitched map (for maps without a walkable mask).",
        discussion: """
            A window shows the map (shrunk to fit the screen) with the origin in green. Hold the left \
            button and drag to draw a path; it starts at the origin, as the original layout reader's MSPaint lines did. \
            Release ends it. U undoes the last path, S saves every path into paths.json (added to \
            the paths already there), Q or Escape closes (saving first).

            Example: pixelpilot layout draw samples/4/20261201-220516
            """)
    @OptionGroup var display: DisplayOptions
    @Argument(help: "The sample folder.") var sample: String

    func run() throws {
        let s = try LayoutSample.read(from: sample)
        let map = try PNG.read(path: "\(sample)/map.png").rgb()
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let scale = min(
            1, Double(connection.screenWidth - 40) / Double(map.width),
            Double(connection.screenHeight - 60) / Double(map.height))
        let state = SketchState(
            PathSketch(
                origin: GridPoint(x: s.originX, y: s.originY), width: map.width, height: map.height, scale: scale))
        let first = state.sketch.picture(over: map)
        let window = try X11PictureWindow(
            display: connection.name, rect: ScreenRect(x: 20, y: 20, width: first.width, height: first.height),
            picture: first, title: "PixelPilot - draw paths over \(s.id)", className: "PixelPilotDraw")
        window.focus()
        let existing = (try? LayoutSample.readPaths(in: sample)) ?? LayoutSample.Paths(kinds: [], paths: [])
        func save() throws {
            let drawn = state.locked { $0.paths }
            let record = LayoutSample.Paths(
                kinds: existing.kinds + drawn.map { _ in "drawn" },
                paths: existing.paths + drawn.map { $0.map { [$0.x, $0.y] } })
            try JSONEncoder().encode(record).write(to: URL(fileURLWithPath: "\(sample)/paths.json"))
            print("Saved \(drawn.count) drawn paths (\(record.paths.count) in all) to \(sample)/paths.json")
            fflush(stdout)
        }
        window.onEvent = { event in state.handle(event, window: window, map: map) }
        print(
            "Drawing over \(sample) (\(map.width)x\(map.height), shown at \(String(format: "%.2f", scale))x): drag to draw, U undo, S save, Q quit."
        )
        fflush(stdout)
        while true {
            let (wantsSave, wantsQuit) = state.takeRequest(timeout: 0.2)
            if wantsSave { try save() }
            if wantsQuit { break }
        }
        window.close()
    }
}

/// The sketch shared between the window's event thread and the main loop.
final class SketchState: @unchecked Sendable {
    /// Draws on button drag, U undoes, S saves, Q or Escape saves and quits; redraws `window` at most so often.
    func handle(_ event: X11PictureWindow.Event, window: X11PictureWindow, map: Image) {
        var redraw = false
        switch event {
        case .buttonPress(1, let x, let y):
            change { $0.add(viewX: x, viewY: y) }
            drawing = true
            redraw = true
        case .motion(let x, let y) where drawing:
            change { $0.add(viewX: x, viewY: y) }
            redraw = true
        case .buttonRelease(1, _, _):
            drawing = false
            change { $0.finish() }
            redraw = true
        case .keyPress(let key, _):
            switch key.name.lowercased() {
            case "u":
                change { $0.undo() }
                redraw = true
            case "s": request(save: true, quit: false)
            case "q", "escape": request(save: true, quit: true)
            default: break
            }
        default: break
        }
        if redraw, dueForRedraw() { window.setPicture(locked { $0.picture(over: map) }) }
    }

    private let lock = NSCondition()
    private(set) var sketch: PathSketch
    var drawing = false
    private var lastRedraw = 0.0
    private var pending: (save: Bool, quit: Bool) = (false, false)
    init(_ s: PathSketch) { sketch = s }
    func change(_ f: (inout PathSketch) -> Void) {
        lock.lock()
        f(&sketch)
        lock.unlock()
    }
    func locked<T>(_ f: (PathSketch) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return f(sketch)
    }
    /// At most 30 redraws a second while dragging.
    func dueForRedraw() -> Bool {
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        lock.lock()
        defer { lock.unlock() }
        if now - lastRedraw < 0.033 && drawing { return false }
        lastRedraw = now
        return true
    }
    func request(save: Bool, quit: Bool) {
        lock.lock()
        pending.save = pending.save || save
        pending.quit = pending.quit || quit
        lock.signal()
        lock.unlock()
    }
    func takeRequest(timeout: Double) -> (Bool, Bool) {
        lock.lock()
        defer { lock.unlock() }
        if !pending.save && !pending.quit { _ = lock.wait(until: Date().addingTimeInterval(timeout)) }
        let p = pending
        pending = (false, false)
        return p
    }
}
