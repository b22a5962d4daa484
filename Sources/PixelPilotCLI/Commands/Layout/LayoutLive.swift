import ArgumentParser
import Desktop
import Foundation
import Imaging
import LayoutReader
import LayoutServer

struct LayoutLive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Read the layout live: stream, stitch, extract lines, classify, show the guide overlay.",
        discussion: """
            The original layout reader's whole loop. Ctrl+Alt+Q starts a stream (stand at the entrance, before \
            moving: the first frame's centre is the origin), Ctrl+Alt+W stops it (the overlay \
            hides), Ctrl+Alt+E quits. Frames are stitched as in `layout watch`; after every pasted \
            frame the stitched map goes to a background worker (newest wins: stitching never waits \
            for the models), which runs line extraction, the sparse-pixel cleanup, the tokens and \
            the ViT. The click-through overlay in the screen's top-right corner (outside the \
            capture square) shows the named layout's guide with you on it and the top three \
            layouts; "NOT SURE YET" while the top probability is below --sure; when an update has \
            no map lines it keeps the last answer.

            --guides DIR shows your own guide pictures: one PNG per layout class, named after the \
            class (DIR/north-loop.png, DIR/hub.png, ...; the class number, DIR/1.png, works too), \
            any size: the overlay scales the picture of the predicted layout to its guide area \
            (without the player's marker, since your picture's entrance is unknown) and draws the \
            built-in guide for classes without a file. A PNG that cannot be read or whose name is \
            not a layout class is an error naming the file, before anything starts.

            By default the models run in this process. With --server HOST:PORT each update goes \
            to `pixelpilot layout serve` instead (--token or $PIXELPILOT_LAYOUT_TOKEN when the \
            server is not on loopback); when the server is down the stream keeps stitching, the \
            overlay and the status line say so, and the client reconnects with backoff.

            Examples:
              pixelpilot layout live --fps 2
              pixelpilot layout live --server 127.0.0.1:50000 --start-now
              pixelpilot layout live --extractor threshold --vit my-vit.safetensors
              pixelpilot layout live --guides ~/my-guides
            """)

    @OptionGroup var display: DisplayOptions
    @OptionGroup var models: LayoutModelOptions
    @Option(help: "Capture region WxH+X+Y (default: the original layout reader's square, scaled).") var region: String?
    @Option(parsing: .unconditional, help: "Frames per second.") var fps = 2.0
    @Option(help: "Send updates to this layout server (HOST:PORT) instead of reading them here.") var server: String?
    @Option(help: "The server's token (default: $PIXELPILOT_LAYOUT_TOKEN).") var token: String?
    @Flag(help: "Send maps to the server as PNG (smaller, for other machines) instead of raw RGB.") var png = false
    @Option(parsing: .unconditional, help: "Below this top probability the overlay says NOT SURE YET (0-1).") var sure:
        Float = 0.5
    @Option(
        parsing: .unconditional,
        help: "Screen pixels per pixel of the original layout reader's half scale (default: screen height / 1080).")
    var mapScale: Float?
    @Option(parsing: .unconditional, help: "Matches below this stitching confidence are skipped (0-1).")
    var minConfidence: Float = 0.3
    @Option(help: "Top-left corner of the overlay X,Y (default: the screen's top-right corner).") var overlayAt: String?
    @Flag(help: "No overlay; the status line only.") var noOverlay = false
    @Option(help: "Folder of your guide pictures, NAME.png per layout class (e.g. north-loop.png); others built in.")
    var guides: String?
    @OptionGroup var streamKeys: StreamHotkeyOptions
    @Option(parsing: .unconditional, help: "Quit after this many seconds.") var seconds: Double?
    @Option(help: "Write the guide state after every update to this JSON file (for scripts).") var stateOut: String?

    func validate() throws {
        if let region, ScreenRect(parsing: region) == nil {
            throw ValidationError("--region '\(region)' is not WxH+X+Y or X,Y,W,H")
        }
        guard fps > 0, fps <= 30 else { throw ValidationError("--fps must be in (0, 30], got \(fps)") }
        guard (0...1).contains(sure) else { throw ValidationError("--sure must be in [0, 1], got \(sure)") }
        guard (0...1).contains(minConfidence) else { throw ValidationError("--min-confidence must be in [0, 1]") }
        if let mapScale, !(0.25...8).contains(mapScale) { throw ValidationError("--map-scale must be in [0.25, 8]") }
        if let server { _ = try LayoutServerError.parseAddress(server) }
        if let overlayAt, ScreenPoint.parse(overlayAt) == nil {
            throw ValidationError("--overlay-at '\(overlayAt)' is not X,Y")
        }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be positive") }
    }

    func run() throws {
        // Models first: a missing or bad model file fails before anything opens.
        let local = server == nil ? try models.makeInference() : nil
        let guidePictures = noOverlay ? [] : try overlayGuides(folder: guides)
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let source = X11ScreenSource(connection: connection)
        let screen = source.screenRect
        let rect =
            region.flatMap(ScreenRect.init(parsing:))
            ?? LayoutStream.seedRegion(screenWidth: screen.width, screenHeight: screen.height)
        var settings = LiveLayoutReader.Settings()
        settings.fps = fps
        settings.stitch.minConfidence = minConfidence
        settings.minConfidence = sure
        settings.mapScale = mapScale ?? Float(screen.height) / 1080
        let client = try server.map { try connectServer($0) }
        guard let inference: LayoutInferring = client ?? local else { throw CLIError("no layout models") }
        defer { client?.close() }
        let reader = try LiveLayoutReader(
            source: X11ScreenSource(connection: try X11Connection(name: connection.name)), region: rect,
            inference: inference, settings: settings)
        let presenter =
            noOverlay
            ? nil : try makePresenter(display: connection.name, screen: screen, region: rect, guides: guidePictures)
        let out = stateOut
        let shownOn = presenter
        let via = client.map { " via \($0.address)" } ?? ""
        reader.onState = { state in shownOn?.present(state) }
        reader.onUpdate = { u in
            let readWhere = via
            print(
                String(
                    format: "update %d: %@ | %.0f ms%@", u.update.sequence, u.state.statusLine, u.milliseconds,
                    readWhere))
            fflush(stdout)
            if let out { try? LiveStateFile(u.state).write(to: out) }
        }
        let (hotkeys, control) = try streamKeys.register(on: connection.name)
        print(
            "Reading layouts from \(rect) on \(connection.name) at \(fps) fps, "
                + (server.map { "server \($0)" } ?? "models in this process") + ". "
                + streamKeys.legend
        )
        fflush(stdout)
        try runStreams(reader, control: control)
        hotkeys.stop()
    }

    /// Starts and stops streams on the hotkeys' commands until quit (or --seconds).
    func runStreams(_ reader: LiveLayoutReader, control: WatchControl) throws {
        if streamKeys.startNow { control.request(.start) }
        let began = Date()
        var streams = 0
        while true {
            if let seconds, Date().timeIntervalSince(began) >= seconds { control.request(.quit) }
            let command = control.next(timeout: 0.1)
            if command == .stop || command == .quit, reader.isRunning {
                reader.stop()
                reader.wait()
                print("Stream \(streams) stopped: \(reader.state.statusLine)")
                fflush(stdout)
            }
            if command == .quit { break }
            if command == .start && !reader.isRunning {
                streams += 1
                try reader.start()
                print("Stream \(streams) started (origin = this position)")
                fflush(stdout)
            }
        }
    }

    /// The layout server's client; it keeps trying when the server does not answer yet.
    func connectServer(_ server: String) throws -> LayoutServerClient {
        let (host, port) = try LayoutServerError.parseAddress(server)
        var s = LayoutServerClient.Settings(
            host: host, port: port, token: token ?? ProcessInfo.processInfo.environment["PIXELPILOT_LAYOUT_TOKEN"])
        s.png = png
        let c = LayoutServerClient(settings: s)
        if !c.waitUntilConnected(timeout: 3) {
            print("Server \(server) is not answering yet (\(c.status)); stitching goes on, the client keeps trying.")
        }
        return c
    }

    /// The guide overlay at --overlay-at (default: the screen's top-right corner); warns when it
    /// overlaps the capture region (it would be stitched).
    func makePresenter(
        display: String, screen: ScreenRect, region rect: ScreenRect, guides: [LayoutGuide]
    ) throws
        -> GuideOverlayPresenter
    {
        let at =
            overlayAt.flatMap(ScreenPoint.parse)
            ?? ScreenPoint(x: max(0, screen.width - GuideOverlayPicture.width - 10), y: 10)
        let box = ScreenRect(x: at.x, y: at.y, width: GuideOverlayPicture.width, height: GuideOverlayPicture.height)
        if box.intersection(rect) != nil {
            FileHandle.standardError.write(
                Data(
                    "pixelpilot: warning: the overlay \(box) overlaps the capture region \(rect) (it would be stitched)\n"
                        .utf8))
        }
        let overlay = try X11Overlay(displayName: display, image: Image(width: 8, height: 8, color: [0, 0, 0]), at: at)
        return GuideOverlayPresenter(overlay: overlay, picture: GuideOverlayPicture(guides: guides))
    }
}

/// The guide state as JSON (for scripts and tests).
struct LiveStateFile: Codable {
    var phase: String
    var answer: Int?
    var answerName: String?
    var top: [[String: Double]]
    var classNames: [String]
    var notice: String?
    var updatesRead: Int
    var statusLine: String

    init(_ s: GuideState) {
        phase = "\(s.phase)"
        answer = s.answer
        answerName = s.answer.map { s.name($0) }
        top = (s.prediction?.top(3) ?? []).map { ["index": Double($0.index), "probability": Double($0.probability)] }
        classNames = s.classNames
        notice = s.notice?.text
        updatesRead = s.updatesRead
        statusLine = s.statusLine
    }

    func write(to path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

extension ScreenPoint {
    /// "X,Y".
    static func parse(_ s: String) -> ScreenPoint? {
        let p = s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return p.count == 2 ? ScreenPoint(x: p[0], y: p[1]) : nil
    }
}
