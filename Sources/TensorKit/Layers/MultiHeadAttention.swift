/// Multi-head self-attention over batch-first sequences `[N, L, E]`, with PyTorch's parameters
/// (`in_proj_weight` `[3E, E]`, `in_proj_bias`, `out_proj.weight`, `out_proj.bias`).
public final class MultiHeadAttention: Module {
    public let inProjWeight: Tensor
    public let inProjBias: Tensor
    public let outProj: Linear
    public let embedDim: Int, headCount: Int

    public init(embedDim: Int, headCount: Int, seed: UInt64 = 0) {
        precondition(embedDim % headCount == 0, "embedding \(embedDim) is not divisible by \(headCount) heads")
        var rng = SeededGenerator(seed: seed)
        let bound = (6 / Float(embedDim + 3 * embedDim)).squareRoot()  // Xavier uniform, as PyTorch
        inProjWeight = Tensor.uniform(
            [3 * embedDim, embedDim], low: -bound, high: bound, using: &rng, requiresGrad: true)
        inProjBias = Tensor(zeros: [3 * embedDim], requiresGrad: true)
        outProj = Linear(embedDim, embedDim, seed: seed &+ 1)
        outProj.bias!.fill(0)
        self.embedDim = embedDim
        self.headCount = headCount
        super.init()
    }

    /// Self-attention of `x` `[N, L, E]`. `keyPaddingMask[n][s] == true` hides key `s` of sample `n`.
    /// `keyBias` `[N, L]` (no gradient) is added to every query's score of key `s`: `log m` makes
    /// key `s` count as `m` identical keys, a large negative value hides it.
    public func callAsFunction(_ x: Tensor, keyPaddingMask: [[Bool]]? = nil, keyBias: Tensor? = nil) -> Tensor {
        precondition(x.rank == 3 && x.shape[2] == embedDim, "attention expects [N, L, \(embedDim)], got \(x.shape)")
        let n = x.shape[0]
        let l = x.shape[1]
        let e = embedDim
        let hc = headCount
        let dh = e / hc
        let qkv = Tensor.matmul(x, inProjWeight, transA: false, transB: true) + inProjBias  // [N, L, 3E]
        func heads(_ t: Tensor) -> Tensor { t.reshaped([n, l, hc, dh]).permuted([0, 2, 1, 3]) }  // [N, H, L, Dh]
        let q = heads(qkv.slice(axis: 2, 0..<e)) * (1 / Float(dh).squareRoot())
        let k = heads(qkv.slice(axis: 2, e..<(2 * e)))
        let v = heads(qkv.slice(axis: 2, (2 * e)..<(3 * e)))
        var scores = Tensor.matmul(q, k, transA: false, transB: true)  // [N, H, L, L]
        if let keyPaddingMask {
            precondition(
                keyPaddingMask.count == n && keyPaddingMask.allSatisfy { $0.count == l },
                "key padding mask must be [\(n)][\(l)]")
            let mask = Tensor(shape: [n, 1, 1, l], scalars: keyPaddingMask.flatMap { $0.map { $0 ? -1e30 : 0 } })
            scores = scores + mask
        }
        if let keyBias {
            precondition(keyBias.shape == [n, l], "key bias must be [\(n), \(l)], got \(keyBias.shape)")
            scores = scores + keyBias.reshaped([n, 1, 1, l])
        }
        let attended = Tensor.matmul(scores.softmax(axis: -1), v, transA: false, transB: false)  // [N, H, L, Dh]
        return outProj(attended.permuted([0, 2, 1, 3]).reshaped([n, l, e]))
    }
}

/// A transformer encoder layer like PyTorch's `nn.TransformerEncoderLayer(batch_first=True)`:
/// self-attention and a feed-forward block, each with a residual connection and layer norm
/// (after the block by default, before it with `normFirst`).
///
/// The vision transformer of the layout reader's seed is `normFirst: true, gelu: true,
/// geluTanh: true, activationDropout: false`: `x + Dropout(Attn(LN(x)))`, then
/// `x + Dropout(W2 · GELU_tanh(W1 · LN(x) + b1) + b2)`, with no dropout inside the MLP.
public final class TransformerEncoderBlock: Module {
    public let selfAttn: MultiHeadAttention
    public let linear1: Linear
    public let linear2: Linear
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    public let dropout: Dropout
    public let normFirst: Bool
    public let useGELU: Bool
    /// GELU's tanh approximation instead of the exact one (only with `gelu`).
    public let geluTanh: Bool
    /// Dropout also after the MLP's activation, as PyTorch does (the seed's ViT has none there).
    public let activationDropout: Bool

    public init(
        embedDim: Int, headCount: Int, feedForward: Int, dropout: Float = 0, normFirst: Bool = false,
        gelu: Bool = false, geluTanh: Bool = false, activationDropout: Bool = true, eps: Float = 1e-5,
        seed: UInt64 = 0
    ) {
        selfAttn = MultiHeadAttention(embedDim: embedDim, headCount: headCount, seed: seed)
        linear1 = Linear(embedDim, feedForward, seed: seed &+ 2)
        linear2 = Linear(feedForward, embedDim, seed: seed &+ 3)
        norm1 = LayerNorm(embedDim, eps: eps)
        norm2 = LayerNorm(embedDim, eps: eps)
        self.dropout = Dropout(rate: dropout, seed: seed &+ 4)
        self.normFirst = normFirst
        self.useGELU = gelu
        self.geluTanh = geluTanh
        self.activationDropout = activationDropout
        super.init()
    }

    func feedForward(_ x: Tensor) -> Tensor {
        let h = linear1(x)
        let a = useGELU ? h.gelu(approximateTanh: geluTanh) : h.relu()
        return dropout(linear2(activationDropout ? dropout(a) : a))
    }

    public func callAsFunction(_ x: Tensor, keyPaddingMask: [[Bool]]? = nil, keyBias: Tensor? = nil) -> Tensor {
        if normFirst {
            let a = x + dropout(selfAttn(norm1(x), keyPaddingMask: keyPaddingMask, keyBias: keyBias))
            return a + feedForward(norm2(a))
        }
        let a = norm1(x + dropout(selfAttn(x, keyPaddingMask: keyPaddingMask, keyBias: keyBias)))
        return norm2(a + feedForward(a))
    }
}
