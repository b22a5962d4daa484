#if arch(x86_64)
    import _Builtin_intrinsics.intel

    /// A 1×1 convolution (a GEMM of pixels `[rows, k]` by weights `[k, n]`) fused with its epilogue:
    /// `y = clamp(x · W + bias, low, high) + residual`, written for AVX-512.
    ///
    /// Weights are packed once, `[k, n]` with output channels contiguous. Each step keeps an 8-row
    /// by 32-column tile in 16 registers: per input channel two weight vectors are loaded and each
    /// row's input broadcast into two FMAs, so no copy of either matrix is made per call (OpenBLAS
    /// packs both on every call, which dominates at MobileNet's small sizes). Columns go 32 at a
    /// time, then a last 24 as 8 rows × (16 + 8), or 16 and 8; `n` must be a multiple of 8. Rows
    /// past the last multiple of 8 go 4 at a time, then one at a time on four chains (not one
    /// latency-bound chain).
    public enum AVX512Pointwise {
        typealias V = SIMD16<Float>
        typealias H = SIMD8<Float>

        // Loads and stores through the compiler's intrinsics: the standard library's generic
        // `loadUnaligned` / `storeBytes` were at times left as calls in the epilogues (a profile of
        // the whole network put 5 % of its time in them).
        @_transparent static func load(_ p: UnsafePointer<Float>) -> V { _mm512_loadu_ps(p) }

        @_transparent static func loadH(_ p: UnsafePointer<Float>) -> H { _mm256_loadu_ps(p) }

        @_transparent static func finish(
            _ a: V, _ b: V, _ lo: V, _ hi: V, _ res: UnsafePointer<Float>?, _ dst: UnsafeMutablePointer<Float>
        ) {
            var v = a + b
            v = v.replacing(with: lo, where: v .< lo)
            v = v.replacing(with: hi, where: v .> hi)
            if let res { v += load(res) }
            _mm512_storeu_ps(dst, v)
        }

        @_transparent static func finishH(
            _ a: H, _ b: H, _ lo: H, _ hi: H, _ res: UnsafePointer<Float>?, _ dst: UnsafeMutablePointer<Float>
        ) {
            var v = a + b
            v = v.replacing(with: lo, where: v .< lo)
            v = v.replacing(with: hi, where: v .> hi)
            if let res { v += loadH(res) }
            _mm256_storeu_ps(dst, v)
        }

        /// Output rows `rows` of `y [*, n] = clamp(x [*, k] · w [k, n] + bias) + residual`.
        public static func run(
            x: UnsafePointer<Float>, k: Int, weights w: UnsafePointer<Float>, n: Int, bias: UnsafePointer<Float>,
            low: Float, high: Float, residual: UnsafePointer<Float>?, rows: Range<Int>,
            output: UnsafeMutablePointer<Float>
        ) {
            let lo = V(repeating: low)
            let hi = V(repeating: high)
            var c0 = 0
            while c0 + 32 <= n {
                let b0 = load(bias + c0)
                let b1 = load(bias + c0 + 16)
                var r = rows.lowerBound
                while r + 8 <= rows.upperBound {
                    var a00 = V()
                    var a01 = V()
                    var a10 = V()
                    var a11 = V()
                    var a20 = V()
                    var a21 = V()
                    var a30 = V()
                    var a31 = V()
                    var a40 = V()
                    var a41 = V()
                    var a50 = V()
                    var a51 = V()
                    var a60 = V()
                    var a61 = V()
                    var a70 = V()
                    var a71 = V()
                    let xr = x + r * k
                    var wp = w + c0
                    for j in 0..<k {
                        let w0 = load(wp)
                        let w1 = load(wp + 16)
                        var s = V(repeating: xr[j])
                        a00.addProduct(s, w0)
                        a01.addProduct(s, w1)
                        s = V(repeating: xr[k + j])
                        a10.addProduct(s, w0)
                        a11.addProduct(s, w1)
                        s = V(repeating: xr[2 * k + j])
                        a20.addProduct(s, w0)
                        a21.addProduct(s, w1)
                        s = V(repeating: xr[3 * k + j])
                        a30.addProduct(s, w0)
                        a31.addProduct(s, w1)
                        s = V(repeating: xr[4 * k + j])
                        a40.addProduct(s, w0)
                        a41.addProduct(s, w1)
                        s = V(repeating: xr[5 * k + j])
                        a50.addProduct(s, w0)
                        a51.addProduct(s, w1)
                        s = V(repeating: xr[6 * k + j])
                        a60.addProduct(s, w0)
                        a61.addProduct(s, w1)
                        s = V(repeating: xr[7 * k + j])
                        a70.addProduct(s, w0)
                        a71.addProduct(s, w1)
                        wp += n
                    }
                    let o = r * n + c0
                    finish(a00, b0, lo, hi, residual.map { $0 + o }, output + o)
                    finish(a01, b1, lo, hi, residual.map { $0 + o + 16 }, output + o + 16)
                    finish(a10, b0, lo, hi, residual.map { $0 + o + n }, output + o + n)
                    finish(a11, b1, lo, hi, residual.map { $0 + o + n + 16 }, output + o + n + 16)
                    finish(a20, b0, lo, hi, residual.map { $0 + o + 2 * n }, output + o + 2 * n)
                    finish(a21, b1, lo, hi, residual.map { $0 + o + 2 * n + 16 }, output + o + 2 * n + 16)
                    finish(a30, b0, lo, hi, residual.map { $0 + o + 3 * n }, output + o + 3 * n)
                    finish(a31, b1, lo, hi, residual.map { $0 + o + 3 * n + 16 }, output + o + 3 * n + 16)
                    finish(a40, b0, lo, hi, residual.map { $0 + o + 4 * n }, output + o + 4 * n)
                    finish(a41, b1, lo, hi, residual.map { $0 + o + 4 * n + 16 }, output + o + 4 * n + 16)
                    finish(a50, b0, lo, hi, residual.map { $0 + o + 5 * n }, output + o + 5 * n)
                    finish(a51, b1, lo, hi, residual.map { $0 + o + 5 * n + 16 }, output + o + 5 * n + 16)
                    finish(a60, b0, lo, hi, residual.map { $0 + o + 6 * n }, output + o + 6 * n)
                    finish(a61, b1, lo, hi, residual.map { $0 + o + 6 * n + 16 }, output + o + 6 * n + 16)
                    finish(a70, b0, lo, hi, residual.map { $0 + o + 7 * n }, output + o + 7 * n)
                    finish(a71, b1, lo, hi, residual.map { $0 + o + 7 * n + 16 }, output + o + 7 * n + 16)
                    r += 8
                }
                tail32(x, k, w, n, b0, b1, lo, hi, residual, r, rows.upperBound, c0, output)
                c0 += 32
            }
            if n - c0 == 24 {
                columns24(x, k, w, n, bias, low, high, residual, rows, c0, output)
                return
            }
            if c0 + 16 <= n {
                columns16(x, k, w, n, bias, low, high, residual, rows, c0, output)
                c0 += 16
            }
            if c0 + 8 <= n { columns8(x, k, w, n, bias, low, high, residual, rows, c0, output) }
        }
    }

    extension AVX512Pointwise {
        /// Rows `start..<end` of the 32 columns at `c0`: four rows at a time, then single rows
        /// (four chains).
        @inline(__always)
        static func tail32(
            _ x: UnsafePointer<Float>, _ k: Int, _ w: UnsafePointer<Float>, _ n: Int, _ b0: V, _ b1: V, _ lo: V,
            _ hi: V, _ residual: UnsafePointer<Float>?, _ start: Int, _ end: Int, _ c0: Int,
            _ output: UnsafeMutablePointer<Float>
        ) {
            var r = start
            while r + 4 <= end {
                var a00 = V(), a01 = V(), a10 = V(), a11 = V(), a20 = V(), a21 = V(), a30 = V(), a31 = V()
                let xr = x + r * k
                var wp = w + c0
                for j in 0..<k {
                    let w0 = load(wp)
                    let w1 = load(wp + 16)
                    var s = V(repeating: xr[j])
                    a00.addProduct(s, w0)
                    a01.addProduct(s, w1)
                    s = V(repeating: xr[k + j])
                    a10.addProduct(s, w0)
                    a11.addProduct(s, w1)
                    s = V(repeating: xr[2 * k + j])
                    a20.addProduct(s, w0)
                    a21.addProduct(s, w1)
                    s = V(repeating: xr[3 * k + j])
                    a30.addProduct(s, w0)
                    a31.addProduct(s, w1)
                    wp += n
                }
                var o = r * n + c0
                finish(a00, b0, lo, hi, residual.map { $0 + o }, output + o)
                finish(a01, b1, lo, hi, residual.map { $0 + o + 16 }, output + o + 16)
                o += n
                finish(a10, b0, lo, hi, residual.map { $0 + o }, output + o)
                finish(a11, b1, lo, hi, residual.map { $0 + o + 16 }, output + o + 16)
                o += n
                finish(a20, b0, lo, hi, residual.map { $0 + o }, output + o)
                finish(a21, b1, lo, hi, residual.map { $0 + o + 16 }, output + o + 16)
                o += n
                finish(a30, b0, lo, hi, residual.map { $0 + o }, output + o)
                finish(a31, b1, lo, hi, residual.map { $0 + o + 16 }, output + o + 16)
                r += 4
            }
            while r < end {
                var a0 = V(), a1 = V(), a2 = V(), a3 = V()
                let xr = x + r * k
                var wp = w + c0
                var j = 0
                while j + 2 <= k {
                    let s = V(repeating: xr[j])
                    let t = V(repeating: xr[j + 1])
                    a0.addProduct(s, load(wp))
                    a1.addProduct(s, load(wp + 16))
                    a2.addProduct(t, load(wp + n))
                    a3.addProduct(t, load(wp + n + 16))
                    wp += 2 * n
                    j += 2
                }
                if j < k {
                    let s = V(repeating: xr[j])
                    a0.addProduct(s, load(wp))
                    a1.addProduct(s, load(wp + 16))
                }
                let o = r * n + c0
                finish(a0 + a2, b0, lo, hi, residual.map { $0 + o }, output + o)
                finish(a1 + a3, b1, lo, hi, residual.map { $0 + o + 16 }, output + o + 16)
                r += 1
            }
        }

        /// The last 24 columns (at `c0`): 8 rows × (16 + 8) columns in 16 registers, then fewer rows.
        @inline(__always)
        static func columns24(
            _ x: UnsafePointer<Float>, _ k: Int, _ w: UnsafePointer<Float>, _ n: Int, _ bias: UnsafePointer<Float>,
            _ low: Float, _ high: Float, _ residual: UnsafePointer<Float>?, _ rows: Range<Int>, _ c0: Int,
            _ output: UnsafeMutablePointer<Float>
        ) {
            let lo = V(repeating: low)
            let hi = V(repeating: high)
            let lh = H(repeating: low)
            let hh = H(repeating: high)
            let b0 = load(bias + c0)
            let b1 = loadH(bias + c0 + 16)
            var r = rows.lowerBound
            while r + 8 <= rows.upperBound {
                var a00 = V(), a10 = V(), a20 = V(), a30 = V(), a40 = V(), a50 = V(), a60 = V(), a70 = V()
                var a01 = H(), a11 = H(), a21 = H(), a31 = H(), a41 = H(), a51 = H(), a61 = H(), a71 = H()
                let xr = x + r * k
                var wp = w + c0
                for j in 0..<k {
                    let w0 = load(wp)
                    let w1 = loadH(wp + 16)
                    var s = V(repeating: xr[j])
                    a00.addProduct(s, w0)
                    a01.addProduct(s.lowHalf, w1)
                    s = V(repeating: xr[k + j])
                    a10.addProduct(s, w0)
                    a11.addProduct(s.lowHalf, w1)
                    s = V(repeating: xr[2 * k + j])
                    a20.addProduct(s, w0)
                    a21.addProduct(s.lowHalf, w1)
                    s = V(repeating: xr[3 * k + j])
                    a30.addProduct(s, w0)
                    a31.addProduct(s.lowHalf, w1)
                    s = V(repeating: xr[4 * k + j])
                    a40.addProduct(s, w0)
                    a41.addProduct(s.lowHalf, w1)
                    s = V(repeating: xr[5 * k + j])
                    a50.addProduct(s, w0)
                    a51.addProduct(s.lowHalf, w1)
                    s = V(repeating: xr[6 * k + j])
                    a60.addProduct(s, w0)
                    a61.addProduct(s.lowHalf, w1)
                    s = V(repeating: xr[7 * k + j])
                    a70.addProduct(s, w0)
                    a71.addProduct(s.lowHalf, w1)
                    wp += n
                }
                var o = r * n + c0
                finish(a00, b0, lo, hi, residual.map { $0 + o }, output + o)
                finishH(a01, b1, lh, hh, residual.map { $0 + o + 16 }, output + o + 16)
                o += n
                finish(a10, b0, lo, hi, residual.map { $0 + o }, output + o)
                finishH(a11, b1, lh, hh, residual.map { $0 + o + 16 }, output + o + 16)
                o += n
                finish(a20, b0, lo, hi, residual.map { $0 + o }, output + o)
                finishH(a21, b1, lh, hh, residual.map { $0 + o + 16 }, output + o + 16)
                o += n
                finish(a30, b0, lo, hi, residual.map { $0 + o }, output + o)
                finishH(a31, b1, lh, hh, residual.map { $0 + o + 16 }, output + o + 16)
                o += n
                finish(a40, b0, lo, hi, residual.map { $0 + o }, output + o)
                finishH(a41, b1, lh, hh, residual.map { $0 + o + 16 }, output + o + 16)
                o += n
                finish(a50, b0, lo, hi, residual.map { $0 + o }, output + o)
                finishH(a51, b1, lh, hh, residual.map { $0 + o + 16 }, output + o + 16)
                o += n
                finish(a60, b0, lo, hi, residual.map { $0 + o }, output + o)
                finishH(a61, b1, lh, hh, residual.map { $0 + o + 16 }, output + o + 16)
                o += n
                finish(a70, b0, lo, hi, residual.map { $0 + o }, output + o)
                finishH(a71, b1, lh, hh, residual.map { $0 + o + 16 }, output + o + 16)
                r += 8
            }
            if r < rows.upperBound {
                columns16(x, k, w, n, bias, low, high, residual, r..<rows.upperBound, c0, output)
                columns8(x, k, w, n, bias, low, high, residual, r..<rows.upperBound, c0 + 16, output)
            }
        }

        /// 16 columns at `c0`: 8 rows at a time in 8 registers, then 4, then single rows.
        @inline(__always)
        static func columns16(
            _ x: UnsafePointer<Float>, _ k: Int, _ w: UnsafePointer<Float>, _ n: Int, _ bias: UnsafePointer<Float>,
            _ low: Float, _ high: Float, _ residual: UnsafePointer<Float>?, _ rows: Range<Int>, _ c0: Int,
            _ output: UnsafeMutablePointer<Float>
        ) {
            let lo = V(repeating: low)
            let hi = V(repeating: high)
            let b0 = load(bias + c0)
            var r = rows.lowerBound
            while r + 8 <= rows.upperBound {
                var a0 = V(), a1 = V(), a2 = V(), a3 = V(), a4 = V(), a5 = V(), a6 = V(), a7 = V()
                let xr = x + r * k
                var wp = w + c0
                for j in 0..<k {
                    let w0 = load(wp)
                    a0.addProduct(V(repeating: xr[j]), w0)
                    a1.addProduct(V(repeating: xr[k + j]), w0)
                    a2.addProduct(V(repeating: xr[2 * k + j]), w0)
                    a3.addProduct(V(repeating: xr[3 * k + j]), w0)
                    a4.addProduct(V(repeating: xr[4 * k + j]), w0)
                    a5.addProduct(V(repeating: xr[5 * k + j]), w0)
                    a6.addProduct(V(repeating: xr[6 * k + j]), w0)
                    a7.addProduct(V(repeating: xr[7 * k + j]), w0)
                    wp += n
                }
                var o = r * n + c0
                finish(a0, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finish(a1, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finish(a2, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finish(a3, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finish(a4, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finish(a5, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finish(a6, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finish(a7, b0, lo, hi, residual.map { $0 + o }, output + o)
                r += 8
            }
            while r < rows.upperBound {
                var a0 = V(), a1 = V(), a2 = V(), a3 = V()
                let xr = x + r * k
                var wp = w + c0
                var j = 0
                while j + 4 <= k {
                    a0.addProduct(V(repeating: xr[j]), load(wp))
                    a1.addProduct(V(repeating: xr[j + 1]), load(wp + n))
                    a2.addProduct(V(repeating: xr[j + 2]), load(wp + 2 * n))
                    a3.addProduct(V(repeating: xr[j + 3]), load(wp + 3 * n))
                    wp += 4 * n
                    j += 4
                }
                while j < k {
                    a0.addProduct(V(repeating: xr[j]), load(wp))
                    wp += n
                    j += 1
                }
                let o = r * n + c0
                finish((a0 + a1) + (a2 + a3), b0, lo, hi, residual.map { $0 + o }, output + o)
                r += 1
            }
        }

        /// 8 columns at `c0`: 8 rows at a time in 8 registers, then single rows.
        @inline(__always)
        static func columns8(
            _ x: UnsafePointer<Float>, _ k: Int, _ w: UnsafePointer<Float>, _ n: Int, _ bias: UnsafePointer<Float>,
            _ low: Float, _ high: Float, _ residual: UnsafePointer<Float>?, _ rows: Range<Int>, _ c0: Int,
            _ output: UnsafeMutablePointer<Float>
        ) {
            let lo = H(repeating: low)
            let hi = H(repeating: high)
            let b0 = loadH(bias + c0)
            var r = rows.lowerBound
            while r + 8 <= rows.upperBound {
                var a0 = H(), a1 = H(), a2 = H(), a3 = H(), a4 = H(), a5 = H(), a6 = H(), a7 = H()
                let xr = x + r * k
                var wp = w + c0
                for j in 0..<k {
                    let w0 = loadH(wp)
                    a0.addProduct(H(repeating: xr[j]), w0)
                    a1.addProduct(H(repeating: xr[k + j]), w0)
                    a2.addProduct(H(repeating: xr[2 * k + j]), w0)
                    a3.addProduct(H(repeating: xr[3 * k + j]), w0)
                    a4.addProduct(H(repeating: xr[4 * k + j]), w0)
                    a5.addProduct(H(repeating: xr[5 * k + j]), w0)
                    a6.addProduct(H(repeating: xr[6 * k + j]), w0)
                    a7.addProduct(H(repeating: xr[7 * k + j]), w0)
                    wp += n
                }
                var o = r * n + c0
                finishH(a0, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finishH(a1, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finishH(a2, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finishH(a3, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finishH(a4, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finishH(a5, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finishH(a6, b0, lo, hi, residual.map { $0 + o }, output + o)
                o += n
                finishH(a7, b0, lo, hi, residual.map { $0 + o }, output + o)
                r += 8
            }
            while r < rows.upperBound {
                var a0 = H(), a1 = H(), a2 = H(), a3 = H()
                let xr = x + r * k
                var wp = w + c0
                var j = 0
                while j + 4 <= k {
                    a0.addProduct(H(repeating: xr[j]), loadH(wp))
                    a1.addProduct(H(repeating: xr[j + 1]), loadH(wp + n))
                    a2.addProduct(H(repeating: xr[j + 2]), loadH(wp + 2 * n))
                    a3.addProduct(H(repeating: xr[j + 3]), loadH(wp + 3 * n))
                    wp += 4 * n
                    j += 4
                }
                while j < k {
                    a0.addProduct(H(repeating: xr[j]), loadH(wp))
                    wp += n
                    j += 1
                }
                let o = r * n + c0
                finishH((a0 + a1) + (a2 + a3), b0, lo, hi, residual.map { $0 + o }, output + o)
                r += 1
            }
        }
    }
#endif
