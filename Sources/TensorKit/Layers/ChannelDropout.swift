/// Channel dropout (PyTorch `nn.Dropout2d`) in training mode: whole channels of each sample are
/// zeroed with probability `rate` and the rest scaled by 1/(1 - rate); identity in evaluation mode.
public final class ChannelDropout: Module, UnaryLayer {
    public let rate: Float
    private var rng: SeededGenerator
    public init(rate: Float, seed: UInt64 = 0) {
        precondition(rate >= 0 && rate < 1, "channel dropout rate must be in [0, 1), got \(rate)")
        self.rate = rate
        rng = SeededGenerator(seed: seed)
        super.init()
    }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining, rate > 0 else { return x }
        return x.channelDropout(rate: rate, using: &rng)
    }
}
