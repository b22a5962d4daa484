/// Concatenation, slicing, padding, stacking and gathering.

extension Tensor {
    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concat needs at least one tensor")
        let a = parts[0].normalizedAxes([axis])[0]
        var shape = parts[0].shape
        for p in parts.dropFirst() {
            precondition(
                p.rank == shape.count
                    && p.shape.enumerated().allSatisfy { $0.offset == a || $0.element == shape[$0.offset] },
                "concat along \(axis): \(p.shape) does not fit \(shape)")
        }
        shape[a] = parts.reduce(0) { $0 + $1.shape[a] }
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        let out = Tensor.uninitialized(shape)
        let rowOut = shape[a] * inner
        var offset = 0
        for p in parts {
            let rowIn = p.shape[a] * inner
            for o in 0..<outer { (out.pointer + o * rowOut + offset).update(from: p.pointer + o * rowIn, count: rowIn) }
            offset += rowIn
        }
        let sizes = parts.map { $0.shape[a] }
        return out.recording("concat", parts) { g in
            var start = 0
            return sizes.map { n in
                defer { start += n }
                return g.slice(axis: a, start..<(start + n))
            }
        }
    }

    /// Stacks equal-shaped tensors along a new axis.
    public static func stack(_ parts: [Tensor], axis: Int = 0) -> Tensor {
        concat(parts.map { $0.expandingShape(at: axis) }, axis: axis)
    }

    /// The elements with index in `range` along `axis` (copied).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = normalizedAxes([axis])[0]
        precondition(
            range.lowerBound >= 0 && range.upperBound <= shape[a],
            "slice \(range) out of bounds for axis \(a) of \(shape)")
        var outShape = shape
        outShape[a] = range.count
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        let out = Tensor.uninitialized(outShape)
        let rowIn = shape[a] * inner
        let rowOut = range.count * inner
        for o in 0..<outer {
            (out.pointer + o * rowOut).update(from: pointer + o * rowIn + range.lowerBound * inner, count: rowOut)
        }
        let inShape = shape
        return out.recording("slice", [self]) { g in
            let dx = Tensor(zeros: inShape)
            for o in 0..<outer {
                Kernels.add(dx.pointer + o * rowIn + range.lowerBound * inner, g.pointer + o * rowOut, rowOut)
            }
            return [dx]
        }
    }

    /// Splits along `axis` into pieces of the given sizes.
    public func split(axis: Int, sizes: [Int]) -> [Tensor] {
        var start = 0
        return sizes.map { n in
            defer { start += n }
            return slice(axis: axis, start..<(start + n))
        }
    }

    /// Pads with a constant: `padding[i]` = (before, after) for dimension i.
    public func padded(_ padding: [(Int, Int)], value: Float = 0) -> Tensor {
        precondition(padding.count == rank, "pad needs one (before, after) per dimension of \(shape)")
        let outShape = zip(shape, padding).map { $0 + $1.0 + $1.1 }
        let out = Tensor(shape: outShape, repeating: value)
        // Copy row by row over the last dimension.
        let last = rank - 1
        let rows = count / Swift.max(shape.last ?? 1, 1)
        let outStrides = Broadcast.contiguousStrides(outShape)
        func outOffset(_ row: Int) -> Int {
            var r = row
            var off = 0
            for d in stride(from: last - 1, through: 0, by: -1) {
                let i = r % shape[d]
                r /= shape[d]
                off += (i + padding[d].0) * outStrides[d]
            }
            return off + padding[last].0
        }
        let w = shape.last ?? 1
        if count > 0 {
            for row in 0..<rows { (out.pointer + outOffset(row)).update(from: pointer + row * w, count: w) }
        }
        let inShape = shape
        return out.recording("pad", [self]) { g in
            let dx = Tensor.uninitialized(inShape)
            if dx.count > 0 {
                for row in 0..<rows { (dx.pointer + row * w).update(from: g.pointer + outOffset(row), count: w) }
            }
            return [dx]
        }
    }

    /// Rows of a `[V, D]` table picked by `indices` (an embedding lookup): `[indices.count, D]`.
    /// The gradient adds into the picked rows.
    public func gather(rows indices: [Int]) -> Tensor {
        precondition(rank == 2, "gather(rows:) needs a [V, D] table, got \(shape)")
        let v = shape[0]
        let d = shape[1]
        for i in indices { precondition(i >= 0 && i < v, "index \(i) out of range for \(v) rows") }
        let out = Tensor.uninitialized([indices.count, d])
        for (k, i) in indices.enumerated() { (out.pointer + k * d).update(from: pointer + i * d, count: d) }
        return out.recording("gather", [self]) { g in
            let dx = Tensor(zeros: [v, d])
            for (k, i) in indices.enumerated() { Kernels.add(dx.pointer + i * d, g.pointer + k * d, d) }
            return [dx]
        }
    }
}
