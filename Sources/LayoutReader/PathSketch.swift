import Imaging

/// Paths drawn by hand over a stitched map (for maps without a walkable mask), as the seed drew
/// lines in MSPaint: every path starts at the origin; strokes are in view pixels of a picture
/// shown at `scale` (view = map × scale) and are stored as dense map-pixel paths.
public struct PathSketch: Sendable {
    public let origin: GridPoint
    public let scale: Double
    public let width: Int, height: Int
    /// Finished paths (map pixels, dense).
    public private(set) var paths: [[GridPoint]] = []
    /// The path being drawn.
    public private(set) var current: [GridPoint] = []

    public init(origin: GridPoint, width: Int, height: Int, scale: Double = 1) {
        self.origin = origin
        self.width = width
        self.height = height
        self.scale = scale
    }

    /// Adds the point under the pointer (view pixels); the first point of a path joins the origin.
    public mutating func add(viewX: Int, viewY: Int) {
        let p = GridPoint(
            x: min(width - 1, max(0, Int((Double(viewX) / scale).rounded(.down)))),
            y: min(height - 1, max(0, Int((Double(viewY) / scale).rounded(.down)))))
        if current.isEmpty { current = [origin] }
        current += ExplorationPaths.densify([current.last ?? origin, p]).dropFirst()
    }

    /// Ends the path being drawn (paths of a single point are dropped).
    public mutating func finish() {
        if current.count > 1 { paths.append(current) }
        current = []
    }

    /// Drops the last finished path (or the one being drawn).
    public mutating func undo() {
        if !current.isEmpty { current = [] } else if !paths.isEmpty { paths.removeLast() }
    }

    /// The map with the origin and every path drawn on it, at view scale.
    public func picture(over map: Image) -> Image {
        var img = LayoutSample.picture(map: map, originX: origin.x, originY: origin.y)
        for p in paths {
            for q in p { img.fillRect(x: q.x - 1, y: q.y - 1, width: 3, height: 3, color: [255, 230, 0]) }
        }
        for q in current { img.fillRect(x: q.x - 1, y: q.y - 1, width: 3, height: 3, color: [255, 120, 0]) }
        if scale == 1 { return img }
        return img.resized(
            width: max(1, Int(Double(img.width) * scale)), height: max(1, Int(Double(img.height) * scale)))
    }
}
