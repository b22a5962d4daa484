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

    /// A standard normal value (Marsaglia's polar method; both values of each pair are used).
    public mutating func nextNormal() -> Float {
        if let v = spare { spare = nil; return v }
        while true {
            let u = 2 * nextUniform() - 1, v = 2 * nextUniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let f = (-2 * _logf(s) / s).squareRoot()
                spare = v * f
                return u * f
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _logf(_ x: Float) -> Float { Glibc.logf(x) }

#else
import Darwin
@inline(__always) private func _logf(_ x: Float) -> Float { Darwin.logf(x) }

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
