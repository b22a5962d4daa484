import Foundation
import Imaging

/// The map arena's ground truth, written by `--truth-out DIR` as `truth.json` beside PNG masks
/// (`walls.png`, `walkable.png`, `water-edges.png`: white = set, map pixels) and `guide.png`.
public struct MapTruth: Codable, Sendable {
    /// One rendered frame: its number (also drawn as a code in the window's corner), the arena's
    /// clock, the player's true map position, and the events of that frame.
    public struct FrameRecord: Codable, Sendable {
        public var index: Int
        public var time: Double
        public var x: Float, y: Float
        public var events: [MapEvent]
    }
    public var format = "pixelpilot-map-truth/1"
    public var layoutClass: Int
    public var layoutName: String
    public var seed: UInt64
    public var effects: MapEffects
    public var mapWidth: Int, mapHeight: Int
    /// The entrance (where the player starts) in map pixels: the stream's origin.
    public var originX: Float, originY: Float
    public var exitX: Float, exitY: Float
    public var screenWidth: Int, screenHeight: Int
    /// Screen pixels per map pixel: a point p of the map is on screen at
    /// `playerScreen + (p - player) * scale`.
    public var scale: Float
    public var playerScreenX: Float, playerScreenY: Float
    public var captureX: Int, captureY: Int, captureSize: Int
    public var files: [String: String]
    public var frames: [FrameRecord]

    /// Reads `truth.json` from `dir`.
    public static func read(from dir: String) throws -> MapTruth {
        let path = (dir as NSString).appendingPathComponent("truth.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImagingError.badFile(path: path, reason: "cannot be read")
        }
        do { return try JSONDecoder().decode(MapTruth.self, from: data) } catch {
            throw ImagingError.badFile(path: path, reason: "not a map truth file: \(error)")
        }
    }

    /// Writes `truth.json` and the masks into `dir` (created if needed).
    public func write(to dir: String, layout: MapLayout) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }
        try PNG.write(
            MapLayout.picture(of: layout.walls, width: layout.width, height: layout.height), path: path("walls.png"))
        try PNG.write(
            MapLayout.picture(of: layout.walkable, width: layout.width, height: layout.height),
            path: path("walkable.png"))
        try PNG.write(
            MapLayout.picture(of: layout.waterEdges, width: layout.width, height: layout.height),
            path: path("water-edges.png"))
        try PNG.write(layout.guide(), path: path("guide.png"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path("truth.json")))
    }

    init(layout: MapLayout, effects: MapEffects, view: MapView, frames: [FrameRecord]) {
        layoutClass = layout.layoutClass.rawValue
        layoutName = layout.layoutClass.description
        seed = layout.seed
        self.effects = effects
        mapWidth = layout.width
        mapHeight = layout.height
        originX = layout.entrance.x
        originY = layout.entrance.y
        exitX = layout.exit.x
        exitY = layout.exit.y
        screenWidth = view.screenWidth
        screenHeight = view.screenHeight
        scale = view.scale
        playerScreenX = view.player.x
        playerScreenY = view.player.y
        let c = view.captureRect
        captureX = c.x
        captureY = c.y
        captureSize = c.width
        files = [
            "walls": "walls.png", "walkable": "walkable.png", "waterEdges": "water-edges.png", "guide": "guide.png",
        ]
        self.frames = frames
    }
}
