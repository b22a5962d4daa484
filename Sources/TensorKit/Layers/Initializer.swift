/// How a layer's weights start.
public enum Initializer: Sendable {
    /// PyTorch's default: uniform in ±1/√fan_in for weights and biases.
    case pytorchDefault
    /// Keras's default: Glorot (Xavier) uniform weights in ±√(6/(fan_in+fan_out)), zero biases.
    case glorotUniform

    func weight(_ shape: [Int], fanIn: Int, fanOut: Int, rng: inout SeededGenerator) -> Tensor {
        let bound: Float
        switch self {
        case .pytorchDefault: bound = 1 / Float(fanIn).squareRoot()
        case .glorotUniform: bound = (6 / Float(fanIn + fanOut)).squareRoot()
        }
        return Tensor.uniform(shape, low: -bound, high: bound, using: &rng, requiresGrad: true)
    }

    func bias(_ count: Int, fanIn: Int, rng: inout SeededGenerator) -> Tensor {
        switch self {
        case .pytorchDefault:
            let bound = 1 / Float(fanIn).squareRoot()
            return Tensor.uniform([count], low: -bound, high: bound, using: &rng, requiresGrad: true)
        case .glorotUniform:
            return Tensor(zeros: [count], requiresGrad: true)
        }
    }
}
