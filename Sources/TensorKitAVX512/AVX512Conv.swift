#if arch(x86_64)
    /// 3×3 "same" convolutions fused with bias, ReLU and a 2×2 max-pool (floor), written for AVX-512:
    /// 32 vector registers of 16 floats and two 512-bit FMA pipes.
    ///
    /// This module is compiled for `skylake-avx512` (AVX-512 F/CD/BW/DQ/VL, which Intel Skylake-SP and
    /// later and AMD Zen 4 and later have). Nothing here may run on a machine without AVX-512: TensorKit
    /// calls these kernels only after `CPUFeatures.hasAVX512` said yes.
    ///
    /// Each kernel keeps 16 independent accumulators in registers: the FMA latency (4 cycles) times the
    /// two FMA pipes needs at least 8 in flight, and 16 leaves room for the loads to hide. Output rows are
    /// a range so a caller can split one image between threads.
    ///
    /// Weights are packed `[3, 3, Cin, Cout]` (tap-major, output channels contiguous), as TensorKit's
    /// `DirectConv.packWeights` writes them. The pool, scale (a folded Rescaling; must be > 0), bias and
    /// ReLU are applied in registers before the one store of each output.
    public enum AVX512Conv {
        typealias V = SIMD16<Float>

        @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V {
            UnsafeRawPointer(p).loadUnaligned(as: V.self)
        }

        @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
        }

        /// Lane-wise maximum. With AVX-512 a compare-and-replace becomes one `vmaxps` (the bitwise
        /// select that suits AVX2 turns into mask-register shuffling here).
        @inline(__always) static func vmax(_ a: V, _ b: V) -> V {
            a.replacing(with: b, where: a .< b)
        }

        @inline(__always) static func finish(_ v: V, _ scale: V, _ bias: V, _ relu: Bool) -> V {
            let r = v * scale + bias
            return relu ? vmax(r, V(repeating: 0)) : r
        }

        /// 2×2 max-pool of two channels' 16-pixel rows: `p`, `q` are channels A and B of the first
        /// row, `r`, `u` of the second; the result is [A's 8 pooled pixels | B's 8].
        @_transparent static func pool2x2(_ p: V, _ q: V, _ r: V, _ u: V) -> V {
            vmax(vmax(evens(p, q), odds(p, q)), vmax(evens(r, u), odds(r, u)))
        }

        @inline(__always) static func evens(_ a: V, _ b: V) -> V { V(lowHalf: a.evenHalf, highHalf: b.evenHalf) }
        @inline(__always) static func odds(_ a: V, _ b: V) -> V { V(lowHalf: a.oddHalf, highHalf: b.oddHalf) }

        // MARK: - 8 output channels, planar input (the first layer: few input channels)

        /// Smallest pooled output width ``planar8(padded:ph:pw:cin:packed:bias:relu:scale:rows:ow:output:)`` handles.
        public static let planar8MinimumPooledWidth = 8

        /// 8 output channels from a planar, zero-padded input: `padded` holds `cin` planes of `ph × pw`
        /// floats (`ph = h + 2`, `pw = w + 2`). Vector lanes are 16 neighbouring pixels of one row, so a
        /// layer with 3 input channels still fills every lane; each step computes a 16 × 2 block of conv
        /// pixels for all 8 channels (16 accumulators), pools it to 8 × 1 and transposes it to NHWC in
        /// registers.
        ///
        /// Writes pooled rows `rows` of the NHWC output `[oh, ow, 8]` at `output`; needs `ow >= 8`.
        public static func planar8(
            padded: UnsafePointer<Float>, ph: Int, pw: Int, cin: Int,
            packed: UnsafePointer<Float>, bias: UnsafePointer<Float>, relu: Bool, scale: Float,
            rows: Range<Int>, ow: Int, output: UnsafeMutablePointer<Float>
        ) {
            precondition(ow >= planar8MinimumPooledWidth, "planar8 needs a pooled width of at least 8, got \(ow)")
            for oy in rows {
                planar8RowPair(
                    padded: padded, plane: ph * pw, pw: pw, cin: cin, packed: packed, bias: bias,
                    y0: 2 * oy, width: 2 * ow, pool: true, relu: relu, scale: scale,
                    output: output + oy * ow * 8, rowStride: 0)
            }
        }

        /// Like ``planar8(padded:ph:pw:cin:packed:bias:relu:scale:rows:ow:output:)`` but without the
        /// pool, ReLU or scale: conv + bias over the whole `[h, w, 8]` output of one image; needs
        /// `h >= 2`, `w >= 16`.
        public static func planar8Full(
            padded: UnsafePointer<Float>, h: Int, w: Int, cin: Int,
            packed: UnsafePointer<Float>, bias: UnsafePointer<Float>,
            output: UnsafeMutablePointer<Float>
        ) {
            precondition(h >= 2 && w >= 16, "planar8Full needs at least 2 × 16 pixels, got \(h) × \(w)")
            let pw = w + 2
            // Row pairs; an odd last row is covered by a pair that overlaps the previous one.
            for pair in 0..<((h + 1) / 2) {
                let y0 = Swift.min(2 * pair, h - 2)
                planar8RowPair(
                    padded: padded, plane: (h + 2) * pw, pw: pw, cin: cin, packed: packed, bias: bias,
                    y0: y0, width: w, pool: false, relu: false, scale: 1,
                    output: output + y0 * w * 8, rowStride: w * 8)
            }
        }

        /// Conv rows `y0` and `y0 + 1`, columns `0..<width`, in 16-pixel blocks (the last block
        /// overlaps when `width` is not a multiple of 16). With `pool`, writes one pooled row of
        /// `width / 2` pixels (scale, bias, optional ReLU); without, both conv rows plus bias, the
        /// second `rowStride` floats after the first.
        @inline(__always)
        static func planar8RowPair(
            padded: UnsafePointer<Float>, plane: Int, pw: Int, cin: Int,
            packed: UnsafePointer<Float>, bias: UnsafePointer<Float>, y0: Int, width: Int,
            pool: Bool, relu: Bool, scale: Float,
            output: UnsafeMutablePointer<Float>, rowStride: Int
        ) {
            let b8 = UnsafeRawPointer(bias).loadUnaligned(as: SIMD8<Float>.self)
            let bv = V(lowHalf: b8, highHalf: b8)
            let sv = V(repeating: scale)
            // The bias in the pooled block's layout before its transpose: [channel 2k × 8 | 2k+1 × 8].
            func pair(_ k: Int) -> V {
                V(lowHalf: SIMD8(repeating: bias[2 * k]), highHalf: SIMD8(repeating: bias[2 * k + 1]))
            }
            let bp0 = pair(0)
            let bp1 = pair(1)
            let bp2 = pair(2)
            let bp3 = pair(3)
            var next = 0
            while true {
                let x = Swift.min(next, width - 16)
                var a0 = V()
                var a1 = V()
                var a2 = V()
                var a3 = V()
                var a4 = V()
                var a5 = V()
                var a6 = V()
                var a7 = V()
                var b0 = V()
                var b1 = V()
                var b2 = V()
                var b3 = V()
                var b4 = V()
                var b5 = V()
                var b6 = V()
                var b7 = V()
                for c in 0..<cin {
                    let pc = padded + c * plane + y0 * pw + x
                    for ky in 0..<3 {
                        let r = pc + ky * pw
                        for kx in 0..<3 {
                            let v0 = load(r + kx)
                            let v1 = load(r + pw + kx)
                            let w = packed + ((ky * 3 + kx) * cin + c) * 8
                            var s = V(repeating: w[0])
                            a0.addProduct(v0, s)
                            b0.addProduct(v1, s)
                            s = V(repeating: w[1])
                            a1.addProduct(v0, s)
                            b1.addProduct(v1, s)
                            s = V(repeating: w[2])
                            a2.addProduct(v0, s)
                            b2.addProduct(v1, s)
                            s = V(repeating: w[3])
                            a3.addProduct(v0, s)
                            b3.addProduct(v1, s)
                            s = V(repeating: w[4])
                            a4.addProduct(v0, s)
                            b4.addProduct(v1, s)
                            s = V(repeating: w[5])
                            a5.addProduct(v0, s)
                            b5.addProduct(v1, s)
                            s = V(repeating: w[6])
                            a6.addProduct(v0, s)
                            b6.addProduct(v1, s)
                            s = V(repeating: w[7])
                            a7.addProduct(v0, s)
                            b7.addProduct(v1, s)
                        }
                    }
                }
                if pool {
                    // Pool: t0 = [channel 0 | channel 1] for the 8 pooled pixels, and so on — an 8 × 8
                    // (channel × pixel) matrix in 4 vectors. The lane-pair shuffles act on the raw
                    // sums and the affine step follows the maxima: a shuffle applied to a maximum
                    // (a compare and select) lets LLVM push it into the compares, at the cost of
                    // dozens of extra permutes.
                    var tile = (
                        pool2x2(a0, a1, b0, b1) * sv + bp0, pool2x2(a2, a3, b2, b3) * sv + bp1,
                        pool2x2(a4, a5, b4, b5) * sv + bp2, pool2x2(a6, a7, b6, b7) * sv + bp3
                    )
                    withUnsafeBytes(of: &tile) { transposeStore8x8($0.baseAddress!, relu: relu, output + (x / 2) * 8) }
                } else {
                    var rowA = (a0, a1, a2, a3, a4, a5, a6, a7)
                    var rowB = (b0, b1, b2, b3, b4, b5, b6, b7)
                    withUnsafeBytes(of: &rowA) { transposeStore16x8($0.baseAddress!, bias: bv, output + x * 8) }
                    withUnsafeBytes(of: &rowB) {
                        transposeStore16x8($0.baseAddress!, bias: bv, output + rowStride + x * 8)
                    }
                }
                if x == width - 16 { break }
                next += 16
            }
        }

        /// Transposes an 8 × 8 (channel × pixel) block held as 4 vectors of two channels each at
        /// `tile` to 8 NHWC pixels of 8 channels at `dst`, with an optional ReLU. An even/odd unshuffle
        /// of the 64 values rotates the bits of their index by one; three swap pixel and channel bits.
        ///
        /// Not inlined on purpose: inlined after the pooling maxima, LLVM pushes these shuffles up
        /// through the compares and selects and emits hundreds of permutes (half the layer's time).
        @inline(never)
        static func transposeStore8x8(_ tile: UnsafeRawPointer, relu: Bool, _ dst: UnsafeMutablePointer<Float>) {
            var t0 = tile.loadUnaligned(as: V.self)
            var t1 = tile.loadUnaligned(fromByteOffset: 64, as: V.self)
            var t2 = tile.loadUnaligned(fromByteOffset: 128, as: V.self)
            var t3 = tile.loadUnaligned(fromByteOffset: 192, as: V.self)
            for _ in 0..<3 {
                (t0, t1, t2, t3) = (evens(t0, t1), evens(t2, t3), odds(t0, t1), odds(t2, t3))
            }
            if relu {
                t0 = vmax(t0, V())
                t1 = vmax(t1, V())
                t2 = vmax(t2, V())
                t3 = vmax(t3, V())
            }
            store(t0, dst)
            store(t1, dst + 16)
            store(t2, dst + 32)
            store(t3, dst + 48)
        }

        /// Stores 8 channel vectors of 16 pixels (at `tile`) as 16 NHWC pixels of 8 channels plus
        /// `bias` (duplicated to 16 lanes): the 128 values' index bits (channel, pixel) rotated by four
        /// even/odd unshuffles. Not inlined: LLVM merges inlined shuffle stages into more permutes.
        @inline(never)
        static func transposeStore16x8(_ tile: UnsafeRawPointer, bias: V, _ dst: UnsafeMutablePointer<Float>) {
            func at(_ k: Int) -> V { tile.loadUnaligned(fromByteOffset: 64 * k, as: V.self) }
            var t = (at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7))
            for _ in 0..<4 {
                t = (
                    evens(t.0, t.1), evens(t.2, t.3), evens(t.4, t.5), evens(t.6, t.7),
                    odds(t.0, t.1), odds(t.2, t.3), odds(t.4, t.5), odds(t.6, t.7)
                )
            }
            store(t.0 + bias, dst)
            store(t.1 + bias, dst + 16)
            store(t.2 + bias, dst + 32)
            store(t.3 + bias, dst + 48)
            store(t.4 + bias, dst + 64)
            store(t.5 + bias, dst + 80)
            store(t.6 + bias, dst + 96)
            store(t.7 + bias, dst + 112)
        }

        // MARK: - 16 and 32 output channels, NHWC input

        /// 16 output channels (the slice at `packed`, `bias` and `output` of `cout` in all) from an NHWC,
        /// zero-padded input `[h + 2, pw, cin]`: each step computes 8 × 2 conv pixels (16 accumulators)
        /// and writes 4 pooled outputs. Writes pooled rows `rows` of `[oh, ow, cout]`; needs `ow >= 4`.
        public static func channels16(
            padded: UnsafePointer<Float>, pw: Int, cin: Int,
            packed: UnsafePointer<Float>, bias: UnsafePointer<Float>, cout: Int = 16,
            relu: Bool, scale: Float, rows: Range<Int>, ow: Int,
            output: UnsafeMutablePointer<Float>
        ) {
            precondition(ow >= 4, "channels16 needs a pooled width of at least 4, got \(ow)")
            for oy in rows {
                channels16RowPair(
                    padded: padded, pw: pw, cin: cin, packed: packed, bias: bias, cout: cout,
                    y0: 2 * oy, width: 2 * ow, pool: true, relu: relu, scale: scale,
                    output: output + oy * ow * cout, rowStride: 0)
            }
        }

        /// Conv + bias, 16 output channels (the slice at `packed`, `bias`, `output` of `cout`), NHWC
        /// padded input, whole `[h, w, cout]` output of one image: 8 × 2 pixels per step. Needs
        /// `h >= 2`, `w >= 8`.
        public static func channels16Full(
            padded: UnsafePointer<Float>, h: Int, w: Int, cin: Int,
            packed: UnsafePointer<Float>, bias: UnsafePointer<Float>, cout: Int = 16,
            output: UnsafeMutablePointer<Float>
        ) {
            precondition(h >= 2 && w >= 8, "channels16Full needs at least 2 × 8 pixels, got \(h) × \(w)")
            for pair in 0..<((h + 1) / 2) {
                let y0 = Swift.min(2 * pair, h - 2)
                channels16RowPair(
                    padded: padded, pw: w + 2, cin: cin, packed: packed, bias: bias, cout: cout,
                    y0: y0, width: w, pool: false, relu: false, scale: 1,
                    output: output + y0 * w * cout, rowStride: w * cout)
            }
        }

        /// Conv rows `y0` and `y0 + 1`, columns `0..<width`, in 8-pixel blocks (the last block overlaps
        /// when needed). With `pool`, writes one pooled row of `width / 2` pixels; without, both conv
        /// rows plus bias, the second `rowStride` floats after the first.
        @inline(__always)
        static func channels16RowPair(
            padded: UnsafePointer<Float>, pw: Int, cin: Int,
            packed: UnsafePointer<Float>, bias: UnsafePointer<Float>, cout: Int,
            y0: Int, width: Int, pool: Bool, relu: Bool, scale: Float,
            output: UnsafeMutablePointer<Float>, rowStride: Int
        ) {
            let bv = load(bias)
            let sv = V(repeating: scale)
            let run = 3 * cin
            var next = 0
            while true {
                let x = Swift.min(next, width - 8)
                var a0 = V()
                var a1 = V()
                var a2 = V()
                var a3 = V()
                var a4 = V()
                var a5 = V()
                var a6 = V()
                var a7 = V()
                var b0 = V()
                var b1 = V()
                var b2 = V()
                var b3 = V()
                var b4 = V()
                var b5 = V()
                var b6 = V()
                var b7 = V()
                for ky in 0..<3 {
                    let r0 = padded + ((y0 + ky) * pw + x) * cin
                    let r1 = r0 + pw * cin
                    let wk = packed + ky * run * cout
                    for j in 0..<run {
                        let w = load(wk + j * cout)
                        let p = r0 + j
                        let q = r1 + j
                        a0.addProduct(V(repeating: p[0]), w)
                        b0.addProduct(V(repeating: q[0]), w)
                        a1.addProduct(V(repeating: p[cin]), w)
                        b1.addProduct(V(repeating: q[cin]), w)
                        a2.addProduct(V(repeating: p[2 * cin]), w)
                        b2.addProduct(V(repeating: q[2 * cin]), w)
                        a3.addProduct(V(repeating: p[3 * cin]), w)
                        b3.addProduct(V(repeating: q[3 * cin]), w)
                        a4.addProduct(V(repeating: p[4 * cin]), w)
                        b4.addProduct(V(repeating: q[4 * cin]), w)
                        a5.addProduct(V(repeating: p[5 * cin]), w)
                        b5.addProduct(V(repeating: q[5 * cin]), w)
                        a6.addProduct(V(repeating: p[6 * cin]), w)
                        b6.addProduct(V(repeating: q[6 * cin]), w)
                        a7.addProduct(V(repeating: p[7 * cin]), w)
                        b7.addProduct(V(repeating: q[7 * cin]), w)
                    }
                }
                if pool {
                    let dst = output + (x / 2) * cout
                    store(finish(vmax(vmax(a0, a1), vmax(b0, b1)), sv, bv, relu), dst)
                    store(finish(vmax(vmax(a2, a3), vmax(b2, b3)), sv, bv, relu), dst + cout)
                    store(finish(vmax(vmax(a4, a5), vmax(b4, b5)), sv, bv, relu), dst + 2 * cout)
                    store(finish(vmax(vmax(a6, a7), vmax(b6, b7)), sv, bv, relu), dst + 3 * cout)
                } else {
                    let d0 = output + x * cout
                    let d1 = d0 + rowStride
                    store(a0 + bv, d0)
                    store(a1 + bv, d0 + cout)
                    store(a2 + bv, d0 + 2 * cout)
                    store(a3 + bv, d0 + 3 * cout)
                    store(a4 + bv, d0 + 4 * cout)
                    store(a5 + bv, d0 + 5 * cout)
                    store(a6 + bv, d0 + 6 * cout)
                    store(a7 + bv, d0 + 7 * cout)
                    store(b0 + bv, d1)
                    store(b1 + bv, d1 + cout)
                    store(b2 + bv, d1 + 2 * cout)
                    store(b3 + bv, d1 + 3 * cout)
                    store(b4 + bv, d1 + 4 * cout)
                    store(b5 + bv, d1 + 5 * cout)
                    store(b6 + bv, d1 + 6 * cout)
                    store(b7 + bv, d1 + 7 * cout)
                }
                if x == width - 8 { break }
                next += 8
            }
        }

        /// 32 output channels from an NHWC, zero-padded input: each step computes 4 × 2 conv pixels for
        /// both 16-channel halves (16 accumulators, each input broadcast used twice) and writes 2 pooled
        /// outputs. Writes pooled rows `rows` of `[oh, ow, 32]`; needs `ow >= 2`.
        public static func channels32(
            padded: UnsafePointer<Float>, pw: Int, cin: Int,
            packed: UnsafePointer<Float>, bias: UnsafePointer<Float>,
            relu: Bool, scale: Float, rows: Range<Int>, ow: Int,
            output: UnsafeMutablePointer<Float>
        ) {
            precondition(ow >= 2, "channels32 needs a pooled width of at least 2, got \(ow)")
            let bl = load(bias)
            let bh = load(bias + 16)
            let sv = V(repeating: scale)
            let run = 3 * cin
            for oy in rows {
                let y0 = 2 * oy
                var next = 0
                while true {
                    let ox = Swift.min(next, ow - 2)
                    var a0 = V()
                    var a1 = V()
                    var a2 = V()
                    var a3 = V()
                    var a4 = V()
                    var a5 = V()
                    var a6 = V()
                    var a7 = V()
                    var b0 = V()
                    var b1 = V()
                    var b2 = V()
                    var b3 = V()
                    var b4 = V()
                    var b5 = V()
                    var b6 = V()
                    var b7 = V()
                    for ky in 0..<3 {
                        let r0 = padded + ((y0 + ky) * pw + 2 * ox) * cin
                        let r1 = r0 + pw * cin
                        let wk = packed + ky * run * 32
                        for j in 0..<run {
                            let wl = load(wk + j * 32)
                            let wh = load(wk + j * 32 + 16)
                            let p = r0 + j
                            let q = r1 + j
                            var s = V(repeating: p[0])
                            a0.addProduct(s, wl)
                            a1.addProduct(s, wh)
                            s = V(repeating: p[cin])
                            a2.addProduct(s, wl)
                            a3.addProduct(s, wh)
                            s = V(repeating: p[2 * cin])
                            a4.addProduct(s, wl)
                            a5.addProduct(s, wh)
                            s = V(repeating: p[3 * cin])
                            a6.addProduct(s, wl)
                            a7.addProduct(s, wh)
                            s = V(repeating: q[0])
                            b0.addProduct(s, wl)
                            b1.addProduct(s, wh)
                            s = V(repeating: q[cin])
                            b2.addProduct(s, wl)
                            b3.addProduct(s, wh)
                            s = V(repeating: q[2 * cin])
                            b4.addProduct(s, wl)
                            b5.addProduct(s, wh)
                            s = V(repeating: q[3 * cin])
                            b6.addProduct(s, wl)
                            b7.addProduct(s, wh)
                        }
                    }
                    let dst = output + (oy * ow + ox) * 32
                    store(finish(vmax(vmax(a0, a2), vmax(b0, b2)), sv, bl, relu), dst)
                    store(finish(vmax(vmax(a1, a3), vmax(b1, b3)), sv, bh, relu), dst + 16)
                    store(finish(vmax(vmax(a4, a6), vmax(b4, b6)), sv, bl, relu), dst + 32)
                    store(finish(vmax(vmax(a5, a7), vmax(b5, b7)), sv, bh, relu), dst + 48)
                    if ox == ow - 2 { break }
                    next += 2
                }
            }
        }

    }
#endif
