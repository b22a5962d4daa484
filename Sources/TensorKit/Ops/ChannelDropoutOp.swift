extension Tensor {
    /// Channel dropout (PyTorch's `Dropout2d` on NCHW): for an NHWC tensor `[N, H, W, C]` (or any
    /// `[N, ..., C]`), zeroes whole channels, one Bernoulli draw per sample and channel, and scales
    /// the surviving channels by 1/(1 - rate), so evaluation needs no rescaling.
    public func channelDropout(rate: Float, using rng: inout SeededGenerator) -> Tensor {
        precondition(rate >= 0 && rate < 1, "channel dropout rate must be in [0, 1), got \(rate)")
        precondition(rank >= 2, "channel dropout needs [N, ..., C], got \(shape)")
        if rate == 0 { return self }
        let n = shape[0]
        let c = shape[rank - 1]
        var keep = [Bool](repeating: true, count: n * c)
        for i in keep.indices { keep[i] = rng.nextUniform() >= rate }
        return channelDropout(keep: keep, rate: rate)
    }

    /// Channel dropout with a given keep pattern: `keep[n * C + c]` says whether channel `c` of
    /// sample `n` survives (scaled by 1/(1 - rate)) or is zeroed.
    public func channelDropout(keep: [Bool], rate: Float) -> Tensor {
        let n = shape[0]
        let c = shape[rank - 1]
        precondition(keep.count == n * c, "channel dropout needs \(n * c) keep flags, got \(keep.count)")
        var maskShape = [Int](repeating: 1, count: rank)
        maskShape[0] = n
        maskShape[rank - 1] = c
        let mask = Tensor.uninitialized(maskShape)
        let scale = 1 / (1 - rate)
        let m = mask.pointer
        for i in 0..<(n * c) { m[i] = keep[i] ? scale : 0 }
        let out = Tensor.broadcastBinary(.mul, self, mask)
        return out.recording("channel_dropout", [self]) { g in [Tensor.broadcastBinary(.mul, g, mask)] }
    }
}
