import ArgumentParser
import Autopilot
import Desktop
import Foundation
import Recording
import Workshop

struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record the screen and the held keys into one crash-safe recording file.",
        discussion: """
            Choose what to record in one of three ways:
              (default)         click the centre of the play area, then press Enter:
                                a --region-size region around the click (256x256
                                at 10 fps, as the original autopilot records)
              --window NAME     the whole window whose title or class contains NAME
              --region WxH+X+Y  an exact screen region
            Every frame stores the keys and mouse buttons held at its capture instant (from XInput2, \
            whichever window has focus) and the raw input events with monotonic timestamps. Esc \
            (or --stop-key) ends the recording; so do Ctrl+Alt+K (kill switch), Ctrl+C and SIGTERM. \
            The file is SQLite in WAL mode, committed four times a second: if the recorder is \
            killed, every frame older than a second is kept and the file opens as it is. \
            Frames are RGB, stored as PNG (lossless) or raw bytes (--frame-format raw).

            Examples:
              pixelpilot record --out drive1.ppr
              pixelpilot record --window Rally --fps 10 --out drive2.ppr
              pixelpilot record --region 256x256+192+112 --fps 30 --seconds 60 --out drive3.ppr
            """)

    @OptionGroup var display: DisplayOptions
    @Option(name: .shortAndLong, help: "Recording file to create (never overwritten).") var out: String
    @Option(parsing: .unconditional, help: "Region as WxH+X+Y or X,Y,W,H.", transform: parseRegion) var region:
        ScreenRect?
    @Option(help: "Record this window (id or text in its title or class).") var window: WindowSpec?
    @Option(help: "Size WxH (or N for a square) around the click (click-then-Enter mode).") var regionSize = ScreenSize(
        side: 256)
    @Option(parsing: .unconditional, help: "Frames per second.") var fps = 10.0
    @Option(help: "Keys stored per frame as a mask, comma-separated X key names.") var keys = "Up,Left,Right,Down"
    @Option(help: "png (lossless, smaller) or raw (RGB bytes, fastest).") var frameFormat = "png"
    @Option(help: "Key that stops the recording (Escape as in the original autopilot; 'none' for none).") var stopKey =
        "Escape"
    @Option(help: "Global hotkey that also stops it, e.g. ctrl+alt+s.", transform: { try KeyCombo(parsing: $0) })
    var stopHotkey: KeyCombo?
    @Option(parsing: .unconditional, help: "Stop after this many seconds.") var seconds: Double?

    func validate() throws {
        if region != nil && window != nil { throw ValidationError("give --region or --window, not both") }
        guard fps > 0, fps <= 240 else { throw ValidationError("--fps must be in (0, 240], got \(fps)") }
        guard (16...4096).contains(regionSize.width), (16...4096).contains(regionSize.height) else {
            throw ValidationError("--region-size must be 16...4096 on each side, got \(regionSize)")
        }
        guard FrameEncoding(rawValue: frameFormat) != nil else {
            throw ValidationError("--frame-format must be png or raw, got '\(frameFormat)'")
        }
        if keys.split(separator: ",").isEmpty { throw ValidationError("--keys needs at least one key name") }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be positive") }
    }

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let input = try X11InputRecorder(displayName: connection.name)
        let (rect, source) = try chooseRegion(connection: connection, input: input)
        var settings = RecorderSettings(region: rect)
        settings.fps = fps
        settings.keys = keys.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        settings.encoding = FrameEncoding(rawValue: frameFormat) ?? .png
        settings.stopKey = stopKey.lowercased() == "none" ? nil : stopKey
        settings.seconds = seconds
        settings.source = source
        settings.pixelPilotVersion = PixelPilot.configuration.version
        let recorder = try ScreenRecorder(connection: connection, input: input, settings: settings)
        let kill = try? KillSwitch(displayName: connection.name)
        kill?.onTrip { recorder.stop(reason: "kill switch") }
        var hotkeys: X11Hotkeys?
        if let stopHotkey {
            hotkeys = try X11Hotkeys(displayName: connection.name)
            try hotkeys?.register(stopHotkey) { recorder.stop(reason: "\(stopHotkey) pressed") }
        }
        let signals = Self.stopOnSignals(recorder)
        defer { signals.forEach { $0.cancel() } }
        print(
            "Recording \(rect) at \(rateText(fps)) fps into \(out) (\(settings.stopKey.map { "\($0) stops" } ?? "no stop key"))"
        )
        fflush(stdout)
        let summary = try recorder.record(to: URL(fileURLWithPath: out)) { n in
            if n % Int(max(1, fps)) == 0 && isatty(STDOUT_FILENO) != 0 {
                FileHandle.standardOutput.write(Data("\r\u{1B}[K\(n) frames".utf8))
            }
        }
        kill?.stop()
        hotkeys?.stop()
        input.stop()
        if isatty(STDOUT_FILENO) != 0 { print("") }
        print(
            "Stopped (\(summary.reason)): \(summary.frames) frames in \(String(format: "%.1f", summary.seconds)) s, \(summary.lateFrames) late, \(summary.frames > 0 ? summary.bytes / summary.frames : 0) bytes a frame"
        )
        // The file is closed. Leave at once: a normal exit's teardown (library destructors while
        // Dispatch threads still run) crashed once in four benchmark runs after this point.
        fflush(stdout)
        fflush(stderr)
        virtual?.stop()
        _exit(0)
    }

    /// The region to record and how it was chosen: --region, --window, or a click on the play
    /// area's centre (then Enter starts).
    func chooseRegion(connection: X11Connection, input: X11InputRecorder) throws -> (ScreenRect, String) {
        if let region { return (region, "region") }
        if let window {
            let windows = X11WindowSystem(connection: connection)
            return (try windows.window(id: try window.resolve(in: windows)).rect, "window \(window)")
        }
        print("Click the centre of the play area...")
        fflush(stdout)
        let since = MonotonicTime.now
        while !input.recorded.events.contains(where: { $0.time >= since && $0.event == .button(.left, down: false) }) {
            Thread.sleep(forTimeInterval: 0.02)
        }
        let p = connection.pointerPosition()
        let rect = ScreenRect(
            x: p.x - regionSize.width / 2, y: p.y - regionSize.height / 2, width: regionSize.width,
            height: regionSize.height)
        print("Centre (\(p.x), \(p.y)): region \(rect). Press Enter to start; \(stopKey) stops.")
        fflush(stdout)
        let enter = MonotonicTime.now
        while !input.recorded.events.contains(where: { $0.time >= enter && $0.event == .key(.enter, down: false) }) {
            Thread.sleep(forTimeInterval: 0.02)
        }
        return (rect, "click")
    }

    /// Ctrl+C and SIGTERM end the recording cleanly (the file is safe either way).
    static func stopOnSignals(_ recorder: ScreenRecorder) -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { recorder.stop(reason: sig == SIGINT ? "SIGINT" : "SIGTERM") }
            s.resume()
            return s
        }
    }
}
