import Foundation

/// The seed's UNet attention gate on a skip connection: with `g` the decoder feature (the gating
/// signal) and `x` the encoder's skip feature of the same spatial size,
/// `q = ReLU(GN(Conv1×1(g)) + GN(Conv1×1(x)))`, `a = sigmoid(LN₁(Conv1×1(q → 1)))`, output `x · a`.
///
/// `LN₁` is a layer norm over the channel axis, which has size 1: it normalises every value to 0
/// and leaves its bias β, so `a = sigmoid(β)` at every pixel, a learned constant per gate (the
/// reference's quirk, kept so its weights work). In training mode the gate runs literally (its
/// convolutions receive exactly zero gradient, as in the reference); in evaluation mode it
/// multiplies `x` by that constant, which is the same value.
///
/// Keys follow the seed's object tree: `W_g.0` (conv), `W_g.1` (GN), `W_x.0`, `W_x.1`, `psi.0`
/// (conv), `psi.1` (layer norm).
public final class AttentionGate: Module {
    public let gateConv: Conv2D
    public let gateNorm: GroupNorm
    public let skipConv: Conv2D
    public let skipNorm: GroupNorm
    public let psiConv: Conv2D
    public let psiNorm: LayerNorm

    public init(gateChannels: Int, skipChannels: Int, innerChannels: Int, groups: (Int) -> Int, seed: UInt64 = 0) {
        gateConv = Conv2D(gateChannels, innerChannels, kernelSize: 1, seed: seed)
        gateNorm = GroupNorm(groups: groups(innerChannels), channels: innerChannels)
        skipConv = Conv2D(skipChannels, innerChannels, kernelSize: 1, seed: seed &+ 1)
        skipNorm = GroupNorm(groups: groups(innerChannels), channels: innerChannels)
        psiConv = Conv2D(innerChannels, 1, kernelSize: 1, seed: seed &+ 2)
        psiNorm = LayerNorm(1)
        super.init()
    }

    public override func children() -> [(String, Module)] {
        [
            ("W_g.0", gateConv), ("W_g.1", gateNorm), ("W_x.0", skipConv), ("W_x.1", skipNorm), ("psi.0", psiConv),
            ("psi.1", psiNorm),
        ]
    }

    /// The gate's value at every pixel: sigmoid of the channel layer norm's bias.
    public var constantGate: Float { 1 / (1 + Foundation.exp(-psiNorm.bias.pointer[0])) }

    /// The attention map `a` `[N, H, W, 1]`, computed literally.
    public func attention(gate g: Tensor, skip x: Tensor) -> Tensor {
        let q = (gateNorm(gateConv(g)) + skipNorm(skipConv(x))).relu()
        return psiNorm(psiConv(q)).sigmoid()
    }

    /// `x · a`: literally in training mode, as `x · sigmoid(β)` in evaluation mode.
    public func callAsFunction(gate g: Tensor, skip x: Tensor) -> Tensor {
        if isTraining { return x * attention(gate: g, skip: x) }
        return x * psiNorm.bias.reshaped([1, 1, 1, 1]).sigmoid()
    }
}
