import Foundation

/// Stacked ``LSTM`` layers (one layer each, batch-first), keeping the last layer's final state,
/// and a ``Linear`` on it, compiled for inference: per layer one GEMM projects every time step's
/// input, then each step is one matrix-vector product with the recurrent weights and the gate
/// arithmetic on raw buffers (no autodiff, no tensors per step).
///
/// Gate order i, f, g, o, sigmoid gates and tanh, as ``LSTM`` (PyTorch's and Keras's semantics).
/// The plan copies the weights when it is made.
public final class LSTMPlan {
    struct Layer {
        var inputSize: Int
        var hidden: Int
        /// `[4H, in]`
        var ih: [Float]
        /// `[4H, H]`
        var hh: [Float]
        /// `bias_ih + bias_hh`
        var bias: [Float]
    }

    let layers: [Layer]
    let outWeight: [Float]
    let outBias: [Float]
    let outCount: Int

    /// - Precondition: each layer is single-layer and feeds the next; `output` takes the last hidden size.
    public init(layers lstms: [LSTM], output: Linear) {
        layers = lstms.map { l in
            precondition(l.layerCount == 1, "LSTMPlan takes single-layer LSTMs")
            let w = l.weights[0]
            return Layer(
                inputSize: l.inputSize, hidden: l.hiddenSize, ih: w.ih.scalars, hh: w.hh.scalars,
                bias: zip(w.bih.scalars, w.bhh.scalars).map { $0 + $1 })
        }
        outWeight = output.weight.scalars
        outBias = output.bias?.scalars ?? [Float](repeating: 0, count: output.weight.shape[0])
        outCount = output.weight.shape[0]
    }

    /// Output `[B, outputs]` for sequences `[B, T, F]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(
            x.rank == 3 && x.shape[2] == layers[0].inputSize,
            "LSTMPlan expects [B, T, \(layers[0].inputSize)], got \(x.shape)")
        let b = x.shape[0]
        let t = x.shape[1]
        let maxHidden = layers.map(\.hidden).max() ?? 0
        let gates = UnsafeMutablePointer<Float>.allocate(capacity: b * t * 4 * maxHidden)
        defer { gates.deallocate() }
        var seqA = [Float](repeating: 0, count: b * t * maxHidden)
        var seqB = seqA
        var lastH = [Float](repeating: 0, count: b * maxHidden)
        for (li, l) in layers.enumerated() {
            let g4 = 4 * l.hidden
            // Every step's input projection in one GEMM.
            let project = { (input: UnsafePointer<Float>) in
                l.ih.withUnsafeBufferPointer { w in
                    Kernels.gemm(
                        transA: false, transB: true, m: b * t, n: g4, k: l.inputSize, a: input, lda: l.inputSize,
                        b: w.baseAddress!, ldb: l.inputSize, c: gates, ldc: g4)
                }
            }
            if li == 0 {
                project(x.pointer)
            } else {
                seqA.withUnsafeBufferPointer { project($0.baseAddress!) }
            }
            seqB.withUnsafeMutableBufferPointer { out in
                lastH.withUnsafeMutableBufferPointer { last in
                    l.hh.withUnsafeBufferPointer { hh in
                        l.bias.withUnsafeBufferPointer { bias in
                            LSTMPlan.recur(
                                l, batch: b, steps: t, gates: gates, hh: hh.baseAddress!, bias: bias.baseAddress!,
                                sequence: out.baseAddress!, last: last.baseAddress!)
                        }
                    }
                }
            }
            swap(&seqA, &seqB)
        }
        let out = Tensor.uninitialized([b, outCount])
        let hsz = layers[layers.count - 1].hidden
        for r in 0..<b {
            for o in 0..<outCount {
                var s = outBias[o]
                for k in 0..<hsz { s += outWeight[o * hsz + k] * lastH[r * hsz + k] }
                out.pointer[r * outCount + o] = s
            }
        }
        return out
    }

    /// Runs one layer's recurrence over projected `gates` `[B, T, 4H]` (overwritten), writing every
    /// step's `h` to `sequence` `[B, T, H]` and the final one to `last` `[B, H]`.
    static func recur(
        _ l: Layer, batch: Int, steps: Int, gates: UnsafeMutablePointer<Float>, hh: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, sequence: UnsafeMutablePointer<Float>, last: UnsafeMutablePointer<Float>
    ) {
        let hsz = l.hidden
        let g4 = 4 * hsz
        let h = UnsafeMutablePointer<Float>.allocate(capacity: hsz)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: hsz)
        let rec = UnsafeMutablePointer<Float>.allocate(capacity: g4)
        defer {
            h.deallocate()
            c.deallocate()
            rec.deallocate()
        }
        for r in 0..<batch {
            h.update(repeating: 0, count: hsz)
            c.update(repeating: 0, count: hsz)
            for step in 0..<steps {
                let gp = gates + (r * steps + step) * g4
                Kernels.gemv(m: g4, n: hsz, a: hh, lda: hsz, x: h, y: rec)
                for j in 0..<hsz {
                    let i = sigmoid(gp[j] + rec[j] + bias[j])
                    let f = sigmoid(gp[hsz + j] + rec[hsz + j] + bias[hsz + j])
                    let g = Foundation.tanh(gp[2 * hsz + j] + rec[2 * hsz + j] + bias[2 * hsz + j])
                    let o = sigmoid(gp[3 * hsz + j] + rec[3 * hsz + j] + bias[3 * hsz + j])
                    let cj = f * c[j] + i * g
                    c[j] = cj
                    h[j] = o * Foundation.tanh(cj)
                }
                (sequence + (r * steps + step) * hsz).update(from: h, count: hsz)
            }
            (last + r * hsz).update(from: h, count: hsz)
        }
    }

    @inline(__always) static func sigmoid(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
}
