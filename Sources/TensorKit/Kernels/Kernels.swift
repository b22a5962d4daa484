import CBLAS

/// Low-level loops over raw buffers. No allocation, no closures per element.
public enum Kernels {
    /// `a[i] += b[i]`
    @inlinable public static func add(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) {
        cblas_saxpy(Int32(n), 1, b, 1, a, 1)
    }

    /// `y[i] += alpha * x[i]`
    @inlinable public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        cblas_saxpy(Int32(n), alpha, x, 1, y, 1)
    }

    /// `a[i] *= s`
    @inlinable public static func scale(_ a: UnsafeMutablePointer<Float>, _ s: Float, _ n: Int) {
        cblas_sscal(Int32(n), s, a, 1)
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
        while i < n { s += a[i]; i += 1 }
        return s
    }

    /// Row-major single-precision GEMM: `C = alpha * op(A) * op(B) + beta * C`, with
    /// `op(A)` m×k and `op(B)` k×n.
    @inlinable public static func gemm(transA: Bool = false, transB: Bool = false,
                                       m: Int, n: Int, k: Int, alpha: Float = 1,
                                       a: UnsafePointer<Float>, lda: Int,
                                       b: UnsafePointer<Float>, ldb: Int,
                                       beta: Float = 0,
                                       c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// Controls OpenBLAS's own thread pool.
public enum BLAS {
    /// Sets the number of threads OpenBLAS uses for GEMM.
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    /// The number of threads OpenBLAS uses.
    public static var threads: Int { Int(openblas_get_num_threads()) }
}
