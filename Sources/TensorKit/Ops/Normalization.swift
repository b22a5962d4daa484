import Foundation

/// Layer, group and batch normalisation over channels-last tensors.
extension Tensor {
    /// Normalises each contiguous row of length `d`: `(x - mean) / sqrt(var + eps)` with the biased
    /// variance. Returns the normalised rows and `1/σ` per row.
    static func normalizeRows(_ x: Tensor, rowLength d: Int, eps: Float) -> (y: Tensor, invStd: [Float]) {
        let rows = x.count / d
        let y = Tensor.uninitialized(x.shape)
        var invStd = [Float](repeating: 0, count: rows)
        let p = x.pointer
        let o = y.pointer
        for r in 0..<rows {
            let s = p + r * d
            var mean: Double = 0
            for i in 0..<d { mean += Double(s[i]) }
            mean /= Double(d)
            var v: Double = 0
            for i in 0..<d {
                let t = Double(s[i]) - mean
                v += t * t
            }
            v /= Double(d)
            let inv = Float(1 / (v + Double(eps)).squareRoot())
            invStd[r] = inv
            let m = Float(mean)
            for i in 0..<d { o[r * d + i] = (s[i] - m) * inv }
        }
        return (y, invStd)
    }

    /// Backward of row normalisation: given `xhat`, `1/σ` per row and the gradient of `xhat`.
    static func normalizeRowsBackward(_ gxhat: Tensor, xhat: Tensor, invStd: [Float], rowLength d: Int) -> Tensor {
        let rows = xhat.count / d
        let dx = Tensor.uninitialized(xhat.shape)
        let g = gxhat.pointer
        let xh = xhat.pointer
        let o = dx.pointer
        for r in 0..<rows {
            var sg: Float = 0
            var sgx: Float = 0
            for i in 0..<d {
                sg += g[r * d + i]
                sgx += g[r * d + i] * xh[r * d + i]
            }
            let inv = invStd[r] / Float(d)
            for i in 0..<d { o[r * d + i] = inv * (Float(d) * g[r * d + i] - sg - xh[r * d + i] * sgx) }
        }
        return dx
    }

    /// Layer normalisation over the trailing dimensions of shape `normalizedShape`, like
    /// `torch.nn.functional.layer_norm`.
    public func layerNorm(normalizedShape: [Int], weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        precondition(
            Array(shape.suffix(normalizedShape.count)) == normalizedShape,
            "layerNorm shape \(normalizedShape) is not a suffix of \(shape)")
        let d = normalizedShape.reduce(1, *)
        let (xhat, invStd) = GradMode.withoutGrad { Tensor.normalizeRows(self, rowLength: d, eps: eps) }
        // The closure keeps a second view of x̂'s storage, not x̂ itself: x̂ owns the node, and a
        // closure holding x̂ would be a retain cycle that keeps the whole graph alive.
        let saved = Tensor(shape: xhat.shape, storage: xhat.storage)
        let normalized = xhat.recording("layer_norm", [self]) { g in
            [Tensor.normalizeRowsBackward(g, xhat: saved, invStd: invStd, rowLength: d)]
        }
        var y = normalized
        if let weight { y = y * weight.reshaped(normalizedShape) }
        if let bias { y = y + bias.reshaped(normalizedShape) }
        return y
    }

    /// Group normalisation of an NHWC (or [N, ..., C]) tensor: channels are split into `groups`
    /// contiguous groups, each normalised over its spatial positions and channels, like
    /// `torch.nn.GroupNorm` on the NCHW permutation. `weight`, `bias`: `[C]`.
    public func groupNorm(groups: Int, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        let n = shape[0]
        let c = shape[rank - 1]
        precondition(c % groups == 0, "groupNorm: \(c) channels are not divisible into \(groups) groups")
        let spatial = count / (n * c)
        let cg = c / groups
        // [N, S, G, Cg] → [N, G, S, Cg] so each group's values are contiguous.
        let grouped = reshaped([n, spatial, groups, cg]).permuted([0, 2, 1, 3])
        let d = spatial * cg
        let (xhat, invStd) = GradMode.withoutGrad { Tensor.normalizeRows(grouped, rowLength: d, eps: eps) }
        let saved = Tensor(shape: xhat.shape, storage: xhat.storage)  // not x̂ itself (a retain cycle)
        let normalized = xhat.recording("group_norm", [grouped]) { g in
            [Tensor.normalizeRowsBackward(g, xhat: saved, invStd: invStd, rowLength: d)]
        }
        var y = normalized.permuted([0, 2, 1, 3]).reshaped(shape)
        if let weight { y = y * weight }
        if let bias { y = y + bias }
        return y
    }

    /// Batch normalisation over every axis but the last (channels). In training it uses the
    /// batch's statistics and updates the running ones in place (PyTorch's momentum rule, unbiased
    /// running variance); in evaluation it uses the running statistics.
    public func batchNorm(
        runningMean: Tensor, runningVar: Tensor, weight: Tensor?, bias: Tensor?,
        training: Bool, momentum: Float = 0.1, eps: Float = 1e-5
    ) -> Tensor {
        let c = shape[rank - 1]
        let m = count / c
        if !training {
            let scale = Tensor.uninitialized([c])
            let shift = Tensor.uninitialized([c])
            for j in 0..<c {
                let inv = 1 / (runningVar.pointer[j] + eps).squareRoot()
                let w = weight?.pointer[j] ?? 1
                let b = bias?.pointer[j] ?? 0
                scale.pointer[j] = w * inv
                shift.pointer[j] = b - runningMean.pointer[j] * w * inv
            }
            // Differentiable through weight and bias via the generic ops.
            if weight?.requiresGrad == true || bias?.requiresGrad == true {
                let inv = runningVar.detached().mapScalars(scale: 1, shift: eps).mapped { 1 / $0.squareRoot() }
                var y = (self - runningMean.detached()) * inv
                if let weight { y = y * weight }
                if let bias { y = y + bias }
                return y
            }
            return self * scale + shift
        }
        // Channels-last: transpose to [C, M] rows to reuse row normalisation.
        let rows = reshaped([m, c]).transposed()
        let (xhat, invStd) = GradMode.withoutGrad { Tensor.normalizeRows(rows, rowLength: m, eps: eps) }
        // Running statistics.
        for j in 0..<c {
            var mean: Double = 0
            var v: Double = 0
            let r = rows.pointer + j * m
            for i in 0..<m { mean += Double(r[i]) }
            mean /= Double(m)
            for i in 0..<m {
                let t = Double(r[i]) - mean
                v += t * t
            }
            let unbiased = m > 1 ? v / Double(m - 1) : v
            runningMean.pointer[j] = (1 - momentum) * runningMean.pointer[j] + momentum * Float(mean)
            runningVar.pointer[j] = (1 - momentum) * runningVar.pointer[j] + momentum * Float(unbiased)
        }
        let normalized = xhat.recording("batch_norm", [rows]) { g in
            [Tensor.normalizeRowsBackward(g, xhat: xhat, invStd: invStd, rowLength: m)]
        }
        var y = normalized.transposed().reshaped(shape)
        if let weight { y = y * weight }
        if let bias { y = y + bias }
        return y
    }
}
