import Imaging

/// The plain baseline: the seed's ground-truth colour filter (reference §13.1: a pixel is a line
/// when R ∈ 110...150, G ∈ 0...150 and B ∈ 150...255, inclusive) applied to the map's pixels,
/// then the seed's sparse-pixel cleanup. No learning; effects that tint the lines (fires, flashes)
/// or bluish things under them fool it, which is what the UNet is for. Works at any scale (the
/// mask has the map's pixels); it keeps no state, so every call is a full pass.
public final class ColorThresholdLineExtractor: LineExtracting {
    public let name = "colour-threshold"
    public var red: ClosedRange<UInt8>
    public var green: ClosedRange<UInt8>
    public var blue: ClosedRange<UInt8>
    public var cleanup: SparsePixelCleanup?

    public init(
        red: ClosedRange<UInt8> = 110...150, green: ClosedRange<UInt8> = 0...150, blue: ClosedRange<UInt8> = 150...255,
        cleanup: SparsePixelCleanup? = SparsePixelCleanup()
    ) {
        self.red = red
        self.green = green
        self.blue = blue
        self.cleanup = cleanup
    }

    public func lines(of map: Image, origin: GridPoint, scale: Float) throws -> LineMask {
        let n = map.width * map.height
        let c = map.channels
        var values = [UInt8](repeating: 0, count: n)
        map.pixels.withUnsafeBufferPointer { px in
            for i in 0..<n where red.contains(px[i * c]) && green.contains(px[i * c + 1]) && blue.contains(px[i * c + 2]) {
                values[i] = 1
            }
        }
        cleanup?.apply(&values, width: map.width, height: map.height)
        return LineMask(width: map.width, height: map.height, values: values, origin: origin, scale: scale)
    }

    public func reset() {}
}
