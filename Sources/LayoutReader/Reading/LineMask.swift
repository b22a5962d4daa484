import Imaging

/// The map lines of a stitched minimap: one byte per map pixel, 1 where a wall line is, 0
/// elsewhere, with the entrance (the stream's origin) and the map's scale, so the tokenizer can
/// anchor its grid and the classifier can work at the seed's scale.
public struct LineMask: Sendable, Equatable {
    public var width: Int, height: Int
    /// Row-major, `width × height`, 1 = line.
    public var values: [UInt8]
    /// The entrance in mask pixels (may lie anywhere, even outside the mask).
    public var origin: GridPoint
    /// Mask pixels per pixel of the seed's half scale (1 when the map is at that scale).
    public var scale: Float

    public init(width: Int, height: Int, values: [UInt8], origin: GridPoint, scale: Float = 1) {
        precondition(values.count == width * height, "a line mask needs width × height values")
        self.width = width
        self.height = height
        self.values = values
        self.origin = origin
        self.scale = scale
    }

    /// How many pixels are line.
    public var lineCount: Int { values.reduce(0) { $0 + Int($1) } }
}
