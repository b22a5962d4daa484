/// Sum, mean and max reductions.

extension Tensor {
    /// Normalizes possibly negative axes and checks them.
    func normalizedAxes(_ axes: [Int]) -> [Int] {
        axes.map { a in
            let r = a < 0 ? a + rank : a
            precondition(r >= 0 && r < rank, "axis \(a) out of range for shape \(shape)")
            return r
        }
    }

    /// Sum over `axes` without recording. The result keeps reduced dimensions as size 1.
    static func sumKeepDims(_ x: Tensor, axes: Set<Int>) -> Tensor {
        var outShape = x.shape
        for a in axes { outShape[a] = 1 }
        let out = Tensor(zeros: outShape)
        if x.count == 0 { return out }
        // Fast path: reduce a trailing block (e.g. sum over the last axis).
        let outStrides = Broadcast.strides(of: outShape, in: x.shape)
        let (dims, st) = Broadcast.collapse(x.shape, [Broadcast.contiguousStrides(x.shape), outStrides])
        let sIn = st[0]
        let sOut = st[1]
        let rank = dims.count
        let inner = dims[rank - 1]
        let iIn = sIn[rank - 1]
        let iOut = sOut[rank - 1]
        let outer = dims.reduce(1, *) / inner
        var counter = [Int](repeating: 0, count: rank)
        var offIn = 0
        var offOut = 0
        let pin = x.pointer
        let pout = out.pointer
        for _ in 0..<outer {
            if iOut == 0 && iIn == 1 {
                pout[offOut] += Kernels.sum(pin + offIn, inner)
            } else if iOut == 1 && iIn == 1 {
                let o = pout + offOut
                let src = pin + offIn
                for i in 0..<inner { o[i] += src[i] }
            } else {
                for i in 0..<inner { pout[offOut + i * iOut] += pin[offIn + i * iIn] }
            }
            var d = rank - 2
            while d >= 0 {
                counter[d] += 1
                offIn += sIn[d]
                offOut += sOut[d]
                if counter[d] < dims[d] { break }
                offIn -= sIn[d] * dims[d]
                offOut -= sOut[d] * dims[d]
                counter[d] = 0
                d -= 1
            }
        }
        return out
    }

    /// Sums a broadcast gradient back to `target` shape (the reverse of broadcasting).
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        precondition(lead >= 0, "cannot sum \(shape) to \(target)")
        var axes = Set<Int>(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.insert(lead + i) }
        let keep = Tensor.sumKeepDims(self, axes: axes)
        return Tensor(shape: target, storage: keep.storage).recording("sum_to", [self]) { g in
            [g.broadcast(to: self.shape)]
        }
    }

    /// This tensor broadcast to `target` (copied).
    public func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let out = Tensor.uninitialized(target)
        let zero = Tensor(0)
        Kernels.binary(
            .add, shape: target, a: pointer, aStrides: Broadcast.strides(of: shape, in: target),
            b: zero.pointer, bStrides: [Int](repeating: 0, count: target.count), out: out.pointer)
        return out.recording("broadcast", [self]) { g in [g.summed(toShape: self.shape)] }
    }

    /// Sum of all elements, as a rank-0 tensor.
    public func sum() -> Tensor {
        let out = Tensor(Kernels.sum(pointer, count))
        return out.recording("sum", [self]) { g in [Tensor(shape: self.shape, repeating: g.item)] }
    }

    /// Mean of all elements, as a rank-0 tensor.
    public func mean() -> Tensor {
        sum() * (1 / Float(Swift.max(count, 1)))
    }

    /// Sum over `axes`; reduced dimensions are dropped unless `keepDims`.
    public func sum(alongAxes axes: [Int], keepDims: Bool = false) -> Tensor {
        let ax = Set(normalizedAxes(axes))
        let kept = Tensor.sumKeepDims(self, axes: ax)
        let outShape = keepDims ? kept.shape : shape.enumerated().filter { !ax.contains($0.offset) }.map(\.element)
        let keptShape = kept.shape
        return Tensor(shape: outShape, storage: kept.storage).recording("sum_axes", [self]) { g in
            [g.reshaped(keptShape).broadcast(to: self.shape)]
        }
    }

    /// Mean over `axes`; reduced dimensions are dropped unless `keepDims`.
    public func mean(alongAxes axes: [Int], keepDims: Bool = false) -> Tensor {
        let ax = normalizedAxes(axes)
        let n = ax.reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: ax, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Maximum over one axis; the gradient goes to the first maximal element.
    public func max(alongAxis axis: Int, keepDims: Bool = false) -> Tensor {
        let a = normalizedAxes([axis])[0]
        let outer = shape[..<a].reduce(1, *)
        let n = shape[a]
        let inner = shape[(a + 1)...].reduce(1, *)
        var keptShape = shape
        keptShape[a] = 1
        let out = Tensor.uninitialized(keptShape)
        var argmax = [Int32](repeating: 0, count: outer * inner)
        let p = pointer
        let o = out.pointer
        for i in 0..<outer {
            for j in 0..<inner {
                var best = -Float.infinity
                var bi = 0
                for k in 0..<n {
                    let v = p[(i * n + k) * inner + j]
                    if v > best || (k == 0) {
                        if k == 0 || v > best {
                            best = v
                            bi = k
                        }
                    }
                }
                o[i * inner + j] = best
                argmax[i * inner + j] = Int32(bi)
            }
        }
        let outShape = keepDims ? keptShape : shape.enumerated().filter { $0.offset != a }.map(\.element)
        let inShape = shape
        return Tensor(shape: outShape, storage: out.storage).recording("max_axis", [self]) { g in
            let gi = Tensor(zeros: inShape)
            for i in 0..<outer {
                for j in 0..<inner {
                    let idx = i * inner + j
                    gi.pointer[(i * n + Int(argmax[idx])) * inner + j] = g.pointer[idx]
                }
            }
            return [gi]
        }
    }

    /// Index of the largest value along the last axis, for each row (not differentiable).
    public func argmaxLastAxis() -> [Int] {
        let n = shape.last ?? 1
        let rows = count / Swift.max(n, 1)
        var result = [Int](repeating: 0, count: rows)
        for r in 0..<rows {
            var best = -Float.infinity
            var bi = 0
            for k in 0..<n where pointer[r * n + k] > best {
                best = pointer[r * n + k]
                bi = k
            }
            result[r] = bi
        }
        return result
    }
}
