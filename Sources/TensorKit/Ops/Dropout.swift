extension Tensor {
    /// Inverted dropout: zeroes each element with probability `rate` and scales the rest by
    /// 1/(1 - rate), so evaluation needs no rescaling.
    public func dropout(rate: Float, using rng: inout SeededGenerator) -> Tensor {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        if rate == 0 { return self }
        let mask = Tensor.uninitialized(shape)
        let keep = 1 / (1 - rate)
        let m = mask.pointer
        for i in 0..<count { m[i] = rng.nextUniform() >= rate ? keep : 0 }
        let out = Tensor.broadcastBinary(.mul, self, mask)
        return out.recording("dropout", [self]) { g in [Tensor.broadcastBinary(.mul, g, mask)] }
    }
}
