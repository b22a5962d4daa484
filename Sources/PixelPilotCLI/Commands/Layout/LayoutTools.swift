import ArgumentParser
import Arena
import Desktop
import Foundation
import LayoutReader
import Imaging
import Workshop

func maskPicture(_ m: [UInt8], width: Int, height: Int) -> Image {
    MapLayout.picture(of: m, width: width, height: height)
}

struct LayoutCollect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Save a stream's stitched map and origin as a sample (with the arena's truth when given).",
        discussion: """
            Sample folder (SAMPLES/<class or unlabelled>/<id>/): sample.json (origin in map.png, \
            class, source, scale), map.png, lines.png; from the arena also walkable.png and \
            walls.png aligned to map.png, and truth/ (the arena's files). The arena sample assumes \
            the stream started at the entrance, as the original layout reader's users do.

            Example: pixelpilot layout collect stream/stream-1 --samples samples/ --truth truth/
            """)
    @Argument(help: "A stream folder written by `layout watch` (map.png, lines.png, stream.json).") var stream: String
    @Option(help: "Samples root folder.") var samples = "samples"
    @Option(help: "The arena's --truth-out folder, for an arena stream.") var truth: String?
    @Option(name: .customLong("class"), parsing: .unconditional, help: "Label at once (0-8).") var layoutClass: Int?

    func run() throws {
        let c = try LayoutSampleTools.collect(stream: stream, samples: samples, truth: truth, layoutClass: layoutClass)
        if let share = c.alignment {
            print(
                String(
                    format: "Truth alignment: %.1f %% of the stitched line pixels lie within 2 px of a truth wall",
                    100 * share))
            if share < 0.6 {
                FileHandle.standardError.write(
                    Data(
                        "pixelpilot: warning: the truth does not line up with the stitched map; did the stream start at the entrance (before the player moved)?\n"
                            .utf8))
            }
        }
        let s = c.sample
        print(
            "Sample \(s.id): \(c.folder) (\(c.mapWidth)x\(c.mapHeight), origin \(s.originX),\(s.originY), \(s.frames) frames\(c.arenaClass.map { ", arena class \($0)" } ?? ""))"
        )
    }
}

struct LayoutLabel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Give a collected sample its layout class (moves it to SAMPLES/<class>/<id>).",
        discussion: """
            Give --class, or --choose to see the map beside the nine guides and press 0-8 \
            (Escape leaves it unlabelled). Guides come from --guides DIR (0.png ... 8.png, \
            e.g. from `pixelpilot arena map --write-guides DIR`), else the arena's own.

            Examples:
              pixelpilot layout label samples/unlabelled/20261201-221500 --class 4
              pixelpilot layout label samples/unlabelled/20261201-221500 --choose
            """)
    @OptionGroup var display: DisplayOptions
    @Argument(help: "The sample folder.") var sample: String
    @Option(name: .customLong("class"), parsing: .unconditional, help: "Layout class 0-8.") var layoutClass: Int?
    @Flag(help: "Choose the class in a window showing the map and the guides.") var choose = false
    @Option(help: "Folder of guide pictures 0.png ... 8.png.") var guides: String?

    func validate() throws {
        if let c = layoutClass, !(0...8).contains(c) { throw ValidationError("--class must be 0-8, got \(c)") }
        guard (layoutClass == nil) != !choose else { throw ValidationError("give --class N or --choose (one of them)") }
    }

    func run() throws {
        let s = try LayoutSample.read(from: sample)
        var chosen = layoutClass
        if choose {
            let map = try PNG.read(path: "\(sample)/map.png").rgb()
            let picture = try LayoutSampleTools.labelSheet(map: map, guides: guides)
            let (connection, virtual) = try display.open()
            defer { withExtendedLifetime(virtual) {} }
            let w = try X11PictureWindow(
                display: connection.name, rect: ScreenRect(x: 10, y: 10, width: picture.width, height: picture.height),
                picture: picture, title: "PixelPilot - label \(s.id): press 0-8", className: "PixelPilotLabel")
            w.focus()
            let answer = DispatchSemaphore(value: 0)
            let pick = LockedValue<Int?>(nil)
            w.onEvent = { e in
                if case .keyPress(let key, _) = e {
                    if let n = Int(key.name), (0...8).contains(n) {
                        pick.set(n)
                        answer.signal()
                    }
                    if key == .escape { answer.signal() }
                }
            }
            print("Press 0-8 in the window to label \(s.id) (Escape: leave it).")
            fflush(stdout)
            answer.wait()
            w.close()
            chosen = pick.get()
            guard chosen != nil else {
                print("Left unlabelled.")
                return
            }
        }
        guard let layoutClass = chosen else { return }
        let target = try LayoutSampleTools.label(sample, as: layoutClass)
        print("Sample \(s.id) is class \(layoutClass): \(target.path)")
    }
}

struct LayoutPaths: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paths",
        abstract: "Exploration paths from the origin over a sample's walkable mask (routes, wandering, back-tracking).",
        discussion: """
            Needs walkable.png in the sample (arena samples have it). Writes paths.json ([x, y] \
            points in map.png pixels, one per pixel step) and paths.png (every path in its own hue).

            Example: pixelpilot layout paths samples/4/<id> --count 30
            """)
    @Argument(help: "The sample folder.") var sample: String
    @Option(parsing: .unconditional, help: "How many paths.") var count = 20
    @Option(parsing: .unconditional, help: "Random seed.") var seed: UInt64 = 1

    func run() throws {
        let s = try LayoutSample.read(from: sample)
        let walk = try LayoutSample.mask("walkable.png", in: sample)
        let gen = try ExplorationPaths(
            walkable: walk.mask, width: walk.width, height: walk.height, origin: GridPoint(x: s.originX, y: s.originY))
        let paths = gen.generate(count: count, seed: seed, maxLength: 4 * max(walk.width, walk.height))
        let record = LayoutSample.Paths(
            kinds: paths.map { $0.kind.rawValue }, paths: paths.map { $0.points.map { [$0.x, $0.y] } })
        let encoder = JSONEncoder()
        try encoder.encode(record).write(to: URL(fileURLWithPath: "\(sample)/paths.json"))
        var img = try PNG.read(path: "\(sample)/map.png").rgb()
        for (i, p) in paths.enumerated() {
            let hue = Double(i) / Double(max(1, paths.count))
            let c: [UInt8] = [0.0, 0.33, 0.67].map { (shift: Double) -> UInt8 in
                UInt8(127 + 127 * Foundation.cos(6.283 * (hue + shift)))
            }
            for q in p.points { img.fillRect(x: q.x - 1, y: q.y - 1, width: 2, height: 2, color: Color(c)) }
        }
        img.fillCircle(cx: s.originX, cy: s.originY, radius: 6, color: [60, 230, 90])
        try PNG.write(img, path: "\(sample)/paths.png")
        print(
            "\(paths.count) paths (\(paths.map(\.points.count).reduce(0, +)) points) in \(sample)/paths.json, picture \(sample)/paths.png"
        )
    }
}

struct LayoutFog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fog",
        abstract:
            "Reveal a sample's map along a path with the light radius (the original layout reader's fog-of-war sampling).",
        discussion: """
            Every mask pixel within --radius of a path pixel is revealed, exactly as the original layout reader's \
            explore_map; the default radius is the original layout reader's 65 px at half scale, times the sample's \
            scale. The mask is walls.png (arena truth) or else lines.png. Writes fog-<path>.png \
            (the revealed mask) and prints the share of the mask explored.

            Example: pixelpilot layout fog samples/4/<id> --path 3
            """)
    @Argument(help: "The sample folder.") var sample: String
    @Option(parsing: .unconditional, help: "Index of the path in paths.json.") var path = 0
    @Option(
        parsing: .unconditional,
        help: "Light radius in map.png pixels (default: 65 at the original layout reader's half scale).") var radius:
        Int?

    func run() throws {
        let s = try LayoutSample.read(from: sample)
        let paths = try LayoutSample.readPaths(in: sample)
        guard paths.paths.indices.contains(path) else {
            throw ValidationError("--path \(path): paths.json has \(paths.paths.count) paths")
        }
        let hasWalls = FileManager.default.fileExists(atPath: "\(sample)/walls.png")
        let m = try LayoutSample.mask(hasWalls ? "walls.png" : "lines.png", in: sample, threshold: hasWalls ? 127 : 60)
        let r = radius ?? Int((65 * (s.scale ?? 1) / 1).rounded())
        let points = paths.paths[path].compactMap { $0.count == 2 ? GridPoint(x: $0[0], y: $0[1]) : nil }
        let result = try FogSampler.reveal(mask: m.mask, width: m.width, height: m.height, path: points, radius: r)
        try PNG.write(maskPicture(result.revealed, width: m.width, height: m.height), path: "\(sample)/fog-\(path).png")
        print(
            String(
                format:
                    "Path %d (%@, %d points), radius %d px: %.1f %% of the mask explored, %.1f %% of the area lifted; %@/fog-%d.png",
                path, paths.kinds[path], points.count, r, 100 * result.fractionOfMask, 100 * result.fractionOfArea,
                sample, path))
    }
}

struct LayoutShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "A picture of a sample: stitched map, origin, a path and the region it reveals.",
        discussion: "Example: pixelpilot layout show samples/4/<id> --path 2 --out sample.png")
    @Argument(help: "The sample folder.") var sample: String
    @Option(parsing: .unconditional, help: "Draw this path of paths.json and what it reveals.") var path: Int?
    @Option(name: .shortAndLong, help: "Output PNG.") var out = "sample.png"
    @Flag(help: "Put the truth (walkable ground and walls, from an arena sample) beside the map.") var besideTruth =
        false
    @Option(parsing: .unconditional, help: "Shrink the picture to at most this width.") var maxWidth: Int?

    func run() throws {
        let s = try LayoutSample.read(from: sample)
        let map = try PNG.read(path: "\(sample)/map.png")
        var points: [GridPoint] = []
        var revealed: [UInt8]?
        if let path {
            let paths = try LayoutSample.readPaths(in: sample)
            guard paths.paths.indices.contains(path) else {
                throw ValidationError("--path \(path): paths.json has \(paths.paths.count) paths")
            }
            points = paths.paths[path].compactMap { $0.count == 2 ? GridPoint(x: $0[0], y: $0[1]) : nil }
            let hasWalls = FileManager.default.fileExists(atPath: "\(sample)/walls.png")
            let m = try LayoutSample.mask(
                hasWalls ? "walls.png" : "lines.png", in: sample, threshold: hasWalls ? 127 : 60)
            if m.width == map.width && m.height == map.height {
                revealed = try FogSampler.reveal(
                    mask: m.mask, width: m.width, height: m.height, path: points,
                    radius: Int((65 * (s.scale ?? 1)).rounded())
                ).revealed
            }
        }
        var picture = LayoutSample.picture(
            map: map, originX: s.originX, originY: s.originY, path: points, revealed: revealed)
        if besideTruth {
            let walk = try LayoutSample.mask("walkable.png", in: sample)
            let walls = try LayoutSample.mask("walls.png", in: sample)
            guard walk.width == map.width, walk.height == map.height, walls.width == map.width,
                walls.height == map.height
            else {
                throw CLIError("\(sample): walkable.png/walls.png are not the size of map.png")
            }
            let truth = LayoutSampleTools.truthPicture(
                walkable: walk.mask, walls: walls.mask, width: map.width, height: map.height,
                origin: GridPoint(x: s.originX, y: s.originY))
            var both = Image(width: 2 * map.width + 10, height: map.height, color: [255, 255, 255])
            both.draw(picture, atX: 0, y: 0)
            both.draw(truth, atX: map.width + 10, y: 0)
            picture = both
        }
        if let maxWidth, maxWidth > 0, picture.width > maxWidth {
            picture = picture.resized(width: maxWidth, height: max(1, picture.height * maxWidth / picture.width))
        }
        try PNG.write(picture, path: out)
        print(
            "\(out): sample \(s.id), class \(s.layoutClass.map(String.init) ?? "unlabelled"), \(map.width)x\(map.height), origin \(s.originX),\(s.originY)"
        )
    }
}

/// A value guarded by a lock.
final class LockedValue<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T
    init(_ v: T) { self.v = v }
    func get() -> T {
        lock.lock()
        defer { lock.unlock() }
        return v
    }
    func set(_ n: T) {
        lock.lock()
        v = n
        lock.unlock()
    }
}
