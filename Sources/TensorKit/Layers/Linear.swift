/// A fully connected layer: `y = x Wᵀ + b`, with `weight` of shape `[out, in]` as in PyTorch.
public final class Linear: Module, UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor?

    /// A layer with weights from `initializer` (PyTorch's default unless told otherwise).
    public init(
        _ inputCount: Int, _ outputCount: Int, bias: Bool = true, initializer: Initializer = .pytorchDefault,
        seed: UInt64 = 0
    ) {
        var rng = SeededGenerator(seed: seed)
        weight = initializer.weight([outputCount, inputCount], fanIn: inputCount, fanOut: outputCount, rng: &rng)
        self.bias = bias ? initializer.bias(outputCount, fanIn: inputCount, rng: &rng) : nil
        super.init()
    }

    /// A layer with Keras's default initialisation (Glorot-uniform weights, zero bias).
    public static func glorot(_ inputCount: Int, _ outputCount: Int, seed: UInt64 = 0) -> Linear {
        Linear(inputCount, outputCount, initializer: .glorotUniform, seed: seed)
    }

    /// Applies the layer to `[..., in]`, giving `[..., out]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = Tensor.matmul(x, weight, transA: false, transB: true)
        if let bias { return y + bias }
        return y
    }
}
