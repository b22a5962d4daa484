import Arena
import Foundation
import Imaging
import LayoutReader

/// The layout reader's sample folders (`layout collect`, `label`, `show`): a stream saved by
/// `layout watch` turned into a sample (with the arena's truth aligned to the stitched map when
/// given), a sample labelled and moved, and the pictures a person looks at.
public enum LayoutSampleTools {
    /// What `collect` made.
    public struct Collected: Sendable {
        public var sample: LayoutSample
        /// The sample's folder.
        public var folder: String
        public var mapWidth: Int
        public var mapHeight: Int
        /// The arena's class, when collected with its truth.
        public var arenaClass: Int?
        /// With the truth: the share of the stitched line pixels within 2 px of a truth wall.
        public var alignment: Double?
    }

    /// An arena truth mask (map pixels) aligned to a stitched map: map.png pixel (u, v) shows map
    /// point entrance + ((u, v) - origin) / scale.
    public static func alignedMask(
        _ mask: [UInt8], truth: MapTruth, width: Int, height: Int, originX: Int, originY: Int
    ) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height)
        let inv = 1 / truth.scale
        for v in 0..<height {
            let my = Int((truth.originY + (Float(v) + 0.5 - Float(originY)) * inv).rounded(.down))
            guard my >= 0, my < truth.mapHeight else { continue }
            for u in 0..<width {
                let mx = Int((truth.originX + (Float(u) + 0.5 - Float(originX)) * inv).rounded(.down))
                if mx >= 0, mx < truth.mapWidth, mask[my * truth.mapWidth + mx] != 0 { out[v * width + u] = 1 }
            }
        }
        return out
    }

    /// The share of `lines`' pixels within 2 px of a pixel of `walls` (same size).
    public static func alignment(lines: [UInt8], walls: [UInt8], width: Int, height: Int) -> Double {
        var on = 0
        var total = 0
        guard width > 4, height > 4 else { return 0 }
        for y in 2..<(height - 2) {
            for x in 2..<(width - 2) where lines[y * width + x] != 0 {
                total += 1
                var near = false
                for dy in -2...2 where !near {
                    for dx in -2...2 where walls[(y + dy) * width + x + dx] != 0 {
                        near = true
                        break
                    }
                }
                if near { on += 1 }
            }
        }
        return total == 0 ? 0 : Double(on) / Double(total)
    }

    /// Saves the stream folder `stream` as a new sample under `samples` (in `<class or unlabelled>/<id>`).
    /// - Parameter truth: the arena's `--truth-out` folder, for an arena stream.
    public static func collect(
        stream: String, samples: String, truth: String?, layoutClass: Int?
    ) throws
        -> Collected
    {
        if let c = layoutClass, !(0...8).contains(c) {
            throw WorkshopError.invalidValue("--class must be 0-8, got \(c)")
        }
        let record = try StreamRecord.read(from: stream)
        let map = try PNG.read(path: (stream as NSString).appendingPathComponent("map.png"))
        let pasted = record.frames.filter { $0.outcome != "skipped" }.count
        guard pasted > 0 else {
            throw WorkshopError.failed("\(stream): the stream pasted no frame; nothing to collect")
        }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        var id = formatter.string(from: Date())
        var n = 1
        func dir(_ id: String) -> String { "\(samples)/\(layoutClass.map(String.init) ?? "unlabelled")/\(id)" }
        while FileManager.default.fileExists(atPath: dir(id)) {
            n += 1
            id = formatter.string(from: Date()) + "-\(n)"
        }
        let out = dir(id)
        let arenaTruth = try truth.map { try MapTruth.read(from: $0) }
        let sample = LayoutSample(
            id: id, layoutClass: layoutClass, originX: record.originX, originY: record.originY,
            source: arenaTruth == nil ? "stream" : "arena", scale: arenaTruth?.scale, frames: pasted,
            created: ISO8601DateFormatter().string(from: Date()))
        try sample.write(to: out)
        try PNG.write(map, path: "\(out)/map.png")
        let lines = (stream as NSString).appendingPathComponent("lines.png")
        if FileManager.default.fileExists(atPath: lines) {
            try FileManager.default.copyItem(atPath: lines, toPath: "\(out)/lines.png")
        }
        try FileManager.default.copyItem(
            atPath: (stream as NSString).appendingPathComponent("stream.json"), toPath: "\(out)/stream.json")
        var result = Collected(
            sample: sample, folder: out, mapWidth: map.width, mapHeight: map.height,
            arenaClass: arenaTruth?.layoutClass, alignment: nil)
        guard let t = arenaTruth, let truth else { return result }
        for (name, file) in [("walkable", "walkable.png"), ("walls", "walls.png")] {
            let m = try LayoutSample.mask(file, in: truth)
            guard m.width == t.mapWidth, m.height == t.mapHeight else {
                throw WorkshopError.failed(
                    "\(truth)/\(file) is \(m.width)x\(m.height), truth.json says \(t.mapWidth)x\(t.mapHeight)")
            }
            let a = alignedMask(
                m.mask, truth: t, width: map.width, height: map.height, originX: record.originX,
                originY: record.originY)
            try PNG.write(MapLayout.picture(of: a, width: map.width, height: map.height), path: "\(out)/\(name).png")
        }
        // Check the alignment: most line pixels the stitcher found should lie on a truth wall.
        if let lines = try? LayoutSample.mask("lines.png", in: out, threshold: 60) {
            let walls = try LayoutSample.mask("walls.png", in: out)
            if lines.width == walls.width, lines.height == walls.height {
                result.alignment = alignment(
                    lines: lines.mask, walls: walls.mask, width: lines.width, height: lines.height)
            }
        }
        try FileManager.default.createDirectory(atPath: "\(out)/truth", withIntermediateDirectories: true)
        for f in ["truth.json", "walls.png", "walkable.png", "water-edges.png", "guide.png"] {
            let src = (truth as NSString).appendingPathComponent(f)
            if FileManager.default.fileExists(atPath: src) {
                try FileManager.default.copyItem(atPath: src, toPath: "\(out)/truth/\(f)")
            }
        }
        return result
    }

    /// Gives the sample in `folder` its class and moves it to `<samples>/<class>/<id>`.
    /// - Returns: the sample's new folder.
    public static func label(_ folder: String, as layoutClass: Int) throws -> URL {
        guard (0...8).contains(layoutClass) else {
            throw WorkshopError.invalidValue("--class must be 0-8, got \(layoutClass)")
        }
        var s = try LayoutSample.read(from: folder)
        s.layoutClass = layoutClass
        let url = URL(fileURLWithPath: folder).standardizedFileURL
        let root = url.deletingLastPathComponent().deletingLastPathComponent()
        let target = root.appendingPathComponent("\(layoutClass)").appendingPathComponent(url.lastPathComponent)
        if target.path != url.path && FileManager.default.fileExists(atPath: target.path) {
            throw WorkshopError.failed("\(target.path) already exists")
        }
        try s.write(to: folder)
        if target.path != url.path {
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: url, to: target)
        }
        return target
    }

    /// The map beside a 3x3 sheet of the guides, each numbered (`guides`: 0.png ... 8.png, else the arena's).
    public static func labelSheet(map: Image, guides: String?) throws -> Image {
        let cell = (w: 260, h: 208)
        let side = 3 * cell.h
        let shown = map.resized(width: Swift.max(1, map.width * side / Swift.max(map.height, 1)), height: side)
        var img = Image(width: shown.width + 10 + 3 * cell.w, height: side, color: [10, 10, 14])
        img.draw(shown, atX: 0, y: 0)
        for c in 0..<9 {
            let g =
                try guides.map { try PNG.read(path: "\($0)/\(c).png").rgb() }
                ?? MapLayout(layoutClass: LayoutClass(rawValue: c) ?? .eastRun, seed: 1).guide()
            let x = shown.width + 10 + (c % 3) * cell.w
            let y = (c / 3) * cell.h
            img.draw(g.resized(width: cell.w - 6, height: cell.h - 6), atX: x, y: y)
            img.fillRect(x: x, y: y, width: 26, height: 26, color: [230, 190, 60])
            img.drawText("\(c)", x: x + 7, y: y + 5, color: [0, 0, 0], scale: 3)
        }
        return img
    }

    /// An arena sample's truth as a picture the size of its map: walkable ground, walls, the origin.
    public static func truthPicture(
        walkable: [UInt8], walls: [UInt8], width: Int, height: Int, origin: GridPoint
    )
        -> Image
    {
        var truth = Image(width: width, height: height, color: [14, 16, 22])
        truth.pixels.withUnsafeMutableBufferPointer { px in
            for i in 0..<(width * height) {
                if walkable[i] != 0 {
                    px[3 * i] = 34
                    px[3 * i + 1] = 38
                    px[3 * i + 2] = 50
                }
                if walls[i] != 0 {
                    px[3 * i] = 150
                    px[3 * i + 1] = 150
                    px[3 * i + 2] = 200
                }
            }
        }
        truth.fillCircle(
            cx: origin.x, cy: origin.y, radius: Swift.max(4, Swift.min(width, height) / 150), color: [60, 230, 90])
        return truth
    }
}
