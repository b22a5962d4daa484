/// Stacked ``LSTM`` layers (one layer each, batch-first), keeping the last layer's final state,
/// and a ``Linear`` on it, compiled for inference: no autodiff, no tensors per step.
///
/// Per layer, every time step's input projection is one fused 1×1 product (``PointwiseConv``,
/// both LSTM biases folded in), its gate columns in two halves — input and forget gates, cell and
/// output gates — that run on two threads. Then each step is one pass over the recurrent weights,
/// packed so that eight hidden units' four gates sit side by side for every input: the
/// matrix-vector product, the gate nonlinearities (``VectorMath``, eight lanes at a time) and the
/// cell update happen in registers, eight units at a time, with no call per element.
///
/// Hidden sizes are padded to a multiple of 8 with zero weights and biases. A padded unit's gates
/// are then sigmoid(0), sigmoid(0), tanh(0) = 0 and sigmoid(0), so its cell and output stay exactly
/// 0 and it changes nothing downstream (its columns in the next weights are zero as well).
///
/// Gate order i, f, g, o, sigmoid gates and tanh, as ``LSTM`` (PyTorch's and Keras's semantics).
/// The plan copies the weights when it is made.
public final class LSTMPlan {
    struct Layer {
        /// Floats per input row (the previous layer's padded hidden size after the first layer).
        var inputSize: Int
        var hidden: Int
        /// `hidden` rounded up to a multiple of 8.
        var padded: Int
        /// Input projections `[inputSize, 2 · padded]` (``PointwiseConv`` packing) of the gate
        /// pairs (i, f) and (g, o), with `bias_ih + bias_hh`.
        var pairs: [(weight: AlignedFloats, bias: AlignedFloats)]
        /// Recurrent weights `[padded / 8][padded][4][8]`: for block `b` of 8 units and input unit
        /// `k`, the i, f, g, o weights of units `8b ..< 8b + 8`.
        var recurrent: AlignedFloats
    }

    let layers: [Layer]
    let outWeight: [Float]
    let outBias: [Float]
    let outCount: Int

    /// - Precondition: each layer is single-layer and feeds the next; `output` takes the last hidden size.
    public init(layers lstms: [LSTM], output: Linear) {
        var inputWidth = lstms.first?.inputSize ?? 0
        var built: [Layer] = []
        for l in lstms {
            precondition(l.layerCount == 1, "LSTMPlan takes single-layer LSTMs")
            let w = l.weights[0]
            let h = l.hiddenSize
            let hp = (h + 7) / 8 * 8
            let n = l.inputSize
            precondition(
                built.last.map { n == $0.hidden } ?? true,
                "LSTMPlan: a layer of input size \(n) cannot follow one of \(built.last?.hidden ?? 0) units")
            let ih = w.ih.scalars
            let hh = w.hh.scalars
            let bias = zip(w.bih.scalars, w.bhh.scalars).map { $0 + $1 }
            // Each pair as a PyTorch-layout [2 hp, inputWidth] matrix, then packed.
            let pairs = (0..<2).map { pair -> (weight: AlignedFloats, bias: AlignedFloats) in
                var m = [Float](repeating: 0, count: 2 * hp * inputWidth)
                var b = [Float](repeating: 0, count: 2 * hp)
                for local in 0..<2 {
                    let gate = 2 * pair + local
                    for u in 0..<h {
                        let row = local * hp + u
                        for c in 0..<n { m[row * inputWidth + c] = ih[(gate * h + u) * n + c] }
                        b[row] = bias[gate * h + u]
                    }
                }
                let packed = m.withUnsafeBufferPointer {
                    PointwiseConv.packWeights($0.baseAddress!, outputs: 2 * hp, inputs: inputWidth)
                }
                return (AlignedFloats(packed), AlignedFloats(b))
            }
            var rec = [Float](repeating: 0, count: hp * hp * 4)
            for u in 0..<h {
                let block = u / 8
                let lane = u % 8
                for gate in 0..<4 {
                    for k in 0..<h { rec[((block * hp + k) * 4 + gate) * 8 + lane] = hh[(gate * h + u) * h + k] }
                }
            }
            built.append(
                Layer(
                    inputSize: inputWidth, hidden: h, padded: hp, pairs: pairs, recurrent: AlignedFloats(rec)))
            inputWidth = hp
        }
        layers = built
        outWeight = output.weight.scalars
        outBias = output.bias?.scalars ?? [Float](repeating: 0, count: output.weight.shape[0])
        outCount = output.weight.shape[0]
    }

    /// Output `[B, outputs]` for sequences `[B, T, F]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let first = layers[0]
        precondition(
            x.rank == 3 && x.shape[2] == first.inputSize,
            "LSTMPlan expects [B, T, \(first.inputSize)], got \(x.shape)")
        let batch = x.shape[0]
        let steps = x.shape[1]
        let rows = batch * steps
        let maxPadded = layers.map(\.padded).max() ?? 0
        let out = Tensor.uninitialized([batch, outCount])
        guard rows > 0 else {
            for r in 0..<batch { (out.pointer + r * outCount).update(from: outBias, count: outCount) }
            return out
        }
        // Gate pairs [rows, 2 hp] each, two sequences [rows, hp] (one layer's input, the next's
        // output), a cell state, and a zero state for the first step.
        let pairFloats = rows * 2 * maxPadded
        let seqFloats = rows * maxPadded
        let buffer = AlignedFloats.allocate(2 * pairFloats + 2 * seqFloats + 2 * maxPadded + 64)
        defer { UnsafeMutableRawPointer(buffer).deallocate() }
        let gatesIF = buffer
        let gatesGO = gatesIF + pairFloats
        var seqIn = gatesGO + pairFloats
        var seqOut = seqIn + seqFloats
        let cell = seqOut + seqFloats
        let zeros = cell + maxPadded
        zeros.initialize(repeating: 0, count: maxPadded)
        var input = UnsafePointer(x.pointer)
        for l in layers {
            project(l, input, rows: rows, into: [gatesIF, gatesGO])
            let hp = l.padded
            for b in 0..<batch {
                cell.update(repeating: 0, count: hp)
                for t in 0..<steps {
                    let r = b * steps + t
                    LSTMPlan.step(
                        l, gatesIF: gatesIF + r * 2 * hp, gatesGO: gatesGO + r * 2 * hp,
                        previous: UnsafePointer(t == 0 ? zeros : seqOut + (r - 1) * hp), cell: cell,
                        output: seqOut + r * hp)
                }
            }
            input = UnsafePointer(seqOut)
            swap(&seqIn, &seqOut)
        }
        // `seqIn` now holds the last layer's sequence.
        let last = layers[layers.count - 1]
        for b in 0..<batch {
            let h = seqIn + ((b + 1) * steps - 1) * last.padded
            for o in 0..<outCount {
                var s = outBias[o]
                for k in 0..<last.hidden { s += outWeight[o * last.hidden + k] * h[k] }
                out.pointer[b * outCount + o] = s
            }
        }
        return out
    }

    /// Every row's input projection, the two gate pairs on two threads when worth it.
    func project(_ l: Layer, _ input: UnsafePointer<Float>, rows: Int, into outputs: [UnsafeMutablePointer<Float>]) {
        let run = { (pair: Int) in
            PointwiseConv.forward(
                x: input, rows: rows, k: l.inputSize, weights: l.pairs[pair].weight.pointer, n: 2 * l.padded,
                bias: l.pairs[pair].bias.pointer, output: outputs[pair])
        }
        if rows * l.inputSize * l.padded >= 1 << 16 {
            Parallel.forEachChunk(2) { r in for pair in r { run(pair) } }
        } else {
            run(0)
            run(1)
        }
    }

    typealias V = SIMD8<Float>

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V { DepthwiseConv.load(p) }

    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { DepthwiseConv.store(v, p) }

    /// One time step of layer `l`: gate pre-activations (projected input plus the recurrent
    /// product of `previous`), the cell update in `cell` and the new hidden state in `output`,
    /// eight units at a time.
    @inline(__always)
    static func step(
        _ l: Layer, gatesIF: UnsafePointer<Float>, gatesGO: UnsafePointer<Float>, previous: UnsafePointer<Float>,
        cell: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let hp = l.padded
        var w = UnsafePointer(l.recurrent.pointer)
        var u = 0
        while u < hp {
            // Two chains per gate over the inputs, to hide the FMA latency.
            var i0 = load(gatesIF + u)
            var f0 = load(gatesIF + hp + u)
            var g0 = load(gatesGO + u)
            var o0 = load(gatesGO + hp + u)
            var i1 = V()
            var f1 = V()
            var g1 = V()
            var o1 = V()
            var k = 0
            while k < hp {
                let s0 = V(repeating: previous[k])
                let s1 = V(repeating: previous[k + 1])
                i0.addProduct(s0, load(w))
                f0.addProduct(s0, load(w + 8))
                g0.addProduct(s0, load(w + 16))
                o0.addProduct(s0, load(w + 24))
                i1.addProduct(s1, load(w + 32))
                f1.addProduct(s1, load(w + 40))
                g1.addProduct(s1, load(w + 48))
                o1.addProduct(s1, load(w + 56))
                w += 64
                k += 2
            }
            let c = VectorMath.sigmoid(f0 + f1) * load(cell + u) + VectorMath.sigmoid(i0 + i1) * VectorMath.tanh(g0 + g1)
            store(c, cell + u)
            store(VectorMath.sigmoid(o0 + o1) * VectorMath.tanh(c), output + u)
            u += 8
        }
    }
}
