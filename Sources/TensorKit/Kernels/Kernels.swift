import CBLAS

/// Low-level loops over raw buffers. No allocation, no closures per element.
public enum Kernels {
    /// `a[i] += b[i]`
    @inlinable public static func add(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) {
        cblas_saxpy(Int32(n), 1, b, 1, a, 1)
    }

    /// `y[i] += alpha * x[i]`
    @inlinable public static func axpy(
        _ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        cblas_saxpy(Int32(n), alpha, x, 1, y, 1)
    }

    /// `a[i] *= s`
    @inlinable public static func scale(_ a: UnsafeMutablePointer<Float>, _ s: Float, _ n: Int) {
        cblas_sscal(Int32(n), s, a, 1)
    }

    /// Adds the vector `v` (`cols` long) to each of `rows` contiguous rows of `m`.
    @inlinable public static func addRowVector(
        _ m: UnsafeMutablePointer<Float>, rows: Int, cols: Int, _ v: UnsafePointer<Float>
    ) {
        for r in 0..<rows {
            let row = m + r * cols
            for j in 0..<cols { row[j] += v[j] }
        }
    }

    /// Copies `n` floats (short runs such as one im2col window row): 8-wide vector moves, the last
    /// one overlapping the previous when `n` is not a multiple of 8.
    @inline(__always) public static func copyRun(
        _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        typealias V = SIMD8<Float>
        if n < 8 {
            for i in 0..<n { dst[i] = src[i] }
            return
        }
        var i = 0
        while i + 8 <= n {
            UnsafeMutableRawPointer(dst + i).storeBytes(
                of: UnsafeRawPointer(src + i).loadUnaligned(as: V.self), as: V.self)
            i += 8
        }
        if i < n {
            let j = n - 8
            UnsafeMutableRawPointer(dst + j).storeBytes(
                of: UnsafeRawPointer(src + j).loadUnaligned(as: V.self), as: V.self)
        }
    }

    /// `dst[i] += src[i]` for `n` floats (short runs), 8 at a time.
    @inline(__always) public static func addRun(
        _ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        typealias V = SIMD8<Float>
        var i = 0
        while i + 8 <= n {
            let d = UnsafeMutableRawPointer(dst + i)
            d.storeBytes(
                of: d.loadUnaligned(as: V.self) + UnsafeRawPointer(src + i).loadUnaligned(as: V.self), as: V.self)
            i += 8
        }
        while i < n {
            dst[i] += src[i]
            i += 1
        }
    }

    /// Column sums of a `rows × cols` matrix into `out` (overwritten).
    @inlinable public static func sumRows(
        _ m: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>
    ) {
        if cols % 8 == 0 && cols <= 32 && rows >= 4 {
            sumRowsNarrow(m, rows: rows, cols: cols, into: out)
            return
        }
        for j in 0..<cols { out[j] = 0 }
        for r in 0..<rows {
            let row = m + r * cols
            for j in 0..<cols { out[j] += row[j] }
        }
    }

    /// ``sumRows(_:rows:cols:into:)`` for 8, 16, 24 or 32 columns (conv bias gradients): each 8-wide
    /// column block summed in registers, four rows in flight.
    @usableFromInline static func sumRowsNarrow(
        _ m: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD8<Float>
        for block in stride(from: 0, to: cols, by: 8) {
            var a = V()
            var b = V()
            var c = V()
            var d = V()
            var p = m + block
            var r = 0
            while r + 4 <= rows {
                a += UnsafeRawPointer(p).loadUnaligned(as: V.self)
                b += UnsafeRawPointer(p + cols).loadUnaligned(as: V.self)
                c += UnsafeRawPointer(p + 2 * cols).loadUnaligned(as: V.self)
                d += UnsafeRawPointer(p + 3 * cols).loadUnaligned(as: V.self)
                p += 4 * cols
                r += 4
            }
            while r < rows {
                a += UnsafeRawPointer(p).loadUnaligned(as: V.self)
                p += cols
                r += 1
            }
            UnsafeMutableRawPointer(out + block).storeBytes(of: (a + b) + (c + d), as: V.self)
        }
    }

    /// Sum of `n` values with 8 accumulators.
    @inlinable public static func sum(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>.zero
        var i = 0
        while i + 8 <= n {
            acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < n {
            s += a[i]
            i += 1
        }
        return s
    }

    /// `y = A·x` for a row-major `m × n` matrix `A` (leading dimension `lda`), single-threaded BLAS.
    public static func gemv(
        m: Int, n: Int, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
    ) {
        BLAS.ensureSingleThreaded()
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), 1, a, Int32(lda), x, 1, 0, y, 1)
    }

    /// Row-major single-precision GEMM: `C = alpha * op(A) * op(B) + beta * C`, with
    /// `op(A)` m×k and `op(B)` k×n.
    ///
    /// OpenBLAS always runs single-threaded; a product worth two cores (outside a parallel region)
    /// is split by rows, or by columns when it has few rows, across ``Parallel`` workers.
    public static func gemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        BLAS.ensureSingleThreaded()
        let macs = m * n * k
        // Products worth two cores are split across TensorKit's workers, each calling OpenBLAS
        // single-threaded: OpenBLAS's own threads spin for tens of milliseconds after a call and
        // would steal the other core from the next kernel (a batch-1 inference right after a big
        // GEMM ran 1.5x slower).
        if macs >= 1 << 21 && Parallel.threadCount > 1 && !Parallel.isInsideRegion {
            let ta = transA ? CblasTrans : CblasNoTrans
            let tb = transB ? CblasTrans : CblasNoTrans
            if m >= 64 {
                Parallel.forEachChunk(m, grain: 32) { rows in
                    let aRows = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
                    cblas_sgemm(
                        CblasRowMajor, ta, tb, Int32(rows.count), Int32(n), Int32(k), alpha, aRows, Int32(lda),
                        b, Int32(ldb), beta, c + rows.lowerBound * ldc, Int32(ldc))
                }
                return
            }
            if n >= 64 {
                Parallel.forEachChunk(n, grain: 32) { cols in
                    let bCols = transB ? b + cols.lowerBound * ldb : b + cols.lowerBound
                    cblas_sgemm(
                        CblasRowMajor, ta, tb, Int32(m), Int32(cols.count), Int32(k), alpha, a, Int32(lda),
                        bCols, Int32(ldb), beta, c + cols.lowerBound, Int32(ldc))
                }
                return
            }
        }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// Controls OpenBLAS's own thread pool.
public enum BLAS {
    private static let singleThreaded: Void = { openblas_set_num_threads(1) }()

    /// TensorKit parallelises around BLAS calls itself (``Parallel/threadCount`` sets how many
    /// threads), so OpenBLAS runs with one thread.
    static func ensureSingleThreaded() { _ = singleThreaded }
}
