/// Depthwise 3×3 and pointwise 1×1 convolutions: the two halves of MobileNet's separable
/// convolution, with kernels of their own (``DepthwiseConv``; one GEMM with no im2col copy).

extension Tensor {
    /// Depthwise 3×3 convolution of NHWC input `[N, H, W, C]` with PyTorch-layout weights
    /// `[C, 1, 3, 3]` and an optional bias `[C]`, at any stride, through ``DepthwiseConv``.
    /// The same result as `conv2d(x, weight:, groups: C)`, which routes here.
    public static func depthwiseConv2d(
        _ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Padding = .same,
        activation: DepthwiseConv.Activation = .none
    ) -> Tensor {
        precondition(x.rank == 4, "depthwiseConv2d input must be NHWC, got \(x.shape)")
        let c = x.shape[3]
        precondition(
            weight.shape == [c, 1, 3, 3], "depthwiseConv2d weight must be [\(c), 1, 3, 3], got \(weight.shape)")
        if let bias { precondition(bias.shape == [c], "depthwiseConv2d bias \(bias.shape) must be [\(c)]") }
        let n = x.shape[0]
        let sh = DepthwiseConv.Shape(
            height: x.shape[1], width: x.shape[2], channels: c, stride: stride, padding: padding)
        precondition(sh.outputHeight > 0 && sh.outputWidth > 0, "depthwiseConv2d output would be empty for \(x.shape)")
        let packed = DepthwiseConv.packWeights(weight.pointer, channels: c)
        let zeros = bias == nil ? [Float](repeating: 0, count: c) : []
        let out = Tensor.uninitialized([n, sh.outputHeight, sh.outputWidth, c])
        packed.withUnsafeBufferPointer { p in
            zeros.withUnsafeBufferPointer { z in
                DepthwiseConv.forward(
                    input: x.pointer, images: n, shape: sh, weights: p.baseAddress!,
                    bias: bias.map { UnsafePointer($0.pointer) } ?? z.baseAddress!, activation: activation,
                    output: out.pointer)
            }
        }
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        return out.recording("depthwise_conv2d", inputs) { g0 in
            // Through the clamp first: the gradient passes where the output was not clamped.
            var g = g0
            if case .relu6 = activation { g = Tensor.zipped(g0, out) { $1 > 0 && $1 < 6 ? $0 : 0 } }
            let gp = g.pointer
            var gx: Tensor? = nil
            if x.requiresGrad {
                let dx = Tensor(zeros: x.shape)
                let dp = dx.pointer
                packed.withUnsafeBufferPointer { p in
                    Parallel.forEachChunk(n) { r in
                        for img in r {
                            DepthwiseConv.inputGradient(
                                gp + img * sh.outputCount, shape: sh, weights: p.baseAddress!,
                                into: dp + img * sh.inputCount)
                        }
                    }
                }
                gx = dx
            }
            var gw: Tensor? = nil
            if weight.requiresGrad {
                let workers = Swift.max(1, Swift.min(Parallel.threadCount, n))
                let partial = Tensor(zeros: [workers, 9 * c])
                let pp = partial.pointer
                let xp = x.pointer
                let chunk = (n + workers - 1) / workers
                Parallel.forEachChunk(workers) { wr in
                    for wk in wr {
                        for img in (wk * chunk)..<Swift.min(n, (wk + 1) * chunk) {
                            DepthwiseConv.weightGradient(
                                gp + img * sh.outputCount, input: xp + img * sh.inputCount, shape: sh,
                                into: pp + wk * 9 * c)
                        }
                    }
                }
                for wk in 1..<workers { Kernels.add(pp, pp + wk * 9 * c, 9 * c) }
                // [9, C] back to [C, 1, 3, 3].
                let dw = Tensor.uninitialized(weight.shape)
                for ch in 0..<c {
                    for k in 0..<9 { dw.pointer[ch * 9 + k] = pp[k * c + ch] }
                }
                gw = dw
            }
            let gb = bias != nil ? g.reshapedView([n * sh.outputHeight * sh.outputWidth, c]).summedRows() : nil
            return bias != nil ? [gx, gw, gb] : [gx, gw]
        }
    }

    /// Pointwise (1×1, stride 1, one group) convolution of NHWC input `[N, H, W, Cin]` with
    /// weights `[Cout, Cin, 1, 1]`: one GEMM of the pixels against the weights, no im2col copy.
    public static func pointwiseConv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(x.rank == 4, "pointwiseConv2d input must be NHWC, got \(x.shape)")
        let cin = x.shape[3]
        let cout = weight.shape[0]
        precondition(
            weight.shape == [cout, cin, 1, 1],
            "pointwiseConv2d weight must be [Cout, \(cin), 1, 1], got \(weight.shape)")
        if let bias { precondition(bias.shape == [cout], "pointwiseConv2d bias \(bias.shape) must be [\(cout)]") }
        let rows = x.count / cin
        let out = Tensor.uninitialized([x.shape[0], x.shape[1], x.shape[2], cout])
        Kernels.gemm(
            transA: false, transB: true, m: rows, n: cout, k: cin, a: x.pointer, lda: cin, b: weight.pointer, ldb: cin,
            c: out.pointer, ldc: cout)
        if let bias { Kernels.addRowVector(out.pointer, rows: rows, cols: cout, bias.pointer) }
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        return out.recording("pointwise_conv2d", inputs) { g in
            var gx: Tensor? = nil
            if x.requiresGrad {
                let dx = Tensor.uninitialized(x.shape)
                Kernels.gemm(
                    m: rows, n: cin, k: cout, a: g.pointer, lda: cout, b: weight.pointer, ldb: cin, c: dx.pointer,
                    ldc: cin)
                gx = dx
            }
            var gw: Tensor? = nil
            if weight.requiresGrad {
                let dw = Tensor.uninitialized(weight.shape)
                Kernels.gemm(
                    transA: true, transB: false, m: cout, n: cin, k: rows, a: g.pointer, lda: cout, b: x.pointer,
                    ldb: cin, c: dw.pointer, ldc: cin)
                gw = dw
            }
            let gb = bias != nil ? g.reshapedView([rows, cout]).summedRows() : nil
            return bias != nil ? [gx, gw, gb] : [gx, gw]
        }
    }
}
