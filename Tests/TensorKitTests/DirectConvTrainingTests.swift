import XCTest
import TensorKit

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
                let x = x0.copy()
                let wt = w0.copy()
                let b = b0.copy()
                x.requiresGrad = true
                wt.requiresGrad = true
                b.requiresGrad = true
                let y = Tensor.conv2d(x, weight: wt, bias: b, padding: .same)
                (y * upstream).sum().backward()
                results.append([y, x.grad!, wt.grad!, b.grad!])
            }
            for (k, name) in ["output", "input gradient", "weight gradient", "bias gradient"].enumerated() {
                let a = results[0][k]
                let d = results[1][k]
                XCTAssertEqual(a.shape, d.shape)
                var worst: Float = 0
                for i in 0..<a.count {
                    worst = max(worst, abs(a.pointer[i] - d.pointer[i]) / max(1, abs(a.pointer[i])))
                }
                XCTAssertLessThan(worst, 1e-4, "\(name), n \(n) cin \(cin) cout \(cout) \(h)x\(w)")
            }
        }
    }
}
