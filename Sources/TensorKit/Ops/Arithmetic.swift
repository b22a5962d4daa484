/// Element-wise arithmetic with broadcasting.

enum BinaryOp { case add, sub, mul, div, max, min }

extension Kernels {
    /// `out = a op b` with `out` contiguous of shape `shape` and `a`, `b` read through strides
    /// (0 on broadcast dimensions).
    static func binary(
        _ op: BinaryOp, shape: [Int], a: UnsafePointer<Float>, aStrides: [Int],
        b: UnsafePointer<Float>, bStrides: [Int], out: UnsafeMutablePointer<Float>
    ) {
        let (dims, st) = Broadcast.collapse(shape, [aStrides, bStrides])
        let sa = st[0]
        let sb = st[1]
        let rank = dims.count
        let inner = dims[rank - 1]
        let ia = sa[rank - 1]
        let ib = sb[rank - 1]
        let outer = dims.reduce(1, *) / inner
        var counter = [Int](repeating: 0, count: rank)
        var offA = 0
        var offB = 0
        var o = out
        for _ in 0..<outer {
            innerLoop(op, inner, a + offA, ia, b + offB, ib, o)
            o += inner
            // Advance the multi-index over the outer dimensions.
            var d = rank - 2
            while d >= 0 {
                counter[d] += 1
                offA += sa[d]
                offB += sb[d]
                if counter[d] < dims[d] { break }
                offA -= sa[d] * dims[d]
                offB -= sb[d] * dims[d]
                counter[d] = 0
                d -= 1
            }
        }
    }

    @inline(__always)
    static func innerLoop(
        _ op: BinaryOp, _ n: Int, _ a: UnsafePointer<Float>, _ ia: Int,
        _ b: UnsafePointer<Float>, _ ib: Int, _ o: UnsafeMutablePointer<Float>
    ) {
        switch op {
        case .add: for i in 0..<n { o[i] = a[i * ia] + b[i * ib] }
        case .sub: for i in 0..<n { o[i] = a[i * ia] - b[i * ib] }
        case .mul: for i in 0..<n { o[i] = a[i * ia] * b[i * ib] }
        case .div: for i in 0..<n { o[i] = a[i * ia] / b[i * ib] }
        case .max: for i in 0..<n { o[i] = Swift.max(a[i * ia], b[i * ib]) }
        case .min: for i in 0..<n { o[i] = Swift.min(a[i * ia], b[i * ib]) }
        }
    }
}

extension Tensor {
    /// Applies a broadcasting binary op without recording.
    static func broadcastBinary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        guard let shape = Broadcast.shape(a.shape, b.shape) else {
            preconditionFailure("cannot broadcast \(a.shape) with \(b.shape)")
        }
        let out = Tensor.uninitialized(shape)
        if out.count == 0 { return out }
        if a.shape == b.shape {
            let n = a.count
            let pa = a.pointer
            let pb = b.pointer
            let po = out.pointer
            Parallel.forEachChunk(n, grain: 1 << 16) { r in
                Kernels.innerLoop(op, r.count, pa + r.lowerBound, 1, pb + r.lowerBound, 1, po + r.lowerBound)
            }
            return out
        }
        Kernels.binary(
            op, shape: shape, a: a.pointer, aStrides: Broadcast.strides(of: a.shape, in: shape),
            b: b.pointer, bStrides: Broadcast.strides(of: b.shape, in: shape), out: out.pointer)
        return out
    }

    /// Element-wise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        broadcastBinary(.add, a, b).recording("add", [a, b]) { g in
            [a.requiresGrad ? g.summed(toShape: a.shape) : nil, b.requiresGrad ? g.summed(toShape: b.shape) : nil]
        }
    }

    /// Element-wise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        broadcastBinary(.sub, a, b).recording("sub", [a, b]) { g in
            [a.requiresGrad ? g.summed(toShape: a.shape) : nil, b.requiresGrad ? (-g).summed(toShape: b.shape) : nil]
        }
    }

    /// Element-wise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        broadcastBinary(.mul, a, b).recording("mul", [a, b]) { g in
            [
                a.requiresGrad ? (g * b).summed(toShape: a.shape) : nil,
                b.requiresGrad ? (g * a).summed(toShape: b.shape) : nil,
            ]
        }
    }

    /// Element-wise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        broadcastBinary(.div, a, b).recording("div", [a, b]) { g in
            [
                a.requiresGrad ? (g / b).summed(toShape: a.shape) : nil,
                b.requiresGrad ? (-(g * a) / (b * b)).summed(toShape: b.shape) : nil,
            ]
        }
    }

    /// Element-wise maximum; the gradient goes to `a` where `a >= b`, else to `b`.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        broadcastBinary(.max, a, b).recording("maximum", [a, b]) { g in
            let shape = g.shape
            let mask = GradMode.withoutGrad { Tensor.compareGE(a, b, shape: shape) }
            return [
                a.requiresGrad ? (g * mask).summed(toShape: a.shape) : nil,
                b.requiresGrad ? (g * (Tensor(1) - mask)).summed(toShape: b.shape) : nil,
            ]
        }
    }

    /// 1 where `a >= b` (broadcast to `shape`), else 0. Not differentiable.
    static func compareGE(_ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        let d = broadcastBinary(.sub, a, b)
        let out = Tensor.uninitialized(d.shape)
        for i in 0..<d.count { out.pointer[i] = d.pointer[i] >= 0 ? 1 : 0 }
        return out
    }

    /// Negation.
    public static prefix func - (a: Tensor) -> Tensor {
        a.mapScalars(scale: -1, shift: 0).recording("neg", [a]) { g in [-g] }
    }

    /// `a * scale + shift` element-wise, without recording.
    func mapScalars(scale: Float, shift: Float) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let n = count
        let p = pointer
        let o = out.pointer
        for i in 0..<n { o[i] = p[i] * scale + shift }
        return out
    }

    public static func + (a: Tensor, s: Float) -> Tensor {
        a.mapScalars(scale: 1, shift: s).recording("add_scalar", [a]) { g in [g] }
    }
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    public static func - (s: Float, a: Tensor) -> Tensor {
        a.mapScalars(scale: -1, shift: s).recording("rsub_scalar", [a]) { g in [-g] }
    }
    public static func * (a: Tensor, s: Float) -> Tensor {
        a.mapScalars(scale: s, shift: 0).recording("mul_scalar", [a]) { g in [g * s] }
    }
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
}
