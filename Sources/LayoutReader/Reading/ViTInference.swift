import Foundation
import TensorKit

/// The classifier's forward pass for inference, one sample at a time, without autodiff: the
/// network's weights read in place, buffers allocated once, every product one BLAS call
/// (``Kernels/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``, split over both cores when
/// large), layer norm, GELU and softmax in plain loops over unsafe buffers. Same numbers as
/// ``ViTNetwork`` (compact padding by default, see ``ViTBatch``). Not thread-safe.
public final class ViTInference {
    public let network: ViTNetwork
    private var x: [Float] = [], h: [Float] = [], qkv: [Float] = [], attn: [Float] = []
    private var scores: [Float] = [], hidden: [Float] = [], patch: [Float] = [], quads: [Float] = []
    private var keyBias: [Float] = []

    public init(network: ViTNetwork) { self.network = network }

    /// The logits of one token set (at least one token), with compact padding unless told.
    public func logits(_ tokens: LayoutTokens, compact: Bool = true) -> [Float] {
        let c = network.configuration
        let e = c.width
        let t = c.tokens
        let n = min(tokens.count, t)
        let ch = c.patchChannels
        let length = compact ? n + 1 + (t > n ? 1 : 0) : t + 1
        func grow(_ a: inout [Float], _ count: Int) { if a.count < count { a = [Float](repeating: 0, count: count) } }
        grow(&x, length * e)
        grow(&h, length * e)
        grow(&qkv, length * 3 * e)
        grow(&attn, length * e)
        grow(&scores, length * length)
        grow(&hidden, length * c.mlp)
        grow(&patch, max(1, n) * 4 * ch)
        grow(&quads, max(1, n) * 1024)
        grow(&keyBias, length)
        // Patch embedding: quadrants × kernelᵀ, bias, ReLU, channel-major, + position.
        quads.withUnsafeMutableBufferPointer { q in
            q.baseAddress!.update(repeating: 0, count: n * 1024)
            tokens.pixels.withUnsafeBufferPointer { px in
                for i in 0..<n {
                    for y in 0..<32 {
                        for xx in 0..<32 where px[i * 1024 + y * 32 + xx] != 0 {
                            q[i * 1024 + ((y >> 4) * 2 + (xx >> 4)) * 256 + (y & 15) * 16 + (xx & 15)] = 1
                        }
                    }
                }
            }
        }
        let pw = network.patchEmbed.weight.pointer
        let pb = network.patchEmbed.bias?.pointer
        quads.withUnsafeBufferPointer { q in
            patch.withUnsafeMutableBufferPointer { p in
                Kernels.gemm(
                    transB: true, m: n * 4, n: ch, k: 256, a: q.baseAddress!, lda: 256, b: pw, ldb: 256,
                    c: p.baseAddress!, ldc: ch)
            }
        }
        var position = [Float](repeating: 0, count: e)
        x.withUnsafeMutableBufferPointer { xb in
            let xp = xb.baseAddress!
            (xp).update(from: network.clsToken.pointer, count: e)
            patch.withUnsafeBufferPointer { p in
                for i in 0..<n {
                    LayoutTokens.writePositionEmbedding(
                        row: tokens.rows[i], column: tokens.columns[i], into: &position, at: 0, dimension: e)
                    let row = xp + (i + 1) * e
                    for k in 0..<ch {
                        for qd in 0..<4 {
                            var v = p[(i * 4 + qd) * ch + k] + (pb?[k] ?? 0)
                            if v < 0 { v = 0 }
                            row[k * 4 + qd] = v + position[k * 4 + qd]
                        }
                    }
                }
            }
            for r in (n + 1)..<length { (xp + r * e).update(from: network.padToken.pointer, count: e) }
        }
        for j in 0..<length { keyBias[j] = 0 }
        if compact && t > n { keyBias[n + 1] = Float(Foundation.log(Double(t - n))) }
        for block in network.blocks { run(block, length: length) }
        // Final norm of the CLS row, head.
        var out = [Float](repeating: 0, count: c.classes)
        x.withUnsafeBufferPointer { xb in
            h.withUnsafeMutableBufferPointer { hb in
                ViTInference.layerNorm(
                    xb.baseAddress!, hb.baseAddress!, rows: 1, width: e, gamma: network.norm.weight.pointer,
                    beta: network.norm.bias.pointer, eps: network.norm.eps)
                let hw = network.head.weight.pointer
                for k in 0..<c.classes {
                    var s = network.head.bias?.pointer[k] ?? 0
                    for j in 0..<e { s += hw[k * e + j] * hb[j] }
                    out[k] = s
                }
            }
        }
        return out
    }

    private func run(_ block: TransformerEncoderBlock, length l: Int) {
        let e = network.configuration.width
        let heads = network.configuration.heads
        let dh = e / heads
        let mlp = network.configuration.mlp
        let scale = 1 / Float(dh).squareRoot()
        x.withUnsafeMutableBufferPointer { xb in
            h.withUnsafeMutableBufferPointer { hb in
                qkv.withUnsafeMutableBufferPointer { qb in
                    attn.withUnsafeMutableBufferPointer { ab in
                        scores.withUnsafeMutableBufferPointer { sb in
                            hidden.withUnsafeMutableBufferPointer { fb in
                                keyBias.withUnsafeBufferPointer { kb in
                                    let xp = xb.baseAddress!
                                    let hp = hb.baseAddress!
                                    let qp = qb.baseAddress!
                                    let ap = ab.baseAddress!
                                    let sp = sb.baseAddress!
                                    let fp = fb.baseAddress!
                                    ViTInference.layerNorm(
                                        xp, hp, rows: l, width: e, gamma: block.norm1.weight.pointer,
                                        beta: block.norm1.bias.pointer, eps: block.norm1.eps)
                                    Kernels.gemm(
                                        transB: true, m: l, n: 3 * e, k: e, a: hp, lda: e,
                                        b: block.selfAttn.inProjWeight.pointer, ldb: e, c: qp, ldc: 3 * e)
                                    ViTInference.addBias(qp, block.selfAttn.inProjBias.pointer, rows: l, width: 3 * e)
                                    for hd in 0..<heads {
                                        let q = qp + hd * dh
                                        let k = qp + e + hd * dh
                                        let v = qp + 2 * e + hd * dh
                                        Kernels.gemm(
                                            transB: true, m: l, n: l, k: dh, alpha: scale, a: q, lda: 3 * e, b: k,
                                            ldb: 3 * e, c: sp, ldc: l)
                                        for r in 0..<l {
                                            let row = sp + r * l
                                            var m = -Float.infinity
                                            for j in 0..<l {
                                                row[j] += kb[j]
                                                if row[j] > m { m = row[j] }
                                            }
                                            var s: Float = 0
                                            for j in 0..<l {
                                                let ex = Foundation.expf(row[j] - m)
                                                row[j] = ex
                                                s += ex
                                            }
                                            let inv = 1 / s
                                            for j in 0..<l { row[j] *= inv }
                                        }
                                        Kernels.gemm(
                                            m: l, n: dh, k: l, a: sp, lda: l, b: v, ldb: 3 * e, c: ap + hd * dh, ldc: e)
                                    }
                                    // x += attn · Woᵀ + bo
                                    Kernels.gemm(
                                        transB: true, m: l, n: e, k: e, a: ap, lda: e,
                                        b: block.selfAttn.outProj.weight.pointer, ldb: e, beta: 1, c: xp, ldc: e)
                                    if let b = block.selfAttn.outProj.bias {
                                        ViTInference.addBias(xp, b.pointer, rows: l, width: e)
                                    }
                                    ViTInference.layerNorm(
                                        xp, hp, rows: l, width: e, gamma: block.norm2.weight.pointer,
                                        beta: block.norm2.bias.pointer, eps: block.norm2.eps)
                                    Kernels.gemm(
                                        transB: true, m: l, n: mlp, k: e, a: hp, lda: e,
                                        b: block.linear1.weight.pointer, ldb: e, c: fp, ldc: mlp)
                                    let b1 = block.linear1.bias?.pointer
                                    let c0: Float = 0.7978845608028654
                                    for r in 0..<l {
                                        let row = fp + r * mlp
                                        for j in 0..<mlp {
                                            let z = row[j] + (b1?[j] ?? 0)
                                            row[j] = 0.5 * z * (1 + Foundation.tanhf(c0 * (z + 0.044715 * z * z * z)))
                                        }
                                    }
                                    Kernels.gemm(
                                        transB: true, m: l, n: e, k: mlp, a: fp, lda: mlp,
                                        b: block.linear2.weight.pointer, ldb: mlp, beta: 1, c: xp, ldc: e)
                                    if let b = block.linear2.bias {
                                        ViTInference.addBias(xp, b.pointer, rows: l, width: e)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func addBias(_ p: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, rows: Int, width: Int) {
        for r in 0..<rows {
            let row = p + r * width
            for j in 0..<width { row[j] += b[j] }
        }
    }

    /// Row-wise layer norm with affine (population variance), `out` may not alias `x`.
    static func layerNorm(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, width: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float
    ) {
        for r in 0..<rows {
            let a = x + r * width
            let o = out + r * width
            var mean: Float = 0
            for j in 0..<width { mean += a[j] }
            mean /= Float(width)
            var v: Float = 0
            for j in 0..<width {
                let d = a[j] - mean
                v += d * d
            }
            let inv = 1 / (v / Float(width) + eps).squareRoot()
            for j in 0..<width { o[j] = (a[j] - mean) * inv * gamma[j] + beta[j] }
        }
    }
}
