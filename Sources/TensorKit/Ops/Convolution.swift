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

    init(input: [Int], weight: [Int], stride: (Int, Int), padding: Padding, dilation: (Int, Int), groups: Int) {
        precondition(input.count == 4, "conv2d input must be NHWC, got shape \(input)")
        precondition(weight.count == 4, "conv2d weight must be [Cout, Cin/groups, kH, kW], got \(weight)")
        n = input[0]; h = input[1]; w = input[2]; cin = input[3]
        cout = weight[0]; kh = weight[2]; kw = weight[3]
        precondition(groups > 0 && cin % groups == 0 && cout % groups == 0 && weight[1] == cin / groups,
                     "conv2d weight \(weight) does not fit input channels \(cin) with groups \(groups)")
        sh = stride.0; sw = stride.1; dh = dilation.0; dw = dilation.1
        self.groups = groups
        var top = 0, bottom = 0, left = 0, right = 0
        switch padding {
        case .explicit(let t, let b, let l, let r): top = t; bottom = b; left = l; right = r
        default:
            (top, bottom) = padding.amounts(input: h, kernel: kh, stride: sh, dilation: dh)
            (left, right) = padding.amounts(input: w, kernel: kw, stride: sw, dilation: dw)
        }
        padTop = top; padLeft = left
        oh = (h + top + bottom - (kh - 1) * dh - 1) / sh + 1
        ow = (w + left + right - (kw - 1) * dw - 1) / sw + 1
        precondition(oh > 0 && ow > 0, "conv2d output would be empty for input \(input), kernel \(kh)x\(kw)")
    }

    /// Writes the im2col rows of image `img`, group `g`: `[oh·ow, k]`.
    func im2col(_ x: UnsafePointer<Float>, img: Int, group g: Int, into cols: UnsafeMutablePointer<Float>) {
        let base = x + img * h * w * cin + g * cinG
        let cg = cinG
        var row = cols
        for oy in 0..<oh {
            for ox in 0..<ow {
                var c = row
                for ky in 0..<kh {
                    let iy = oy * sh - padTop + ky * dh
                    for kx in 0..<kw {
                        let ix = ox * sw - padLeft + kx * dw
                        if iy >= 0 && iy < h && ix >= 0 && ix < w {
                            c.update(from: base + (iy * w + ix) * cin, count: cg)
                        } else {
                            c.update(repeating: 0, count: cg)
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
        var row = cols
        for oy in 0..<oh {
            for ox in 0..<ow {
                var c = row
                for ky in 0..<kh {
                    let iy = oy * sh - padTop + ky * dh
                    for kx in 0..<kw {
                        let ix = ox * sw - padLeft + kx * dw
                        if iy >= 0 && iy < h && ix >= 0 && ix < w {
                            let d = base + (iy * w + ix) * cin
                            for i in 0..<cg { d[i] += c[i] }
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
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                              padding: Padding = .valid, dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
        let geo = ConvGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding, dilation: dilation, groups: groups)
        if let bias { precondition(bias.shape == [geo.cout], "conv2d bias \(bias.shape) does not match \(geo.cout) output channels") }
        // Weights as [groups][coutG, k] with k ordered (ky, kx, ci).
        let packed = packConvWeight(weight, geo)
        let out = Tensor.uninitialized([geo.n, geo.oh, geo.ow, geo.cout])
        let rows = geo.oh * geo.ow
        let xp = x.pointer, wp = packed.pointer, op = out.pointer
        Parallel.forEachChunk(geo.n) { range in
            let cols = UnsafeMutablePointer<Float>.allocate(capacity: rows * geo.k)
            defer { cols.deallocate() }
            for img in range {
                for g in 0..<geo.groups {
                    geo.im2col(xp, img: img, group: g, into: cols)
                    // out[img, :, g·coutG ..< (g+1)·coutG] = cols × W_gᵀ
                    Kernels.gemm(transA: false, transB: true, m: rows, n: geo.coutG, k: geo.k,
                                 a: cols, lda: geo.k, b: wp + g * geo.coutG * geo.k, ldb: geo.k,
                                 c: op + img * rows * geo.cout + g * geo.coutG, ldc: geo.cout)
                }
            }
        }
        if let bias {
            let bp = bias.pointer
            for r in 0..<(geo.n * rows) { Kernels.add(op + r * geo.cout, bp, geo.cout) }
        }
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        return out.recording("conv2d", inputs) { g in
            convBackward(g, x: x, weight: weight, packed: packed, hasBias: bias != nil, geo: geo)
        }
    }

    /// `[Cout, Cin/g, kh, kw]` → per group `[coutG, kh·kw·cinG]` in (ky, kx, ci) order.
    static func packConvWeight(_ w: Tensor, _ geo: ConvGeometry) -> Tensor {
        let out = Tensor.uninitialized([geo.cout, geo.k])
        let src = w.pointer, dst = out.pointer
        for o in 0..<geo.cout { for ci in 0..<geo.cinG { for ky in 0..<geo.kh { for kx in 0..<geo.kw {
            dst[o * geo.k + (ky * geo.kw + kx) * geo.cinG + ci] = src[((o * geo.cinG + ci) * geo.kh + ky) * geo.kw + kx]
        } } } }
        return out
    }

    static func convBackward(_ g: Tensor, x: Tensor, weight: Tensor, packed: Tensor, hasBias: Bool, geo: ConvGeometry) -> [Tensor?] {
        let rows = geo.oh * geo.ow
        var gx: Tensor? = nil, gw: Tensor? = nil, gb: Tensor? = nil
        let gp = g.pointer
        if hasBias {
            gb = g.reshapedView([geo.n * rows, geo.cout]).summedRows()
        }
        if weight.requiresGrad {
            // dW_g = Σ_img g_imgᵀ × cols_img, accumulated per worker then summed.
            let workers = Swift.min(Parallel.threadCount, geo.n)
            let partial = Tensor(zeros: [Swift.max(workers, 1), geo.cout, geo.k])
            let xp = x.pointer, pp = partial.pointer
            let chunk = (geo.n + Swift.max(workers, 1) - 1) / Swift.max(workers, 1)
            Parallel.forEachChunk(Swift.max(workers, 1)) { wr in
                let cols = UnsafeMutablePointer<Float>.allocate(capacity: rows * geo.k)
                defer { cols.deallocate() }
                for worker in wr {
                    let acc = pp + worker * geo.cout * geo.k
                    for img in (worker * chunk)..<Swift.min(geo.n, (worker + 1) * chunk) {
                        for grp in 0..<geo.groups {
                            geo.im2col(xp, img: img, group: grp, into: cols)
                            Kernels.gemm(transA: true, transB: false, m: geo.coutG, n: geo.k, k: rows,
                                         a: gp + img * rows * geo.cout + grp * geo.coutG, lda: geo.cout,
                                         b: cols, ldb: geo.k, beta: 1,
                                         c: acc + grp * geo.coutG * geo.k, ldc: geo.k)
                        }
                    }
                }
            }
            let summed = Tensor(zeros: [geo.cout, geo.k])
            for wkr in 0..<Swift.max(workers, 1) { Kernels.add(summed.pointer, pp + wkr * geo.cout * geo.k, geo.cout * geo.k) }
            // Unpack to [Cout, Cin/g, kh, kw].
            let out = Tensor.uninitialized(weight.shape)
            let s = summed.pointer, d = out.pointer
            for o in 0..<geo.cout { for ci in 0..<geo.cinG { for ky in 0..<geo.kh { for kx in 0..<geo.kw {
                d[((o * geo.cinG + ci) * geo.kh + ky) * geo.kw + kx] = s[o * geo.k + (ky * geo.kw + kx) * geo.cinG + ci]
            } } } }
            gw = out
        }
        if x.requiresGrad {
            let dx = Tensor(zeros: x.shape)
            let dxp = dx.pointer, wp = packed.pointer
            Parallel.forEachChunk(geo.n) { range in
                let cols = UnsafeMutablePointer<Float>.allocate(capacity: rows * geo.k)
                defer { cols.deallocate() }
                for img in range {
                    for grp in 0..<geo.groups {
                        // dCols = g_img,grp × W_grp : [rows, k]
                        Kernels.gemm(transA: false, transB: false, m: rows, n: geo.k, k: geo.coutG,
                                     a: gp + img * rows * geo.cout + grp * geo.coutG, lda: geo.cout,
                                     b: wp + grp * geo.coutG * geo.k, ldb: geo.k,
                                     c: cols, ldc: geo.k)
                        geo.col2im(cols, img: img, group: grp, into: dxp)
                    }
                }
            }
            gx = dx
        }
        return hasBias ? [gx, gw, gb] : [gx, gw]
    }

    /// Sums the rows of a 2-D tensor: `[r, c]` → `[c]` (no autodiff).
    func summedRows() -> Tensor {
        let r = shape[0], c = shape[1]
        let out = Tensor(zeros: [c])
        for i in 0..<r { Kernels.add(out.pointer, pointer + i * c, c) }
        return out
    }
}
