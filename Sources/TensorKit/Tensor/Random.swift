/// A small, fast, seedable generator (xoshiro256**), so that runs repeat exactly from a seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    private var spare: Float?

    /// Creates a generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) {
        var x = seed &+ 0x9E3779B97F4A7C15
        func splitmix(_ x: inout UInt64) -> UInt64 {
            x = x &+ 0x9E3779B97F4A7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        s = (splitmix(&x), splitmix(&x), splitmix(&x), splitmix(&x))
    }

    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// A uniform value in [0, 1).
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / Float(1 << 24))
    }

    /// A standard normal value (Box–Muller; both values of each pair are used).
    public mutating func nextNormal() -> Float {
        if let v = spare { spare = nil; return v }
        var u1 = nextUniform()
        while u1 <= 1e-7 { u1 = nextUniform() }
        let u2 = nextUniform()
        let r = (-2 * _logf(u1)).squareRoot(), a = 2 * Float.pi * u2
        spare = r * _sinf(a)
        return r * _cosf(a)
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _logf(_ x: Float) -> Float { Glibc.logf(x) }
@inline(__always) private func _cosf(_ x: Float) -> Float { Glibc.cosf(x) }
@inline(__always) private func _sinf(_ x: Float) -> Float { Glibc.sinf(x) }
#else
import Darwin
@inline(__always) private func _logf(_ x: Float) -> Float { Darwin.logf(x) }
@inline(__always) private func _cosf(_ x: Float) -> Float { Darwin.cosf(x) }
@inline(__always) private func _sinf(_ x: Float) -> Float { Darwin.sinf(x) }
#endif

extension Tensor {
    /// Values drawn uniformly from [low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               using rng: inout SeededGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor.uninitialized(shape)
        for i in 0..<t.count { t.pointer[i] = low + (high - low) * rng.nextUniform() }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Values drawn from a normal distribution.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              using rng: inout SeededGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor.uninitialized(shape)
        for i in 0..<t.count { t.pointer[i] = mean + std * rng.nextNormal() }
        t.requiresGrad = requiresGrad
        return t
    }
}
