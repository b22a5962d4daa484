/// Sampling a rectangle with fractional position and size (sub-pixel crops).
extension Image {
    /// The rectangle `(x, y, width, height)`, given in fractional pixels, resampled to
    /// `outputWidth`×`outputHeight` pixels with 3 channels.
    ///
    /// Each output pixel averages `k`×`k` bilinear samples spread over its footprint, with `k` the
    /// shrink factor rounded up (so a 105-px cell shrunk to 52 px is box-filtered, not aliased). A
    /// rectangle on whole pixels of the output's size returns exactly those pixels. Points outside
    /// the image take the nearest edge pixel.
    public func sampled(
        x: Double, y: Double, width w: Double, height h: Double, outputWidth ow: Int, outputHeight oh: Int
    ) -> Image {
        precondition(ow > 0 && oh > 0 && w > 0 && h > 0, "empty sampling rectangle")
        let src = rgb()
        var out = Image(width: ow, height: oh, channels: 3)
        let sx = w / Double(ow)
        let sy = h / Double(oh)
        let kx = Swift.max(1, Int(sx.rounded(.up) - 1e-9))
        let ky = Swift.max(1, Int(sy.rounded(.up) - 1e-9))
        let wMax = src.width - 1
        let hMax = src.height - 1
        let norm = 1 / Float(kx * ky)
        src.pixels.withUnsafeBufferPointer { s in
            out.pixels.withUnsafeMutableBufferPointer { d in
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var acc: (Float, Float, Float) = (0, 0, 0)
                        for jy in 0..<ky {
                            // Sample positions in pixel-centre coordinates.
                            let fy = y + (Double(oy) + (Double(jy) + 0.5) / Double(ky)) * sy - 0.5
                            let cy = Swift.min(Swift.max(fy, 0), Double(hMax))
                            let y0 = Int(cy)
                            let y1 = Swift.min(y0 + 1, hMax)
                            let wy = Float(cy - Double(y0))
                            for jx in 0..<kx {
                                let fx = x + (Double(ox) + (Double(jx) + 0.5) / Double(kx)) * sx - 0.5
                                let cx = Swift.min(Swift.max(fx, 0), Double(wMax))
                                let x0 = Int(cx)
                                let x1 = Swift.min(x0 + 1, wMax)
                                let wx = Float(cx - Double(x0))
                                let a = (y0 * src.width + x0) * 3
                                let b = (y0 * src.width + x1) * 3
                                let c = (y1 * src.width + x0) * 3
                                let e = (y1 * src.width + x1) * 3
                                let w00 = (1 - wx) * (1 - wy)
                                let w01 = wx * (1 - wy)
                                let w10 = (1 - wx) * wy
                                let w11 = wx * wy
                                acc.0 += Float(s[a]) * w00 + Float(s[b]) * w01 + Float(s[c]) * w10 + Float(s[e]) * w11
                                acc.1 +=
                                    Float(s[a + 1]) * w00 + Float(s[b + 1]) * w01 + Float(s[c + 1]) * w10 + Float(
                                        s[e + 1]) * w11
                                acc.2 +=
                                    Float(s[a + 2]) * w00 + Float(s[b + 2]) * w01 + Float(s[c + 2]) * w10 + Float(
                                        s[e + 2]) * w11
                            }
                        }
                        let o = (oy * ow + ox) * 3
                        d[o] = UInt8(Swift.max(0, Swift.min(255, (acc.0 * norm).rounded())))
                        d[o + 1] = UInt8(Swift.max(0, Swift.min(255, (acc.1 * norm).rounded())))
                        d[o + 2] = UInt8(Swift.max(0, Swift.min(255, (acc.2 * norm).rounded())))
                    }
                }
            }
        }
        return out
    }
}
