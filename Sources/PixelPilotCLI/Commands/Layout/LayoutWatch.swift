import ArgumentParser
import Desktop
import Foundation
import LayoutReader
import Imaging

struct LayoutWatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Stream the minimap from the screen and stitch it into one map, live.",
        discussion: """
            Hotkeys work while the game has focus: Ctrl+Alt+Q starts a stream (press it standing at \
            the entrance, before moving: the first frame's centre is the origin), Ctrl+Alt+W stops \
            it, Ctrl+Alt+E quits. Each stream writes OUT/stream-N/map.png (the stitched map, updated \
            after every pasted frame), lines.png (the map lines found) and stream.json (the origin \
            in map.png and every frame: pasted, re-localised or skipped and why).

            The capture is the original layout reader's square, 1200x1200 around (1920, 1060) at 3840x2160, scaled to \
            this screen, or --region. Frames are taken at --fps on a monotonic clock; when stitching \
            falls behind the newest frame wins and the dropped ones are counted. A frame with no \
            map lines (flash, loading screen, map hidden) or a weak match is skipped, never pasted; \
            after a teleport the stream finds itself again on the map it has.

            Example: pixelpilot layout watch --fps 2 --out stream/
            """)

    @OptionGroup var display: DisplayOptions
    @Option(help: "Capture region WxH+X+Y (default: the original layout reader's square, scaled).") var region: String?
    @Option(parsing: .unconditional, help: "Frames per second.") var fps = 1.0
    @Option(name: .shortAndLong, help: "Output folder.") var out = "layout-stream"
    @OptionGroup var streamKeys: StreamHotkeyOptions
    @Option(parsing: .unconditional, help: "Stop each stream after this many frames.") var frames: Int?
    @Option(parsing: .unconditional, help: "Quit after this many seconds.") var seconds: Double?
    @Option(parsing: .unconditional, help: "Matches below this confidence are skipped (0-1).") var minConfidence:
        Float = 0.3
    @Flag(help: "Show the live stitched map in a small window in the screen's top-right corner.") var show = false

    func validate() throws {
        if let region, ScreenRect(parsing: region) == nil {
            throw ValidationError("--region '\(region)' is not WxH+X+Y or X,Y,W,H")
        }
        guard fps > 0, fps <= 30 else { throw ValidationError("--fps must be in (0, 30], got \(fps)") }
        guard (0...1).contains(minConfidence) else { throw ValidationError("--min-confidence must be in [0, 1]") }
        if let frames, frames < 1 { throw ValidationError("--frames must be at least 1") }
    }

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let source = X11ScreenSource(connection: connection)
        let screen = source.screenRect
        let rect =
            region.flatMap(ScreenRect.init(parsing:))
            ?? LayoutStream.seedRegion(screenWidth: screen.width, screenHeight: screen.height)
        var settings = StitchSettings()
        settings.minConfidence = minConfidence
        // Fail early on a bad region, before any hotkey is pressed.
        _ = try LayoutStream(source: source, region: rect, fps: fps, settings: settings)
        let (hotkeys, control) = try streamKeys.register(on: connection.name)
        let viewer = show ? try mapWindow(display: connection.name, screen: screen, region: rect) : nil
        defer { viewer?.close() }
        print(
            "Watching \(rect) on \(connection.name) at \(fps) fps. \(streamKeys.legend)"
        )
        fflush(stdout)
        try runStreams(
            displayName: connection.name, region: rect, settings: settings, control: control, viewer: viewer)
        hotkeys.stop()
    }
}

extension LayoutWatch {
    /// Starts a stream on the start hotkey (each into `<out>/stream-N`), stops it on the stop hotkey
    /// or when it ends, until quit (or --seconds).
    func runStreams(
        displayName: String, region rect: ScreenRect, settings: StitchSettings, control: WatchControl,
        viewer: X11PictureWindow?
    ) throws {
        if streamKeys.startNow { control.request(.start) }
        let began = Date()
        var streamNumber = 0
        var current: LayoutStream?
        while true {
            if let seconds, Date().timeIntervalSince(began) >= seconds { control.request(.quit) }
            let command = control.next(timeout: 0.1)
            if command == .quit || (command == .stop && current != nil)
                || (current.map { control.streamEnded(of: $0) } ?? false)
            {
                if let s = current {
                    s.stop()
                    s.wait()
                    current = nil
                    print("Stream \(streamNumber) stopped: \(out)/stream-\(streamNumber)")
                    fflush(stdout)
                }
                if command == .quit { break }
            }
            if command == .start && current == nil {
                streamNumber += 1
                let dir = "\(out)/stream-\(streamNumber)"
                let stream = try LayoutStream(
                    source: X11ScreenSource(connection: try X11Connection(name: displayName)),
                    region: rect, fps: fps, settings: settings)
                current = stream
                print("Stream \(streamNumber) started (origin = this position), writing \(dir)")
                fflush(stdout)
                stream.start { [stream] event in
                    report(event, of: stream, into: dir, region: rect, viewer: viewer, control: control)
                }
            }
        }
    }

    /// The window that shows the stitched map's lines, at the screen's top-right corner.
    func mapWindow(display: String, screen: ScreenRect, region rect: ScreenRect) throws -> X11PictureWindow {
        let side = 360
        let at = ScreenRect(x: screen.width - side - 10, y: 10, width: side, height: side)
        if at.intersection(rect) != nil {
            FileHandle.standardError.write(
                Data("pixelpilot: warning: the map window \(at) overlaps the capture region \(rect)\n".utf8))
        }
        return try X11PictureWindow(
            display: display, rect: at, picture: Image(width: side, height: side, color: [8, 8, 12]),
            title: "PixelPilot - stitched map", className: "PixelPilotMap")
    }

    /// Prints one stream event, writes the stream's record into `dir` and updates the map window.
    func report(
        _ event: LayoutStream.Event, of stream: LayoutStream, into dir: String, region rect: ScreenRect,
        viewer: X11PictureWindow?, control: WatchControl
    ) {
        switch event {
        case .frame(let r, let captured, let late, let dropped, _):
            let skipped = stream.stitcher.reports.filter { !$0.outcome.isPasted }.count
            let what: String
            switch r.outcome {
            case .skipped(let why): what = "skipped: \(why)"
            default:
                what =
                    "\(r.outcome == .relocalised ? "re-localised" : r.outcome == .origin ? "origin" : "pasted") at "
                    + String(format: "(%.1f, %.1f), confidence %.2f", r.x ?? 0, r.y ?? 0, r.confidence)
            }
            print(
                String(
                    format: "frame %d: %@, %.0f ms | captured %d, skipped %d, late %d, dropped %d", r.index, what,
                    r.milliseconds, captured, skipped, late, dropped))
            fflush(stdout)
            do {
                try StreamRecord.write(
                    stream.stitcher, to: dir, region: (rect.x, rect.y, rect.width, rect.height), fps: fps,
                    captured: captured, late: late, dropped: dropped, picturesToo: r.outcome.isPasted)
            } catch {
                FileHandle.standardError.write(Data("pixelpilot: cannot write \(dir): \(error)\n".utf8))
            }
            if let viewer, r.outcome.isPasted {
                viewer.setPicture(LayoutWatch.fitted(stream.stitcher.canvas.linePicture(), side: viewer.rect.width))
            }
            if let frames, r.index + 1 >= frames { stream.stop() }
        case .captureFailed(let message):
            FileHandle.standardError.write(Data("pixelpilot: capture failed: \(message)\n".utf8))
            stream.stop()
        case .ended:
            control.markEnded(stream)
        }
    }

    /// `image` shrunk to fit a `side`×`side` square, centred on black.
    static func fitted(_ image: Image, side: Int) -> Image {
        let scale = min(Double(side) / Double(max(1, image.width)), Double(side) / Double(max(1, image.height)), 1)
        let w = max(1, Int(Double(image.width) * scale))
        let h = max(1, Int(Double(image.height) * scale))
        var out = Image(width: side, height: side, color: [8, 8, 12])
        out.draw(image.resized(width: w, height: h), atX: (side - w) / 2, y: (side - h) / 2)
        return out
    }
}

/// Hotkey requests and stream ends, handed from callbacks to the main loop.
final class WatchControl: @unchecked Sendable {
    enum Command { case start, stop, quit }
    private let condition = NSCondition()
    private var queue: [Command] = []
    private var ended: Set<ObjectIdentifier> = []

    func request(_ c: Command) {
        condition.lock()
        queue.append(c)
        condition.signal()
        condition.unlock()
    }
    func markEnded(_ s: LayoutStream) {
        condition.lock()
        ended.insert(ObjectIdentifier(s))
        condition.signal()
        condition.unlock()
    }
    func streamEnded(of s: LayoutStream) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return ended.contains(ObjectIdentifier(s))
    }

    func next(timeout: Double) -> Command? {
        condition.lock()
        defer { condition.unlock() }
        if queue.isEmpty { _ = condition.wait(until: Date().addingTimeInterval(timeout)) }
        return queue.isEmpty ? nil : queue.removeFirst()
    }
}
