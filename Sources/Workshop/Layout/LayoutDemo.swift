import Arena
import Desktop
import Foundation
import Imaging
import LayoutReader

/// The layout reader's demo (`demo layout`): the map arena with a layout the models never trained
/// on, the scripted explorer walking with real key presses, the live reader reading after every
/// stitched frame and showing the guide overlay, until the answer has been right for `stable`
/// updates in a row; then the pictures (map, mask, tokens, overlay) and `summary.json`.
public struct LayoutDemo {
    /// What to show and when to stop.
    public struct Configuration: Sendable {
        /// Folder for the pictures and the summary.
        public var directory: URL
        /// The layout class (nil: from the random seed).
        public var layoutClass: LayoutClass?
        /// Random seed of the layout's details and of the scene.
        public var seed: UInt64 = 9001
        public var effects: MapEffects = .normal
        /// Let the arena make its hard cases (flashes, the map hidden, teleports).
        public var hardCases = false
        /// Frames per second of the live stream.
        public var fps = 3.0
        /// Right updates in a row that make the answer stable.
        public var stable = 5
        /// Below this top probability the overlay says NOT SURE YET.
        public var sure: Float = 0.5
        /// Seconds of play before giving up.
        public var seconds = 90.0
        /// The overlay's guide pictures.
        public var guides: [LayoutGuide]

        public init(directory: URL, guides: [LayoutGuide]) {
            self.directory = directory
            self.guides = guides
        }

        public var resolvedClass: LayoutClass { layoutClass ?? LayoutClass(rawValue: Int(seed % 9)) ?? .eastRun }
        public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    }

    public let configuration: Configuration
    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// Runs the demo on X display `display` (1280x720 or larger) with `inference`.
    /// - Parameter log: a line of progress for a person (stages and every update).
    /// - Returns: the summary, also written to `summary.json`, and whether `overlay.png` was written
    ///   (the overlay when the answer became right for good).
    public func run(
        display name: String, inference: LocalLayoutInference, log print: (String) -> Void
    ) throws
        -> (summary: LayoutDemoLog.Summary, overlayWritten: Bool)
    {
        let c = configuration
        guard c.fps > 0, c.fps <= 10 else { throw WorkshopError.invalidValue("--fps must be in (0, 10]") }
        guard c.stable >= 1, c.seconds > 0 else {
            throw WorkshopError.invalidValue("--stable must be at least 1 and --seconds positive")
        }
        try FileManager.default.createDirectory(at: c.directory, withIntermediateDirectories: true)
        let cls = c.resolvedClass
        let layout = MapLayout(layoutClass: cls, seed: c.seed)
        let view = MapView(screenWidth: 1280, screenHeight: 720)
        let arena = try MapArena(display: name, layout: layout, effects: c.effects, view: view, seed: c.seed, fps: 20)
        defer { arena.close() }
        let hardCases = c.hardCases
        arena.withWorld { $0.hardCases = hardCases }
        arena.window.focus()
        print("2. Map arena on \(name): class \(cls.rawValue) (\(cls)), seed \(c.seed), effects \(c.effects)")

        let connection = try X11Connection(name: name)
        let region = view.captureRect
        var settings = LiveLayoutReader.Settings()
        settings.fps = c.fps
        settings.mapScale = view.scale
        settings.minConfidence = c.sure
        let reader = try LiveLayoutReader(
            source: X11ScreenSource(connection: connection), region: region, inference: inference, settings: settings)
        let at = ScreenPoint(x: 1280 - GuideOverlayPicture.width - 10, y: 10)
        let overlay = try X11Overlay(displayName: name, image: Image(width: 8, height: 8), at: at)
        let presenter = GuideOverlayPresenter(overlay: overlay, picture: GuideOverlayPicture(guides: c.guides))
        let shooter = X11ScreenSource(connection: try X11Connection(name: name))
        let record = LayoutDemoLog(truth: cls.rawValue)
        reader.onState = { state in
            presenter.present(state)
            if state.answer == cls.rawValue, let shot = try? shooter.capture(presenter.overlay.rect).image.rgb() {
                record.shot(shot, sequence: state.predictionSequence)
            }
        }
        let start = Date()
        let lines = LineQueue()
        reader.onUpdate = { u in
            let frames = arena.truth().frames
            var walked: Float = 0
            for i in frames.indices.dropFirst() {
                let dx = frames[i].x - frames[i - 1].x
                let dy = frames[i].y - frames[i - 1].y
                walked += (dx * dx + dy * dy).squareRoot()
            }
            let fromEntrance = (arena.player - layout.entrance).length
            let seconds = Date().timeIntervalSince(start)
            record.add(u, seconds: seconds, walked: walked, fromEntrance: fromEntrance)
            lines.append(
                String(
                    format: "   update %3d  %5.1f s  walked %5.0f px  %@", u.update.sequence, seconds, walked,
                    u.state.statusLine))
        }
        try reader.start()
        Thread.sleep(forTimeInterval: 0.8)  // the origin frame at the entrance
        let autoplay = try MapAutoplay(arena: arena, display: name, seed: c.seed)
        print("3. Live reader at \(c.fps) fps on \(region), overlay at \(at); the explorer walks (real keys)")
        while Date().timeIntervalSince(start) < c.seconds && record.rightStreak < c.stable {
            Thread.sleep(forTimeInterval: 0.1)
            lines.drain().forEach(print)
        }
        autoplay.stop()
        let finalState = reader.state
        reader.stop()
        reader.wait()
        lines.drain().forEach(print)

        if let stitcher = reader.stitcher {
            let (map, _, _) = stitcher.stitchedMap()
            try PNG.write(map, path: c.path("map.png"))
            if let mask = inference.lastMask, let last = record.lastUpdate {
                try PNG.write(ReadingPictures.mask(mask), path: c.path("mask.png"))
                let (tokens, n) = ReadingPictures.tokens(over: last.map, mask: mask)
                try PNG.write(tokens, path: c.path("tokens.png"))
                record.tokenCount = n
            }
        }
        let shot = record.stableShot
        if let shot { try PNG.write(shot, path: c.path("overlay.png")) }
        let summary = record.summary(
            className: cls.description, seed: c.seed, fps: c.fps, stableNeeded: c.stable, final: finalState,
            autoplayError: autoplay.lastError)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(summary).write(to: URL(fileURLWithPath: c.path("summary.json")))
        return (summary, shot != nil)
    }
}

/// Lines written on the reader's threads, printed on the caller's.
final class LineQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    func drain() -> [String] {
        lock.withLock {
            defer { lines.removeAll() }
            return lines
        }
    }
}

/// What the demo saw, update by update (written from the reader's threads).
public final class LayoutDemoLog: @unchecked Sendable {
    /// One update of the live reader.
    public struct Entry: Codable, Sendable {
        public var update: Int
        public var seconds: Double
        public var walked: Float
        public var fromEntrance: Float
        public var best: Int?
        public var probability: Float?
        public var right: Bool
        public var phase: String
        public var milliseconds: Double
    }
    public let truth: Int
    private let lock = NSLock()
    public private(set) var entries: [Entry] = []
    private var shots: [Int: Image] = [:]
    public var lastUpdate: MapUpdate?
    public var tokenCount = 0
    public init(truth: Int) { self.truth = truth }

    public func add(_ u: LiveLayoutReader.Update, seconds: Double, walked: Float, fromEntrance: Float) {
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

    public func shot(_ image: Image, sequence: Int) {
        lock.withLock { if shots[sequence] == nil { shots[sequence] = image } }
    }

    /// Right updates at the end, in a row.
    public var rightStreak: Int { lock.withLock { entries.reversed().prefix { $0.right }.count } }

    /// The first update of the final right streak.
    public var streakStart: Entry? {
        lock.withLock {
            let n = entries.reversed().prefix { $0.right }.count
            return n == 0 ? nil : entries[entries.count - n]
        }
    }

    /// The overlay when it became right for good.
    public var stableShot: Image? {
        guard let s = streakStart else { return nil }
        return lock.withLock { shots[s.update] ?? shots.filter { $0.key >= s.update }.min { $0.key < $1.key }?.value }
    }

    /// The demo's outcome, as `summary.json` holds it.
    public struct Summary: Codable, Sendable {
        public var layoutClass: Int
        public var layoutName: String
        public var seed: UInt64
        public var fps: Double
        public var updates: Int
        public var stableNeeded: Int
        public var stableRightAtUpdate: Int?
        public var secondsToStableRight: Double?
        public var walkedToStableRight: Float?
        public var distanceFromEntranceAtStableRight: Float?
        public var firstRightAtUpdate: Int?
        public var meanUpdateMilliseconds: Double
        public var finalAnswer: String
        public var tokens: Int
        public var autoplayError: String?
        public var entries: [Entry]
        public var text: String
    }

    public func summary(
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
