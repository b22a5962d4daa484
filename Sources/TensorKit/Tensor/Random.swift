@_exported import SeededRandom

extension Tensor {
    /// Values drawn uniformly from [low, high).
    public static func uniform(
        _ shape: [Int], low: Float = 0, high: Float = 1,
        using rng: inout SeededGenerator, requiresGrad: Bool = false
    ) -> Tensor {
        let t = Tensor.uninitialized(shape)
        for i in 0..<t.count { t.pointer[i] = low + (high - low) * rng.nextUniform() }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Values drawn from a normal distribution.
    public static func normal(
        _ shape: [Int], mean: Float = 0, std: Float = 1,
        using rng: inout SeededGenerator, requiresGrad: Bool = false
    ) -> Tensor {
        let t = Tensor.uninitialized(shape)
        for i in 0..<t.count { t.pointer[i] = mean + std * rng.nextNormal() }
        t.requiresGrad = requiresGrad
        return t
    }
}

/// Natural logarithm of positive, finite, normal floats: exponent and mantissa split, then the
/// atanh series of the mantissa in [√½, √2) (error below 1e-7 relative to 1).
