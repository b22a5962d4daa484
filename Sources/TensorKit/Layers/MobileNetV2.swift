/// MobileNetV2 (Sandler et al. 2018) as Keras builds it (`tf.keras.applications.MobileNetV2`,
/// no top, global average pooling): the same layers, padding, batch-norm epsilon (1e-3) and
/// channel counts, so Keras weights convert one to one (`tools/keras_to_pixelpilot.py`).

/// A convolution without bias, batch normalisation, then ReLU6 or nothing: the unit MobileNetV2
/// is made of. ``folded()`` merges the batch norm into the convolution for inference.
public final class ConvBN: Module, UnaryLayer {
    public let conv: Conv2D
    public let bn: BatchNorm
    /// Whether ReLU6 follows the batch norm.
    public let relu6: Bool

    /// - Parameters:
    ///   - groups: `inputChannels` for a depthwise convolution.
    public init(
        _ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, groups: Int = 1,
        relu6: Bool, seed: UInt64
    ) {
        conv = Conv2D(
            inputChannels, outputChannels, kernelSize: kernelSize, stride: stride,
            padding: kernelSize == 1 ? .valid : .same, groups: groups, bias: false, initializer: .glorotUniform,
            seed: seed)
        bn = BatchNorm(outputChannels, momentum: 0.01, eps: 1e-3)
        self.relu6 = relu6
        super.init()
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = bn(conv(x))
        return relu6 ? y.relu6() : y
    }

    /// The convolution with the batch norm's inference-mode affine map folded in:
    /// `weight'[o] = weight[o] · γ[o] / √(var[o] + ε)` and `bias'[o] = β[o] − mean[o] · γ[o] / √(var[o] + ε)`,
    /// PyTorch layout. `conv(x, weight') + bias'` equals this unit in evaluation mode (before ReLU6).
    public func folded() -> (weight: Tensor, bias: Tensor) {
        let cout = conv.outputChannels
        let w = conv.weight.detached().copy()
        let b = Tensor.uninitialized([cout])
        let per = w.count / cout
        let gamma = bn.weight.pointer
        let beta = bn.bias.pointer
        let mean = bn.runningMean.value.pointer
        let variance = bn.runningVar.value.pointer
        for o in 0..<cout {
            let s = gamma[o] / (variance[o] + bn.eps).squareRoot()
            Kernels.scale(w.pointer + o * per, s, per)
            b.pointer[o] = beta[o] - mean[o] * s
        }
        return (w, b)
    }
}

/// MobileNetV2's inverted residual block: a 1×1 expansion with ReLU6 (absent when the expansion
/// factor is 1), a depthwise 3×3 with ReLU6 at the block's stride, a linear 1×1 projection, and
/// the input added back when the stride is 1 and the channel counts agree.
public final class InvertedResidual: Module, UnaryLayer {
    public let expand: ConvBN?
    public let depthwise: ConvBN
    public let project: ConvBN
    public let stride: Int
    public let addsInput: Bool

    public init(inputChannels: Int, outputChannels: Int, stride: Int, expansion: Int, seed: UInt64) {
        let hidden = inputChannels * expansion
        expand =
            expansion == 1 ? nil : ConvBN(inputChannels, hidden, kernelSize: 1, relu6: true, seed: seed &* 3 &+ 1)
        depthwise = ConvBN(
            hidden, hidden, kernelSize: 3, stride: stride, groups: hidden, relu6: true, seed: seed &* 3 &+ 2)
        project = ConvBN(hidden, outputChannels, kernelSize: 1, relu6: false, seed: seed &* 3 &+ 3)
        self.stride = stride
        addsInput = stride == 1 && inputChannels == outputChannels
        super.init()
    }

    public var inputChannels: Int { expand?.conv.inputChannels ?? depthwise.conv.inputChannels }
    public var hiddenChannels: Int { depthwise.conv.outputChannels }
    public var outputChannels: Int { project.conv.outputChannels }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var y = expand.map { $0(x) } ?? x
        y = project(depthwise(y))
        return addsInput ? y + x : y
    }
}

/// MobileNetV2 without its classifier: NHWC images `[N, H, W, 3]` in [-1, 1] to features
/// `[N, featureCount]` (global average pooling of the last 1×1 convolution). With `alpha` 1 and
/// 96×96 input it has 2,257,984 values (parameters plus batch-norm statistics), as Keras counts.
///
/// Keys: `stem.*` (Keras `Conv1`, `bn_Conv1`), `blocks.0.*` (`expanded_conv_*`), `blocks.k.*`
/// (`block_k_*`), `head.*` (`Conv_1`, `Conv_1_bn`); in each unit `conv.weight` and
/// `bn.{weight,bias,running_mean,running_var,num_batches_tracked}`.
public final class MobileNetV2: Module, UnaryLayer {
    public let stem: ConvBN
    public let blocks: [InvertedResidual]
    public let head: ConvBN
    public let alpha: Float

    /// (expansion t, channels c, repeats n, first stride s), as in the paper's Table 2.
    public static let stages: [(t: Int, c: Int, n: Int, s: Int)] = [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ]

    /// Keras's `_make_divisible`: the nearest multiple of 8, never more than 10 % below `v`.
    public static func divisible(_ v: Float, by d: Int = 8) -> Int {
        let r = Swift.max(d, Int(v + Float(d) / 2) / d * d)
        return Float(r) < 0.9 * v ? r + d : r
    }

    public init(alpha: Float = 1, seed: UInt64 = 0) {
        self.alpha = alpha
        let first = MobileNetV2.divisible(32 * alpha)
        stem = ConvBN(3, first, kernelSize: 3, stride: 2, relu6: true, seed: seed &+ 1)
        var blocks: [InvertedResidual] = []
        var channels = first
        for stage in MobileNetV2.stages {
            let out = MobileNetV2.divisible(Float(Int(Float(stage.c) * alpha)))
            for r in 0..<stage.n {
                blocks.append(
                    InvertedResidual(
                        inputChannels: channels, outputChannels: out, stride: r == 0 ? stage.s : 1,
                        expansion: stage.t, seed: seed &+ UInt64(10 + blocks.count)))
                channels = out
            }
        }
        self.blocks = blocks
        let last = alpha > 1 ? MobileNetV2.divisible(1280 * alpha) : 1280
        head = ConvBN(channels, last, kernelSize: 1, relu6: true, seed: seed &+ 99)
        super.init()
    }

    /// Floats per image out of the global average pooling (1280 for `alpha` ≤ 1).
    public var featureCount: Int { head.conv.outputChannels }

    /// Parameters plus batch-norm running statistics: what Keras's `count_params` reports.
    public var kerasParameterCount: Int {
        parameterCount
            + namedBuffers().filter { !$0.0.hasSuffix("num_batches_tracked") }.reduce(0) { $0 + $1.1.value.count }
    }

    /// Feature maps `[N, h, w, featureCount]` before pooling.
    public func featureMaps(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[3] == 3, "MobileNetV2 expects NHWC images with 3 channels, got \(x.shape)")
        var h = stem(x)
        for b in blocks { h = b(h) }
        return head(h)
    }

    /// Pooled features `[N, featureCount]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        featureMaps(x).mean(alongAxes: [1, 2])
    }
}
