/// 2-D convolution over NHWC tensors with PyTorch-layout weights `[Cout, Cin/groups, kH, kW]`.

/// How a convolution pads its input.
public enum Padding: Equatable, Sendable {
    /// No padding.
    case valid
    /// TensorFlow/Keras "same": output size `ceil(in / stride)`; an odd total pad puts the extra
    /// row/column at the bottom/right.
    case same
    /// Explicit padding per side.
    case explicit(top: Int, bottom: Int, left: Int, right: Int)

    /// Symmetric padding of `p` on every side (PyTorch's `padding=p`).
    public static func symmetric(_ p: Int) -> Padding { .explicit(top: p, bottom: p, left: p, right: p) }

    /// Pads (top, bottom) along one axis.
    func amounts(input: Int, kernel: Int, stride: Int, dilation: Int) -> (Int, Int) {
        let effective = (kernel - 1) * dilation + 1
        switch self {
        case .valid: return (0, 0)
        case .same:
            let out = (input + stride - 1) / stride
            let total = Swift.max(0, (out - 1) * stride + effective - input)
            return (total / 2, total - total / 2)
        case .explicit: return (0, 0)
        }
    }
}

/// The geometry of one convolution, shared by forward and backward passes.
struct ConvGeometry {
    let n, h, w, cin, cout, kh, kw, sh, sw, dh, dw, groups: Int
    let padTop, padLeft: Int
    let oh, ow: Int
    var cinG: Int { cin / groups }
    var coutG: Int { cout / groups }
    /// Columns of the im2col matrix per group: kh·kw·Cin/groups, ordered (ky, kx, ci).
    var k: Int { kh * kw * cinG }

    /// The geometry of the convolution whose input is `[n, h, w, cin]` and whose output size is
    /// given (used by transposed convolution, where the output size is known).
    init(
        n: Int, h: Int, w: Int, cin: Int, cout: Int, kernel: (Int, Int), stride: (Int, Int), padTop: Int, padLeft: Int,
        dilation: (Int, Int), groups: Int, outputHeight: Int, outputWidth: Int
    ) {
        self.n = n
        self.h = h
        self.w = w
        self.cin = cin
        self.cout = cout
        kh = kernel.0
        kw = kernel.1
        sh = stride.0
        sw = stride.1
        dh = dilation.0
        dw = dilation.1
        self.groups = groups
        self.padTop = padTop
        self.padLeft = padLeft
        oh = outputHeight
        ow = outputWidth
    }

    init(input: [Int], weight: [Int], stride: (Int, Int), padding: Padding, dilation: (Int, Int), groups: Int) {
        precondition(input.count == 4, "conv2d input must be NHWC, got shape \(input)")
        precondition(weight.count == 4, "conv2d weight must be [Cout, Cin/groups, kH, kW], got \(weight)")
        n = input[0]
        h = input[1]
        w = input[2]
        cin = input[3]
        cout = weight[0]
        kh = weight[2]
        kw = weight[3]
        precondition(
            groups > 0 && cin % groups == 0 && cout % groups == 0 && weight[1] == cin / groups,
            "conv2d weight \(weight) does not fit input channels \(cin) with groups \(groups)")
        sh = stride.0
        sw = stride.1
        dh = dilation.0
        dw = dilation.1
        self.groups = groups
        var top = 0
        var bottom = 0
        var left = 0
        var right = 0
        switch padding {
        case .explicit(let t, let b, let l, let r):
            top = t
            bottom = b
            left = l
            right = r
        default:
            (top, bottom) = padding.amounts(input: h, kernel: kh, stride: sh, dilation: dh)
            (left, right) = padding.amounts(input: w, kernel: kw, stride: sw, dilation: dw)
        }
        padTop = top
        padLeft = left
        oh = (h + top + bottom - (kh - 1) * dh - 1) / sh + 1
        ow = (w + left + right - (kw - 1) * dw - 1) / sw + 1
        precondition(oh > 0 && ow > 0, "conv2d output would be empty for input \(input), kernel \(kh)x\(kw)")
    }

    /// Writes the im2col rows of image `img`, group `g`: `[oh·ow, k]`. Where a kernel row lies
    /// wholly inside the image (and dilation is 1, no groups) its `kw·Cin` values are one
    /// contiguous run, copied in one loop.
    func im2col(_ x: UnsafePointer<Float>, img: Int, group g: Int, into cols: UnsafeMutablePointer<Float>) {
        let base = x + img * h * w * cin + g * cinG
        let cg = cinG
        let runs = groups == 1 && dw == 1
        let run = kw * cg
        var row = cols
        for oy in 0..<oh {
            for ox in 0..<ow {
                var c = row
                let ix0 = ox * sw - padLeft
                for ky in 0..<kh {
                    let iy = oy * sh - padTop + ky * dh
                    if runs && iy >= 0 && iy < h && ix0 >= 0 && ix0 + kw <= w {
                        Kernels.copyRun(base + (iy * w + ix0) * cin, c, run)
                        c += run
                        continue
                    }
                    for kx in 0..<kw {
                        let ix = ix0 + kx * dw
                        if iy >= 0 && iy < h && ix >= 0 && ix < w {
                            Kernels.copyRun(base + (iy * w + ix) * cin, c, cg)
                        } else {
                            for i in 0..<cg { c[i] = 0 }
                        }
                        c += cg
                    }
                }
                row += k
            }
        }
    }

    /// Adds the im2col-shaped gradient `cols` back into the input gradient of image `img`, group `g`.
    func col2im(_ cols: UnsafePointer<Float>, img: Int, group g: Int, into dx: UnsafeMutablePointer<Float>) {
        let base = dx + img * h * w * cin + g * cinG
        let cg = cinG
        let runs = groups == 1 && dw == 1
        let run = kw * cg
        var row = cols
        for oy in 0..<oh {
            for ox in 0..<ow {
                var c = row
                let ix0 = ox * sw - padLeft
                for ky in 0..<kh {
                    let iy = oy * sh - padTop + ky * dh
                    if runs && iy >= 0 && iy < h && ix0 >= 0 && ix0 + kw <= w {
                        // The window row is inside the image: one contiguous run.
                        Kernels.addRun(c, into: base + (iy * w + ix0) * cin, run)
                        c += run
                        continue
                    }
                    for kx in 0..<kw {
                        let ix = ox * sw - padLeft + kx * dw
                        if iy >= 0 && iy < h && ix >= 0 && ix < w {
                            Kernels.addRun(c, into: base + (iy * w + ix) * cin, cg)
                        }
                        c += cg
                    }
                }
                row += k
            }
        }
    }
}

extension Tensor {
    /// 2-D convolution of an NHWC input with PyTorch-layout weights `[Cout, Cin/groups, kH, kW]`
    /// and an optional bias `[Cout]`. Depthwise convolution is `groups == Cin`.
    public static func conv2d(
        _ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
        padding: Padding = .valid, dilation: (Int, Int) = (1, 1), groups: Int = 1
    ) -> Tensor {
        let geo = ConvGeometry(
            input: x.shape, weight: weight.shape, stride: stride, padding: padding, dilation: dilation, groups: groups)
        if let bias {
            precondition(
                bias.shape == [geo.cout], "conv2d bias \(bias.shape) does not match \(geo.cout) output channels")
        }
        if geo.kh == 3, geo.kw == 3, geo.groups == geo.cin, geo.cout == geo.cin, geo.sh == geo.sw,
            geo.dh == 1, geo.dw == 1
        {
            // Depthwise 3×3 (MobileNet): a kernel of its own, vectorised over channels.
            return depthwiseConv2d(x, weight: weight, bias: bias, stride: geo.sh, padding: padding)
        }
        if geo.kh == 1, geo.kw == 1, geo.groups == 1, geo.sh == 1, geo.sw == 1, geo.oh == geo.h, geo.ow == geo.w {
            // Pointwise: the pixels already are the im2col matrix.
            return pointwiseConv2d(x, weight: weight, bias: bias)
        }
        if DirectConv.handles(geo) {
            // 3×3 "same" convolutions with 8 to 64 outputs run as a direct kernel (no im2col
            // matrix in memory); the backward pass rebuilds each image's columns in cache for the
            // weight gradient, and packs the GEMM weights only if the input gradient needs them.
            let out = Tensor.uninitialized([geo.n, geo.oh, geo.ow, geo.cout])
            let direct = DirectConv.packWeights(weight.pointer, cout: geo.cout, cin: geo.cin)
            let zeros = bias == nil ? [Float](repeating: 0, count: geo.cout) : []
            direct.withUnsafeBufferPointer { d in
                zeros.withUnsafeBufferPointer { z in
                    DirectConv.conv3x3(
                        input: x.pointer, n: geo.n, h: geo.h, w: geo.w, cin: geo.cin,
                        packed: d.baseAddress!, bias: bias.map { UnsafePointer($0.pointer) } ?? z.baseAddress!,
                        cout: geo.cout, output: out.pointer)
                }
            }
            var inputs = [x, weight]
            if let bias { inputs.append(bias) }
            return out.recording("conv2d", inputs) { g in
                convBackward(g, x: x, weight: weight, packed: nil, hasBias: bias != nil, geo: geo, columns: nil)
            }
        }
        // Weights as [groups][coutG, k] with k ordered (ky, kx, ci).
        let packed = packConvWeight(weight, geo)
        // When gradients will be needed, keep every image's im2col matrix for the weight gradient.
        let cached: Tensor? =
            Tensor.needsGrad(x, weight) && weight.requiresGrad
            ? Tensor.uninitialized([geo.n * geo.groups * geo.oh * geo.ow * geo.k]) : nil
        let out = conv2dForward(x, packed: packed, geo: geo, keepColumns: cached)
        let rows = geo.oh * geo.ow
        let op = out.pointer
        if let bias {
            let bp = bias.pointer
            Kernels.addRowVector(op, rows: geo.n * rows, cols: geo.cout, bp)
        }
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        return out.recording("conv2d", inputs) { g in
            convBackward(g, x: x, weight: weight, packed: packed, hasBias: bias != nil, geo: geo, columns: cached)
        }
    }

    /// `[Cout, Cin/g, kh, kw]` → per group `[coutG, kh·kw·cinG]` in (ky, kx, ci) order.
    static func packConvWeight(_ w: Tensor, _ geo: ConvGeometry) -> Tensor {
        let out = Tensor.uninitialized([geo.cout, geo.k])
        let src = w.pointer
        let dst = out.pointer
        for o in 0..<geo.cout {
            for ci in 0..<geo.cinG {
                for ky in 0..<geo.kh {
                    for kx in 0..<geo.kw {
                        dst[o * geo.k + (ky * geo.kw + kx) * geo.cinG + ci] =
                            src[((o * geo.cinG + ci) * geo.kh + ky) * geo.kw + kx]
                    }
                }
            }
        }
        return out
    }

    /// `packed`: the forward pass's GEMM weights, or nil to pack them here if they are needed.
    static func convBackward(
        _ g: Tensor, x: Tensor, weight: Tensor, packed: Tensor?, hasBias: Bool, geo: ConvGeometry,
        columns: Tensor? = nil
    ) -> [Tensor?] {
        let rows = geo.oh * geo.ow
        let gb = hasBias ? g.reshapedView([geo.n * rows, geo.cout]).summedRows() : nil
        let gw =
            weight.requiresGrad
            ? convWeightGradient(
                outputGrad: g.pointer, input: x.pointer, geo: geo, columns: columns.map { UnsafePointer($0.pointer) })
            : nil
        var gx: Tensor? = nil
        if x.requiresGrad, let dx = DirectConv.inputGradient(g.pointer, weight: weight.pointer, geo: geo) {
            gx = dx
        } else if x.requiresGrad {
            let dx = Tensor(zeros: x.shape)
            let weights = packed ?? packConvWeight(weight, geo)
            convInputGradient(outputGrad: g.pointer, packed: weights.pointer, geo: geo, into: dx.pointer)
            gx = dx
        }
        return hasBias ? [gx, gw, gb] : [gx, gw]
    }

    /// `∂L/∂W` in PyTorch layout `[Cout, Cin/g, kh, kw]` from the output gradient `[n, oh, ow, Cout]`
    /// and the input `[n, h, w, Cin]` of the convolution described by `geo`.
    ///
    /// `columns`, when given, holds every image's im2col matrices from the forward pass.
    static func convWeightGradient(
        outputGrad gp: UnsafePointer<Float>, input xp: UnsafePointer<Float>, geo: ConvGeometry,
        columns: UnsafePointer<Float>? = nil
    ) -> Tensor {
        let rows = geo.oh * geo.ow
        let workers = Swift.max(1, Swift.min(Parallel.threadCount, geo.n))
        let partial = Tensor(zeros: [workers, geo.cout, geo.k])
        let pp = partial.pointer
        let chunk = (geo.n + workers - 1) / workers
        Parallel.forEachChunk(workers) { wr in
            let cols = UnsafeMutablePointer<Float>.allocate(capacity: rows * geo.k)
            defer { cols.deallocate() }
            for worker in wr {
                let acc = pp + worker * geo.cout * geo.k
                for img in (worker * chunk)..<Swift.min(geo.n, (worker + 1) * chunk) {
                    for grp in 0..<geo.groups {
                        let src: UnsafePointer<Float>
                        if let columns {
                            src = columns + (img * geo.groups + grp) * rows * geo.k
                        } else {
                            geo.im2col(xp, img: img, group: grp, into: cols)
                            src = UnsafePointer(cols)
                        }
                        Kernels.gemm(
                            transA: true, transB: false, m: geo.coutG, n: geo.k, k: rows,
                            a: gp + img * rows * geo.cout + grp * geo.coutG, lda: geo.cout,
                            b: src, ldb: geo.k, beta: 1,
                            c: acc + grp * geo.coutG * geo.k, ldc: geo.k)
                    }
                }
            }
        }
        for wkr in 1..<workers { Kernels.add(pp, pp + wkr * geo.cout * geo.k, geo.cout * geo.k) }
        let out = Tensor.uninitialized([geo.cout, geo.cinG, geo.kh, geo.kw])
        let d = out.pointer
        for o in 0..<geo.cout {
            for ci in 0..<geo.cinG {
                for ky in 0..<geo.kh {
                    for kx in 0..<geo.kw {
                        d[((o * geo.cinG + ci) * geo.kh + ky) * geo.kw + kx] =
                            pp[o * geo.k + (ky * geo.kw + kx) * geo.cinG + ci]
                    }
                }
            }
        }
        return out
    }

    /// Adds `∂L/∂x` of the convolution `geo` (output gradient `[n, oh, ow, Cout]`, packed weights)
    /// into `dx` `[n, h, w, Cin]`.
    static func convInputGradient(
        outputGrad gp: UnsafePointer<Float>, packed wp: UnsafePointer<Float>, geo: ConvGeometry,
        into dxp: UnsafeMutablePointer<Float>
    ) {
        let rows = geo.oh * geo.ow
        Parallel.forEachChunk(geo.n) { range in
            let cols = UnsafeMutablePointer<Float>.allocate(capacity: rows * geo.k)
            defer { cols.deallocate() }
            for img in range {
                for grp in 0..<geo.groups {
                    Kernels.gemm(
                        transA: false, transB: false, m: rows, n: geo.k, k: geo.coutG,
                        a: gp + img * rows * geo.cout + grp * geo.coutG, lda: geo.cout,
                        b: wp + grp * geo.coutG * geo.k, ldb: geo.k,
                        c: cols, ldc: geo.k)
                    geo.col2im(cols, img: img, group: grp, into: dxp)
                }
            }
        }
    }

    /// Transposed 2-D convolution (the gradient of `conv2d` with respect to its input), like
    /// `torch.nn.functional.conv_transpose2d`: NHWC input `[N, H, W, Cin]`, weight
    /// `[Cin, Cout/groups, kH, kW]`, output size `(H-1)·stride - 2·padding + dilation·(k-1) + outputPadding + 1`.
    public static func convTranspose2d(
        _ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0),
        dilation: (Int, Int) = (1, 1), groups: Int = 1
    ) -> Tensor {
        precondition(
            x.rank == 4 && weight.rank == 4 && weight.shape[0] == x.shape[3] && x.shape[3] % groups == 0,
            "convTranspose2d: weight \(weight.shape) does not fit input \(x.shape) with groups \(groups)")
        let n = x.shape[0]
        let h = x.shape[1]
        let w = x.shape[2]
        let cin = x.shape[3]
        let cout = weight.shape[1] * groups
        let kh = weight.shape[2]
        let kw = weight.shape[3]
        let oh = (h - 1) * stride.0 - 2 * padding.0 + dilation.0 * (kh - 1) + outputPadding.0 + 1
        let ow = (w - 1) * stride.1 - 2 * padding.1 + dilation.1 * (kw - 1) + outputPadding.1 + 1
        precondition(oh > 0 && ow > 0, "convTranspose2d output would be empty")
        // The forward convolution that maps [N, oh, ow, Cout] to [N, h, w, Cin] with this weight.
        let geo = ConvGeometry(
            n: n, h: oh, w: ow, cin: cout, cout: cin, kernel: (kh, kw), stride: stride,
            padTop: padding.0, padLeft: padding.1, dilation: dilation, groups: groups,
            outputHeight: h, outputWidth: w)
        let packed = packConvWeight(weight, geo)
        let out = Tensor(zeros: [n, oh, ow, cout])
        convInputGradient(outputGrad: x.pointer, packed: packed.pointer, geo: geo, into: out.pointer)
        if let bias {
            precondition(bias.shape == [cout], "convTranspose2d bias \(bias.shape) does not match \(cout) channels")
            Kernels.addRowVector(out.pointer, rows: n * oh * ow, cols: cout, bias.pointer)
        }
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        return out.recording("conv_transpose2d", inputs) { g in
            var grads: [Tensor?] = []
            if x.requiresGrad {
                // ∂x = conv2d(g) with the forward geometry: im2col(g) × Wᵀ.
                grads.append(GradMode.withoutGrad { Tensor.conv2dForward(g, packed: packed, geo: geo) })
            } else {
                grads.append(nil)
            }
            grads.append(
                weight.requiresGrad ? convWeightGradient(outputGrad: x.pointer, input: g.pointer, geo: geo) : nil)
            if bias != nil { grads.append(g.reshapedView([n * oh * ow, cout]).summedRows()) }
            return grads
        }
    }

    /// The forward pass of the convolution `geo` on input `x` with packed weights (no bias, no
    /// autodiff). With `keepColumns` every image's im2col matrices are written there and kept.
    static func conv2dForward(_ x: Tensor, packed: Tensor, geo: ConvGeometry, keepColumns: Tensor? = nil) -> Tensor {
        let out = Tensor.uninitialized([geo.n, geo.oh, geo.ow, geo.cout])
        let rows = geo.oh * geo.ow
        let xp = x.pointer
        let wp = packed.pointer
        let op = out.pointer
        let kept = keepColumns?.pointer
        Parallel.forEachChunk(geo.n) { range in
            let scratch = kept == nil ? UnsafeMutablePointer<Float>.allocate(capacity: rows * geo.k) : nil
            defer { scratch?.deallocate() }
            for img in range {
                for g in 0..<geo.groups {
                    let cols = kept.map { $0 + (img * geo.groups + g) * rows * geo.k } ?? scratch!
                    geo.im2col(xp, img: img, group: g, into: cols)
                    Kernels.gemm(
                        transA: false, transB: true, m: rows, n: geo.coutG, k: geo.k,
                        a: cols, lda: geo.k, b: wp + g * geo.coutG * geo.k, ldb: geo.k,
                        c: op + img * rows * geo.cout + g * geo.coutG, ldc: geo.cout)
                }
            }
        }
        return out
    }

    /// Sums the rows of a 2-D tensor: `[r, c]` → `[c]` (no autodiff).
    func summedRows() -> Tensor {
        let out = Tensor.uninitialized([shape[1]])
        Kernels.sumRows(pointer, rows: shape[0], cols: shape[1], into: out.pointer)
        return out
    }
}
