/// A fully connected layer: `y = x Wᵀ + b`, with `weight` of shape `[out, in]` as in PyTorch.
public final class Linear: Module, UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor?

    /// Weights and bias uniform in ±1/√in (PyTorch's default).
    public init(_ inputCount: Int, _ outputCount: Int, bias: Bool = true, seed: UInt64 = 0) {
        var rng = SeededGenerator(seed: seed)
        let bound = 1 / Float(inputCount).squareRoot()
        weight = Tensor.uniform([outputCount, inputCount], low: -bound, high: bound, using: &rng, requiresGrad: true)
        self.bias = bias ? Tensor.uniform([outputCount], low: -bound, high: bound, using: &rng, requiresGrad: true) : nil
        super.init()
    }

    /// Applies the layer to `[..., in]`, giving `[..., out]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = Tensor.matmul(x, weight, transA: false, transB: true)
        if let bias { return y + bias }
        return y
    }
}
