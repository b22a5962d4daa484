import XCTest
import TensorKit

/// The fused inference kernels against the layer-by-layer network, over the shapes each kernel
/// family handles and its edges (odd sizes, the smallest widths, tails that overlap), for both the
/// AVX2 kernels and, where the CPU has it, the AVX-512 ones.
final class InferencePlanTests: XCTestCase {
    /// (input channels, output channels, height, width) of single conv blocks.
    let shapes: [(Int, Int, Int, Int)] = [
        (3, 8, 52, 52), (3, 8, 16, 16), (3, 8, 17, 23), (1, 8, 20, 34), (5, 8, 18, 30), (3, 8, 6, 10), (3, 8, 5, 7), (3, 8, 9, 8),
        (8, 16, 26, 26), (8, 16, 8, 9), (3, 16, 13, 21), (8, 16, 4, 4),
        (16, 32, 13, 13), (16, 32, 4, 5), (7, 32, 9, 14), (16, 32, 2, 2),
    ]

    func block(_ cin: Int, _ cout: Int, relu: Bool, scale: Float?, seed: UInt64) -> Sequential {
        var layers: [any UnaryLayer] = []
        if let scale { layers.append(Rescaling(scale: scale)) }
        layers.append(Conv2D(cin, cout, kernelSize: 3, padding: .same, seed: seed))
        if relu { layers.append(ReLU()) }
        layers.append(MaxPool2D(kernelSize: 2))
        return Sequential(layers)
    }

    func assertPlanMatches(_ net: Sequential, _ x: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        net.eval()
        let reference = GradMode.withoutGrad { net(x) }
        let plan = InferencePlan(net)
        XCTAssertGreaterThan(plan.fusedStepCount, 0, "\(label): nothing was fused", file: file, line: line)
        let fused = plan(x)
        XCTAssertEqual(fused.shape, reference.shape, label, file: file, line: line)
        guard fused.shape == reference.shape else { return }
        var worst: Float = 0
        for i in 0..<fused.count {
            worst = max(worst, abs(fused.pointer[i] - reference.pointer[i]) / max(1, abs(reference.pointer[i])))
        }
        XCTAssertLessThan(worst, 1e-4, label, file: file, line: line)
    }

    func checkAllShapes(_ isa: String) {
        var rng = SeededGenerator(seed: 21)
        for (k, (cin, cout, h, w)) in shapes.enumerated() {
            for (relu, scale) in [(true, Float(1) / 255), (false, nil)] {
                let net = block(cin, cout, relu: relu, scale: scale, seed: UInt64(k))
                for n in [1, 3] {
                    let x = Tensor.uniform([n, h, w, cin], low: scale == nil ? -1 : 0, high: scale == nil ? 1 : 255, using: &rng)
                    assertPlanMatches(net, x, "\(isa) cin \(cin) cout \(cout) \(h)x\(w) relu \(relu) batch \(n)")
                }
            }
        }
        // The gem network whole: three blocks, flatten, two dense layers.
        let gem = Sequential([
            Rescaling(scale: 1 / 255),
            Conv2D(3, 8, kernelSize: 3, padding: .same, seed: 1), ReLU(), MaxPool2D(kernelSize: 2), Dropout(rate: 0.3),
            Conv2D(8, 16, kernelSize: 3, padding: .same, seed: 2), ReLU(), MaxPool2D(kernelSize: 2), Dropout(rate: 0.3),
            Conv2D(16, 32, kernelSize: 3, padding: .same, seed: 3), ReLU(), MaxPool2D(kernelSize: 2), Dropout(rate: 0.3),
            Flatten(), Linear(1152, 128, seed: 4), ReLU(), Linear(128, 4, seed: 5),
        ])
        for n in [1, 2, 5] {
            assertPlanMatches(gem, Tensor.uniform([n, 52, 52, 3], low: 0, high: 255, using: &rng), "\(isa) gem network batch \(n)")
        }
    }

    func testAVX2KernelsMatchTheNetwork() {
        let saved = DirectConv.useAVX512
        defer { DirectConv.useAVX512 = saved }
        DirectConv.useAVX512 = false
        checkAllShapes("AVX2")
    }

    func testAVX512KernelsMatchTheNetwork() throws {
        try XCTSkipUnless(CPUFeatures.hasAVX512, "this CPU has no AVX-512; the AVX2 kernels are what runs here")
        let saved = DirectConv.useAVX512
        defer { DirectConv.useAVX512 = saved }
        DirectConv.useAVX512 = true
        checkAllShapes("AVX-512")
    }
}

/// Training's direct 3×3 convolution (AVX-512) against the im2col + GEMM path: outputs and every
/// gradient, over shapes at the kernels' edges (narrowest widths, odd sizes, overlapping tails).
final class DirectConvTrainingTests: XCTestCase {
    func testDirectConvolutionMatchesIm2colForwardAndBackward() throws {
        try XCTSkipUnless(CPUFeatures.hasAVX512, "this CPU has no AVX-512; convolutions run as im2col + GEMM here")
        let saved = DirectConv.useAVX512
        defer { DirectConv.useAVX512 = saved }
        var rng = SeededGenerator(seed: 5)
        let shapes: [(Int, Int, Int, Int, Int)] = [  // n, cin, cout, h, w
            (2, 3, 8, 52, 52), (1, 3, 8, 2, 16), (3, 1, 8, 7, 23), (2, 5, 8, 9, 17),
            (2, 8, 16, 26, 26), (1, 8, 16, 2, 8), (2, 3, 16, 5, 11),
            (2, 16, 32, 13, 13), (1, 16, 32, 3, 9), (2, 7, 32, 4, 8),
            (2, 5, 48, 6, 10), (1, 32, 64, 9, 12),
        ]
        for (n, cin, cout, h, w) in shapes {
            let x0 = Tensor.uniform([n, h, w, cin], low: -1, high: 1, using: &rng)
            let w0 = Tensor.uniform([cout, cin, 3, 3], low: -0.5, high: 0.5, using: &rng)
            let b0 = Tensor.uniform([cout], low: -0.5, high: 0.5, using: &rng)
            let upstream = Tensor.uniform([n, h, w, cout], low: -1, high: 1, using: &rng)
            var results: [[Tensor]] = []
            for direct in [false, true] {
                DirectConv.useAVX512 = direct
                let x = x0.copy(), wt = w0.copy(), b = b0.copy()
                x.requiresGrad = true; wt.requiresGrad = true; b.requiresGrad = true
                let y = Tensor.conv2d(x, weight: wt, bias: b, padding: .same)
                (y * upstream).sum().backward()
                results.append([y, x.grad!, wt.grad!, b.grad!])
            }
            for (k, name) in ["output", "input gradient", "weight gradient", "bias gradient"].enumerated() {
                let a = results[0][k], d = results[1][k]
                XCTAssertEqual(a.shape, d.shape)
                var worst: Float = 0
                for i in 0..<a.count { worst = max(worst, abs(a.pointer[i] - d.pointer[i]) / max(1, abs(a.pointer[i]))) }
                XCTAssertLessThan(worst, 1e-4, "\(name), n \(n) cin \(cin) cout \(cout) \(h)x\(w)")
            }
        }
    }
}
