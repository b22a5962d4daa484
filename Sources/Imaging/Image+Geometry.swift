/// Cropping, resizing and pasting.
extension Image {
    /// The pixels of the rectangle `(x, y, width, height)`. Throws when it is not inside the image.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) throws -> Image {
        guard w > 0, h > 0, x >= 0, y >= 0, x + w <= width, y + h <= height else {
            throw ImagingError.invalidArgument(
                "crop (\(x), \(y), \(w)x\(h)) is not inside the \(width)x\(height) image")
        }
        var out = Image(width: w, height: h, channels: channels)
        let rowBytes = w * channels
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for r in 0..<h {
                    let s = ((y + r) * width + x) * channels
                    (dst.baseAddress! + r * rowBytes).update(from: src.baseAddress! + s, count: rowBytes)
                }
            }
        }
        return out
    }

    /// Bilinear resize with half-pixel centres (like PIL, TensorFlow's `resize` and PyTorch's
    /// `align_corners=False`), no antialiasing.
    public func resized(width w: Int, height h: Int) -> Image {
        if w == width && h == height { return self }
        var out = Image(width: w, height: h, channels: channels)
        let sx = Float(width) / Float(w)
        let sy = Float(height) / Float(h)
        let c = channels
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<h {
                    let fy = Swift.max(0, (Float(oy) + 0.5) * sy - 0.5)
                    let y0 = Swift.min(Int(fy), height - 1)
                    let y1 = Swift.min(y0 + 1, height - 1)
                    let wy = fy - Float(y0)
                    for ox in 0..<w {
                        let fx = Swift.max(0, (Float(ox) + 0.5) * sx - 0.5)
                        let x0 = Swift.min(Int(fx), width - 1)
                        let x1 = Swift.min(x0 + 1, width - 1)
                        let wx = fx - Float(x0)
                        for ch in 0..<c {
                            let a = Float(src[(y0 * width + x0) * c + ch])
                            let b = Float(src[(y0 * width + x1) * c + ch])
                            let d = Float(src[(y1 * width + x0) * c + ch])
                            let e = Float(src[(y1 * width + x1) * c + ch])
                            let v = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy
                            dst[(oy * w + ox) * c + ch] = UInt8(Swift.max(0, Swift.min(255, v.rounded())))
                        }
                    }
                }
            }
        }
        return out
    }

    /// Draws `other` with its top-left at (x, y), clipped to this image; RGBA sources are
    /// alpha-blended.
    public mutating func draw(_ other: Image, atX x: Int, y: Int) {
        for sy in 0..<other.height {
            let ty = y + sy
            guard ty >= 0, ty < height else { continue }
            for sx in 0..<other.width {
                let tx = x + sx
                guard tx >= 0, tx < width else { continue }
                let so = (sy * other.width + sx) * other.channels
                let to = (ty * width + tx) * channels
                let alpha = other.channels == 4 ? Int(other.pixels[so + 3]) : 255
                for ch in 0..<3 {
                    let s = Int(other.pixels[so + ch])
                    let t = Int(pixels[to + ch])
                    pixels[to + ch] = UInt8((s * alpha + t * (255 - alpha) + 127) / 255)
                }
                if channels == 4 { pixels[to + 3] = UInt8(Swift.max(Int(pixels[to + 3]), alpha)) }
            }
        }
    }
}
