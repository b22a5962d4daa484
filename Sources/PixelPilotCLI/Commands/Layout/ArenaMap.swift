import ArgumentParser
import Arena
import Desktop
import Foundation
import Imaging

extension LayoutClass: ExpressibleByArgument {}
extension MapEffects: ExpressibleByArgument {}
extension MapAppearance: ExpressibleByArgument {}

/// Window size as WIDTHxHEIGHT.
struct ArenaMap: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Open a window that plays like an ARPG area with the overlay minimap (the layout reader's arena).",
        discussion: """
            Arrows or WASD move the player (never through walls); a click on the ground walks there. \
            The minimap's semi-transparent lavender wall lines and cyan water edges show what the \
            light radius has revealed, centred on the player at (1920, 1060) of 3840x2160 (scaled). \
            Under it the scene is busy (ground, fires, water, enemies, skills, the player's aura), \
            and with effects on, a few frames a minute are hard cases: a screen-wide flash, the map \
            toggled off, a loading screen with a teleport to a place visited before.

            --appearance varied draws the area in a look of its own, from --seed, around the real \
            game's measured minimap (greyer or bluer walls, fainter or wider lines, a darker and \
            cleaner or a busier ground, bright effects over the lines): the looks the line UNet \
            trains on, to try `layout live` on something other than the arena's one look.

            --truth-out DIR writes truth.json (class, origin, scale, capture square, and for every \
            drawn frame its number, time, the player's true map position and its events) with \
            walls.png, walkable.png, water-edges.png and guide.png. The frame number is also drawn \
            as a code in the window's top-left corner.

            Examples:
              pixelpilot arena map --class lakeside --effects heavy --autoplay --seconds 60
              pixelpilot arena map --appearance varied --seed 7 --autoplay
              pixelpilot arena map --size 3840x2160 --virtual-display --truth-out truth/
            """)

    @OptionGroup var display: DisplayOptions
    @Option(parsing: .unconditional, help: "Random seed of the layout's details and of the scene.") var seed: UInt64 = 1
    @Option(
        name: .customLong("class"),
        help:
            "Layout class: 0-8 or a name (east-run, north-loop, fork, zigzag, lakeside, hub, shoreline, u-turn, twin-rooms). Default: from --seed."
    )
    var layoutClass: LayoutClass?
    @Option(help: "Scene effects and hard cases: none, normal or heavy.") var effects: MapEffects = .normal
    @Option(
        help:
            "Look: arena (its own) or varied (drawn from --seed around the real game's minimap: colours, widths, ground)."
    )
    var appearance: MapAppearance = .arena
    @Option(help: "Window size WIDTHxHEIGHT, 1280x720 to 3840x2160.") var size = ScreenSize(width: 1280, height: 720)
    @Option(parsing: .unconditional, help: "Minimap zoom (1 = the original layout reader's settings), 0.5 to 2.")
    var minimapScale: Float = 1
    @Option(parsing: .unconditional, help: "Frames drawn per second.") var fps = 20.0
    @Option(help: "Write the ground truth into this folder (updated every 5 s and at the end).") var truthOut: String?
    @Flag(help: "Let the scripted explorer play, pressing real keys through XTest.") var autoplay = false
    @Option(
        parsing: .unconditional,
        help: "Seconds to wait before the explorer starts (time to start a stream at the entrance).")
    var autoplayDelay = 0.0
    @Option(parsing: .unconditional, help: "Close after this many seconds (default: until Ctrl+C).") var seconds:
        Double?
    @Option(
        help:
            "Write the guide image of every class (the original layout reader's instance, entrance and exit marked) into this folder and exit."
    )
    var writeGuides: String?

    func validate() throws {
        guard (1280...3840).contains(size.width), (720...2160).contains(size.height) else {
            throw ValidationError("--size must be between 1280x720 and 3840x2160, got \(size.width)x\(size.height)")
        }
        guard (0.5...2).contains(minimapScale) else {
            throw ValidationError("--minimap-scale must be 0.5...2, got \(minimapScale)")
        }
        guard fps > 0, fps <= 60 else { throw ValidationError("--fps must be in (0, 60], got \(fps)") }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be positive") }
    }

    func run() throws {
        if let dir = writeGuides {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                for c in LayoutClass.allCases {
                    try PNG.write(MapLayout(layoutClass: c, seed: seed).guide(), path: "\(dir)/\(c.rawValue).png")
                }
            }
            print(
                "Wrote the guides of the \(LayoutClass.allCases.count) classes to \(dir)/0.png ... 8.png (seed \(seed))"
            )
            return
        }
        let (connection, virtual) = try display.open(virtualWhenUnset: true, size: size)
        defer { withExtendedLifetime(virtual) {} }
        let name = connection.name
        let cls = layoutClass ?? LayoutClass(rawValue: Int(seed % 9))!
        let layout = MapLayout(layoutClass: cls, seed: seed)
        let view = MapView(screenWidth: size.width, screenHeight: size.height, minimapScale: minimapScale)
        var look = appearance == .arena ? MapLook.arena : MapLook.varied(seed: seed)
        look.minimapScale = 1
        let arena = try MapArena(
            display: name, layout: layout, effects: effects, view: view, seed: seed, fps: fps, look: look)
        arena.window.focus()
        if autoplay && autoplayDelay > 0 { Thread.sleep(forTimeInterval: autoplayDelay) }
        let autoplayer = autoplay ? try MapAutoplay(arena: arena, display: name, seed: seed) : nil
        print(
            "Map arena on \(name): class \(cls.rawValue) (\(cls)), seed \(seed), effects \(effects), look \(appearance), window \(size.width)x\(size.height), "
                + "\(String(format: "%.3f", view.scale)) screen px per map px, capture square \(view.captureRect)\(autoplay ? ", autoplay" : "")"
        )
        fflush(stdout)
        let start = Date()
        var lastWrite = Date()
        while seconds.map({ Date().timeIntervalSince(start) < $0 }) ?? true {
            Thread.sleep(forTimeInterval: 0.2)
            if let truthOut, Date().timeIntervalSince(lastWrite) >= 5 {
                try arena.truth().write(to: truthOut, layout: layout)
                lastWrite = Date()
            }
        }
        autoplayer?.stop()
        arena.close()
        let truth = arena.truth()
        if let truthOut { try truth.write(to: truthOut, layout: layout) }
        let events = truth.frames.reduce(into: [MapEvent: Int]()) { acc, f in
            for e in f.events { acc[e, default: 0] += 1 }
        }
        print(
            "Drew \(truth.frames.count) frames; hard-case frames: \(events.isEmpty ? "none" : events.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", "))"
                + (truthOut.map { "; truth in \($0)" } ?? ""))
    }
}
