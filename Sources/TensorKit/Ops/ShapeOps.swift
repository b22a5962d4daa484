/// Reshape, permute and friends.

extension Tensor {
    /// The same values with another shape of equal count. One dimension may be -1.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let infer = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != infer }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            target[infer] = count / known
        }
        precondition(target.reduce(1, *) == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        if target == shape { return self }
        let inShape = shape
        return Tensor(shape: target, storage: storage).recording("reshape", [self]) { g in
            [g.reshapedView(inShape)]
        }
    }

    /// Flattens all dimensions after the first: [N, ...] → [N, rest].
    public func flattened() -> Tensor {
        reshaped([shape.first ?? 1, -1])
    }

    /// Reorders dimensions: output dimension i is input dimension `axes[i]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.count == rank && Set(axes) == Set(0..<rank), "bad permutation \(axes) for shape \(shape)")
        let outShape = axes.map { shape[$0] }
        let inStrides = Broadcast.contiguousStrides(shape)
        let readStrides = axes.map { inStrides[$0] }
        let out = Tensor.uninitialized(outShape)
        if count > 0 {
            let zero = Tensor(0)
            Kernels.binary(
                .add, shape: outShape, a: pointer, aStrides: readStrides,
                b: zero.pointer, bStrides: [Int](repeating: 0, count: rank), out: out.pointer)
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        return out.recording("permute", [self]) { g in [g.permuted(inverse)] }
    }

    /// Swaps the last two dimensions.
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transposed needs rank >= 2, shape is \(shape)")
        var axes = Array(0..<rank)
        axes.swapAt(rank - 1, rank - 2)
        return permuted(axes)
    }

    /// Inserts a dimension of size 1 at `axis`.
    public func expandingShape(at axis: Int) -> Tensor {
        var s = shape
        s.insert(1, at: axis < 0 ? axis + rank + 1 : axis)
        return reshaped(s)
    }

    /// Removes dimensions of size 1 at `axes`.
    public func squeezingShape(at axes: [Int]) -> Tensor {
        let ax = Set(normalizedAxes(axes))
        for a in ax { precondition(shape[a] == 1, "cannot squeeze axis \(a) of \(shape)") }
        return reshaped(shape.enumerated().filter { !ax.contains($0.offset) }.map(\.element))
    }
}
