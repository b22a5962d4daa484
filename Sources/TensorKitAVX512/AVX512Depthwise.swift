#if arch(x86_64)
    import _Builtin_intrinsics.intel

    /// Depthwise 3×3 convolution over one NHWC image, 16 channels per 512-bit vector, fused with a
    /// per-channel bias and a clamp (ReLU6 is `0...6`; no activation is `-inf...inf`).
    ///
    /// The same algorithm as TensorKit's AVX2 kernel (`DepthwiseConv`), with 16 lanes instead of 8:
    /// for one output row and one 16-channel block the nine tap weights and the bias stay in
    /// registers while the row's pixels stream past; each output pixel is three independent
    /// chains of three FMAs (one per kernel row). Border pixels take the bounds-checked path.
    /// Channels past the last multiple of 16 are left to the caller.
    ///
    /// Weights are packed `[9, channels]` (tap-major, channels contiguous).
    public enum AVX512Depthwise {
        typealias V = SIMD16<Float>

        @_transparent static func load(_ p: UnsafePointer<Float>) -> V { _mm512_loadu_ps(p) }

        @_transparent static func clamp(_ v: V, _ lo: V, _ hi: V) -> V {
            let a = v.replacing(with: lo, where: v .< lo)
            return a.replacing(with: hi, where: a .> hi)
        }

        /// Output rows `rows` of one image, channels `0..<(channels / 16 * 16)`.
        ///
        /// - Parameters:
        ///   - input: `[h, w, channels]`.
        ///   - output: `[oh, ow, channels]`.
        public static func forward(
            input: UnsafePointer<Float>, h: Int, w: Int, channels c: Int,
            weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
            stride s: Int, padTop: Int, padLeft: Int, ow: Int,
            low: Float, high: Float, rows: Range<Int>, output: UnsafeMutablePointer<Float>
        ) {
            let lo = V(repeating: low)
            let hi = V(repeating: high)
            let blocks = c / 16
            // Output columns whose 3 taps lie inside the image.
            let oxFirst = Swift.min(ow, (padLeft + s - 1) / s)
            let span = w - 3 + padLeft
            let oxEnd = span < 0 ? oxFirst : Swift.max(oxFirst, Swift.min(ow, span / s + 1))
            let rowStride = w * c
            for oy in rows {
                let iy0 = oy * s - padTop
                let out = output + oy * ow * c
                let interiorRow = iy0 >= 0 && iy0 + 2 < h
                for blk in 0..<blocks {
                    let cb = blk * 16
                    let b = load(bias + cb)
                    if interiorRow {
                        let w0 = load(weights + cb)
                        let w1 = load(weights + c + cb)
                        let w2 = load(weights + 2 * c + cb)
                        let w3 = load(weights + 3 * c + cb)
                        let w4 = load(weights + 4 * c + cb)
                        let w5 = load(weights + 5 * c + cb)
                        let w6 = load(weights + 6 * c + cb)
                        let w7 = load(weights + 7 * c + cb)
                        let w8 = load(weights + 8 * c + cb)
                        let r0 = input + iy0 * rowStride + cb
                        let r1 = r0 + rowStride
                        let r2 = r1 + rowStride
                        for ox in oxFirst..<oxEnd {
                            let o = (ox * s - padLeft) * c
                            var a0 = b
                            var a1 = load(r1 + o) * w3
                            var a2 = load(r2 + o) * w6
                            a0.addProduct(load(r0 + o), w0)
                            a0.addProduct(load(r0 + o + c), w1)
                            a1.addProduct(load(r1 + o + c), w4)
                            a2.addProduct(load(r2 + o + c), w7)
                            a0.addProduct(load(r0 + o + 2 * c), w2)
                            a1.addProduct(load(r1 + o + 2 * c), w5)
                            a2.addProduct(load(r2 + o + 2 * c), w8)
                            let r = clamp(a0 + a1 + a2, lo, hi)
                            _mm512_storeu_ps(out + ox * c + cb, r)
                        }
                        for ox in 0..<oxFirst {
                            border(input, h, w, c, weights, b, s, iy0, ox * s - padLeft, cb, lo, hi, out + ox * c + cb)
                        }
                        for ox in oxEnd..<ow {
                            border(input, h, w, c, weights, b, s, iy0, ox * s - padLeft, cb, lo, hi, out + ox * c + cb)
                        }
                    } else {
                        for ox in 0..<ow {
                            border(input, h, w, c, weights, b, s, iy0, ox * s - padLeft, cb, lo, hi, out + ox * c + cb)
                        }
                    }
                }
            }
        }

        /// One output pixel whose window may leave the image.
        @inline(__always)
        static func border(
            _ input: UnsafePointer<Float>, _ h: Int, _ w: Int, _ c: Int, _ weights: UnsafePointer<Float>, _ b: V,
            _ s: Int, _ iy0: Int, _ ix0: Int, _ cb: Int, _ lo: V, _ hi: V, _ dst: UnsafeMutablePointer<Float>
        ) {
            var acc = b
            for ky in 0..<3 {
                let iy = iy0 + ky
                if iy < 0 || iy >= h { continue }
                for kx in 0..<3 {
                    let ix = ix0 + kx
                    if ix < 0 || ix >= w { continue }
                    acc.addProduct(load(input + (iy * w + ix) * c + cb), load(weights + (ky * 3 + kx) * c + cb))
                }
            }
            _mm512_storeu_ps(dst, clamp(acc, lo, hi))
        }
    }
#endif
