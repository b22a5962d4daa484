import XCTest

import TensorKit

/// Depthwise convolution, inverted residual blocks, batch-norm folding and the fused MobileNetV2
/// plan, against PyTorch (fixtures from tools/make_mobilenet_fixtures.py) and finite differences.
final class MobileNetV2Tests: XCTestCase {
    func rand(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, using: &rng)
    }

    /// Runs `body` once with the AVX-512 kernels (when the CPU has them) and once with AVX2.
    func bothKernelFamilies(_ body: (String) throws -> Void) rethrows {
        let saved = DirectConv.useAVX512
        defer { DirectConv.useAVX512 = saved }
        if CPUFeatures.hasAVX512 {
            DirectConv.useAVX512 = true
            try body("AVX-512")
        }
        DirectConv.useAVX512 = false
        try body("AVX2")
    }

    func checkDepthwiseFixture(_ name: String, stride: Int) throws {
        let f = try Fixture.load(name)
        try bothKernelFamilies { family in
            let x = leaf(f["x"])
            let w = leaf(f["weight"])
            let b = leaf(f["bias"])
            // Through conv2d (which routes depthwise 3×3 to the kernel) and directly.
            let y = Tensor.conv2d(x, weight: w, bias: b, stride: (stride, stride), padding: .same, groups: x.shape[3])
            assertClose(y, f["out"], "\(name) out (\(family))")
            (y * f["upstream"]!).sum().backward()
            assertClose(x.grad, f["grad_x"], "\(name) grad x (\(family))")
            assertClose(w.grad, f["grad_weight"], "\(name) grad weight (\(family))")
            assertClose(b.grad, f["grad_bias"], "\(name) grad bias (\(family))")
            let direct = Tensor.depthwiseConv2d(f["x"]!, weight: f["weight"]!, bias: f["bias"]!, stride: stride)
            assertClose(direct, f["out"], "\(name) direct (\(family))")
        }
    }

    func testDepthwiseStride2MatchesPyTorch() throws { try checkDepthwiseFixture("mnv2_depthwise_s2", stride: 2) }

    func testDepthwiseStride1MatchesPyTorch() throws { try checkDepthwiseFixture("mnv2_depthwise_s1", stride: 1) }

    func testDepthwiseAndPointwiseGradientsMatchFiniteDifferences() {
        let x = rand([2, 6, 5, 12], seed: 1)
        let w = rand([12, 1, 3, 3], seed: 2)
        let b = rand([12], seed: 3)
        for s in [1, 2] {
            let r = GradientCheck.check([x, w, b]) {
                Tensor.depthwiseConv2d($0[0], weight: $0[1], bias: $0[2], stride: s, padding: .same)
            }
            XCTAssertLessThan(r.maxError, 2e-2, "depthwise stride \(s): \(r)")
        }
        // ReLU6 fused into the kernel (inputs scaled so some outputs clip at 0 and 6).
        let big = rand([1, 5, 5, 8], seed: 4, low: -4, high: 4)
        let wb = rand([8, 1, 3, 3], seed: 5)
        let r6 = GradientCheck.check([big, wb]) {
            Tensor.depthwiseConv2d($0[0], weight: $0[1], stride: 2, activation: .relu6)
        }
        XCTAssertLessThan(r6.maxError, 2e-2, "depthwise + ReLU6: \(r6)")
        let pw = rand([6, 12, 1, 1], seed: 6)
        let rp = GradientCheck.check([x, pw, rand([6], seed: 7)]) { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2]) }
        XCTAssertLessThan(rp.maxError, 2e-2, "pointwise: \(rp)")
        // A whole residual block with fixed statistics (the batch-statistics gradients are checked
        // against PyTorch in testInvertedResidualBlocksMatchPyTorch).
        let unit = InvertedResidual(inputChannels: 12, outputChannels: 12, stride: 1, expansion: 2, seed: 3)
        unit.eval()
        // ReLU6's kinks would break central differences: centre the activations at 3, in its linear part.
        for u in [unit.expand!, unit.depthwise] {
            u.bn.bias.fill(3)
            u.conv.weight.assign(u.conv.weight * 0.3)
        }
        let ru = GradientCheck.check([x] + Array(unit.trainableParameters().prefix(3)), epsilon: 1e-3) { unit($0[0]) }
        XCTAssertLessThan(ru.maxError, 3e-2, "inverted residual: \(ru)")
    }

    func block(_ f: [String: Tensor], _ prefix: String, out: Int, stride: Int) throws -> InvertedResidual {
        let b = InvertedResidual(inputChannels: 16, outputChannels: out, stride: stride, expansion: 6, seed: 1)
        var state: [String: Tensor] = [:]
        for (k, v) in f where k.hasPrefix(prefix + ".") { state[String(k.dropFirst(prefix.count + 1))] = v.copy() }
        try b.load(stateDict: state, strict: false)
        return b
    }

    func testInvertedResidualBlocksMatchPyTorch() throws {
        let f = try Fixture.load("mnv2_block")
        try bothKernelFamilies { family in
            let train = try block(f, "res", out: 16, stride: 1)
            XCTAssertTrue(train.addsInput)
            let x = leaf(f["x"])
            let y = train(x)
            assertClose(y, f["train_out"], "block train out (\(family))", tolerance: 2e-4)
            (y * f["upstream"]!).sum().backward()
            assertClose(x.grad, f["grad_x"], "block grad x (\(family))", tolerance: 5e-4)
            for (k, p) in train.namedParameters() {
                assertClose(p.grad, f["grad.res.\(k)"], "block grad \(k) (\(family))", tolerance: 5e-4)
            }
            let eval = try block(f, "res", out: 16, stride: 1)
            eval.eval()
            assertClose(eval(f["x"]!), f["eval_out"], "block eval out (\(family))", tolerance: 2e-4)
            let down = try block(f, "down", out: 24, stride: 2)
            down.eval()
            XCTAssertFalse(down.addsInput)
            assertClose(down(f["x"]!), f["down_eval_out"], "stride-2 block eval out (\(family))", tolerance: 2e-4)
        }
    }

    /// Sets every batch norm's statistics and affine parameters to something other than identity.
    func perturbBatchNorms(_ m: Module, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for (k, b) in m.namedBuffers() where k.hasSuffix("running_mean") {
            b.value.assign(Tensor.uniform(b.value.shape, low: -0.2, high: 0.2, using: &rng))
        }
        for (k, b) in m.namedBuffers() where k.hasSuffix("running_var") {
            b.value.assign(Tensor.uniform(b.value.shape, low: 0.5, high: 1.5, using: &rng))
        }
        for (k, p) in m.namedParameters() where k.hasSuffix("bn.weight") {
            p.assign(Tensor.uniform(p.shape, low: 0.8, high: 1.2, using: &rng))
        }
        for (k, p) in m.namedParameters() where k.hasSuffix("bn.bias") {
            p.assign(Tensor.uniform(p.shape, low: -0.1, high: 0.1, using: &rng))
        }
    }

    func testFoldedBatchNormEqualsUnfolded() {
        for (groups, k, stride) in [(1, 1, 1), (24, 3, 2), (1, 3, 2)] {
            let unit = ConvBN(
                24, groups == 1 ? 16 : 24, kernelSize: k, stride: stride, groups: groups, relu6: false, seed: 2)
            perturbBatchNorms(unit, seed: 3)
            unit.eval()
            let x = rand([2, 7, 8, 24], seed: 4)
            let (w, b) = unit.folded()
            let folded = Tensor.conv2d(
                x, weight: w, bias: b, stride: (stride, stride), padding: k == 1 ? .valid : .same, groups: groups)
            XCTAssertLessThan(Fixture.maxRelativeError(folded, unit(x)), 1e-5, "conv \(k)x\(k) groups \(groups)")
        }
    }

    func testPlanEqualsTheModuleInEvaluationModeOnBothKernelFamilies() {
        let net = MobileNetV2(seed: 5)
        perturbBatchNorms(net, seed: 6)
        net.eval()
        let x = rand([3, 40, 40, 3], seed: 7)
        let expected = GradMode.withoutGrad { net(x) }
        XCTAssertEqual(expected.shape, [3, 1280])
        bothKernelFamilies { family in
            for split in [0, 6, 17] {
                let plan = MobileNetV2Plan(net)
                plan.batchedFromBlock = split
                let got = plan(x)
                XCTAssertLessThan(Fixture.maxRelativeError(got, expected), 1e-4, "\(family), batched from \(split)")
                // One frame (kernels split between the workers).
                let one = plan(x.slice(axis: 0, 1..<2).copy())
                XCTAssertLessThan(
                    Fixture.maxRelativeError(one, expected.slice(axis: 0, 1..<2).copy()), 1e-4, "\(family), one frame")
            }
        }
    }

    func testMobileNetV2HasKerasParameterCount() {
        let net = MobileNetV2()
        XCTAssertEqual(net.kerasParameterCount, 2_257_984)
        XCTAssertEqual(net.blocks.count, 17)
        XCTAssertEqual(net.featureCount, 1280)
        XCTAssertEqual(MobileNetV2.divisible(32 * 0.35), 16)
    }

    func testPointwiseKernelEqualsNaiveProductOnBothKernelFamilies() {
        for (m, k, n) in [(13, 7, 56), (20, 24, 144), (9, 320, 1280), (5, 3, 8)] {
            let x = rand([m, k], seed: 1)
            let w = rand([n, k], seed: 2)
            let b = rand([n], seed: 3)
            let res = rand([m, n], seed: 4)
            let packed = PointwiseConv.packWeights(w.pointer, outputs: n, inputs: k)
            var expected = [Float](repeating: 0, count: m * n)
            for r in 0..<m {
                for o in 0..<n {
                    var s = b.pointer[o]
                    for i in 0..<k { s += x.pointer[r * k + i] * w.pointer[o * k + i] }
                    expected[r * n + o] = Swift.min(Swift.max(s, 0), 0.5) + res.pointer[r * n + o]
                }
            }
            bothKernelFamilies { family in
                let y = Tensor.uninitialized([m, n])
                packed.withUnsafeBufferPointer { p in
                    PointwiseConv.forward(
                        x: x.pointer, rows: m, k: k, weights: p.baseAddress!, n: n, bias: b.pointer, low: 0, high: 0.5,
                        residual: res.pointer, output: y.pointer)
                }
                XCTAssertLessThan(
                    Fixture.maxRelativeError(y, Tensor(shape: [m, n], scalars: expected)), 1e-5,
                    "\(m)x\(k)x\(n) \(family)")
            }
        }
    }

    /// Every edge tile of both kernel families (a last 24, 16 or 8 channels; 1 to 13 left-over
    /// rows; odd and tiny `k`), with and without the residual and the clamp, against a naive product.
    func testPointwiseKernelEdgeTilesEqualNaiveProductOnBothKernelFamilies() {
        var cases: [(m: Int, k: Int, n: Int)] = []
        for n in [8, 16, 24, 40, 48, 56, 88] {
            for m in [1, 2, 3, 4, 5, 7, 9, 12, 13, 18, 37] { cases.append((m, [1, 3, 7, 27, 64][(m + n) % 5], n)) }
        }
        for (index, c) in cases.enumerated() {
            let (m, k, n) = c
            let x = rand([m, k], seed: UInt64(10 + index))
            let w = rand([n, k], seed: UInt64(500 + index))
            let b = rand([n], seed: UInt64(900 + index))
            let res = rand([m, n], seed: UInt64(1300 + index))
            let packed = PointwiseConv.packWeights(w.pointer, outputs: n, inputs: k)
            let clamped = index % 2 == 0
            let (low, high): (Float, Float) = clamped ? (-0.3, 0.4) : (-.infinity, .infinity)
            var expected = [Float](repeating: 0, count: m * n)
            for r in 0..<m {
                for o in 0..<n {
                    var s = b.pointer[o]
                    for i in 0..<k { s += x.pointer[r * k + i] * w.pointer[o * k + i] }
                    s = Swift.min(Swift.max(s, low), high)
                    expected[r * n + o] = clamped ? s : s + res.pointer[r * n + o]
                }
            }
            bothKernelFamilies { family in
                let y = Tensor.uninitialized([m, n])
                packed.withUnsafeBufferPointer { p in
                    PointwiseConv.forward(
                        x: x.pointer, rows: m, k: k, weights: p.baseAddress!, n: n, bias: b.pointer, low: low,
                        high: high, residual: clamped ? nil : UnsafePointer(res.pointer), output: y.pointer)
                }
                XCTAssertLessThan(
                    Fixture.maxRelativeError(y, Tensor(shape: [m, n], scalars: expected)), 1e-5,
                    "\(m)x\(k)x\(n) \(family)\(clamped ? " clamped" : " residual")")
            }
        }
    }

    /// The depthwise kernels (both families) on small and odd images, every channel count that
    /// mixes 16-, 8-lane and scalar blocks, both strides, against a naive loop.
    func testDepthwiseKernelEdgesEqualNaiveLoopOnBothKernelFamilies() {
        var index: UInt64 = 0
        for (h, w) in [(1, 1), (2, 3), (3, 3), (5, 4), (6, 6), (7, 9)] {
            for c in [8, 19, 24, 40, 48] {
                for stride in [1, 2] {
                    index += 1
                    let x = rand([2, h, w, c], seed: 2000 + index)
                    let wt = rand([c, 1, 3, 3], seed: 3000 + index)
                    let b = rand([c], seed: 4000 + index)
                    let oh = (h + stride - 1) / stride
                    let ow = (w + stride - 1) / stride
                    let padTop = Swift.max(0, (oh - 1) * stride + 3 - h) / 2
                    let padLeft = Swift.max(0, (ow - 1) * stride + 3 - w) / 2
                    var expected = [Float](repeating: 0, count: 2 * oh * ow * c)
                    for img in 0..<2 {
                        for oy in 0..<oh {
                            for ox in 0..<ow {
                                for ch in 0..<c {
                                    var s = b.pointer[ch]
                                    for ky in 0..<3 {
                                        for kx in 0..<3 {
                                            let iy = oy * stride - padTop + ky
                                            let ix = ox * stride - padLeft + kx
                                            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                            s += x.pointer[((img * h + iy) * w + ix) * c + ch] * wt.pointer[ch * 9 + ky * 3 + kx]
                                        }
                                    }
                                    expected[((img * oh + oy) * ow + ox) * c + ch] = Swift.min(Swift.max(s, 0), 6)
                                }
                            }
                        }
                    }
                    bothKernelFamilies { family in
                        let y = Tensor.depthwiseConv2d(x, weight: wt, bias: b, stride: stride, activation: .relu6)
                        XCTAssertEqual(y.shape, [2, oh, ow, c])
                        XCTAssertLessThan(
                            Fixture.maxRelativeError(y, Tensor(shape: [2, oh, ow, c], scalars: expected)), 1e-5,
                            "\(h)x\(w)x\(c) s\(stride) \(family)")
                    }
                }
            }
        }
    }

    func testLSTMPlanEqualsLSTM() {
        let l1 = LSTM(inputSize: 10, hiddenSize: 8, seed: 1)
        let l2 = LSTM(inputSize: 8, hiddenSize: 8, seed: 2)
        let out = Linear(8, 3, seed: 3)
        let x = rand([2, 5, 10], seed: 4)
        let expected = GradMode.withoutGrad { out(l2(l1(x).output).h.reshaped([2, 8])) }
        let got = LSTMPlan(layers: [l1, l2], output: out)(x)
        XCTAssertLessThan(Fixture.maxRelativeError(got, expected), 1e-5)
    }
}
