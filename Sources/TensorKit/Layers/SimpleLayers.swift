/// Layers without parameters (or with fixed ones): activations, pooling, dropout, reshaping.

/// max(x, 0).
public final class ReLU: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu() }
}

/// min(max(x, 0), 6).
public final class ReLU6: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu6() }
}

/// GELU (exact, or the tanh approximation).
public final class GELU: Module, UnaryLayer {
    public let approximateTanh: Bool
    public init(approximateTanh: Bool = false) {
        self.approximateTanh = approximateTanh
        super.init()
    }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.gelu(approximateTanh: approximateTanh) }
}

/// The logistic function.
public final class Sigmoid: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// Hyperbolic tangent.
public final class Tanh: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.tanh() }
}

/// Softmax along an axis.
public final class Softmax: Module, UnaryLayer {
    public let axis: Int
    public init(axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.softmax(axis: axis) }
}

/// 2-D max pooling over NHWC input.
public final class MaxPool2D: Module, UnaryLayer {
    public let kernelSize: Int, stride: Int, padding: Int
    public init(kernelSize: Int = 2, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        super.init()
    }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.maxPool2d(x, kernel: (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding))
    }
}

/// 2-D average pooling over NHWC input.
public final class AvgPool2D: Module, UnaryLayer {
    public let kernelSize: Int, stride: Int, padding: Int, countIncludePad: Bool
    public init(kernelSize: Int = 2, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.countIncludePad = countIncludePad
        super.init()
    }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.avgPool2d(
            x, kernel: (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding),
            countIncludePad: countIncludePad)
    }
}

/// Inverted dropout in training mode; identity in evaluation mode.
public final class Dropout: Module, UnaryLayer {
    public let rate: Float
    private var rng: SeededGenerator
    public init(rate: Float, seed: UInt64 = 0) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        self.rate = rate
        rng = SeededGenerator(seed: seed)
        super.init()
    }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining, rate > 0 else { return x }
        return x.dropout(rate: rate, using: &rng)
    }
}

/// Flattens every dimension after the batch dimension (NHWC order: H, W, C, like Keras).
public final class Flatten: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.flattened() }
}

/// `x · scale + offset` (Keras's `Rescaling`), e.g. 1/255 to map pixels to [0, 1].
public final class Rescaling: Module, UnaryLayer {
    public let scale: Float, offset: Float
    public init(scale: Float, offset: Float = 0) {
        self.scale = scale
        self.offset = offset
        super.init()
    }
    public func callAsFunction(_ x: Tensor) -> Tensor { offset == 0 ? x * scale : x * scale + offset }
}
