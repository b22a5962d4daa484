/// Nearest and bilinear resizing of NHWC tensors, matching `torch.nn.functional.interpolate`.
extension Tensor {
    /// For each output index along an axis: the two source indices and the weight of the second.
    static func linearTaps(input: Int, output: Int, alignCorners: Bool) -> [(Int, Int, Float)] {
        (0..<output).map { o in
            var src: Float
            if alignCorners {
                src = output > 1 ? Float(o) * Float(input - 1) / Float(output - 1) : 0
            } else {
                src = Swift.max(0, (Float(o) + 0.5) * Float(input) / Float(output) - 0.5)
            }
            let i0 = Swift.min(Int(src), input - 1)
            let i1 = Swift.min(i0 + 1, input - 1)
            return (i0, i1, src - Float(i0))
        }
    }

    /// Resizes `[N, H, W, C]` to `[N, height, width, C]`.
    ///
    /// - `bilinear: false`: nearest neighbour (`src = floor(dst · in / out)`, PyTorch's `nearest`).
    /// - `bilinear: true`: bilinear with or without `alignCorners`.
    public func upsampled(height oh: Int, width ow: Int, bilinear: Bool, alignCorners: Bool = false) -> Tensor {
        precondition(
            rank == 4 && oh > 0 && ow > 0, "upsample needs NHWC input and a positive size, got \(shape) → \(oh)x\(ow)")
        let n = shape[0]
        let h = shape[1]
        let w = shape[2]
        let c = shape[3]
        let ty: [(Int, Int, Float)]
        let tx: [(Int, Int, Float)]
        if bilinear {
            ty = Tensor.linearTaps(input: h, output: oh, alignCorners: alignCorners)
            tx = Tensor.linearTaps(input: w, output: ow, alignCorners: alignCorners)
        } else {
            ty = (0..<oh).map { (Swift.min(Int(Float($0) * Float(h) / Float(oh)), h - 1), 0, 0) }
            tx = (0..<ow).map { (Swift.min(Int(Float($0) * Float(w) / Float(ow)), w - 1), 0, 0) }
        }
        let out = Tensor(zeros: [n, oh, ow, c])
        let xp = pointer
        let op = out.pointer
        func each(_ body: (_ o: Int, _ src: Int, _ weight: Float) -> Void) {
            for img in 0..<n {
                for y in 0..<oh {
                    for x in 0..<ow {
                        let o = ((img * oh + y) * ow + x) * c
                        let (y0, y1, fy) = ty[y]
                        let (x0, x1, fx) = tx[x]
                        if bilinear {
                            body(o, ((img * h + y0) * w + x0) * c, (1 - fy) * (1 - fx))
                            body(o, ((img * h + y0) * w + x1) * c, (1 - fy) * fx)
                            body(o, ((img * h + y1) * w + x0) * c, fy * (1 - fx))
                            body(o, ((img * h + y1) * w + x1) * c, fy * fx)
                        } else {
                            body(o, ((img * h + y0) * w + x0) * c, 1)
                        }
                    }
                }
            }
        }
        each { o, s, wgt in if wgt != 0 { Kernels.axpy(wgt, xp + s, op + o, c) } }
        let inShape = shape
        return out.recording(bilinear ? "upsample_bilinear" : "upsample_nearest", [self]) { g in
            let dx = Tensor(zeros: inShape)
            let gp = g.pointer
            let dp = dx.pointer
            each { o, s, wgt in if wgt != 0 { Kernels.axpy(wgt, gp + o, dp + s, c) } }
            return [dx]
        }
    }
}
