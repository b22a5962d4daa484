import Foundation
import Imaging

/// What `pixelpilot layout watch` writes beside each stream's `map.png` and `lines.png`:
/// `stream.json` with the origin in those pictures and one entry per frame.
public struct StreamRecord: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var index: Int
        /// origin, pasted, relocalised or skipped.
        public var outcome: String
        public var reason: String?
        public var x: Float?, y: Float?
        public var confidence: Float
        public var linePixels: Int
        public var milliseconds: Double
    }
    public var format = "pixelpilot-layout-stream/1"
    /// The capture region on the screen.
    public var regionX: Int, regionY: Int, regionWidth: Int, regionHeight: Int
    public var fps: Double
    /// The origin (the first frame's centre) in `map.png`, pixels.
    public var originX: Int, originY: Int
    public var captured: Int, late: Int, dropped: Int
    public var frames: [Entry]

    public init(
        stitcher: MinimapStitcher, region: (x: Int, y: Int, width: Int, height: Int), fps: Double, captured: Int,
        late: Int, dropped: Int,
        originX: Int, originY: Int
    ) {
        regionX = region.x
        regionY = region.y
        regionWidth = region.width
        regionHeight = region.height
        self.fps = fps
        self.captured = captured
        self.late = late
        self.dropped = dropped
        self.originX = originX
        self.originY = originY
        frames = stitcher.reports.map { r in
            var outcome = "skipped"
            var reason: String?
            switch r.outcome {
            case .origin: outcome = "origin"
            case .pasted: outcome = "pasted"
            case .relocalised: outcome = "relocalised"
            case .skipped(let why): reason = why.description
            }
            return Entry(
                index: r.index, outcome: outcome, reason: reason, x: r.x, y: r.y, confidence: r.confidence,
                linePixels: r.linePixels,
                milliseconds: r.milliseconds)
        }
    }

    /// Writes `map.png`, `lines.png` and `stream.json` of `stitcher` into `dir`.
    public static func write(
        _ stitcher: MinimapStitcher, to dir: String, region: (x: Int, y: Int, width: Int, height: Int), fps: Double,
        captured: Int, late: Int, dropped: Int, picturesToo: Bool = true
    ) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func path(_ n: String) -> String { (dir as NSString).appendingPathComponent(n) }
        let map = stitcher.stitchedMap()
        if picturesToo {
            try PNG.write(map.image, path: path("map.png"))
            try PNG.write(stitcher.canvas.linePicture(), path: path("lines.png"))
        }
        let record = StreamRecord(
            stitcher: stitcher, region: region, fps: fps, captured: captured, late: late, dropped: dropped,
            originX: map.originX, originY: map.originY)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(record).write(to: URL(fileURLWithPath: path("stream.json")))
    }

    /// Reads `stream.json` from `dir`.
    public static func read(from dir: String) throws -> StreamRecord {
        let path = (dir as NSString).appendingPathComponent("stream.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImagingError.badFile(path: path, reason: "missing or unreadable")
        }
        do { return try JSONDecoder().decode(StreamRecord.self, from: data) } catch {
            throw ImagingError.badFile(path: path, reason: "not a stream record: \(error)")
        }
    }
}
