import Foundation

/// An ``AttentionUNet`` compiled for inference on batches of tiles: no autodiff, weights packed
/// once, group norm fused with its ReLU, attention gates folded to their constant (see
/// ``AttentionGate``), channel dropout dropped.
///
/// Kernels: 3×3 convolutions with 16–64 outputs (8 on images 16 or more wide) run as
/// ``DirectConv``'s AVX-512 kernels when the CPU has AVX-512 (``kernelSummary`` says which ran);
/// every other convolution, the 1×1 shortcuts, the head and the 2×2 transposed convolutions are
/// OpenBLAS GEMMs over groups of whole images (im2col in cache for 3×3), with the images split
/// between TensorKit's two workers. The plan reads the weights when it is made: make a new plan
/// after they change.
public final class UNetInferencePlan {
    struct Conv {
        let cin: Int, cout: Int, kernel: Int
        /// `[cout, kernel·kernel·cin]`, columns ordered (ky, kx, ci).
        let gemmWeights: [Float]
        /// `[3, 3, cin, cout]` for the direct kernel, when it applies.
        let directWeights: [Float]
        let bias: [Float]
    }
    struct Norm {
        let channels: Int, groups: Int
        let weight: [Float], bias: [Float]
        let eps: Float
    }
    struct Block {
        let norm1: Norm, conv1: Conv, norm2: Norm, conv2: Conv
        let shortcut: Conv?
    }
    struct Up {
        let cin: Int, cout: Int
        /// `[cin, 4·cout]`, columns ordered (ky, kx, co).
        let weights: [Float]
        let bias: [Float]
    }

    public let configuration: AttentionUNetConfiguration
    let stem: Conv
    let encoder: [Block]
    let bottleneck: Block
    let bottleneckUp: Up
    let gates: [Float]
    let decoder: [Block]
    let ups: [Up]
    let headNorm: Norm
    let head: Conv
    private var directCalls = 0, gemmCalls = 0
    /// Seconds spent per kind of step in the last ``logits(_:)`` call (for the benchmark).
    public private(set) var timings: [String: Double] = [:]

    @inline(__always) func timed<T>(_ key: String, _ body: () -> T) -> T {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = body()
        timings[key, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        return r
    }

    public init(_ net: AttentionUNet) {
        configuration = net.configuration
        stem = UNetInferencePlan.conv(net.stem)
        encoder = net.encoder.map(UNetInferencePlan.block)
        bottleneck = UNetInferencePlan.block(net.bottleneck)
        bottleneckUp = UNetInferencePlan.up(net.bottleneckUp)
        gates = net.gates.map(\.constantGate)
        decoder = net.decoder.map(UNetInferencePlan.block)
        ups = net.ups.map(UNetInferencePlan.up)
        headNorm = UNetInferencePlan.norm(net.headNorm)
        head = UNetInferencePlan.conv(net.head)
    }

    static func conv(_ c: Conv2D) -> Conv {
        let cout = c.outputChannels
        let cin = c.inputChannels
        let k = c.kernelSize
        let w = c.weight.pointer
        var gemm = [Float](repeating: 0, count: cout * k * k * cin)
        for o in 0..<cout {
            for i in 0..<cin {
                for ky in 0..<k {
                    for kx in 0..<k {
                        gemm[o * k * k * cin + (ky * k + kx) * cin + i] = w[((o * cin + i) * k + ky) * k + kx]
                    }
                }
            }
        }
        let direct = k == 3 ? DirectConv.packWeights(w, cout: cout, cin: cin) : []
        return Conv(
            cin: cin, cout: cout, kernel: k, gemmWeights: gemm, directWeights: direct,
            bias: c.bias?.scalars ?? [Float](repeating: 0, count: cout))
    }

    static func norm(_ g: GroupNorm) -> Norm {
        Norm(channels: g.weight.count, groups: g.groups, weight: g.weight.scalars, bias: g.bias.scalars, eps: g.eps)
    }

    static func block(_ b: PreActivationResidualBlock) -> Block {
        Block(
            norm1: norm(b.norm1), conv1: conv(b.conv1), norm2: norm(b.norm2), conv2: conv(b.conv2),
            shortcut: b.shortcut.map(conv))
    }

    static func up(_ u: ConvTranspose2D) -> Up {
        let cin = u.weight.shape[0]
        let cout = u.weight.shape[1]
        precondition(u.weight.shape[2] == 2 && u.weight.shape[3] == 2 && u.stride == 2 && u.groups == 1)
        let w = u.weight.pointer
        var packed = [Float](repeating: 0, count: cin * 4 * cout)
        for i in 0..<cin {
            for o in 0..<cout {
                for k in 0..<4 { packed[i * 4 * cout + k * cout + o] = w[(i * cout + o) * 4 + k] }
            }
        }
        return Up(cin: cin, cout: cout, weights: packed, bias: u.bias?.scalars ?? [Float](repeating: 0, count: cout))
    }

    /// Which convolution kernels the last ``logits(_:)`` call ran.
    public var kernelSummary: String {
        let isa = DirectConv.useAVX512 ? "AVX-512 direct 3x3" : "no direct kernels (AVX2 build path)"
        return "\(directCalls) direct convolutions (\(isa)), \(gemmCalls) OpenBLAS GEMM convolutions"
    }

    /// Logits `[N, H, W, classes]` of NHWC input `[N, H, W, inputChannels]`.
    public func logits(_ input: Tensor) -> Tensor {
        let g = 1 << configuration.depth
        precondition(
            input.rank == 4 && input.shape[3] == configuration.inputChannels && input.shape[1] % g == 0
                && input.shape[2] % g == 0, "UNet plan input must be [N, H, W, C] with H, W multiples of \(g)")
        directCalls = 0
        gemmCalls = 0
        timings = [:]
        return GradMode.withoutGrad {
            let d = configuration.depth
            var x = run(encoder[0], conv3(input, stem))
            var skips = [x]
            for i in 1..<d {
                x = run(encoder[i], maxPool(x))
                skips.append(x)
            }
            x = up(run(bottleneck, maxPool(x)), bottleneckUp)
            for k in 0..<d {
                x = run(decoder[k], concat(skips[d - 1 - k], scale: gates[k], x))
                x = k < d - 1 ? up(x, ups[k]) : conv1(normReLU(x, headNorm), head)
            }
            return x
        }
    }

    /// Per-pixel argmax (a tie gives class 0) of `logits` `[N, H, W, 2+]` into `out` (N·H·W bytes).
    public static func argmax(_ logits: Tensor, into out: UnsafeMutablePointer<UInt8>) {
        let c = logits.shape[logits.rank - 1]
        let n = logits.count / c
        let p = logits.pointer
        for i in 0..<n {
            var best = 0
            var v = p[i * c]
            for k in 1..<c where p[i * c + k] > v {
                v = p[i * c + k]
                best = k
            }
            out[i] = UInt8(best)
        }
    }

    // MARK: Steps

    func run(_ b: Block, _ x: Tensor) -> Tensor {
        let h = conv3(normReLU(conv3(normReLU(x, b.norm1), b.conv1), b.norm2), b.conv2)
        if let s = b.shortcut {
            let sc = conv1(x, s)
            timed("add") { Kernels.add(h.pointer, sc.pointer, h.count) }
        } else {
            timed("add") { Kernels.add(h.pointer, x.pointer, h.count) }
        }
        return h
    }

    /// Group norm and ReLU, per image (two passes for the statistics: mean, then centred squares).
    func normReLU(_ x: Tensor, _ nm: Norm) -> Tensor { timed("group norm + relu") { normReLUBody(x, nm) } }

    func normReLUBody(_ x: Tensor, _ nm: Norm) -> Tensor {
        let n = x.shape[0]
        let c = nm.channels
        let s = x.count / (n * c)
        let cg = c / nm.groups
        let out = Tensor.uninitialized(x.shape)
        let xp = x.pointer
        let op = out.pointer
        nm.weight.withUnsafeBufferPointer { wt in
            nm.bias.withUnsafeBufferPointer { bs in
                Parallel.forEachChunk(n) { range in
                    let acc = UnsafeMutablePointer<Float>.allocate(capacity: 3 * c)
                    defer { acc.deallocate() }
                    let scale = acc + c
                    let shift = acc + 2 * c
                    for img in range {
                        let src = xp + img * s * c
                        let dst = op + img * s * c
                        acc.update(repeating: 0, count: c)
                        for p in 0..<s {
                            let row = src + p * c
                            for k in 0..<c { acc[k] += row[k] }
                        }
                        let count = Float(s * cg)
                        for g in 0..<nm.groups {
                            var m: Float = 0
                            for k in (g * cg)..<((g + 1) * cg) { m += acc[k] }
                            m /= count
                            for k in (g * cg)..<((g + 1) * cg) { shift[k] = m }
                        }
                        acc.update(repeating: 0, count: c)
                        for p in 0..<s {
                            let row = src + p * c
                            for k in 0..<c {
                                let t = row[k] - shift[k]
                                acc[k] += t * t
                            }
                        }
                        for g in 0..<nm.groups {
                            var v: Float = 0
                            for k in (g * cg)..<((g + 1) * cg) { v += acc[k] }
                            let inv = 1 / (v / count + nm.eps).squareRoot()
                            for k in (g * cg)..<((g + 1) * cg) {
                                let a = inv * wt[k]
                                scale[k] = a
                                shift[k] = bs[k] - shift[k] * a
                            }
                        }
                        for p in 0..<s {
                            let row = src + p * c
                            let o = dst + p * c
                            for k in 0..<c { o[k] = Swift.max(0, row[k] * scale[k] + shift[k]) }
                        }
                    }
                }
            }
        }
        return out
    }

    /// 3×3 convolution, padding 1, plus bias.
    func conv3(_ x: Tensor, _ cv: Conv) -> Tensor {
        let direct = DirectConv.useAVX512 && x.shape[1] >= 2 && DirectConv.handlesOutputs(cv.cout, width: x.shape[2])
        return timed(direct ? "conv 3x3 direct" : "conv 3x3 gemm") { conv3Body(x, cv) }
    }

    func conv3Body(_ x: Tensor, _ cv: Conv) -> Tensor {
        let n = x.shape[0]
        let h = x.shape[1]
        let w = x.shape[2]
        let out = Tensor.uninitialized([n, h, w, cv.cout])
        if DirectConv.useAVX512 && h >= 2 && DirectConv.handlesOutputs(cv.cout, width: w) {
            directCalls += 1
            cv.directWeights.withUnsafeBufferPointer { p in
                cv.bias.withUnsafeBufferPointer { b in
                    DirectConv.conv3x3(
                        input: x.pointer, n: n, h: h, w: w, cin: cv.cin, packed: p.baseAddress!, bias: b.baseAddress!,
                        cout: cv.cout, output: out.pointer)
                }
            }
            return out
        }
        gemmCalls += 1
        let geo = ConvGeometry(
            n: 1, h: h, w: w, cin: cv.cin, cout: cv.cout, kernel: (3, 3), stride: (1, 1), padTop: 1, padLeft: 1,
            dilation: (1, 1), groups: 1, outputHeight: h, outputWidth: w)
        let rows = h * w
        let k = geo.k
        // Whole images per GEMM: enough for about 1024 rows (OpenBLAS runs small GEMMs far below
        // its peak), but at least two chunks per worker so both cores stay busy.
        let per = Swift.max(1, Swift.min((1024 + rows - 1) / rows, n / (2 * Parallel.threadCount)))
        let chunks = (n + per - 1) / per
        let xp = x.pointer
        let op = out.pointer
        cv.gemmWeights.withUnsafeBufferPointer { wt in
            cv.bias.withUnsafeBufferPointer { bs in
                Parallel.forEachChunk(chunks) { range in
                    let cols = UnsafeMutablePointer<Float>.allocate(capacity: per * rows * k)
                    defer { cols.deallocate() }
                    for chunk in range {
                        let first = chunk * per
                        let count = Swift.min(per, n - first)
                        for i in 0..<count {
                            geo.im2col(xp + (first + i) * rows * cv.cin, img: 0, group: 0, into: cols + i * rows * k)
                        }
                        let dst = op + first * rows * cv.cout
                        for r in 0..<(count * rows) { (dst + r * cv.cout).update(from: bs.baseAddress!, count: cv.cout) }
                        Kernels.gemm(
                            transA: false, transB: true, m: count * rows, n: cv.cout, k: k, a: cols, lda: k,
                            b: wt.baseAddress!, ldb: k, beta: 1, c: dst, ldc: cv.cout)
                    }
                }
            }
        }
        return out
    }

    /// 1×1 convolution plus bias: one GEMM over every pixel.
    func conv1(_ x: Tensor, _ cv: Conv) -> Tensor { timed("conv 1x1") { conv1Body(x, cv) } }

    func conv1Body(_ x: Tensor, _ cv: Conv) -> Tensor {
        let m = x.count / cv.cin
        var shape = x.shape
        shape[shape.count - 1] = cv.cout
        let out = Tensor.uninitialized(shape)
        let op = out.pointer
        cv.bias.withUnsafeBufferPointer { bs in
            for r in 0..<m { (op + r * cv.cout).update(from: bs.baseAddress!, count: cv.cout) }
        }
        cv.gemmWeights.withUnsafeBufferPointer { wt in
            Kernels.gemm(
                transA: false, transB: true, m: m, n: cv.cout, k: cv.cin, a: x.pointer, lda: cv.cin,
                b: wt.baseAddress!, ldb: cv.cin, beta: 1, c: op, ldc: cv.cout)
        }
        return out
    }

    /// Transposed convolution, kernel 2, stride 2: one GEMM to `[pixels, 4·cout]`, then each
    /// pixel's four outputs go to their 2×2 block, plus bias.
    func up(_ x: Tensor, _ u: Up) -> Tensor { timed("transposed conv") { upBody(x, u) } }

    func upBody(_ x: Tensor, _ u: Up) -> Tensor {
        let n = x.shape[0]
        let h = x.shape[1]
        let w = x.shape[2]
        let m = n * h * w
        let tmp = Tensor.uninitialized([m, 4 * u.cout])
        u.weights.withUnsafeBufferPointer { wt in
            Kernels.gemm(
                m: m, n: 4 * u.cout, k: u.cin, a: x.pointer, lda: u.cin, b: wt.baseAddress!, ldb: 4 * u.cout, c: tmp.pointer,
                ldc: 4 * u.cout)
        }
        let out = Tensor.uninitialized([n, 2 * h, 2 * w, u.cout])
        let tp = tmp.pointer
        let op = out.pointer
        let c = u.cout
        u.bias.withUnsafeBufferPointer { bs in
            Parallel.forEachChunk(n * h) { range in
                for row in range {
                    let img = row / h
                    let y = row % h
                    for x in 0..<w {
                        let src = tp + ((img * h + y) * w + x) * 4 * c
                        for ky in 0..<2 {
                            for kx in 0..<2 {
                                let dst = op + ((img * 2 * h + 2 * y + ky) * 2 * w + 2 * x + kx) * c
                                let s = src + (ky * 2 + kx) * c
                                for k in 0..<c { dst[k] = s[k] + bs[k] }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    func maxPool(_ x: Tensor) -> Tensor { timed("max pool") { maxPoolBody(x) } }

    func maxPoolBody(_ x: Tensor) -> Tensor {
        let n = x.shape[0]
        let h = x.shape[1]
        let w = x.shape[2]
        let c = x.shape[3]
        let out = Tensor.uninitialized([n, h / 2, w / 2, c])
        let xp = x.pointer
        let op = out.pointer
        Parallel.forEachChunk(n * (h / 2)) { range in
            for row in range {
                let img = row / (h / 2)
                let y = row % (h / 2)
                for x in 0..<(w / 2) {
                    let a = xp + ((img * h + 2 * y) * w + 2 * x) * c
                    let b = a + w * c
                    let o = op + ((img * (h / 2) + y) * (w / 2) + x) * c
                    for k in 0..<c { o[k] = Swift.max(Swift.max(a[k], a[c + k]), Swift.max(b[k], b[c + k])) }
                }
            }
        }
        return out
    }

    /// `[skip · scale, x]` along channels.
    func concat(_ skip: Tensor, scale: Float, _ x: Tensor) -> Tensor { timed("concat") { concatBody(skip, scale: scale, x) } }

    func concatBody(_ skip: Tensor, scale: Float, _ x: Tensor) -> Tensor {
        let cs = skip.shape[3]
        let cx = x.shape[3]
        let m = skip.count / cs
        let out = Tensor.uninitialized([skip.shape[0], skip.shape[1], skip.shape[2], cs + cx])
        let sp = skip.pointer
        let xp = x.pointer
        let op = out.pointer
        Parallel.forEachChunk(m, grain: 256) { range in
            for p in range {
                let o = op + p * (cs + cx)
                let s = sp + p * cs
                for k in 0..<cs { o[k] = s[k] * scale }
                (o + cs).update(from: xp + p * cx, count: cx)
            }
        }
        return out
    }
}
