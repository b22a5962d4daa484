#if arch(x86_64)
    import TensorKitAVX512
    import _Builtin_intrinsics.intel
#endif

/// A 1×1 convolution over NHWC pixels fused with its epilogue (MobileNet's expansion and
/// projection): `y = clamp(x · W + bias, low, high) + residual`, from weights packed once as
/// `[k, n]` (output channels contiguous).
///
/// Register-tiled: 6 rows × 16 output channels in 12 AVX2 registers here, 8 rows × 32 channels in
/// 16 AVX-512 registers in ``AVX512Pointwise`` (when ``DirectConv/useAVX512``). The edges are
/// tiled too (AVX2: a last 24 channels as 4 × 24, 8 channels as 6 × 8, left-over rows 3 at a time,
/// single rows on four chains), so the 24-channel projections and 9-pixel maps run near the full
/// tile's rate rather than at one latency-bound chain per row. Neither matrix is copied per call,
/// and bias, ReLU6 and the residual are applied to the tile in registers before its one store;
/// OpenBLAS packs both operands on every call, which at MobileNet's sizes (few pixels, or few
/// channels) costs more than the products. `n` must be a multiple of 8.
public enum PointwiseConv {
    /// PyTorch-layout weights `[n, k]` (a `[n, k, 1, 1]` convolution) as `[k, n]`.
    public static func packWeights(_ w: UnsafePointer<Float>, outputs n: Int, inputs k: Int) -> [Float] {
        var out = [Float](repeating: 0, count: n * k)
        for o in 0..<n {
            for i in 0..<k { out[i * n + o] = w[o * k + i] }
        }
        return out
    }

    /// Every row of `y [rows, n]`, split between TensorKit's workers when called outside a
    /// parallel region and worth it.
    public static func forward(
        x: UnsafePointer<Float>, rows m: Int, k: Int, weights: UnsafePointer<Float>, n: Int,
        bias: UnsafePointer<Float>, low: Float = -.infinity, high: Float = .infinity,
        residual: UnsafePointer<Float>? = nil, output: UnsafeMutablePointer<Float>
    ) {
        precondition(n % 8 == 0, "PointwiseConv needs a multiple of 8 output channels, got \(n)")
        if m * n * k >= 1 << 19 && !Parallel.isInsideRegion && Parallel.threadCount > 1 && m >= 16 {
            let parts = Swift.min(Parallel.threadCount, m / 8)
            let step = (m / parts + 7) / 8 * 8
            Parallel.forEachChunk(parts) { pr in
                for p in pr {
                    let lo = p * step
                    let hi = p == parts - 1 ? m : Swift.min(m, lo + step)
                    if lo < hi { rows(x, k, weights, n, bias, low, high, residual, lo..<hi, output) }
                }
            }
        } else {
            rows(x, k, weights, n, bias, low, high, residual, 0..<m, output)
        }
    }

    static func rows(
        _ x: UnsafePointer<Float>, _ k: Int, _ w: UnsafePointer<Float>, _ n: Int, _ bias: UnsafePointer<Float>,
        _ low: Float, _ high: Float, _ residual: UnsafePointer<Float>?, _ rows: Range<Int>,
        _ output: UnsafeMutablePointer<Float>
    ) {
        #if arch(x86_64)
            if DirectConv.useAVX512 {
                AVX512Pointwise.run(
                    x: x, k: k, weights: w, n: n, bias: bias, low: low, high: high, residual: residual, rows: rows,
                    output: output)
                return
            }
        #endif
        rowsAVX2(x, k, w, n, bias, low, high, residual, rows, output)
    }

    typealias V = SIMD8<Float>

    @_transparent static func load(_ p: UnsafePointer<Float>) -> V {
        #if arch(x86_64)
            return _mm256_loadu_ps(p)
        #else
            return UnsafeRawPointer(p).loadUnaligned(as: V.self)
        #endif
    }

    @_transparent static func finish(
        _ a: V, _ b: V, _ lo: V, _ hi: V, _ res: UnsafePointer<Float>?, _ dst: UnsafeMutablePointer<Float>
    ) {
        var v = vmin(vmax(a + b, lo), hi)
        if let res { v += load(res) }
        #if arch(x86_64)
            _mm256_storeu_ps(dst, v)
        #else
            UnsafeMutableRawPointer(dst).storeBytes(of: v, as: V.self)
        #endif
    }

    /// The AVX2 kernel: 6 × 16 tiles with their row tail (``tail16``), a last 24 columns as 4 × 24
    /// tiles (``columns24``), a last 8 as 6 × 8 (``tail8``).
    static func rowsAVX2(
        _ x: UnsafePointer<Float>, _ k: Int, _ w: UnsafePointer<Float>, _ n: Int, _ bias: UnsafePointer<Float>,
        _ low: Float, _ high: Float, _ residual: UnsafePointer<Float>?, _ rows: Range<Int>,
        _ output: UnsafeMutablePointer<Float>
    ) {
        let lo = V(repeating: low)
        let hi = V(repeating: high)
        var c0 = 0
        while c0 + 16 <= n {
            if n - c0 == 24 {
                columns24(x, k, w, n, bias, lo, hi, residual, rows, c0, output)
                return
            }
            let b0 = load(bias + c0)
            let b1 = load(bias + c0 + 8)
            var r = rows.lowerBound
            while r + 6 <= rows.upperBound {
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
                let xr = x + r * k
                var wp = w + c0
                for j in 0..<k {
                    let w0 = load(wp)
                    let w1 = load(wp + 8)
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
                    wp += n
                }
                let o = r * n + c0
                finish(a00, b0, lo, hi, residual.map { $0 + o }, output + o)
                finish(a01, b1, lo, hi, residual.map { $0 + o + 8 }, output + o + 8)
                finish(a10, b0, lo, hi, residual.map { $0 + o + n }, output + o + n)
                finish(a11, b1, lo, hi, residual.map { $0 + o + n + 8 }, output + o + n + 8)
                finish(a20, b0, lo, hi, residual.map { $0 + o + 2 * n }, output + o + 2 * n)
                finish(a21, b1, lo, hi, residual.map { $0 + o + 2 * n + 8 }, output + o + 2 * n + 8)
                finish(a30, b0, lo, hi, residual.map { $0 + o + 3 * n }, output + o + 3 * n)
                finish(a31, b1, lo, hi, residual.map { $0 + o + 3 * n + 8 }, output + o + 3 * n + 8)
                finish(a40, b0, lo, hi, residual.map { $0 + o + 4 * n }, output + o + 4 * n)
                finish(a41, b1, lo, hi, residual.map { $0 + o + 4 * n + 8 }, output + o + 4 * n + 8)
                finish(a50, b0, lo, hi, residual.map { $0 + o + 5 * n }, output + o + 5 * n)
                finish(a51, b1, lo, hi, residual.map { $0 + o + 5 * n + 8 }, output + o + 5 * n + 8)
                r += 6
            }
            tail16(x, k, w, n, b0, b1, lo, hi, residual, r, rows.upperBound, c0, output)
            c0 += 16
        }
        if c0 + 8 <= n { tail8(x, k, w, n, bias, lo, hi, residual, rows, c0, output) }
    }
}

extension PointwiseConv {
    /// Rows `r..<end` of the 16 columns at `c0`, three rows at a time, then one (four chains).
    @inline(__always)
    static func tail16(
        _ x: UnsafePointer<Float>, _ k: Int, _ w: UnsafePointer<Float>, _ n: Int, _ b0: V, _ b1: V, _ lo: V,
        _ hi: V, _ residual: UnsafePointer<Float>?, _ start: Int, _ end: Int, _ c0: Int,
        _ output: UnsafeMutablePointer<Float>
    ) {
        var r = start
        while r + 3 <= end {
            var a00 = V(), a01 = V(), a10 = V(), a11 = V(), a20 = V(), a21 = V()
            let xr = x + r * k
            var wp = w + c0
            for j in 0..<k {
                let w0 = load(wp)
                let w1 = load(wp + 8)
                var s = V(repeating: xr[j])
                a00.addProduct(s, w0)
                a01.addProduct(s, w1)
                s = V(repeating: xr[k + j])
                a10.addProduct(s, w0)
                a11.addProduct(s, w1)
                s = V(repeating: xr[2 * k + j])
                a20.addProduct(s, w0)
                a21.addProduct(s, w1)
                wp += n
            }
            let o = r * n + c0
            finish(a00, b0, lo, hi, residual.map { $0 + o }, output + o)
            finish(a01, b1, lo, hi, residual.map { $0 + o + 8 }, output + o + 8)
            finish(a10, b0, lo, hi, residual.map { $0 + o + n }, output + o + n)
            finish(a11, b1, lo, hi, residual.map { $0 + o + n + 8 }, output + o + n + 8)
            finish(a20, b0, lo, hi, residual.map { $0 + o + 2 * n }, output + o + 2 * n)
            finish(a21, b1, lo, hi, residual.map { $0 + o + 2 * n + 8 }, output + o + 2 * n + 8)
            r += 3
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
                a1.addProduct(s, load(wp + 8))
                a2.addProduct(t, load(wp + n))
                a3.addProduct(t, load(wp + n + 8))
                wp += 2 * n
                j += 2
            }
            if j < k {
                let s = V(repeating: xr[j])
                a0.addProduct(s, load(wp))
                a1.addProduct(s, load(wp + 8))
            }
            let o = r * n + c0
            finish(a0 + a2, b0, lo, hi, residual.map { $0 + o }, output + o)
            finish(a1 + a3, b1, lo, hi, residual.map { $0 + o + 8 }, output + o + 8)
            r += 1
        }
    }

    /// The last 24 columns (at `c0`): 4 × 24 tiles in 12 registers, then single rows.
    @inline(__always)
    static func columns24(
        _ x: UnsafePointer<Float>, _ k: Int, _ w: UnsafePointer<Float>, _ n: Int, _ bias: UnsafePointer<Float>,
        _ lo: V, _ hi: V, _ residual: UnsafePointer<Float>?, _ rows: Range<Int>, _ c0: Int,
        _ output: UnsafeMutablePointer<Float>
    ) {
        let b0 = load(bias + c0)
        let b1 = load(bias + c0 + 8)
        let b2 = load(bias + c0 + 16)
        var r = rows.lowerBound
        while r + 4 <= rows.upperBound {
            var a00 = V(), a01 = V(), a02 = V(), a10 = V(), a11 = V(), a12 = V()
            var a20 = V(), a21 = V(), a22 = V(), a30 = V(), a31 = V(), a32 = V()
            let xr = x + r * k
            var wp = w + c0
            for j in 0..<k {
                let w0 = load(wp)
                let w1 = load(wp + 8)
                let w2 = load(wp + 16)
                var s = V(repeating: xr[j])
                a00.addProduct(s, w0)
                a01.addProduct(s, w1)
                a02.addProduct(s, w2)
                s = V(repeating: xr[k + j])
                a10.addProduct(s, w0)
                a11.addProduct(s, w1)
                a12.addProduct(s, w2)
                s = V(repeating: xr[2 * k + j])
                a20.addProduct(s, w0)
                a21.addProduct(s, w1)
                a22.addProduct(s, w2)
                s = V(repeating: xr[3 * k + j])
                a30.addProduct(s, w0)
                a31.addProduct(s, w1)
                a32.addProduct(s, w2)
                wp += n
            }
            var o = r * n + c0
            finish(a00, b0, lo, hi, residual.map { $0 + o }, output + o)
            finish(a01, b1, lo, hi, residual.map { $0 + o + 8 }, output + o + 8)
            finish(a02, b2, lo, hi, residual.map { $0 + o + 16 }, output + o + 16)
            o += n
            finish(a10, b0, lo, hi, residual.map { $0 + o }, output + o)
            finish(a11, b1, lo, hi, residual.map { $0 + o + 8 }, output + o + 8)
            finish(a12, b2, lo, hi, residual.map { $0 + o + 16 }, output + o + 16)
            o += n
            finish(a20, b0, lo, hi, residual.map { $0 + o }, output + o)
            finish(a21, b1, lo, hi, residual.map { $0 + o + 8 }, output + o + 8)
            finish(a22, b2, lo, hi, residual.map { $0 + o + 16 }, output + o + 16)
            o += n
            finish(a30, b0, lo, hi, residual.map { $0 + o }, output + o)
            finish(a31, b1, lo, hi, residual.map { $0 + o + 8 }, output + o + 8)
            finish(a32, b2, lo, hi, residual.map { $0 + o + 16 }, output + o + 16)
            r += 4
        }
        if r < rows.upperBound {
            tail16(x, k, w, n, b0, b1, lo, hi, residual, r, rows.upperBound, c0, output)
            tail8(x, k, w, n, bias, lo, hi, residual, r..<rows.upperBound, c0 + 16, output)
        }
    }

    /// The last 8 columns (at `c0`): 6 rows at a time in 6 registers, then single rows.
    @inline(__always)
    static func tail8(
        _ x: UnsafePointer<Float>, _ k: Int, _ w: UnsafePointer<Float>, _ n: Int, _ bias: UnsafePointer<Float>,
        _ lo: V, _ hi: V, _ residual: UnsafePointer<Float>?, _ rows: Range<Int>, _ c0: Int,
        _ output: UnsafeMutablePointer<Float>
    ) {
        let b0 = load(bias + c0)
        var r = rows.lowerBound
        while r + 6 <= rows.upperBound {
            var a0 = V(), a1 = V(), a2 = V(), a3 = V(), a4 = V(), a5 = V()
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
                wp += n
            }
            let o = r * n + c0
            finish(a0, b0, lo, hi, residual.map { $0 + o }, output + o)
            finish(a1, b0, lo, hi, residual.map { $0 + o + n }, output + o + n)
            finish(a2, b0, lo, hi, residual.map { $0 + o + 2 * n }, output + o + 2 * n)
            finish(a3, b0, lo, hi, residual.map { $0 + o + 3 * n }, output + o + 3 * n)
            finish(a4, b0, lo, hi, residual.map { $0 + o + 4 * n }, output + o + 4 * n)
            finish(a5, b0, lo, hi, residual.map { $0 + o + 5 * n }, output + o + 5 * n)
            r += 6
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
}
