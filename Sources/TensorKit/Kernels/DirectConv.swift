#if arch(x86_64)
    import _Builtin_intrinsics.intel
#endif
import Foundation
#if arch(x86_64)
    import TensorKitAVX512
#endif

/// Direct 3×3 "same" convolution over NHWC images fused with bias, ReLU and an optional 2×2
/// max-pool (floor), for inference of small CNNs such as the gem classifier.
///
/// The input is copied once into a zero-padded buffer so the inner loops have no bounds checks.
/// Weights are repacked as `[3, 3, Cin, Cout]`; for a fixed kernel row the taps of three
/// neighbouring pixels are one contiguous run of `3·Cin` inputs, so each weight vector is loaded
/// once and multiplied into the accumulators of four (or eight) conv pixels held in SIMD registers;
/// the 2×2 pool, bias and ReLU are applied in registers before the single store.
public enum DirectConv {
    /// Repacks PyTorch-layout weights `[Cout, Cin, 3, 3]` to `[3, 3, Cin, Cout]`.
    public static func packWeights(_ w: UnsafePointer<Float>, cout: Int, cin: Int) -> [Float] {
        var out = [Float](repeating: 0, count: 9 * cin * cout)
        for o in 0..<cout {
            for i in 0..<cin {
                for k in 0..<9 {
                    out[(k * cin + i) * cout + o] = w[(o * cin + i) * 9 + k]
                }
            }
        }
        return out
    }

    /// Runs conv 3×3 same + bias (+ReLU) + 2×2 max-pool on `n` images.
    ///
    /// - Parameters:
    ///   - input: `[n, h, w, cin]`.
    ///   - packed: weights from ``packWeights(_:cout:cin:)``; `cout` must be 8, 16 or 32.
    ///   - output: `[n, h/2, w/2, cout]`.
    ///   - inputScale: multiplies every input value (folds a Rescaling layer in; must be > 0).
    ///   - scratch: at least ``scratchCount(n:h:w:cin:)`` floats.
    public static func conv3x3Pool(
        input: UnsafePointer<Float>, n: Int, h: Int, w: Int, cin: Int,
        packed: UnsafePointer<Float>, bias: UnsafePointer<Float>, cout: Int,
        relu: Bool, inputScale: Float = 1,
        scratch: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        precondition(
            cout == 8 || cout == 16 || cout == 32, "DirectConv supports 8, 16 or 32 output channels, got \(cout)")
        let ph = h + 2
        let pw = w + 2
        let oh = h / 2
        let ow = w / 2
        let perImage = ph * pw * cin
        let kernel = Kernel.choose(cout: cout, pooledWidth: ow)
        func pad(_ img: Int, into dst: UnsafeMutablePointer<Float>) {
            let src = input + img * h * w * cin
            if kernel == .planar8 {
                padPlanar(src, h: h, w: w, cin: cin, into: dst)
                return
            }
            padNHWC(src, h: h, w: w, cin: cin, into: dst)
        }
        func rows(_ img: Int, _ padded: UnsafePointer<Float>, _ r: Range<Int>) {
            let out = output + img * oh * ow * cout
            switch kernel {
            #if arch(x86_64)
                case .planar8:
                    AVX512Conv.planar8(
                        padded: padded, ph: ph, pw: pw, cin: cin, packed: packed, bias: bias,
                        relu: relu, scale: inputScale, rows: r, ow: ow, output: out)
                case .channels16:
                    AVX512Conv.channels16(
                        padded: padded, pw: pw, cin: cin, packed: packed, bias: bias,
                        relu: relu, scale: inputScale, rows: r, ow: ow, output: out)
                case .channels32:
                    AVX512Conv.channels32(
                        padded: padded, pw: pw, cin: cin, packed: packed, bias: bias,
                        relu: relu, scale: inputScale, rows: r, ow: ow, output: out)
            #endif
            default:
                for oy in r {
                    let dst = out + oy * ow * cout
                    switch cout {
                    case 8: rowPool8(padded, pw, cin, packed, bias, relu, inputScale, oy, ow, dst)
                    case 16: rowPool16(padded, pw, cin, packed, bias, relu, inputScale, oy, ow, dst)
                    default: rowPool32(padded, pw, cin, packed, bias, relu, inputScale, oy, ow, dst)
                    }
                }
            }
        }
        if n >= Parallel.threadCount {
            // Whole images per worker: each pads one image into its own slice of scratch and
            // convolves it while it is still in cache.
            Parallel.forEachChunk(n) { r in
                let padded = scratch + r.lowerBound * perImage
                for img in r {
                    pad(img, into: padded)
                    rows(img, padded, 0..<oh)
                }
            }
        } else {
            // Fewer images than workers (a single cell): split each image's rows between the
            // workers, which start within a microsecond (see ``SpinningPool``).
            for img in 0..<n {
                pad(img, into: scratch)
                Parallel.forEachChunk(oh) { r in rows(img, scratch, r) }
            }
        }
    }

    /// Whether ``conv3x3(input:n:h:w:cin:packed:bias:cout:output:)`` computes the convolution
    /// `geo` describes: AVX-512 present, 3×3, stride 1, dilation 1, one group, "same" padding,
    /// 8 output channels on images at least 16 wide, or 16, 32, 48 or 64 on images at least 8
    /// wide; 2 or more rows.
    static func handles(_ geo: ConvGeometry) -> Bool {
        #if arch(x86_64)
            guard useAVX512, geo.kh == 3, geo.kw == 3, geo.sh == 1, geo.sw == 1, geo.dh == 1, geo.dw == 1,
                geo.groups == 1, geo.padTop == 1, geo.padLeft == 1, geo.oh == geo.h, geo.ow == geo.w, geo.h >= 2
            else { return false }
            return handlesOutputs(geo.cout, width: geo.w)
        #else
            return false
        #endif
    }

    /// Whether a direct 3×3 "same" convolution producing `channels` channels on images `width`
    /// wide is worth it (the shape rule of ``handles(_:)``).
    static func handlesOutputs(_ channels: Int, width: Int) -> Bool {
        switch channels {
        case 8: return width >= 16
        // Up to 64 outputs the direct kernel beats im2col + GEMM (2.9 vs 4.9 ms for 32→64 on
        // 8×64×64; 0.37 vs 0.83 ms for 3→32 on 4×128×128); at 128→128 GEMM wins (0.90 vs 1.52
        // ms on 4×16×16), since each 16-channel slice broadcasts every input again.
        case let c where c % 16 == 0 && c <= 64: return width >= 8
        default: return false
        }
    }

    /// The input gradient of a convolution ``handles(_:)`` accepts, when its input channel count
    /// suits the direct kernel: for a 3×3, stride-1, "same" convolution it is the same kind of
    /// convolution of the output gradient with the kernel flipped and its channel axes swapped.
    /// Returns nil when the shape does not suit (the caller uses GEMM + col2im).
    static func inputGradient(_ g: UnsafePointer<Float>, weight: UnsafePointer<Float>, geo: ConvGeometry) -> Tensor? {
        guard handles(geo), handlesOutputs(geo.cin, width: geo.w) else { return nil }
        // Flipped, swapped weights in PyTorch layout [cin, cout, 3, 3].
        var flipped = [Float](repeating: 0, count: geo.cin * geo.cout * 9)
        for o in 0..<geo.cout {
            for i in 0..<geo.cin {
                for k in 0..<9 {
                    flipped[(i * geo.cout + o) * 9 + (8 - k)] = weight[(o * geo.cin + i) * 9 + k]
                }
            }
        }
        let packed = flipped.withUnsafeBufferPointer { packWeights($0.baseAddress!, cout: geo.cin, cin: geo.cout) }
        let zeros = [Float](repeating: 0, count: geo.cin)
        let dx = Tensor.uninitialized([geo.n, geo.h, geo.w, geo.cin])
        packed.withUnsafeBufferPointer { p in
            zeros.withUnsafeBufferPointer { z in
                conv3x3(
                    input: g, n: geo.n, h: geo.h, w: geo.w, cin: geo.cout, packed: p.baseAddress!,
                    bias: z.baseAddress!, cout: geo.cin, output: dx.pointer)
            }
        }
        return dx
    }

    /// Conv 3×3 "same" + bias without pooling or activation (training's forward pass), images
    /// split between TensorKit's workers. Only for shapes ``handles(_:)`` accepts.
    static func conv3x3(
        input: UnsafePointer<Float>, n: Int, h: Int, w: Int, cin: Int,
        packed: UnsafePointer<Float>, bias: UnsafePointer<Float>, cout: Int,
        output: UnsafeMutablePointer<Float>
    ) {
        #if arch(x86_64)
            let perImage = (h + 2) * (w + 2) * cin
            Parallel.forEachChunk(n) { range in
                let padded = UnsafeMutablePointer<Float>.allocate(capacity: perImage)
                defer { padded.deallocate() }
                for img in range {
                    let src = input + img * h * w * cin
                    let dst = output + img * h * w * cout
                    if cout == 8 {
                        padPlanar(src, h: h, w: w, cin: cin, into: padded)
                        AVX512Conv.planar8Full(
                            padded: padded, h: h, w: w, cin: cin, packed: packed, bias: bias, output: dst)
                    } else {
                        padNHWC(src, h: h, w: w, cin: cin, into: padded)
                        for slice in stride(from: 0, to: cout, by: 16) {
                            AVX512Conv.channels16Full(
                                padded: padded, h: h, w: w, cin: cin, packed: packed + slice,
                                bias: bias + slice, cout: cout, output: dst + slice)
                        }
                    }
                }
            }
        #else
            preconditionFailure("DirectConv.conv3x3 needs AVX-512")
        #endif
    }

    /// Copies an NHWC image `[h, w, cin]` into `cin` zero-padded planes of `(h + 2) × (w + 2)`.
    static func padPlanar(_ src: UnsafePointer<Float>, h: Int, w: Int, cin: Int, into dst: UnsafeMutablePointer<Float>)
    {
        let ph = h + 2
        let pw = w + 2
        let plane = ph * pw
        for c in 0..<cin {
            let p = dst + c * plane
            p.update(repeating: 0, count: pw)
            (p + (ph - 1) * pw).update(repeating: 0, count: pw)
            for y in 0..<h {
                p[(y + 1) * pw] = 0
                p[(y + 1) * pw + w + 1] = 0
            }
        }
        if cin == 3 {
            let p0 = dst + pw + 1
            let p1 = p0 + plane
            let p2 = p1 + plane
            for y in 0..<h {
                let s = src + y * w * 3
                let o = y * pw
                for x in 0..<w {
                    p0[o + x] = s[3 * x]
                    p1[o + x] = s[3 * x + 1]
                    p2[o + x] = s[3 * x + 2]
                }
            }
        } else {
            for y in 0..<h {
                let s = src + y * w * cin
                for c in 0..<cin {
                    let p = dst + c * plane + (y + 1) * pw + 1
                    for x in 0..<w { p[x] = s[x * cin + c] }
                }
            }
        }
    }

    /// Copies an NHWC image into a zero-padded `[h + 2, w + 2, cin]` buffer.
    static func padNHWC(_ src: UnsafePointer<Float>, h: Int, w: Int, cin: Int, into dst: UnsafeMutablePointer<Float>) {
        let ph = h + 2
        let pw = w + 2
        dst.update(repeating: 0, count: pw * cin)
        (dst + (ph - 1) * pw * cin).update(repeating: 0, count: pw * cin)
        for y in 0..<h {
            let row = dst + (y + 1) * pw * cin
            row.update(repeating: 0, count: cin)
            (row + cin).update(from: src + y * w * cin, count: w * cin)
            (row + (w + 1) * cin).update(repeating: 0, count: cin)
        }
    }

    /// Which inner kernel a layer runs.
    enum Kernel {
        /// AVX2 (Haswell) kernels, any supported shape.
        case portable
        /// AVX-512: 8 output channels over a planar copy of the input.
        case planar8
        /// AVX-512: 16 output channels.
        case channels16
        /// AVX-512: 32 output channels.
        case channels32

        static func choose(cout: Int, pooledWidth ow: Int) -> Kernel {
            #if arch(x86_64)
                guard DirectConv.useAVX512 else { return .portable }
                switch cout {
                case 8 where ow >= AVX512Conv.planar8MinimumPooledWidth: return .planar8
                case 16 where ow >= 4: return .channels16
                case 32 where ow >= 2: return .channels32
                default: return .portable
                }
            #else
                return .portable
            #endif
        }
    }

    /// Whether the AVX-512 kernels run: true when the CPU has AVX-512 (see ``CPUFeatures``), unless
    /// the environment sets `PIXELPILOT_NO_AVX512=1`. Tests set it to run both kernel families;
    /// setting it to true on a CPU without AVX-512 is a programming error.
    nonisolated(unsafe) public static var useAVX512: Bool =
        CPUFeatures.hasAVX512
        && ProcessInfo.processInfo.environment["PIXELPILOT_NO_AVX512"] == nil

    /// Floats of scratch space ``conv3x3Pool`` needs.
    public static func scratchCount(n: Int, h: Int, w: Int, cin: Int) -> Int { n * (h + 2) * (w + 2) * cin }

    /// 8 output channels: two pooled outputs (eight conv pixels) per step.
    @inline(__always)
    static func rowPool8(
        _ src: UnsafePointer<Float>, _ pw: Int, _ cin: Int, _ packed: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ relu: Bool, _ scale: Float, _ oy: Int, _ ow: Int,
        _ dst: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD8<Float>
        let b = UnsafeRawPointer(bias).loadUnaligned(as: V.self)
        let sv = V(repeating: scale)
        let zero = V(repeating: 0)
        let run = 3 * cin
        var ox = 0
        while ox < ow {
            let pairs = ox + 1 < ow ? 2 : 1
            var a0 = zero
            var a1 = zero
            var a2 = zero
            var a3 = zero
            var a4 = zero
            var a5 = zero
            var a6 = zero
            var a7 = zero
            let x = ox * 2
            for ky in 0..<3 {
                let r0 = src + ((oy * 2 + ky) * pw + x) * cin
                let r1 = r0 + pw * cin
                let wk = packed + ky * run * 8
                for j in 0..<run {
                    let wv = UnsafeRawPointer(wk + j * 8).loadUnaligned(as: V.self)
                    a0.addProduct(V(repeating: r0[j]), wv)
                    a1.addProduct(V(repeating: r0[j + cin]), wv)
                    a2.addProduct(V(repeating: r1[j]), wv)
                    a3.addProduct(V(repeating: r1[j + cin]), wv)
                    if pairs == 2 {
                        a4.addProduct(V(repeating: r0[j + 2 * cin]), wv)
                        a5.addProduct(V(repeating: r0[j + 3 * cin]), wv)
                        a6.addProduct(V(repeating: r1[j + 2 * cin]), wv)
                        a7.addProduct(V(repeating: r1[j + 3 * cin]), wv)
                    }
                }
            }
            var r = vmax(vmax(a0, a1), vmax(a2, a3)) * sv + b
            if relu { r = vmax(r, zero) }
            UnsafeMutableRawPointer(dst + ox * 8).storeBytes(of: r, as: V.self)
            if pairs == 2 {
                var q = vmax(vmax(a4, a5), vmax(a6, a7)) * sv + b
                if relu { q = vmax(q, zero) }
                UnsafeMutableRawPointer(dst + (ox + 1) * 8).storeBytes(of: q, as: V.self)
            }
            ox += pairs
        }
    }

    /// 16 output channels starting at `packed`/`bias`/`dst` (of `cout` in all): one pooled output
    /// (four conv pixels, four accumulators) per step.
    @inline(__always)
    static func rowPool16(
        _ src: UnsafePointer<Float>, _ pw: Int, _ cin: Int, _ packed: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ relu: Bool, _ scale: Float, _ oy: Int, _ ow: Int,
        _ dst: UnsafeMutablePointer<Float>, cout: Int = 16
    ) {
        typealias V = SIMD16<Float>
        let b = UnsafeRawPointer(bias).loadUnaligned(as: V.self)
        let sv = V(repeating: scale)
        let zero = V(repeating: 0)
        let run = 3 * cin
        for ox in 0..<ow {
            var a0 = zero
            var a1 = zero
            var a2 = zero
            var a3 = zero
            let x = ox * 2
            for ky in 0..<3 {
                let r0 = src + ((oy * 2 + ky) * pw + x) * cin
                let r1 = r0 + pw * cin
                let wk = packed + ky * run * cout
                for j in 0..<run {
                    let wv = UnsafeRawPointer(wk + j * cout).loadUnaligned(as: V.self)
                    a0.addProduct(V(repeating: r0[j]), wv)
                    a1.addProduct(V(repeating: r0[j + cin]), wv)
                    a2.addProduct(V(repeating: r1[j]), wv)
                    a3.addProduct(V(repeating: r1[j + cin]), wv)
                }
            }
            var r = vmax(vmax(a0, a1), vmax(a2, a3)) * sv + b
            if relu { r = vmax(r, zero) }
            UnsafeMutableRawPointer(dst + ox * cout).storeBytes(of: r, as: V.self)
        }
    }

    /// 32 output channels as two 16-wide halves (all eight accumulators at once would not fit
    /// in the 16 AVX2 registers).
    @inline(__always)
    static func rowPool32(
        _ src: UnsafePointer<Float>, _ pw: Int, _ cin: Int, _ packed: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ relu: Bool, _ scale: Float, _ oy: Int, _ ow: Int,
        _ dst: UnsafeMutablePointer<Float>
    ) {
        rowPool16(src, pw, cin, packed, bias, relu, scale, oy, ow, dst, cout: 32)
        rowPool16(src, pw, cin, packed + 16, bias + 16, relu, scale, oy, ow, dst + 16, cout: 32)
    }
}

/// Lane-wise maximum without branches: the standard library's generic `pointwiseMax` compiles to
/// per-lane code (branches that mispredict on real data). On x86 this is `vmaxps` through the
/// compiler's intrinsics; a compare turned into an integer mask and a bitwise select (the portable
/// version, used elsewhere) compiled for AVX2 to the mask's lanes moved one by one through general
/// registers, which made every AVX2 epilogue that clamps (ReLU6 in the 1×1 and depthwise kernels)
/// several times slower than its products.
@inline(__always)
func vmax(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    #if arch(x86_64)
        return _mm256_max_ps(a, b)
    #else
        let m = unsafeBitCast(a .< b, to: SIMD8<Int32>.self)
        let ab = unsafeBitCast(a, to: SIMD8<Int32>.self)
        let bb = unsafeBitCast(b, to: SIMD8<Int32>.self)
        return unsafeBitCast((bb & m) | (ab & ~m), to: SIMD8<Float>.self)
    #endif
}

@inline(__always)
func vmax(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
    #if arch(x86_64)
        return SIMD16(lowHalf: _mm256_max_ps(a.lowHalf, b.lowHalf), highHalf: _mm256_max_ps(a.highHalf, b.highHalf))
    #else
        let m = unsafeBitCast(a .< b, to: SIMD16<Int32>.self)
        let ab = unsafeBitCast(a, to: SIMD16<Int32>.self)
        let bb = unsafeBitCast(b, to: SIMD16<Int32>.self)
        return unsafeBitCast((bb & m) | (ab & ~m), to: SIMD16<Float>.self)
    #endif
}
