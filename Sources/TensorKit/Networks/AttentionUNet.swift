/// The shape of an ``AttentionUNet``.
public struct AttentionUNetConfiguration: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Number of 2×2 max-pools (and saved encoder features); tiles must be a multiple of 2^depth.
    public var depth: Int
    /// Channels of the first encoder stage; stage i has `midChannels · 2^i`.
    public var midChannels: Int
    public var inputChannels: Int
    public var outputClasses: Int
    /// Channel dropout rate after the bottleneck (training only).
    public var dropout: Float

    public init(depth: Int, midChannels: Int, inputChannels: Int = 3, outputClasses: Int = 2, dropout: Float = 0.5) {
        self.depth = depth
        self.midChannels = midChannels
        self.inputChannels = inputChannels
        self.outputClasses = outputClasses
        self.dropout = dropout
    }

    /// The seed's network (§7.3 of the reference): depth 3, 64 channels, 8,173,099 parameters.
    public static let seed = AttentionUNetConfiguration(depth: 3, midChannels: 64)

    /// Group count of a group norm over `channels`: 16 channels per group (the seed's `c/16`), at
    /// least one group.
    public static func groups(_ channels: Int) -> Int { Swift.max(1, channels / 16) }

    /// Checks the numbers; the message names the bad one.
    public func validate() throws {
        guard (1...6).contains(depth) else { throw TensorError.invalidArgument("UNet depth must be 1...6, got \(depth)") }
        guard midChannels >= 2, midChannels % 2 == 0 else {
            throw TensorError.invalidArgument("UNet mid channels must be even and at least 2, got \(midChannels)")
        }
        guard inputChannels >= 1, outputClasses >= 2 else {
            throw TensorError.invalidArgument(
                "UNet needs at least 1 input channel and 2 classes, got \(inputChannels) and \(outputClasses)")
        }
        guard dropout >= 0, dropout < 1 else {
            throw TensorError.invalidArgument("UNet dropout must be in [0, 1), got \(dropout)")
        }
    }

    public var description: String { "depth \(depth), \(midChannels) channels" }
}

/// The seed's attention UNet (reference §7), NHWC: an encoder of pre-activation residual blocks
/// with 2×2 max-pools, a bottleneck with channel dropout and a transposed-convolution upsampling,
/// and a decoder whose skip connections pass through ``AttentionGate``s and are concatenated
/// (skip first) before each residual block; per-pixel logits of `outputClasses` classes.
///
/// Parameter keys are the seed's checkpoint names (`save_intermediates.0.0.weight`,
/// `middle.1.blocks.2.weight`, `consume_intermediates.k.*`, `attention_blocks.k.W_g.0.weight`, …);
/// convolution weights are `[out, in, kh, kw]` and transposed-convolution weights
/// `[in, out, kh, kw]`, as in the seed, so ``load(stateDict:strict:)`` takes the seed's tensors
/// as they are.
public final class AttentionUNet: Module {
    public let configuration: AttentionUNetConfiguration
    public let stem: Conv2D
    /// One block per encoder stage (stage 0 after the stem, stage i after a max-pool).
    public let encoder: [PreActivationResidualBlock]
    public let bottleneck: PreActivationResidualBlock
    public let dropout: ChannelDropout
    public let bottleneckUp: ConvTranspose2D
    /// One gate per decoder stage, deepest first.
    public let gates: [AttentionGate]
    public let decoder: [PreActivationResidualBlock]
    /// Upsampling after each decoder stage but the last.
    public let ups: [ConvTranspose2D]
    public let headNorm: GroupNorm
    public let head: Conv2D

    public init(_ configuration: AttentionUNetConfiguration = .seed, seed: UInt64 = 0) {
        self.configuration = configuration
        let d = configuration.depth
        let m = configuration.midChannels
        let groups = AttentionUNetConfiguration.groups
        stem = Conv2D(configuration.inputChannels, m, kernelSize: 3, padding: .symmetric(1), seed: seed)
        var enc: [PreActivationResidualBlock] = [PreActivationResidualBlock(m, m, groups: groups, seed: seed &+ 10)]
        for i in 1..<d {
            enc.append(PreActivationResidualBlock(m << (i - 1), m << i, groups: groups, seed: seed &+ UInt64(10 + 10 * i)))
        }
        encoder = enc
        bottleneck = PreActivationResidualBlock(m << (d - 1), m << d, groups: groups, seed: seed &+ 100)
        dropout = ChannelDropout(rate: configuration.dropout, seed: seed &+ 101)
        bottleneckUp = ConvTranspose2D(m << d, m << (d - 1), kernelSize: 2, stride: 2, seed: seed &+ 102)
        var gates: [AttentionGate] = []
        var dec: [PreActivationResidualBlock] = []
        var ups: [ConvTranspose2D] = []
        for k in 0..<d {
            let c = m << (d - 1 - k)
            let s = seed &+ UInt64(200 + 10 * k)
            gates.append(AttentionGate(gateChannels: c, skipChannels: c, innerChannels: c / 2, groups: groups, seed: s))
            dec.append(PreActivationResidualBlock(2 * c, c, groups: groups, seed: s &+ 3))
            if k < d - 1 { ups.append(ConvTranspose2D(c, c / 2, kernelSize: 2, stride: 2, seed: s &+ 6)) }
        }
        self.gates = gates
        decoder = dec
        self.ups = ups
        headNorm = GroupNorm(groups: groups(m), channels: m)
        head = Conv2D(m, configuration.outputClasses, kernelSize: 1, seed: seed &+ 300)
        super.init()
    }

    public override func children() -> [(String, Module)] {
        let d = configuration.depth
        var c: [(String, Module)] = [("save_intermediates.0.0", stem), ("save_intermediates.0.1", encoder[0])]
        for i in 1..<d { c.append(("save_intermediates.\(i).1", encoder[i])) }
        c += [("middle.1", bottleneck), ("middle.2", dropout), ("middle.3", bottleneckUp)]
        for k in 0..<d {
            c.append(("consume_intermediates.\(k).0", decoder[k]))
            if k < d - 1 {
                c.append(("consume_intermediates.\(k).1", ups[k]))
            } else {
                c += [("consume_intermediates.\(k).1", headNorm), ("consume_intermediates.\(k).3", head)]
            }
        }
        for k in 0..<d { c.append(("attention_blocks.\(k)", gates[k])) }
        return c
    }

    /// Side of the smallest input the network takes: 2^depth (inputs must be a multiple of it).
    public var granularity: Int { 1 << configuration.depth }

    /// Logits `[N, H, W, classes]` of NHWC input `[N, H, W, inputChannels]` (H and W multiples of
    /// ``granularity``).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(
            input.rank == 4 && input.shape[3] == configuration.inputChannels && input.shape[1] % granularity == 0
                && input.shape[2] % granularity == 0,
            "AttentionUNet input must be [N, H, W, \(configuration.inputChannels)] with H, W multiples of \(granularity), got \(input.shape)"
        )
        let d = configuration.depth
        var x = encoder[0](stem(input))
        var skips = [x]
        for i in 1..<d {
            x = encoder[i](Tensor.maxPool2d(x, kernel: (2, 2), stride: (2, 2)))
            skips.append(x)
        }
        x = bottleneckUp(dropout(bottleneck(Tensor.maxPool2d(x, kernel: (2, 2), stride: (2, 2)))))
        for k in 0..<d {
            let gated = gates[k](gate: x, skip: skips[d - 1 - k])
            x = decoder[k](Tensor.concat([gated, x], axis: 3))
            x = k < d - 1 ? ups[k](x) : head(headNorm(x).relu())
        }
        return x
    }
}
