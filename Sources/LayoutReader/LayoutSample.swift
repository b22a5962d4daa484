import Foundation
import Imaging

/// One collected sample on disk. Folder layout (`SAMPLES/<class id or unlabelled>/<id>/`):
/// - `sample.json`: this struct (origin in `map.png`, class, source, scale);
/// - `map.png`: the stitched minimap (RGB), `lines.png`: the map lines the stitcher found;
/// - arena samples also `walkable.png`, `walls.png` (the truth, aligned to `map.png`: white = set)
///   and `truth/` (the arena's own truth files);
/// - `paths.json` once `layout paths` has run: exploration paths in `map.png` pixels.
public struct LayoutSample: Codable, Sendable {
    public var format = "pixelpilot-layout-sample/1"
    public var id: String
    /// 0-8, nil while unlabelled.
    public var layoutClass: Int?
    /// The origin (the stream's first frame centre, the entrance) in `map.png`.
    public var originX: Int, originY: Int
    /// "stream" or "arena".
    public var source: String
    /// Pixels of `map.png` per pixel of the seed's half scale (the scale of the 65 px light
    /// radius), when known.
    public var scale: Float?
    public var frames: Int
    public var created: String

    public init(
        id: String, layoutClass: Int?, originX: Int, originY: Int, source: String, scale: Float?, frames: Int,
        created: String
    ) {
        self.id = id
        self.layoutClass = layoutClass
        self.originX = originX
        self.originY = originY
        self.source = source
        self.scale = scale
        self.frames = frames
        self.created = created
    }

    /// Reads and checks a sample folder; a corrupt one is an error naming the file and the fault.
    public static func read(from dir: String) throws -> LayoutSample {
        let path = (dir as NSString).appendingPathComponent("sample.json")
        guard FileManager.default.fileExists(atPath: dir) else {
            throw ImagingError.badFile(path: dir, reason: "no such sample folder")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImagingError.badFile(path: path, reason: "missing: not a sample folder")
        }
        let sample: LayoutSample
        do { sample = try JSONDecoder().decode(LayoutSample.self, from: data) } catch {
            throw ImagingError.badFile(path: path, reason: "not a sample description: \(error)")
        }
        let map = (dir as NSString).appendingPathComponent("map.png")
        guard FileManager.default.fileExists(atPath: map) else {
            throw ImagingError.badFile(path: map, reason: "missing")
        }
        if let c = sample.layoutClass, !(0...8).contains(c) {
            throw ImagingError.badFile(path: path, reason: "layout class \(c) is not 0-8")
        }
        return sample
    }

    public func write(to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(
            to: URL(fileURLWithPath: (dir as NSString).appendingPathComponent("sample.json")))
    }

    /// Reads a black-and-white mask PNG of the sample (`walkable.png`, `walls.png`, `lines.png`)
    /// as bytes (1 where brighter than `threshold`).
    public static func mask(
        _ name: String, in dir: String, threshold: UInt8 = 127
    ) throws -> (mask: [UInt8], width: Int, height: Int) {
        let path = (dir as NSString).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ImagingError.badFile(path: path, reason: "missing")
        }
        let img = try PNG.read(path: path)
        var m = [UInt8](repeating: 0, count: img.width * img.height)
        img.pixels.withUnsafeBufferPointer { px in
            for i in m.indices
            where max(px[i * img.channels], px[i * img.channels + 1], px[i * img.channels + 2]) > threshold { m[i] = 1 }
        }
        return (m, img.width, img.height)
    }

    /// Exploration paths saved by `layout paths`.
    public struct Paths: Codable, Sendable {
        public var kinds: [String]
        /// Each path as [x, y] pairs in `map.png` pixels.
        public var paths: [[[Int]]]
        public init(kinds: [String], paths: [[[Int]]]) {
            self.kinds = kinds
            self.paths = paths
        }
    }

    public static func readPaths(in dir: String) throws -> Paths {
        let path = (dir as NSString).appendingPathComponent("paths.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImagingError.badFile(path: path, reason: "missing (run `pixelpilot layout paths` first)")
        }
        do { return try JSONDecoder().decode(Paths.self, from: data) } catch {
            throw ImagingError.badFile(path: path, reason: "not a paths file: \(error)")
        }
    }

    /// A picture of a sample: the stitched map, the origin (green), a path (yellow) and, when
    /// given, the revealed mask (red over the map).
    public static func picture(
        map: Image, originX: Int, originY: Int, path: [GridPoint] = [], revealed: [UInt8]? = nil
    ) -> Image {
        var img = map.rgb()
        if let revealed, revealed.count == img.width * img.height {
            img.pixels.withUnsafeMutableBufferPointer { px in
                for i in revealed.indices where revealed[i] != 0 {
                    px[3 * i] = 255
                    px[3 * i + 1] = 70
                    px[3 * i + 2] = 60
                }
            }
        }
        for p in path { img.fillRect(x: p.x - 1, y: p.y - 1, width: 3, height: 3, color: [255, 230, 0]) }
        img.fillCircle(
            cx: originX, cy: originY, radius: max(4, min(img.width, img.height) / 150), color: [60, 230, 90])
        return img
    }
}
