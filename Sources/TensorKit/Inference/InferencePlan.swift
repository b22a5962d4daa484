/// A `Sequential` network compiled for fast inference: runs of layers that have a fused kernel
/// are replaced by one step, buffers are kept between calls, and nothing is recorded for autodiff.
///
/// Fused today: `[Rescaling] Conv2D(3×3, stride 1, same, 8/16/32 channels) [ReLU] MaxPool2D(2)`
/// → ``DirectConv``; `Linear [ReLU]` → one GEMM with bias and ReLU applied in place; `Dropout` is
/// dropped (evaluation mode); `Flatten` is a reshape. Any other layer runs as itself.
/// The plan reads the weights when it is made: make a new plan after the weights change.
public final class InferencePlan {
    enum Step {
        case conv(packed: [Float], bias: [Float], cin: Int, cout: Int, relu: Bool, inputScale: Float)
        case linear(weight: Tensor, bias: Tensor?, relu: Bool)
        case flatten
        case layer(any UnaryLayer)
    }

    let steps: [Step]
    private var scratch: Tensor?

    /// Compiles `network`'s layers.
    public init(_ network: Sequential) {
        var steps: [Step] = []
        let layers = network.layers
        var i = 0
        var pendingScale: Float = 1
        while i < layers.count {
            let l = layers[i]
            if let r = l as? Rescaling, r.offset == 0, r.scale > 0, i + 1 < layers.count, layers[i + 1] is Conv2D {
                pendingScale *= r.scale
                i += 1
                continue
            }
            if let c = l as? Conv2D, InferencePlan.fusable(c) {
                var j = i + 1
                var relu = false
                if j < layers.count, layers[j] is ReLU {
                    relu = true
                    j += 1
                }
                while j < layers.count, layers[j] is Dropout { j += 1 }
                if j < layers.count, let p = layers[j] as? MaxPool2D, p.kernelSize == 2, p.stride == 2, p.padding == 0 {
                    let packed = DirectConv.packWeights(c.weight.pointer, cout: c.outputChannels, cin: c.inputChannels)
                    let bias = c.bias?.scalars ?? [Float](repeating: 0, count: c.outputChannels)
                    steps.append(
                        .conv(
                            packed: packed, bias: bias, cin: c.inputChannels, cout: c.outputChannels, relu: relu,
                            inputScale: pendingScale))
                    pendingScale = 1
                    i = j + 1
                    continue
                }
            }
            if pendingScale != 1 {
                steps.append(.layer(Rescaling(scale: pendingScale)))
                pendingScale = 1
            }
            if let lin = l as? Linear {
                let relu = i + 1 < layers.count && layers[i + 1] is ReLU
                steps.append(.linear(weight: lin.weight, bias: lin.bias, relu: relu))
                i += relu ? 2 : 1
                continue
            }
            if l is Dropout {
                i += 1
                continue
            }
            if l is Flatten {
                steps.append(.flatten)
                i += 1
                continue
            }
            steps.append(.layer(l))
            i += 1
        }
        if pendingScale != 1 { steps.append(.layer(Rescaling(scale: pendingScale))) }
        self.steps = steps
    }

    static func fusable(_ c: Conv2D) -> Bool {
        c.kernelSize == 3 && c.stride == (1, 1) && c.dilation == (1, 1) && c.groups == 1 && c.padding == .same
            && [8, 16, 32].contains(c.outputChannels)
    }

    /// How many layers were fused into kernels (for tests and reports).
    public var fusedStepCount: Int {
        steps.filter {
            if case .conv = $0 { return true }
            if case .linear = $0 { return true }
            return false
        }.count
    }

    /// Runs the network on `x` (evaluation mode semantics).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        GradMode.withoutGrad {
            var h = x
            for step in steps {
                switch step {
                case .conv(let packed, let bias, let cin, let cout, let relu, let scale):
                    precondition(
                        h.rank == 4 && h.shape[3] == cin, "conv step expects NHWC with \(cin) channels, got \(h.shape)")
                    let n = h.shape[0]
                    let height = h.shape[1]
                    let width = h.shape[2]
                    let need = DirectConv.scratchCount(
                        n: Swift.min(n, Swift.max(Parallel.threadCount, 1)) + n, h: height, w: width, cin: cin)
                    if scratch == nil || scratch!.count < need { scratch = Tensor.uninitialized([need]) }
                    let out = Tensor.uninitialized([n, height / 2, width / 2, cout])
                    packed.withUnsafeBufferPointer { pk in
                        bias.withUnsafeBufferPointer { b in
                            DirectConv.conv3x3Pool(
                                input: h.pointer, n: n, h: height, w: width, cin: cin,
                                packed: pk.baseAddress!, bias: b.baseAddress!, cout: cout,
                                relu: relu, inputScale: scale, scratch: scratch!.pointer, output: out.pointer)
                        }
                    }
                    h = out
                case .linear(let weight, let bias, let relu):
                    let rows = h.count / h.shape[h.rank - 1]
                    let inF = h.shape[h.rank - 1]
                    let outF = weight.shape[0]
                    let out = Tensor.uninitialized(Array(h.shape.dropLast()) + [outF])
                    let x = h.pointer
                    let o = out.pointer
                    let w = weight.pointer
                    let b = bias?.pointer
                    func finish(_ r: Int, _ cols: Range<Int>) {
                        let row = o + r * outF
                        if let b {
                            if relu {
                                for j in cols { row[j] = Swift.max(row[j] + b[j], 0) }
                            } else {
                                for j in cols { row[j] += b[j] }
                            }
                        } else if relu {
                            for j in cols { row[j] = Swift.max(row[j], 0) }
                        }
                    }
                    if rows <= 4 {
                        // A few images: matrix-vector products (a GEMM would repack the weights on
                        // every call), the output features split between the workers.
                        Parallel.forEachChunk(outF, grain: 32) { cols in
                            for r in 0..<rows {
                                Kernels.gemv(
                                    m: cols.count, n: inF, a: w + cols.lowerBound * inF, lda: inF,
                                    x: x + r * inF, y: o + r * outF + cols.lowerBound)
                                finish(r, cols)
                            }
                        }
                    } else {
                        Kernels.gemm(
                            transA: false, transB: true, m: rows, n: outF, k: inF, a: x, lda: inF,
                            b: w, ldb: inF, c: o, ldc: outF)
                        for r in 0..<rows { finish(r, 0..<outF) }
                    }
                    h = out
                case .flatten:
                    h = h.reshaped([h.shape[0], -1])
                case .layer(let l):
                    h = l(h)
                }
            }
            return h
        }
    }
}
