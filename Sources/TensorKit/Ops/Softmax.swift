import Foundation

/// Softmax, log-softmax and the classification losses built on them.
extension Tensor {
    /// Splits the shape around `axis` into (outer, n, inner).
    func around(_ axis: Int) -> (outer: Int, n: Int, inner: Int) {
        let a = normalizedAxes([axis])[0]
        return (shape[..<a].reduce(1, *), shape[a], shape[(a + 1)...].reduce(1, *))
    }

    /// Numerically stable softmax along `axis`.
    public func softmax(axis: Int = -1) -> Tensor {
        let (outer, n, inner) = around(axis)
        let out = Tensor.uninitialized(shape)
        let p = pointer
        let o = out.pointer
        for i in 0..<outer {
            for j in 0..<inner {
                var m = -Float.infinity
                for k in 0..<n { m = Swift.max(m, p[(i * n + k) * inner + j]) }
                var s: Float = 0
                for k in 0..<n {
                    let e = Foundation.exp(p[(i * n + k) * inner + j] - m)
                    o[(i * n + k) * inner + j] = e
                    s += e
                }
                for k in 0..<n { o[(i * n + k) * inner + j] /= s }
            }
        }
        return out.recording("softmax", [self]) { g in
            // dx = y * (g - Σ g·y)
            let dx = Tensor.uninitialized(self.shape)
            let gp = g.pointer
            let d = dx.pointer
            for i in 0..<outer {
                for j in 0..<inner {
                    var dot: Float = 0
                    for k in 0..<n {
                        let idx = (i * n + k) * inner + j
                        dot += gp[idx] * o[idx]
                    }
                    for k in 0..<n {
                        let idx = (i * n + k) * inner + j
                        d[idx] = o[idx] * (gp[idx] - dot)
                    }
                }
            }
            return [dx]
        }
    }

    /// Numerically stable log-softmax along `axis`.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let (outer, n, inner) = around(axis)
        let out = Tensor.uninitialized(shape)
        let p = pointer
        let o = out.pointer
        for i in 0..<outer {
            for j in 0..<inner {
                var m = -Float.infinity
                for k in 0..<n { m = Swift.max(m, p[(i * n + k) * inner + j]) }
                var s: Float = 0
                for k in 0..<n { s += Foundation.exp(p[(i * n + k) * inner + j] - m) }
                let lse = m + Foundation.log(s)
                for k in 0..<n { o[(i * n + k) * inner + j] = p[(i * n + k) * inner + j] - lse }
            }
        }
        return out.recording("log_softmax", [self]) { g in
            // dx = g - softmax · Σ g
            let dx = Tensor.uninitialized(self.shape)
            let gp = g.pointer
            let d = dx.pointer
            for i in 0..<outer {
                for j in 0..<inner {
                    var sum: Float = 0
                    for k in 0..<n { sum += gp[(i * n + k) * inner + j] }
                    for k in 0..<n {
                        let idx = (i * n + k) * inner + j
                        d[idx] = gp[idx] - Foundation.exp(o[idx]) * sum
                    }
                }
            }
            return [dx]
        }
    }

    /// Softmax cross-entropy of logits `[N, C]` with integer labels, averaged like PyTorch's
    /// `cross_entropy(reduction="mean")`: with per-sample `weights` (a mask is weights of 0 and 1)
    /// the weighted sum is divided by the sum of the weights.
    public func softmaxCrossEntropy(labels: [Int], weights: [Float]? = nil) -> Tensor {
        precondition(
            rank == 2 && shape[0] == labels.count,
            "cross-entropy needs logits [N, C] for \(labels.count) labels, got \(shape)")
        let n = shape[0]
        let c = shape[1]
        if let weights { precondition(weights.count == n, "\(weights.count) weights for \(n) samples") }
        for l in labels { precondition(l >= 0 && l < c, "label \(l) out of range for \(c) classes") }
        let p = pointer
        let probs = Tensor.uninitialized(shape)
        var total: Double = 0
        var denom: Double = 0
        for i in 0..<n {
            var m = -Float.infinity
            for k in 0..<c { m = Swift.max(m, p[i * c + k]) }
            var s: Float = 0
            for k in 0..<c {
                let e = Foundation.exp(p[i * c + k] - m)
                probs.pointer[i * c + k] = e
                s += e
            }
            for k in 0..<c { probs.pointer[i * c + k] /= s }
            let w = Double(weights?[i] ?? 1)
            total += w * Double(m + Foundation.log(s) - p[i * c + labels[i]])
            denom += w
        }
        let scale: Float = denom > 0 ? Float(1 / denom) : 0
        let out = Tensor(Float(denom > 0 ? total / denom : 0))
        return out.recording("softmax_cross_entropy", [self]) { g in
            let dx = Tensor.uninitialized(self.shape)
            let gv = g.item * scale
            for i in 0..<n {
                let w = (weights?[i] ?? 1) * gv
                for k in 0..<c { dx.pointer[i * c + k] = w * (probs.pointer[i * c + k] - (k == labels[i] ? 1 : 0)) }
            }
            return [dx]
        }
    }

    /// Mean binary cross-entropy of logits against targets in [0, 1] (numerically stable).
    public func binaryCrossEntropyWithLogits(targets: Tensor) -> Tensor {
        precondition(targets.shape == shape, "BCE targets \(targets.shape) do not match logits \(shape)")
        let n = count
        let x = pointer
        let t = targets.pointer
        var total: Double = 0
        for i in 0..<n {
            let v = x[i]
            total += Double(Swift.max(v, 0) - v * t[i] + Foundation.log(1 + Foundation.exp(-Swift.abs(v))))
        }
        let out = Tensor(Float(total / Double(Swift.max(n, 1))))
        return out.recording("bce_with_logits", [self]) { g in
            let s = g.item / Float(Swift.max(n, 1))
            return [Tensor.zipped(self, targets) { v, ti in s * (1 / (1 + Foundation.exp(-v)) - ti) }]
        }
    }

    /// Mean squared error against `target`.
    public func meanSquaredError(_ target: Tensor) -> Tensor {
        let d = self - target
        return (d * d).mean()
    }
}
