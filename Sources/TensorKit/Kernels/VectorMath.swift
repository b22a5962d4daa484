#if arch(x86_64)
    import _Builtin_intrinsics.intel
#else
    import Foundation
#endif

/// `exp`, the logistic sigmoid and `tanh` on eight floats at once, for inference kernels whose
/// gate arithmetic would otherwise call the C library once per element (an LSTM step's 5 × 128
/// transcendental calls cost more than its matrix-vector product).
///
/// `exp` is Cephes's `expf`: `x = n ln 2 + r` with `|r| ≤ ln 2 / 2`, `e^r` as a degree-7
/// polynomial, `2^n` put into the exponent bits; relative error about 2e-7 over the float range,
/// inputs clamped to [-87.34, 88] (so it never returns infinity or a denormal). `sigmoid(x) = 1 / (1 +
/// e^-x)`, `tanh(x) = 2 sigmoid(2x) − 1` (absolute error about 1e-7). On x86 the rounding and the
/// exponent bits go through the compiler's AVX2 intrinsics.
public enum VectorMath {
    public typealias V = SIMD8<Float>

    /// `e^x` lane by lane.
    @inline(__always)
    public static func exp(_ x: V) -> V {
        let clamped = vmin(vmax(x, V(repeating: -87.336_5)), V(repeating: 88.0))
        #if arch(x86_64)
            // Round to nearest (the default MXCSR mode) through the integer conversion.
            let n = _mm256_cvtps_epi32(clamped * V(repeating: 1.442_695_04))
            let fx: V = _mm256_cvtepi32_ps(n)
        #else
            let fx = (clamped * V(repeating: 1.442_695_04)).rounded(.toNearestOrEven)
        #endif
        // r = x - n ln 2, ln 2 in two parts so the product is exact.
        var r = clamped - fx * V(repeating: 0.693_359_375)
        r += fx * V(repeating: 2.121_944_4e-4)
        var p = V(repeating: 1.987_569_15e-4)
        p = p * r + V(repeating: 1.398_199_95e-3)
        p = p * r + V(repeating: 8.333_451_9e-3)
        p = p * r + V(repeating: 4.166_579_59e-2)
        p = p * r + V(repeating: 1.666_666_55e-1)
        p = p * r + V(repeating: 5.000_000_12e-1)
        let er = p * (r * r) + r + V(repeating: 1)
        #if arch(x86_64)
            let bits = _mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23)
            let scale: V = _mm256_castsi256_ps(bits)
        #else
            let biased = (SIMD8<Int32>(fx, rounding: .toNearestOrEven) &+ 127) &<< 23
            let scale = unsafeBitCast(biased, to: V.self)
        #endif
        return er * scale
    }

    /// `1 / (1 + e^-x)` lane by lane.
    @inline(__always)
    public static func sigmoid(_ x: V) -> V {
        V(repeating: 1) / (V(repeating: 1) + exp(-x))
    }

    /// `tanh(x)` lane by lane.
    @inline(__always)
    public static func tanh(_ x: V) -> V {
        V(repeating: 2) * sigmoid(x + x) - V(repeating: 1)
    }
}
