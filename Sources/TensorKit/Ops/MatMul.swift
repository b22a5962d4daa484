/// Matrix products through BLAS.

extension Tensor {
    /// Matrix product over the last two dimensions.
    ///
    /// - `[m, k] × [k, n] → [m, n]`
    /// - `[B..., m, k] × [B..., k, n] → [B..., m, n]` (batched, equal batch dimensions)
    /// - `[B..., m, k] × [k, n] → [B..., m, n]` (a shared right operand)
    public func matmul(_ other: Tensor) -> Tensor {
        Tensor.matmul(self, other, transA: false, transB: false)
    }

    /// `op(a) × op(b)` where `op` optionally swaps the last two dimensions.
    public static func matmul(_ a: Tensor, _ b: Tensor, transA: Bool, transB: Bool) -> Tensor {
        precondition(a.rank >= 2 && b.rank >= 2, "matmul needs rank >= 2: \(a.shape) × \(b.shape)")
        let m = transA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
        let k = transA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
        let kb = transB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
        let n = transB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        precondition(k == kb, "matmul inner dimensions differ: \(a.shape) × \(b.shape)")
        let batchA = Array(a.shape.dropLast(2))
        let batchB = Array(b.shape.dropLast(2))
        let sharedB = batchB.isEmpty
        precondition(sharedB || batchA == batchB, "matmul batch dimensions differ: \(a.shape) × \(b.shape)")
        let batch = batchA.reduce(1, *)
        let out = Tensor.uninitialized(batchA + [m, n])
        let lda = a.shape[a.rank - 1]
        let ldb = b.shape[b.rank - 1]
        if sharedB && !transA {
            // Fold the batch into the rows: one big GEMM.
            Kernels.gemm(
                transA: false, transB: transB, m: batch * m, n: n, k: k, a: a.pointer, lda: lda,
                b: b.pointer, ldb: ldb, c: out.pointer, ldc: n)
        } else {
            for i in 0..<batch {
                Kernels.gemm(
                    transA: transA, transB: transB, m: m, n: n, k: k,
                    a: a.pointer + i * m * k, lda: lda,
                    b: b.pointer + (sharedB ? 0 : i * k * n), ldb: ldb,
                    c: out.pointer + i * m * n, ldc: n)
            }
        }
        return out.recording("matmul", [a, b]) { g in
            var ga: Tensor? = nil
            var gb: Tensor? = nil
            if a.requiresGrad {
                // d op(A) = G × op(B)ᵀ
                ga =
                    transA
                    ? Tensor.matmul(b, g, transA: transB, transB: true)
                    : Tensor.matmul(g, b, transA: false, transB: !transB)
            }
            if b.requiresGrad {
                // d op(B) = op(A)ᵀ × G
                if sharedB {
                    let a2 = a.reshapedView([batch * (transA ? k : m), transA ? m : k])
                    let g2 = g.reshapedView([batch * m, n])
                    if transA {
                        // Batched A stored [B, k, m]: sum over the batch.
                        var acc: Tensor? = nil
                        for i in 0..<batch {
                            let ai = Tensor(shape: [k, m], storage: TensorStorage(uninitializedCount: k * m))
                            ai.pointer.update(from: a.pointer + i * k * m, count: k * m)
                            let gi = Tensor(shape: [m, n], storage: TensorStorage(uninitializedCount: m * n))
                            gi.pointer.update(from: g.pointer + i * m * n, count: m * n)
                            let p =
                                transB
                                ? Tensor.matmul(gi, ai, transA: true, transB: true)
                                : Tensor.matmul(ai, gi, transA: false, transB: false)
                            if let s = acc { s.addInPlace(p) } else { acc = p }
                        }
                        gb = acc
                    } else {
                        gb =
                            transB
                            ? Tensor.matmul(g2, a2, transA: true, transB: false)
                            : Tensor.matmul(a2, g2, transA: true, transB: false)
                    }
                } else {
                    gb =
                        transB
                        ? Tensor.matmul(g, a, transA: true, transB: transA)
                        : Tensor.matmul(a, g, transA: !transA, transB: false)
                }
            }
            return [ga, gb]
        }
    }
}
