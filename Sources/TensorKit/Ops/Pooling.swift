/// Max and average pooling over NHWC tensors (floor mode, like PyTorch and Keras "valid").

extension Tensor {
    static func poolGeometry(
        _ x: Tensor, _ k: (Int, Int), _ s: (Int, Int), _ p: (Int, Int)
    ) -> (n: Int, h: Int, w: Int, c: Int, oh: Int, ow: Int) {
        precondition(x.rank == 4, "pooling needs NHWC input, got \(x.shape)")
        let n = x.shape[0]
        let h = x.shape[1]
        let w = x.shape[2]
        let c = x.shape[3]
        let oh = (h + 2 * p.0 - k.0) / s.0 + 1
        let ow = (w + 2 * p.1 - k.1) / s.1 + 1
        precondition(oh > 0 && ow > 0, "pooling window \(k) does not fit input \(x.shape)")
        return (n, h, w, c, oh, ow)
    }

    /// Max pooling with window `kernel`, `stride` (defaults to the window) and zero-free padding
    /// (padded positions never win). The gradient goes to the first maximal input of each window.
    public static func maxPool2d(
        _ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)
    ) -> Tensor {
        let s = stride ?? kernel
        let (n, h, w, c, oh, ow) = poolGeometry(x, kernel, s, padding)
        if kernel == (2, 2) && s == (2, 2) && padding == (0, 0) && c % 8 == 0 {
            return maxPool2x2(x, n: n, h: h, w: w, c: c, oh: oh, ow: ow)
        }
        let out = Tensor.uninitialized([n, oh, ow, c])
        let recording = Tensor.needsGrad(x)
        var argmax: [Int32] = recording ? [Int32](repeating: 0, count: out.count) : []
        let xp = x.pointer
        let op = out.pointer
        argmax.withUnsafeMutableBufferPointer { am in
            // An empty array's buffer may still have a base address: test `recording`, not nil.
            let amp = recording ? am.baseAddress : nil
            Parallel.forEachChunk(n * oh, grain: 8) { range in
                for job in range {
                    let img = job / oh
                    let oy = job % oh
                    for ox in 0..<ow {
                        let o = ((img * oh + oy) * ow + ox) * c
                        for ch in 0..<c {
                            var best = -Float.infinity
                            var bi = -1
                            for ky in 0..<kernel.0 {
                                let iy = oy * s.0 - padding.0 + ky
                                if iy < 0 || iy >= h { continue }
                                for kx in 0..<kernel.1 {
                                    let ix = ox * s.1 - padding.1 + kx
                                    if ix < 0 || ix >= w { continue }
                                    let idx = ((img * h + iy) * w + ix) * c + ch
                                    let v = xp[idx]
                                    if v > best || bi < 0 {
                                        best = v
                                        bi = idx
                                    }
                                }
                            }
                            op[o + ch] = best
                            if let amp { amp[o + ch] = Int32(bi) }
                        }
                    }
                }
            }
        }
        return out.recording("max_pool2d", [x]) { g in
            let dx = Tensor(zeros: x.shape)
            for i in 0..<g.count { dx.pointer[Int(argmax[i])] += g.pointer[i] }
            return [dx]
        }
    }

    /// Average pooling. With `countIncludePad` padded zeros count in the divisor (PyTorch's default).
    public static func avgPool2d(
        _ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
        countIncludePad: Bool = true
    ) -> Tensor {
        let s = stride ?? kernel
        let (n, h, w, c, oh, ow) = poolGeometry(x, kernel, s, padding)
        let out = Tensor(zeros: [n, oh, ow, c])
        func window(_ oy: Int, _ ox: Int) -> (y0: Int, y1: Int, x0: Int, x1: Int, div: Float) {
            let y0 = oy * s.0 - padding.0
            let x0 = ox * s.1 - padding.1
            let cy0 = Swift.max(0, y0)
            let cy1 = Swift.min(h, y0 + kernel.0)
            let cx0 = Swift.max(0, x0)
            let cx1 = Swift.min(w, x0 + kernel.1)
            let div =
                countIncludePad
                ? Float((Swift.min(h + padding.0, y0 + kernel.0) - y0) * (Swift.min(w + padding.1, x0 + kernel.1) - x0))
                : Float((cy1 - cy0) * (cx1 - cx0))
            return (cy0, cy1, cx0, cx1, div)
        }
        let xp = x.pointer
        let op = out.pointer
        for img in 0..<n {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let wdw = window(oy, ox)
                    let o = op + ((img * oh + oy) * ow + ox) * c
                    for iy in wdw.y0..<wdw.y1 {
                        for ix in wdw.x0..<wdw.x1 { Kernels.add(o, xp + ((img * h + iy) * w + ix) * c, c) }
                    }
                    Kernels.scale(o, 1 / wdw.div, c)
                }
            }
        }
        return out.recording("avg_pool2d", [x]) { g in
            let dx = Tensor(zeros: x.shape)
            let gp = g.pointer
            let dp = dx.pointer
            for img in 0..<n {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let wdw = window(oy, ox)
                        let gi = gp + ((img * oh + oy) * ow + ox) * c
                        for iy in wdw.y0..<wdw.y1 {
                            for ix in wdw.x0..<wdw.x1 {
                                Kernels.axpy(1 / wdw.div, gi, dp + ((img * h + iy) * w + ix) * c, c)
                            }
                        }
                    }
                }
            }
            return [dx]
        }
    }

    /// 2×2 / stride 2 max pooling, eight channels at a time without branches. The backward pass
    /// finds each window's first maximal input again instead of storing indices.
    static func maxPool2x2(_ x: Tensor, n: Int, h: Int, w: Int, c: Int, oh: Int, ow: Int) -> Tensor {
        let out = Tensor.uninitialized([n, oh, ow, c])
        let xp = x.pointer
        let op = out.pointer
        Parallel.forEachChunk(n * oh, grain: 16) { range in
            for job in range {
                let img = job / oh
                let oy = job % oh
                let r0 = xp + ((img * h + 2 * oy) * w) * c
                let r1 = r0 + w * c
                let o = op + (img * oh + oy) * ow * c
                for ox in 0..<ow {
                    var ch = 0
                    while ch < c {
                        let i = 2 * ox * c + ch
                        let a = UnsafeRawPointer(r0 + i).loadUnaligned(as: SIMD8<Float>.self)
                        let b = UnsafeRawPointer(r0 + i + c).loadUnaligned(as: SIMD8<Float>.self)
                        let d = UnsafeRawPointer(r1 + i).loadUnaligned(as: SIMD8<Float>.self)
                        let e = UnsafeRawPointer(r1 + i + c).loadUnaligned(as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(o + ox * c + ch).storeBytes(
                            of: vmax(vmax(a, b), vmax(d, e)), as: SIMD8<Float>.self)
                        ch += 8
                    }
                }
            }
        }
        return out.recording("max_pool2d", [x]) { g in
            // Windows do not overlap, so each input gets either its window's gradient (if it is
            // the window's first maximal element) or 0: four masked stores, no branches.
            let dx = Tensor(zeros: x.shape)
            let gp = g.pointer
            let dp = dx.pointer
            typealias V = SIMD8<Float>
            typealias M = SIMD8<Int32>
            Parallel.forEachChunk(n * oh, grain: 16) { range in
                for job in range {
                    let img = job / oh
                    let oy = job % oh
                    let base = ((img * h + 2 * oy) * w) * c
                    for ox in 0..<ow {
                        var ch = 0
                        while ch < c {
                            let oi = ((img * oh + oy) * ow + ox) * c + ch
                            let m = UnsafeRawPointer(op + oi).loadUnaligned(as: V.self)
                            let gv = unsafeBitCast(UnsafeRawPointer(gp + oi).loadUnaligned(as: V.self), to: M.self)
                            let i00 = base + 2 * ox * c + ch
                            let i01 = i00 + c
                            let i10 = i00 + w * c
                            let i11 = i10 + c
                            let e00 = unsafeBitCast(
                                UnsafeRawPointer(xp + i00).loadUnaligned(as: V.self) .== m, to: M.self)
                            let e01 = unsafeBitCast(
                                UnsafeRawPointer(xp + i01).loadUnaligned(as: V.self) .== m, to: M.self)
                            let e10 = unsafeBitCast(
                                UnsafeRawPointer(xp + i10).loadUnaligned(as: V.self) .== m, to: M.self)
                            let t00 = e00
                            let t01 = e01 & ~t00
                            let t10 = e10 & ~(t00 | t01)
                            let t11 = ~(t00 | t01 | t10)
                            UnsafeMutableRawPointer(dp + i00).storeBytes(
                                of: unsafeBitCast(gv & t00, to: V.self), as: V.self)
                            UnsafeMutableRawPointer(dp + i01).storeBytes(
                                of: unsafeBitCast(gv & t01, to: V.self), as: V.self)
                            UnsafeMutableRawPointer(dp + i10).storeBytes(
                                of: unsafeBitCast(gv & t10, to: V.self), as: V.self)
                            UnsafeMutableRawPointer(dp + i11).storeBytes(
                                of: unsafeBitCast(gv & t11, to: V.self), as: V.self)
                            ch += 8
                        }
                    }
                }
            }
            return [dx]
        }
    }
}
