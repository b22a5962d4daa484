/// Normalisation, embedding, resizing and transposed-convolution layers.

/// Layer normalisation over the trailing `normalizedShape` (PyTorch `nn.LayerNorm`).
public final class LayerNorm: Module, UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor
    public let normalizedShape: [Int]
    public let eps: Float
    public init(_ normalizedShape: [Int], eps: Float = 1e-5) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = Tensor(shape: normalizedShape, repeating: 1, requiresGrad: true)
        bias = Tensor(zeros: normalizedShape, requiresGrad: true)
        super.init()
    }
    public convenience init(_ features: Int, eps: Float = 1e-5) { self.init([features], eps: eps) }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNorm(normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps)
    }
}

/// Group normalisation of channels-last input (PyTorch `nn.GroupNorm` on NCHW).
public final class GroupNorm: Module, UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor
    public let groups: Int
    public let eps: Float
    public init(groups: Int, channels: Int, eps: Float = 1e-5) {
        precondition(channels % groups == 0, "\(channels) channels are not divisible into \(groups) groups")
        self.groups = groups
        self.eps = eps
        weight = Tensor(shape: [channels], repeating: 1, requiresGrad: true)
        bias = Tensor(zeros: [channels], requiresGrad: true)
        super.init()
    }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.groupNorm(groups: groups, weight: weight, bias: bias, eps: eps)
    }
}

/// Batch normalisation over the channels (last axis), with running statistics as buffers
/// (`running_mean`, `running_var`, `num_batches_tracked`, as in PyTorch's `BatchNorm2d`).
public final class BatchNorm: Module, UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Buffer
    public let runningVar: Buffer
    public let numBatchesTracked: Buffer
    public let momentum: Float, eps: Float
    public init(_ channels: Int, momentum: Float = 0.1, eps: Float = 1e-5) {
        weight = Tensor(shape: [channels], repeating: 1, requiresGrad: true)
        bias = Tensor(zeros: [channels], requiresGrad: true)
        runningMean = Buffer(Tensor(zeros: [channels]))
        runningVar = Buffer(Tensor(shape: [channels], repeating: 1))
        numBatchesTracked = Buffer(Tensor(zeros: []))
        self.momentum = momentum
        self.eps = eps
        super.init()
    }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        if isTraining { numBatchesTracked.value.pointer[0] += 1 }
        return x.batchNorm(
            runningMean: runningMean.value, runningVar: runningVar.value, weight: weight, bias: bias,
            training: isTraining, momentum: momentum, eps: eps)
    }
}

/// A lookup table of `count` vectors of `dimension` floats (PyTorch `nn.Embedding`, N(0, 1) init).
public final class Embedding: Module {
    public let weight: Tensor
    public init(count: Int, dimension: Int, seed: UInt64 = 0) {
        var rng = SeededGenerator(seed: seed)
        weight = Tensor.normal([count, dimension], using: &rng, requiresGrad: true)
        super.init()
    }
    /// The vectors for `indices`: `[indices.count, dimension]`.
    public func callAsFunction(_ indices: [Int]) -> Tensor { weight.gather(rows: indices) }
}

/// Resizes NHWC input by an integer factor (nearest or bilinear).
public final class Upsample: Module, UnaryLayer {
    public let scale: Int, bilinear: Bool, alignCorners: Bool
    public init(scale: Int, bilinear: Bool = false, alignCorners: Bool = false) {
        self.scale = scale
        self.bilinear = bilinear
        self.alignCorners = alignCorners
        super.init()
    }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.upsampled(
            height: x.shape[1] * scale, width: x.shape[2] * scale, bilinear: bilinear, alignCorners: alignCorners)
    }
}

/// Transposed convolution (PyTorch `nn.ConvTranspose2d` layout: `weight` `[Cin, Cout/groups, kH, kW]`).
public final class ConvTranspose2D: Module, UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int, padding: Int, outputPadding: Int, groups: Int
    public init(
        _ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        outputPadding: Int = 0, groups: Int = 1, bias: Bool = true, seed: UInt64 = 0
    ) {
        var rng = SeededGenerator(seed: seed)
        let fanIn = outputChannels / groups * kernelSize * kernelSize
        weight = Initializer.pytorchDefault.weight(
            [inputChannels, outputChannels / groups, kernelSize, kernelSize], fanIn: fanIn, fanOut: 0, rng: &rng)
        self.bias = bias ? Initializer.pytorchDefault.bias(outputChannels, fanIn: fanIn, rng: &rng) : nil
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.groups = groups
        super.init()
    }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.convTranspose2d(
            x, weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding),
            outputPadding: (outputPadding, outputPadding), groups: groups)
    }
}
