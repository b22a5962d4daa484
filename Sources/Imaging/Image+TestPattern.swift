extension Image {
    /// A picture whose every pixel differs from its neighbours, so an offset or a channel swap
    /// shows (capture tests and benchmarks).
    public static func testPattern(width: Int, height: Int) -> Image {
        var img = Image(width: width, height: height)
        img.pixels.withUnsafeMutableBufferPointer { p in
            for y in 0..<height {
                for x in 0..<width {
                    let i = 3 * (y * width + x)
                    p[i] = UInt8((x * 7 + y * 3) % 256)
                    p[i + 1] = UInt8((x * 5 + y * 11 + 40) % 256)
                    p[i + 2] = UInt8((x * 13 + y * 2 + 90) % 256)
                }
            }
        }
        return img
    }
}
