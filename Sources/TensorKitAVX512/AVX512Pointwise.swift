#if arch(x86_64)
    /// A 1×1 convolution (a GEMM of pixels `[rows, k]` by weights `[k, n]`) fused with its epilogue:
    /// `y = clamp(x · W + bias, low, high) + residual`, written for AVX-512.
    ///
    /// Weights are packed once, `[k, n]` with output channels contiguous. Each step keeps an 8-row
    /// by 32-column tile in 16 registers: per input channel two weight vectors are loaded and each
    /// row's input broadcast into two FMAs, so no copy of either matrix is made per call (OpenBLAS
    /// packs both on every call, which dominates at MobileNet's small sizes). Columns go 32, then
    /// 16, then 8 at a time; `n` must be a multiple of 8. Rows past the last multiple of 8 run one
    /// at a time.
    public enum AVX512Pointwise {
        typealias V = SIMD16<Float>
        typealias H = SIMD8<Float>

        @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V {
            UnsafeRawPointer(p).loadUnaligned(as: V.self)
        }

        @inline(__always) static func loadH(_ p: UnsafePointer<Float>) -> H {
            UnsafeRawPointer(p).loadUnaligned(as: H.self)
        }

        @inline(__always) static func finish(
            _ a: V, _ b: V, _ lo: V, _ hi: V, _ res: UnsafePointer<Float>?, _ dst: UnsafeMutablePointer<Float>
        ) {
            var v = a + b
            v = v.replacing(with: lo, where: v .< lo)
            v = v.replacing(with: hi, where: v .> hi)
            if let res { v += load(res) }
            UnsafeMutableRawPointer(dst).storeBytes(of: v, as: V.self)
        }

        @inline(__always) static func finishH(
            _ a: H, _ b: H, _ lo: H, _ hi: H, _ res: UnsafePointer<Float>?, _ dst: UnsafeMutablePointer<Float>
        ) {
            var v = a + b
            v = v.replacing(with: lo, where: v .< lo)
            v = v.replacing(with: hi, where: v .> hi)
            if let res { v += loadH(res) }
            UnsafeMutableRawPointer(dst).storeBytes(of: v, as: H.self)
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
                    var a00 = V(), a01 = V(), a10 = V(), a11 = V(), a20 = V(), a21 = V(), a30 = V(), a31 = V()
                    var a40 = V(), a41 = V(), a50 = V(), a51 = V(), a60 = V(), a61 = V(), a70 = V(), a71 = V()
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
                    store8x2(
                        (a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, a60, a61, a70, a71), b0, b1,
                        lo, hi, residual, r, n, c0, output)
                    r += 8
                }
                while r < rows.upperBound {
                    var a0 = V()
                    var a1 = V()
                    let xr = x + r * k
                    var wp = w + c0
                    for j in 0..<k {
                        let s = V(repeating: xr[j])
                        a0.addProduct(s, load(wp))
                        a1.addProduct(s, load(wp + 16))
                        wp += n
                    }
                    let o = r * n + c0
                    finish(a0, b0, lo, hi, residual.map { $0 + o }, output + o)
                    finish(a1, b1, lo, hi, residual.map { $0 + o + 16 }, output + o + 16)
                    r += 1
                }
                c0 += 32
            }
            if c0 + 16 <= n {
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
                    let o = r * n + c0
                    finish(a0, b0, lo, hi, residual.map { $0 + o }, output + o)
                    finish(a1, b0, lo, hi, residual.map { $0 + o + n }, output + o + n)
                    finish(a2, b0, lo, hi, residual.map { $0 + o + 2 * n }, output + o + 2 * n)
                    finish(a3, b0, lo, hi, residual.map { $0 + o + 3 * n }, output + o + 3 * n)
                    finish(a4, b0, lo, hi, residual.map { $0 + o + 4 * n }, output + o + 4 * n)
                    finish(a5, b0, lo, hi, residual.map { $0 + o + 5 * n }, output + o + 5 * n)
                    finish(a6, b0, lo, hi, residual.map { $0 + o + 6 * n }, output + o + 6 * n)
                    finish(a7, b0, lo, hi, residual.map { $0 + o + 7 * n }, output + o + 7 * n)
                    r += 8
                }
                while r < rows.upperBound {
                    var a0 = V()
                    let xr = x + r * k
                    var wp = w + c0
                    for j in 0..<k {
                        a0.addProduct(V(repeating: xr[j]), load(wp))
                        wp += n
                    }
                    let o = r * n + c0
                    finish(a0, b0, lo, hi, residual.map { $0 + o }, output + o)
                    r += 1
                }
                c0 += 16
            }
            if c0 + 8 <= n {
                let lh = H(repeating: low)
                let hh = H(repeating: high)
                let b0 = loadH(bias + c0)
                for r in rows {
                    var a0 = H()
                    var a1 = H()
                    let xr = x + r * k
                    var wp = w + c0
                    var j = 0
                    while j + 2 <= k {
                        a0.addProduct(H(repeating: xr[j]), loadH(wp))
                        a1.addProduct(H(repeating: xr[j + 1]), loadH(wp + n))
                        wp += 2 * n
                        j += 2
                    }
                    if j < k { a0.addProduct(H(repeating: xr[j]), loadH(wp)) }
                    let o = r * n + c0
                    finishH(a0 + a1, b0, lh, hh, residual.map { $0 + o }, output + o)
                }
            }
        }

        @inline(__always)
        static func store8x2(
            _ a: (V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V), _ b0: V, _ b1: V, _ lo: V, _ hi: V,
            _ residual: UnsafePointer<Float>?, _ r: Int, _ n: Int, _ c0: Int, _ output: UnsafeMutablePointer<Float>
        ) {
            let o = r * n + c0
            func put(_ v: V, _ b: V, _ off: Int) { finish(v, b, lo, hi, residual.map { $0 + off }, output + off) }
            put(a.0, b0, o)
            put(a.1, b1, o + 16)
            put(a.2, b0, o + n)
            put(a.3, b1, o + n + 16)
            put(a.4, b0, o + 2 * n)
            put(a.5, b1, o + 2 * n + 16)
            put(a.6, b0, o + 3 * n)
            put(a.7, b1, o + 3 * n + 16)
            put(a.8, b0, o + 4 * n)
            put(a.9, b1, o + 4 * n + 16)
            put(a.10, b0, o + 5 * n)
            put(a.11, b1, o + 5 * n + 16)
            put(a.12, b0, o + 6 * n)
            put(a.13, b1, o + 6 * n + 16)
            put(a.14, b0, o + 7 * n)
            put(a.15, b1, o + 7 * n + 16)
        }
    }
#endif
