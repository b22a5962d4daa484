import ArgumentParser
import Arena
import Desktop
import Foundation
import Imaging
import LayoutReader

struct DemoLayout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout",
        abstract: "The layout reader's demo: the map arena, autoplay, the live reader and its guide overlay.",
        discussion: """
            Needs no game: (1) loads the committed UNet and ViT (or --unet/--vit), (2) opens the \
            map arena on a private virtual display with a layout the models never trained on, \
            (3) starts the live reader at the entrance and lets the scripted explorer walk with \
            real key presses, (4) reads the layout after every stitched frame and shows the guide \
            overlay, until the answer has been right for --stable updates in a row (or

            --seconds), (5) writes map.png (the stitched map), mask.png (the lines found), \
            tokens.png (the tokens over the map), overlay.png (a screenshot of the overlay when \
            it became right for good), summary.json, and prints the summary: the time and the \
            distance walked to a stable right answer. --guides DIR shows your own guide pictures \
            (NAME.png per layout class, as for `layout live`) instead of the built-in ones.
            """)

    @OptionGroup var models: LayoutModelOptions
    @Option(name: .shortAndLong, help: "Folder for the pictures and the summary.")
    var out =
        "demo-output/layout"
    @Option(name: .customLong("class"), help: "Layout class: 0-8 or a name (default: from --seed).")
    var layoutClass: LayoutClass?
    @Option(parsing: .unconditional, help: "Random seed of the layout's details and of the scene (not one trained on).")
    var seed: UInt64 = 9001
    @Option(help: "Scene effects: none, normal or heavy.") var effects: MapEffects = .normal
    @Flag(help: "Let the arena make its hard cases (flashes, the map hidden, teleports).") var hardCases = false
    @Option(parsing: .unconditional, help: "Frames per second of the live stream.") var fps = 3.0
    @Option(parsing: .unconditional, help: "Right updates in a row that make the answer stable.") var stable = 5
    @Option(parsing: .unconditional, help: "Below this top probability the overlay says NOT SURE YET (0-1).") var sure:
        Float = 0.5
    @Option(parsing: .unconditional, help: "Give up after this many seconds of play.") var seconds = 90.0
    @Option(help: "X display to use (default: a private Xvfb).") var display: String?
    @Option(help: "Folder of your guide pictures, NAME.png per layout class (e.g. north-loop.png); others built in.")
    var guides: String?

    func validate() throws {
        guard fps > 0, fps <= 10 else { throw ValidationError("--fps must be in (0, 10]") }
        guard stable >= 1 else { throw ValidationError("--stable must be at least 1") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
    }

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)
        func path(_ name: String) -> String { outURL.appendingPathComponent(name).path }
        let inference = try models.makeInference()
        let guidePictures = try overlayGuides(folder: guides)
        print("1. Models: extractor \(inference.extractor.name), classifier with \(inference.classNames.count) classes")

        var virtual: VirtualDisplay?
        let name: String
        if let display {
            name = display
        } else {
            let v = try VirtualDisplay(width: 1280, height: 720)
            virtual = v
            name = v.name
        }
        defer { virtual?.stop() }
        let cls = layoutClass ?? LayoutClass(rawValue: Int(seed % 9)) ?? .eastRun
        let layout = MapLayout(layoutClass: cls, seed: seed)
        let view = MapView(screenWidth: 1280, screenHeight: 720)
        let arena = try MapArena(display: name, layout: layout, effects: effects, view: view, seed: seed, fps: 20)
        defer { arena.close() }
        arena.withWorld { $0.hardCases = hardCases }
        arena.window.focus()
        print("2. Map arena on \(name): class \(cls.rawValue) (\(cls)), seed \(seed), effects \(effects)")

        let connection = try X11Connection(name: name)
        let region = view.captureRect
        var settings = LiveLayoutReader.Settings()
        settings.fps = fps
        settings.mapScale = view.scale
        settings.minConfidence = sure
        let reader = try LiveLayoutReader(
            source: X11ScreenSource(connection: connection), region: region, inference: inference, settings: settings)
        let at = ScreenPoint(x: 1280 - GuideOverlayPicture.width - 10, y: 10)
        let overlay = try X11Overlay(displayName: name, image: Image(width: 8, height: 8), at: at)
        let presenter = GuideOverlayPresenter(overlay: overlay, picture: GuideOverlayPicture(guides: guidePictures))
        let shooter = X11ScreenSource(connection: try X11Connection(name: name))
        let log = DemoLog(truth: cls.rawValue)
        reader.onState = { state in
            presenter.present(state)
            if state.answer == cls.rawValue, let shot = try? shooter.capture(presenter.overlay.rect).image.rgb() {
                log.shot(shot, sequence: state.predictionSequence)
            }
        }
        let start = Date()
        reader.onUpdate = { u in
            let frames = arena.truth().frames
            var walked: Float = 0
            for i in frames.indices.dropFirst() {
                let dx = frames[i].x - frames[i - 1].x
                let dy = frames[i].y - frames[i - 1].y
                walked += (dx * dx + dy * dy).squareRoot()
            }
            let p = arena.player
            let fromEntrance = (p - layout.entrance).length
            log.add(u, seconds: Date().timeIntervalSince(start), walked: walked, fromEntrance: fromEntrance)
            print(
                String(
                    format: "   update %3d  %5.1f s  walked %5.0f px  %@", u.update.sequence,
                    Date().timeIntervalSince(start),
                    walked, u.state.statusLine))
            fflush(stdout)
        }
        try reader.start()
        Thread.sleep(forTimeInterval: 0.8)  // the origin frame at the entrance
        let autoplay = try MapAutoplay(arena: arena, display: name, seed: seed)
        print("3. Live reader at \(fps) fps on \(region), overlay at \(at); the explorer walks (real keys)")
        while Date().timeIntervalSince(start) < seconds && log.rightStreak < stable {
            Thread.sleep(forTimeInterval: 0.1)
        }
        autoplay.stop()
        let finalState = reader.state
        reader.stop()
        reader.wait()

        // Pictures.
        if let stitcher = reader.stitcher {
            let (map, _, _) = stitcher.stitchedMap()
            try PNG.write(map, path: path("map.png"))
            if let mask = inference.lastMask, let last = log.lastUpdate {
                try PNG.write(ReadingPictures.mask(mask), path: path("mask.png"))
                let (tokens, n) = ReadingPictures.tokens(over: last.map, mask: mask)
                try PNG.write(tokens, path: path("tokens.png"))
                log.tokenCount = n
            }
        }
        if let shot = log.stableShot { try PNG.write(shot, path: path("overlay.png")) }
        let summary = log.summary(
            className: cls.description, seed: seed, fps: fps, stableNeeded: stable, final: finalState,
            autoplayError: autoplay.lastError)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(summary).write(to: URL(fileURLWithPath: path("summary.json")))
        print("4. " + summary.text)
        print(
            "Pictures: \(path("map.png")), \(path("mask.png")), \(path("tokens.png"))"
                + (log.stableShot == nil ? "" : ", \(path("overlay.png"))") + "; summary: \(path("summary.json"))")
        if summary.stableRightAtUpdate == nil { throw ExitCode(2) }
    }
}

/// What the demo saw, update by update (written from the reader's threads).
final class DemoLog: @unchecked Sendable {
    struct Entry: Codable {
        var update: Int
        var seconds: Double
        var walked: Float
        var fromEntrance: Float
        var best: Int?
        var probability: Float?
        var right: Bool
        var phase: String
        var milliseconds: Double
    }
    let truth: Int
    private let lock = NSLock()
    private(set) var entries: [Entry] = []
    private var shots: [Int: Image] = [:]
    var lastUpdate: MapUpdate?
    var tokenCount = 0
    init(truth: Int) { self.truth = truth }

    func add(_ u: LiveLayoutReader.Update, seconds: Double, walked: Float, fromEntrance: Float) {
        let top = u.state.prediction?.top(1).first
        lock.withLock {
            entries.append(
                Entry(
                    update: u.update.sequence, seconds: seconds, walked: walked, fromEntrance: fromEntrance,
                    best: u.state.answer, probability: top?.probability, right: u.state.answer == truth,
                    phase: "\(u.state.phase)", milliseconds: u.milliseconds))
            lastUpdate = u.update
        }
    }

    func shot(_ image: Image, sequence: Int) { lock.withLock { if shots[sequence] == nil { shots[sequence] = image } } }

    /// Right updates at the end, in a row.
    var rightStreak: Int { lock.withLock { entries.reversed().prefix { $0.right }.count } }

    /// The first update of the final right streak.
    var streakStart: Entry? {
        lock.withLock {
            let n = entries.reversed().prefix { $0.right }.count
            return n == 0 ? nil : entries[entries.count - n]
        }
    }

    /// The overlay when it became right for good.
    var stableShot: Image? {
        guard let s = streakStart else { return nil }
        return lock.withLock { shots[s.update] ?? shots.filter { $0.key >= s.update }.min { $0.key < $1.key }?.value }
    }

    struct Summary: Codable {
        var layoutClass: Int
        var layoutName: String
        var seed: UInt64
        var fps: Double
        var updates: Int
        var stableNeeded: Int
        var stableRightAtUpdate: Int?
        var secondsToStableRight: Double?
        var walkedToStableRight: Float?
        var distanceFromEntranceAtStableRight: Float?
        var firstRightAtUpdate: Int?
        var meanUpdateMilliseconds: Double
        var finalAnswer: String
        var tokens: Int
        var autoplayError: String?
        var entries: [Entry]
        var text: String
    }

    func summary(
        className: String, seed: UInt64, fps: Double, stableNeeded: Int, final: GuideState, autoplayError: String?
    ) -> Summary {
        let streak = rightStreak
        let start = streak >= stableNeeded ? streakStart : nil
        let all = lock.withLock { entries }
        let mean = all.isEmpty ? 0 : all.map(\.milliseconds).reduce(0, +) / Double(all.count)
        var s = Summary(
            layoutClass: truth, layoutName: className, seed: seed, fps: fps, updates: all.count,
            stableNeeded: stableNeeded, stableRightAtUpdate: start?.update, secondsToStableRight: start?.seconds,
            walkedToStableRight: start?.walked, distanceFromEntranceAtStableRight: start?.fromEntrance,
            firstRightAtUpdate: all.first { $0.right }?.update, meanUpdateMilliseconds: mean,
            finalAnswer: final.statusLine, tokens: tokenCount, autoplayError: autoplayError, entries: all, text: "")
        if let start {
            s.text = String(
                format:
                    "Right for good from update %d: %.1f s after the start, %.0f map px walked (%.0f px from the entrance); %d updates, %.0f ms each on average. Overlay: %@",
                start.update, start.seconds, start.walked, start.fromEntrance, all.count, mean, final.statusLine)
        } else {
            s.text = String(
                format:
                    "No stable right answer (%d right in a row needed) in %d updates. The true layout: %d %@; last: %@",
                stableNeeded, all.count, truth, className, final.statusLine)
        }
        return s
    }
}
