/// A 2-D convolution layer over NHWC input, with PyTorch's parameter layout
/// (`weight` `[Cout, Cin/groups, kH, kW]`, `bias` `[Cout]`).
public final class Conv2D: Module, UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: (Int, Int)
    public let padding: Padding
    public let dilation: (Int, Int)
    public let groups: Int

    public init(
        _ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Padding = .valid,
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, initializer: Initializer = .pytorchDefault,
        seed: UInt64 = 0
    ) {
        precondition(
            inputChannels % groups == 0 && outputChannels % groups == 0,
            "channels \(inputChannels)→\(outputChannels) are not divisible by groups \(groups)")
        var rng = SeededGenerator(seed: seed)
        let fanIn = inputChannels / groups * kernelSize * kernelSize
        let fanOut = outputChannels / groups * kernelSize * kernelSize
        weight = initializer.weight(
            [outputChannels, inputChannels / groups, kernelSize, kernelSize], fanIn: fanIn, fanOut: fanOut, rng: &rng)
        self.bias = bias ? initializer.bias(outputChannels, fanIn: fanIn, rng: &rng) : nil
        self.stride = (stride, stride)
        self.padding = padding
        self.dilation = (dilation, dilation)
        self.groups = groups
        super.init()
    }

    public var kernelSize: Int { weight.shape[2] }
    public var inputChannels: Int { weight.shape[1] * groups }
    public var outputChannels: Int { weight.shape[0] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.conv2d(
            x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}
