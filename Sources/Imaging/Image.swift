/// An 8-bit image in memory: rows top to bottom, pixels left to right, channels interleaved
/// (RGB or RGBA).
public struct Image: Equatable, Sendable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// 3 (RGB) or 4 (RGBA).
    public let channels: Int
    /// `height * width * channels` bytes.
    public var pixels: [UInt8]

    /// An image filled with one colour (black when none is given).
    public init(width: Int, height: Int, channels: Int = 3, color fill: Color? = nil) {
        precondition(
            width >= 0 && height >= 0 && (channels == 3 || channels == 4),
            "bad image geometry \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        if let fill {
            let color = fill.channels(channels)
            var px = [UInt8](repeating: 0, count: width * height * channels)
            px.withUnsafeMutableBufferPointer { p in
                for i in 0..<(width * height) { for c in 0..<channels { p[i * channels + c] = color[c] } }
            }
            pixels = px
        } else {
            pixels = [UInt8](repeating: 0, count: width * height * channels)
        }
    }

    /// Wraps existing pixel bytes.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        guard channels == 3 || channels == 4 else {
            throw ImagingError.invalidArgument("channels must be 3 or 4, got \(channels)")
        }
        guard width >= 0, height >= 0, pixels.count == width * height * channels else {
            throw ImagingError.invalidArgument(
                "\(pixels.count) bytes do not make a \(width)x\(height) image with \(channels) channels")
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The colour at (x, y) (opaque in an RGB image).
    public func pixel(x: Int, y: Int) -> Color {
        let o = (y * width + x) * channels
        return Color(pixels[o..<(o + channels)])
    }

    /// Sets the colour at (x, y); ignores points outside the image. Alpha defaults to opaque.
    public mutating func setPixel(x: Int, y: Int, _ color: Color) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let o = (y * width + x) * channels
        let v = color.channels(channels)
        for c in 0..<channels { pixels[o + c] = v[c] }
    }

    /// The same picture with 3 channels (alpha dropped).
    public func rgb() -> Image {
        if channels == 3 { return self }
        var out = Image(width: width, height: height, channels: 3)
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for i in 0..<(width * height) {
                    dst[3 * i] = src[4 * i]
                    dst[3 * i + 1] = src[4 * i + 1]
                    dst[3 * i + 2] = src[4 * i + 2]
                }
            }
        }
        return out
    }

    /// The same picture with 4 channels (opaque alpha added).
    public func rgba() -> Image {
        if channels == 4 { return self }
        var out = Image(width: width, height: height, channels: 4)
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for i in 0..<(width * height) {
                    dst[4 * i] = src[3 * i]
                    dst[4 * i + 1] = src[3 * i + 1]
                    dst[4 * i + 2] = src[3 * i + 2]
                    dst[4 * i + 3] = 255
                }
            }
        }
        return out
    }
}

/// Errors from image decoding, encoding and geometry.
public enum ImagingError: Error, CustomStringConvertible, Equatable {
    case badFile(path: String, reason: String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .badFile(let path, let reason): return "\(path): \(reason)"
        case .invalidArgument(let m): return m
        }
    }
}
