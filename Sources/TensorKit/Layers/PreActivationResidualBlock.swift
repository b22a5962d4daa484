/// A pre-activation residual block (the seed's UNet `ResBlock`):
/// `shortcut(x) + Conv3×3(ReLU(GN(Conv3×3(ReLU(GN(x))))))`, both convolutions with padding 1 and a
/// bias; the shortcut is a 1×1 convolution when the channel count changes, else the identity.
///
/// Keys follow the seed's object tree: `blocks.0` (GN), `blocks.2` (conv), `blocks.3` (GN),
/// `blocks.5` (conv), `shortcut`.
public final class PreActivationResidualBlock: Module, UnaryLayer {
    public let norm1: GroupNorm
    public let conv1: Conv2D
    public let norm2: GroupNorm
    public let conv2: Conv2D
    public let shortcut: Conv2D?

    /// `groups(c)` gives the group count of a group norm over `c` channels.
    public init(_ inputChannels: Int, _ outputChannels: Int, groups: (Int) -> Int, seed: UInt64 = 0) {
        norm1 = GroupNorm(groups: groups(inputChannels), channels: inputChannels)
        conv1 = Conv2D(inputChannels, outputChannels, kernelSize: 3, padding: .symmetric(1), seed: seed)
        norm2 = GroupNorm(groups: groups(outputChannels), channels: outputChannels)
        conv2 = Conv2D(outputChannels, outputChannels, kernelSize: 3, padding: .symmetric(1), seed: seed &+ 1)
        shortcut = inputChannels == outputChannels ? nil : Conv2D(inputChannels, outputChannels, kernelSize: 1, seed: seed &+ 2)
        super.init()
    }

    public override func children() -> [(String, Module)] {
        var c: [(String, Module)] = [("blocks.0", norm1), ("blocks.2", conv1), ("blocks.3", norm2), ("blocks.5", conv2)]
        if let shortcut { c.append(("shortcut", shortcut)) }
        return c
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = conv2(norm2(conv1(norm1(x).relu())).relu())
        return (shortcut.map { $0(x) } ?? x) + h
    }
}
