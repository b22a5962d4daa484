#if arch(x86_64)
    import TensorKitAVX512
    import _Builtin_intrinsics.intel
#endif

/// Depthwise 3×3 convolution (one filter per channel, MobileNet's spatial step) over NHWC images,
/// at stride 1 or 2 with any padding, fused with a per-channel bias and a clamp (ReLU6 or none).
///
/// Vectorised over channels: for one output row and one block of 8 channels (AVX2) or 16
/// (AVX-512, ``AVX512Depthwise``) the nine tap weights and the bias live in registers while the
/// row's pixels stream past, so an interior pixel costs nine loads and nine FMAs per block. Pixels
/// whose window leaves the image take a bounds-checked path; channels past the last full vector
/// a scalar one. The AVX-512 kernels run when ``DirectConv/useAVX512`` is true (the CPU has them
/// and `PIXELPILOT_NO_AVX512` is unset).
///
/// Weights are packed `[9, channels]` (see ``packWeights(_:channels:)``).
public enum DepthwiseConv {
    /// The geometry of one depthwise convolution.
    public struct Shape: Sendable, Equatable {
        public var height, width, channels, stride, padTop, padLeft, outputHeight, outputWidth: Int

        /// The shape of a 3×3 depthwise convolution of `height`×`width` images, padded as `padding` says.
        public init(height: Int, width: Int, channels: Int, stride: Int, padding: Padding) {
            self.height = height
            self.width = width
            self.channels = channels
            self.stride = stride
            var top = 0
            var bottom = 0
            var left = 0
            var right = 0
            switch padding {
            case .explicit(let t, let b, let l, let r):
                (top, bottom, left, right) = (t, b, l, r)
            default:
                (top, bottom) = padding.amounts(input: height, kernel: 3, stride: stride, dilation: 1)
                (left, right) = padding.amounts(input: width, kernel: 3, stride: stride, dilation: 1)
            }
            padTop = top
            padLeft = left
            outputHeight = (height + top + bottom - 3) / stride + 1
            outputWidth = (width + left + right - 3) / stride + 1
        }

        var inputCount: Int { height * width * channels }
        var outputCount: Int { outputHeight * outputWidth * channels }
    }

    /// The clamp applied after the bias.
    public enum Activation: Sendable {
        case none, relu6
        var bounds: (Float, Float) {
            switch self {
            case .none: return (-Float.infinity, Float.infinity)
            case .relu6: return (0, 6)
            }
        }
    }

    /// Repacks PyTorch-layout weights `[channels, 1, 3, 3]` to `[9, channels]`, each tap scaled by
    /// `scale[channel]` when given (batch-norm folding).
    public static func packWeights(
        _ w: UnsafePointer<Float>, channels: Int, scale: UnsafePointer<Float>? = nil
    ) -> [Float] {
        var out = [Float](repeating: 0, count: 9 * channels)
        for ch in 0..<channels {
            let s = scale?[ch] ?? 1
            for k in 0..<9 { out[k * channels + ch] = w[ch * 9 + k] * s }
        }
        return out
    }

    /// The kernel family that runs: "AVX-512" or "AVX2".
    public static var instructionSet: String { CPUFeatures.kernelInstructionSet }

    /// Output rows `rows` of one image (`input` `[h, w, c]`, `output` `[oh, ow, c]`).
    public static func forward(
        input: UnsafePointer<Float>, shape sh: Shape, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        activation: Activation, rows: Range<Int>, output: UnsafeMutablePointer<Float>
    ) {
        let (low, high) = activation.bounds
        var done = 0
        #if arch(x86_64)
            if DirectConv.useAVX512 {
                AVX512Depthwise.forward(
                    input: input, h: sh.height, w: sh.width, channels: sh.channels, weights: weights, bias: bias,
                    stride: sh.stride, padTop: sh.padTop, padLeft: sh.padLeft, ow: sh.outputWidth, low: low,
                    high: high, rows: rows, output: output)
                done = sh.channels / 16 * 16
            }
        #endif
        if done == 0 {
            forward8(input, sh, weights, bias, low, high, rows, output)
            done = sh.channels / 8 * 8
        } else if done + 8 <= sh.channels {
            // AVX-512 did the 16-channel blocks; one 8-channel block may remain.
            forward8(input, sh, weights, bias, low, high, rows, output, firstChannel: done)
            done += 8
        }
        if done < sh.channels { forwardScalar(input, sh, weights, bias, low, high, rows, output, from: done) }
    }

    /// Runs ``forward(input:shape:weights:bias:activation:rows:output:)`` on `n` images, split
    /// between TensorKit's workers (by image, or by rows when there are fewer images than workers).
    public static func forward(
        input: UnsafePointer<Float>, images n: Int, shape sh: Shape, weights: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, activation: Activation, output: UnsafeMutablePointer<Float>
    ) {
        if n >= Parallel.threadCount || Parallel.isInsideRegion {
            Parallel.forEachChunk(n) { r in
                for img in r {
                    forward(
                        input: input + img * sh.inputCount, shape: sh, weights: weights, bias: bias,
                        activation: activation, rows: 0..<sh.outputHeight, output: output + img * sh.outputCount)
                }
            }
        } else {
            for img in 0..<n {
                Parallel.forEachChunk(sh.outputHeight, grain: 4) { r in
                    forward(
                        input: input + img * sh.inputCount, shape: sh, weights: weights, bias: bias,
                        activation: activation, rows: r, output: output + img * sh.outputCount)
                }
            }
        }
    }

    typealias V = SIMD8<Float>

    @_transparent static func load(_ p: UnsafePointer<Float>) -> V {
        #if arch(x86_64)
            return _mm256_loadu_ps(p)
        #else
            return UnsafeRawPointer(p).loadUnaligned(as: V.self)
        #endif
    }

    @_transparent static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
            _mm256_storeu_ps(p, v)
        #else
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
        #endif
    }

    @_transparent static func clamp(_ v: V, _ lo: V, _ hi: V) -> V {
        vmin(vmax(v, lo), hi)
    }

    /// The AVX2 kernel: 8 channels per vector, channels `firstChannel..<` the last multiple of 8.
    static func forward8(
        _ input: UnsafePointer<Float>, _ sh: Shape, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
        _ low: Float, _ high: Float, _ rows: Range<Int>, _ output: UnsafeMutablePointer<Float>, firstChannel: Int = 0
    ) {
        let lo = V(repeating: low)
        let hi = V(repeating: high)
        let c = sh.channels
        let h = sh.height
        let w = sh.width
        let s = sh.stride
        let ow = sh.outputWidth
        let padLeft = sh.padLeft
        let end = c / 8 * 8
        let oxFirst = Swift.min(ow, (padLeft + s - 1) / s)
        let span = w - 3 + padLeft
        let oxEnd = span < 0 ? oxFirst : Swift.max(oxFirst, Swift.min(ow, span / s + 1))
        let rowStride = w * c
        for oy in rows {
            let iy0 = oy * s - sh.padTop
            let out = output + oy * ow * c
            let interiorRow = iy0 >= 0 && iy0 + 2 < h
            for cb in stride(from: firstChannel, to: end, by: 8) {
                let b = load(bias + cb)
                if interiorRow {
                    let w0 = load(weights + cb)
                    let w1 = load(weights + c + cb)
                    let w2 = load(weights + 2 * c + cb)
                    let w3 = load(weights + 3 * c + cb)
                    let w4 = load(weights + 4 * c + cb)
                    let w5 = load(weights + 5 * c + cb)
                    let w6 = load(weights + 6 * c + cb)
                    let w7 = load(weights + 7 * c + cb)
                    let w8 = load(weights + 8 * c + cb)
                    let r0 = input + iy0 * rowStride + cb
                    let r1 = r0 + rowStride
                    let r2 = r1 + rowStride
                    for ox in oxFirst..<oxEnd {
                        let o = (ox * s - padLeft) * c
                        var a0 = b
                        var a1 = load(r1 + o) * w3
                        var a2 = load(r2 + o) * w6
                        a0.addProduct(load(r0 + o), w0)
                        a0.addProduct(load(r0 + o + c), w1)
                        a1.addProduct(load(r1 + o + c), w4)
                        a2.addProduct(load(r2 + o + c), w7)
                        a0.addProduct(load(r0 + o + 2 * c), w2)
                        a1.addProduct(load(r1 + o + 2 * c), w5)
                        a2.addProduct(load(r2 + o + 2 * c), w8)
                        store(clamp(a0 + a1 + a2, lo, hi), out + ox * c + cb)
                    }
                    for ox in 0..<oxFirst {
                        border8(input, sh, weights, b, iy0, ox * s - padLeft, cb, lo, hi, out + ox * c + cb)
                    }
                    for ox in oxEnd..<ow {
                        border8(input, sh, weights, b, iy0, ox * s - padLeft, cb, lo, hi, out + ox * c + cb)
                    }
                } else {
                    for ox in 0..<ow {
                        border8(input, sh, weights, b, iy0, ox * s - padLeft, cb, lo, hi, out + ox * c + cb)
                    }
                }
            }
        }
    }

    @inline(__always)
    static func border8(
        _ input: UnsafePointer<Float>, _ sh: Shape, _ weights: UnsafePointer<Float>, _ b: V, _ iy0: Int, _ ix0: Int,
        _ cb: Int, _ lo: V, _ hi: V, _ dst: UnsafeMutablePointer<Float>
    ) {
        let c = sh.channels
        var acc = b
        for ky in 0..<3 {
            let iy = iy0 + ky
            if iy < 0 || iy >= sh.height { continue }
            for kx in 0..<3 {
                let ix = ix0 + kx
                if ix < 0 || ix >= sh.width { continue }
                acc.addProduct(load(input + (iy * sh.width + ix) * c + cb), load(weights + (ky * 3 + kx) * c + cb))
            }
        }
        store(clamp(acc, lo, hi), dst)
    }

    /// Channels `from..<channels`, one at a time (channel counts that are not a multiple of 8).
    static func forwardScalar(
        _ input: UnsafePointer<Float>, _ sh: Shape, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
        _ low: Float, _ high: Float, _ rows: Range<Int>, _ output: UnsafeMutablePointer<Float>, from: Int
    ) {
        let c = sh.channels
        for oy in rows {
            let iy0 = oy * sh.stride - sh.padTop
            for ox in 0..<sh.outputWidth {
                let ix0 = ox * sh.stride - sh.padLeft
                for ch in from..<c {
                    var acc = bias[ch]
                    for ky in 0..<3 {
                        let iy = iy0 + ky
                        if iy < 0 || iy >= sh.height { continue }
                        for kx in 0..<3 {
                            let ix = ix0 + kx
                            if ix < 0 || ix >= sh.width { continue }
                            acc += input[(iy * sh.width + ix) * c + ch] * weights[(ky * 3 + kx) * c + ch]
                        }
                    }
                    output[(oy * sh.outputWidth + ox) * c + ch] = Swift.min(Swift.max(acc, low), high)
                }
            }
        }
    }

    // MARK: - Gradients (training)

    /// Adds `∂L/∂x` of one image to `dx` `[h, w, c]`, from the output gradient `g` `[oh, ow, c]` and
    /// packed (unscaled) weights.
    static func inputGradient(
        _ g: UnsafePointer<Float>, shape sh: Shape, weights: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>
    ) {
        let c = sh.channels
        let end = c / 8 * 8
        for oy in 0..<sh.outputHeight {
            let iy0 = oy * sh.stride - sh.padTop
            for ox in 0..<sh.outputWidth {
                let ix0 = ox * sh.stride - sh.padLeft
                let gp = g + (oy * sh.outputWidth + ox) * c
                for ky in 0..<3 {
                    let iy = iy0 + ky
                    if iy < 0 || iy >= sh.height { continue }
                    for kx in 0..<3 {
                        let ix = ix0 + kx
                        if ix < 0 || ix >= sh.width { continue }
                        let d = dx + (iy * sh.width + ix) * c
                        let wk = weights + (ky * 3 + kx) * c
                        var ch = 0
                        while ch < end {
                            let r = load(d + ch) + load(gp + ch) * load(wk + ch)
                            UnsafeMutableRawPointer(d + ch).storeBytes(of: r, as: V.self)
                            ch += 8
                        }
                        while ch < c {
                            d[ch] += gp[ch] * wk[ch]
                            ch += 1
                        }
                    }
                }
            }
        }
    }

    /// Adds `∂L/∂w` of one image, packed `[9, c]`, to `dw`.
    static func weightGradient(
        _ g: UnsafePointer<Float>, input x: UnsafePointer<Float>, shape sh: Shape, into dw: UnsafeMutablePointer<Float>
    ) {
        let c = sh.channels
        let end = c / 8 * 8
        for oy in 0..<sh.outputHeight {
            let iy0 = oy * sh.stride - sh.padTop
            for ox in 0..<sh.outputWidth {
                let ix0 = ox * sh.stride - sh.padLeft
                let gp = g + (oy * sh.outputWidth + ox) * c
                for ky in 0..<3 {
                    let iy = iy0 + ky
                    if iy < 0 || iy >= sh.height { continue }
                    for kx in 0..<3 {
                        let ix = ix0 + kx
                        if ix < 0 || ix >= sh.width { continue }
                        let xp = x + (iy * sh.width + ix) * c
                        let d = dw + (ky * 3 + kx) * c
                        var ch = 0
                        while ch < end {
                            let r = load(d + ch) + load(gp + ch) * load(xp + ch)
                            UnsafeMutableRawPointer(d + ch).storeBytes(of: r, as: V.self)
                            ch += 8
                        }
                        while ch < c {
                            d[ch] += gp[ch] * xp[ch]
                            ch += 1
                        }
                    }
                }
            }
        }
    }
}

/// Lane-wise minimum without branches (see ``vmax(_:_:)-8i4wq``).
@inline(__always)
func vmin(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    #if arch(x86_64)
        return _mm256_min_ps(a, b)
    #else
        let m = unsafeBitCast(b .< a, to: SIMD8<Int32>.self)
        let ab = unsafeBitCast(a, to: SIMD8<Int32>.self)
        let bb = unsafeBitCast(b, to: SIMD8<Int32>.self)
        return unsafeBitCast((bb & m) | (ab & ~m), to: SIMD8<Float>.self)
    #endif
}
