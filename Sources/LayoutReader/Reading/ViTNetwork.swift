import Foundation
import TensorKit

/// The seed's layout classifier (reference §11) in TensorKit, trainable end to end:
///
/// 1. patch embedding: a 16×16 stride-16 convolution 1 → `width/4` channels over each binary 32×32
///    token (one value per quadrant), ReLU, flattened channel-major (`c·4 + qy·2 + qx`), dropout,
///    plus the fixed position embedding (``LayoutTokens/positionEmbedding(row:column:dimension:)``);
/// 2. the sequence: the first `tokens` tokens, padded with copies of a learned pad token
///    (initialised to zeros), a learned CLS token in front; no attention mask;
/// 3. `depth` pre-norm blocks (``TransformerEncoderBlock`` with the seed's tanh GELU and no
///    dropout inside the MLP), a final layer norm, the CLS token, a linear head.
///
/// Tensor names are this type's (`patch_embed.weight`, `blocks.0.self_attn.in_proj_weight`, …);
/// ``loadSeed(_:)`` reads the seed's own names and (in, out) layout.
public final class ViTNetwork: Module {
    public let configuration: ViTConfiguration
    /// The patch embedding: `[C, 1, 16, 16]` and `[C]`, as the seed's `embedding.l1`.
    public let patchEmbed: Conv2D
    /// The pad token `[1, width]` (the seed's `mask_token`).
    public let padToken: Tensor
    /// The CLS token `[1, 1, width]`.
    public let clsToken: Tensor
    public let blocks: [TransformerEncoderBlock]
    /// The final layer norm (γ initialised uniform ±1/√width, as the seed's `encoder_norm`).
    public let norm: LayerNorm
    public let head: Linear
    let embeddingDropout: Dropout

    /// A network with the seed's initialisation ("scaled uniform" U(−1, 1)·(elements)^(−½) for the
    /// linear weights, zero biases, the CLS token and the final norm's γ; zero pad token).
    public init(_ configuration: ViTConfiguration = .seed, seed: UInt64 = 0) {
        precondition(configuration.problem == nil, configuration.problem ?? "")
        let c = configuration
        self.configuration = c
        patchEmbed = Conv2D(1, c.patchChannels, kernelSize: 16, stride: 16, seed: seed)
        padToken = Tensor(zeros: [1, c.width], requiresGrad: true)
        var rng = SeededGenerator(seed: seed &+ 0x5EED)
        func scaledUniform(_ shape: [Int]) -> Tensor {
            let bound = 1 / Float(shape.reduce(1, *)).squareRoot()
            return Tensor.uniform(shape, low: -bound, high: bound, using: &rng, requiresGrad: true)
        }
        clsToken = scaledUniform([1, 1, c.width])
        blocks = (0..<c.depth).map { i in
            TransformerEncoderBlock(
                embedDim: c.width, headCount: c.heads, feedForward: c.mlp, dropout: c.residualDropout,
                normFirst: true, gelu: true, geluTanh: true, activationDropout: false, seed: seed &+ UInt64(10 * i + 1))
        }
        norm = LayerNorm(c.width)
        head = Linear(c.width, c.classes, seed: seed &+ 99)
        embeddingDropout = Dropout(rate: c.embeddingDropout, seed: seed &+ 98)
        super.init()
        // The seed's scaled-uniform weights and zero biases (its hand-rolled linear layers).
        for b in blocks {
            let e = c.width
            let q = scaledUniform([e, e])
            let k = scaledUniform([e, e])
            let v = scaledUniform([e, e])
            b.selfAttn.inProjWeight.assign(Tensor.concat([q, k, v], axis: 0))
            b.selfAttn.inProjBias.fill(0)
            b.selfAttn.outProj.weight.assign(scaledUniform([e, e]))
            b.selfAttn.outProj.bias?.fill(0)
            b.linear1.weight.assign(scaledUniform([c.mlp, e]))
            b.linear1.bias?.fill(0)
            b.linear2.weight.assign(scaledUniform([e, c.mlp]))
            b.linear2.bias?.fill(0)
        }
        norm.weight.assign(scaledUniform([c.width]))
        head.weight.assign(scaledUniform([c.classes, c.width]))
        head.bias?.fill(0)
    }

    /// The logits `[B, classes]` of a batch.
    public func callAsFunction(_ batch: ViTBatch) -> Tensor {
        let c = configuration
        precondition(batch.width == c.width && batch.sequence == c.tokens, "batch does not fit \(c)")
        let b = batch.sampleCount
        let w = c.width
        let ch = c.patchChannels
        var parts = [clsToken.reshaped([1, w]), padToken]
        if batch.tokenCount > 0 {
            // Convolution with kernel = stride = 16 on a 32×32 patch = one matmul over the quadrants.
            let kernel = patchEmbed.weight.reshaped([ch, 256])
            var e = Tensor.matmul(batch.quadrants, kernel, transA: false, transB: true)  // [M·4, C]
            if let bias = patchEmbed.bias { e = e + bias }
            e = e.relu().reshaped([batch.tokenCount, 4, ch]).permuted([0, 2, 1]).reshaped([batch.tokenCount, w])
            parts.append(embeddingDropout(e) + batch.positions)
        }
        let table = Tensor.concat(parts, axis: 0)
        var x = table.gather(rows: batch.rows).reshaped([b, batch.length, w])
        for block in blocks { x = block(x, keyBias: batch.keyBias) }
        x = norm(x)
        let cls = x.slice(axis: 1, 0..<1).reshaped([b, w])
        return head(cls)
    }

    /// Loads the seed's checkpoint tensors (reference §11.4): `embedding.l1.{weight,bias}`,
    /// `cls_token`, `mask_token`, `tbs.{i}.{query,key,value,out,ff1,ff2,ln1,ln2}.{0,1}`,
    /// `encoder_norm.{0,1}`, `head.{0,1}`, with linear weights stored (in, out). Every missing,
    /// unexpected or mis-shaped tensor is named in the error.
    public func loadSeed(_ tensors: [String: Tensor]) throws {
        try load(stateDict: ViTNetwork.stateDict(fromSeed: tensors, configuration: configuration))
    }

    /// The seed's tensors renamed and transposed to this network's names and layout.
    public static func stateDict(
        fromSeed seed: [String: Tensor], configuration c: ViTConfiguration
    ) throws
        -> [String: Tensor]
    {
        var problems: [String] = []
        var used = Set<String>()
        func get(_ key: String, _ shape: [Int]) -> Tensor? {
            used.insert(key)
            guard let t = seed[key] else {
                problems.append("missing tensor '\(key)' (expected shape \(shape))")
                return nil
            }
            // The seed's single-axis shapes may be stored with a leading 1.
            guard
                t.shape == shape
                    || (t.count == shape.reduce(1, *) && t.shape.filter { $0 != 1 } == shape.filter { $0 != 1 })
            else {
                problems.append("tensor '\(key)' has shape \(t.shape), expected \(shape)")
                return nil
            }
            return t.reshaped(shape)
        }
        func transposed(_ t: Tensor?) -> Tensor? { t.map { x in GradMode.withoutGrad { x.permuted([1, 0]).copy() } } }
        let e = c.width
        var out: [String: Tensor] = [:]
        out["patch_embed.weight"] = get("embedding.l1.weight", [c.patchChannels, 1, 16, 16])
        out["patch_embed.bias"] = get("embedding.l1.bias", [c.patchChannels])
        out["cls_token"] = get("cls_token", [1, 1, e])
        out["pad_token"] = get("mask_token", [1, e])
        for i in 0..<c.depth {
            let p = "tbs.\(i)."
            let q = transposed(get(p + "query.0", [e, e]))
            let k = transposed(get(p + "key.0", [e, e]))
            let v = transposed(get(p + "value.0", [e, e]))
            if let q, let k, let v { out["blocks.\(i).self_attn.in_proj_weight"] = Tensor.concat([q, k, v], axis: 0) }
            if let qb = get(p + "query.1", [e]), let kb = get(p + "key.1", [e]), let vb = get(p + "value.1", [e]) {
                out["blocks.\(i).self_attn.in_proj_bias"] = Tensor.concat([qb, kb, vb], axis: 0)
            }
            out["blocks.\(i).self_attn.out_proj.weight"] = transposed(get(p + "out.0", [e, e]))
            out["blocks.\(i).self_attn.out_proj.bias"] = get(p + "out.1", [e])
            out["blocks.\(i).linear1.weight"] = transposed(get(p + "ff1.0", [e, c.mlp]))
            out["blocks.\(i).linear1.bias"] = get(p + "ff1.1", [c.mlp])
            out["blocks.\(i).linear2.weight"] = transposed(get(p + "ff2.0", [c.mlp, e]))
            out["blocks.\(i).linear2.bias"] = get(p + "ff2.1", [e])
            out["blocks.\(i).norm1.weight"] = get(p + "ln1.0", [e])
            out["blocks.\(i).norm1.bias"] = get(p + "ln1.1", [e])
            out["blocks.\(i).norm2.weight"] = get(p + "ln2.0", [e])
            out["blocks.\(i).norm2.bias"] = get(p + "ln2.1", [e])
        }
        out["norm.weight"] = get("encoder_norm.0", [e])
        out["norm.bias"] = get("encoder_norm.1", [e])
        out["head.weight"] = transposed(get("head.0", [e, c.classes]))
        out["head.bias"] = get("head.1", [c.classes])
        for k in seed.keys.sorted() where !used.contains(k) { problems.append("unexpected tensor '\(k)'") }
        if !problems.isEmpty { throw TensorError.stateMismatch(problems.joined(separator: "; ")) }
        return out
    }
}

/// One batch of token sequences for ``ViTNetwork``: every kept token's quadrants and position
/// embedding, and for each sample the rows of `[CLS, pad, tokens…]` that make its sequence.
///
/// **Compact padding** (the default) gives the same logits as the seed's padding with less work:
/// the seed pads every sequence to 128 tokens with copies of one pad token and attends to them
/// unmasked, and identical inputs stay identical through every block (attention, layer norm and
/// the MLP treat each position alike), so the `m = 128 − n` pad copies can be one pad position
/// whose attention score gets `+ log m` (softmax then weighs it as `m` keys). Sequences of
/// different lengths in one batch are filled with hidden positions (score −10³⁰) that no other
/// position sees. The sequence is then `n + 2` long instead of 129. `compact: false` builds the
/// seed's full 129-long sequences.
public struct ViTBatch {
    /// `[M·4, 256]`: each token's four 16×16 quadrants (top-left, top-right, bottom-left,
    /// bottom-right), pixels row-major, 0 or 1.
    public let quadrants: Tensor
    /// `[M, width]`: the tokens' position embeddings.
    public let positions: Tensor
    /// `B · (sequence + 1)` rows into `[CLS, pad, token 0, token 1, …]`.
    public let rows: [Int]
    public let sampleCount: Int
    public let tokenCount: Int
    public let width: Int
    /// Tokens per sample after padding or truncation.
    public let sequence: Int
    /// Per sample, how many real tokens it has (after truncation).
    public let kept: [Int]
    /// Positions per sequence (CLS included): `sequence + 1`, or the compact length.
    public let length: Int
    /// `[B, length]` attention-score offsets of each key position (compact padding), or nil.
    public let keyBias: Tensor?

    /// A batch of `samples` for a network of `configuration`, plus `padSamples` pad samples of
    /// §14.5 (all-zero pixels and position embeddings, as many tokens as the first sample).
    public init(_ samples: [LayoutTokens], configuration: ViTConfiguration, padSamples: Int = 0, compact: Bool = true) {
        let t = configuration.tokens
        let w = configuration.width
        var kept = samples.map { min($0.count, t) }
        let padTokens = min(kept.first ?? 0, t)
        kept += [Int](repeating: padTokens, count: padSamples)
        let m = kept.reduce(0, +)
        // Compact: CLS, the tokens, one weighted pad position, hidden filler up to the longest.
        let length = compact ? (kept.max() ?? 0) + 2 : t + 1
        var bias = [Float](repeating: 0, count: compact ? kept.count * length : 0)
        let quadrants = Tensor(zeros: [m * 4, 256])
        var positions = [Float](repeating: 0, count: m * w)
        var rows: [Int] = []
        rows.reserveCapacity((samples.count + padSamples) * (t + 1))
        var next = 0
        let q = quadrants.pointer
        for (s, n) in kept.enumerated() {
            rows.append(0)
            for i in 0..<n {
                rows.append(2 + next + i)
                guard s < samples.count else { continue }  // pad samples stay zero
                let sample = samples[s]
                LayoutTokens.writePositionEmbedding(
                    row: sample.rows[i], column: sample.columns[i], into: &positions, at: (next + i) * w, dimension: w)
                sample.pixels.withUnsafeBufferPointer { px in
                    let src = px.baseAddress! + i * 1024
                    let dst = q + (next + i) * 1024
                    for y in 0..<32 {
                        for x in 0..<32 where src[y * 32 + x] != 0 {
                            let quad = (y / 16) * 2 + x / 16
                            dst[quad * 256 + (y % 16) * 16 + x % 16] = 1
                        }
                    }
                }
            }
            if compact {
                rows += [Int](repeating: 1, count: length - 1 - n)
                let base = s * length
                bias[base + n + 1] = t > n ? Float(Foundation.log(Double(t - n))) : -1e30
                for j in (n + 2)..<length { bias[base + j] = -1e30 }
            } else {
                rows += [Int](repeating: 1, count: t - n)
            }
            next += n
        }
        self.quadrants = quadrants
        self.positions = Tensor(shape: [m, w], scalars: positions)
        self.rows = rows
        sampleCount = kept.count
        tokenCount = m
        width = w
        sequence = t
        self.kept = kept
        self.length = length
        keyBias = compact ? Tensor(shape: [kept.count, length], scalars: bias) : nil
    }
}
