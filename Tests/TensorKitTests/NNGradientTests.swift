import XCTest
import TensorKit

/// Finite-difference checks of every differentiable op and layer added for the CNN stack.
final class NNGradientTests: XCTestCase {
    func rand(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, using: &rng)
    }

    func assertGrad(
        _ inputs: [Tensor], tol: Float = 2e-2, eps: Float = 1e-2, file: StaticString = #filePath, line: UInt = #line,
        _ f: ([Tensor]) -> Tensor
    ) {
        let r = GradientCheck.check(inputs, epsilon: eps, f)
        XCTAssertLessThan(r.maxError, tol, "\(r)", file: file, line: line)
    }

    func testConvolutionGradients() {
        let x = rand([2, 5, 6, 4], seed: 1)
        let w = rand([6, 4, 3, 3], seed: 2)
        let b = rand([6], seed: 3)
        assertGrad([x, w, b]) { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], padding: .same) }
        assertGrad([x, w, b]) { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 2), padding: .valid) }
        assertGrad([x, w, b]) {
            Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], padding: .symmetric(2), dilation: (2, 2))
        }
        let wg = rand([6, 2, 3, 3], seed: 4)
        assertGrad([x, wg]) { Tensor.conv2d($0[0], weight: $0[1], padding: .same, groups: 2) }
        let wd = rand([4, 1, 3, 3], seed: 5)
        assertGrad([x, wd]) { Tensor.conv2d($0[0], weight: $0[1], padding: .same, groups: 4) }
        let layer = Conv2D(4, 3, kernelSize: 3, stride: 2, padding: .same, seed: 6)
        assertGrad([x, layer.weight, layer.bias!]) { _ in layer(x) }
    }

    func testPoolingGradients() {
        // Distinct values so the max is unique and finite differences do not cross a tie.
        let x = Tensor(shape: [1, 4, 5, 2], scalars: (0..<40).map { Float(($0 * 37) % 40) / 10 })
        assertGrad([x]) { Tensor.maxPool2d($0[0], kernel: (2, 2)) }
        assertGrad([x]) { Tensor.maxPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1)) }
        assertGrad([x]) { Tensor.avgPool2d($0[0], kernel: (2, 2)) }
        assertGrad([x]) {
            Tensor.avgPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false)
        }
    }

    func testFastMaxPoolMatchesGenericAndSendsTiesToTheFirstElement() {
        var rng = SeededGenerator(seed: 21)
        // 8 channels take the vectorised path; 3 channels the generic one. Same answers.
        let x8 = Tensor.uniform([2, 5, 4, 8], using: &rng)
        let generic = Tensor.maxPool2d(x8.slice(axis: 3, 0..<3), kernel: (2, 2))
        let fast = Tensor.maxPool2d(x8, kernel: (2, 2)).slice(axis: 3, 0..<3)
        XCTAssertEqual(fast.scalars, generic.scalars)
        let ties = Tensor(shape: [1, 2, 2, 8], repeating: 1, requiresGrad: true)
        Tensor.maxPool2d(ties, kernel: (2, 2)).sum().backward()
        XCTAssertEqual(Array(ties.grad!.scalars.prefix(8)), [Float](repeating: 1, count: 8))
        XCTAssertEqual(Array(ties.grad!.scalars.dropFirst(8)), [Float](repeating: 0, count: 24))
        assertGrad([Tensor(shape: [1, 4, 4, 8], scalars: (0..<128).map { Float(($0 * 53) % 128) / 16 })]) {
            Tensor.maxPool2d($0[0], kernel: (2, 2))
        }
    }

    func testActivationGradients() {
        // Keep away from the kinks of relu/relu6/abs/clamp.
        let x = Tensor(shape: [2, 5], scalars: [-2.5, -1.3, -0.6, 0.4, 1.1, 1.9, 2.7, 5.5, 6.6, -3.2])
        assertGrad([x]) { $0[0].relu() }
        assertGrad([x]) { $0[0].relu6() }
        assertGrad([x]) { $0[0].sigmoid() }
        assertGrad([x]) { $0[0].tanh() }
        assertGrad([x]) { $0[0].gelu() }
        assertGrad([x]) { $0[0].gelu(approximateTanh: true) }
        assertGrad([x]) { ($0[0] * 0.3).exp() }
        assertGrad([x]) { $0[0].abs() }
        assertGrad([x]) { $0[0].clamped(min: -1, max: 2) }
        let p = rand([2, 5], seed: 9, low: 0.5, high: 3)
        assertGrad([p]) { $0[0].log() }
        assertGrad([p]) { $0[0].sqrt() }
        assertGrad([p]) { $0[0].pow(2.5) }
    }

    func testSoftmaxAndLossGradients() {
        let x = rand([3, 4], seed: 11, low: -2, high: 2)
        assertGrad([x]) { $0[0].softmax() }
        assertGrad([rand([2, 3, 4], seed: 12)]) { $0[0].softmax(axis: 1) }
        assertGrad([x]) { $0[0].logSoftmax() }
        assertGrad([x]) { $0[0].softmaxCrossEntropy(labels: [0, 3, 2]) }
        assertGrad([x]) { $0[0].softmaxCrossEntropy(labels: [1, 1, 0], weights: [1, 0, 2]) }
        let t = rand([3, 4], seed: 13, low: 0, high: 1)
        assertGrad([x]) { $0[0].binaryCrossEntropyWithLogits(targets: t) }
        assertGrad([x]) { $0[0].meanSquaredError(t) }
    }

    func testDropoutKeepsExpectationAndMasksGradient() {
        var rng = SeededGenerator(seed: 3)
        let x = Tensor(shape: [10000], repeating: 1, requiresGrad: true)
        let y = x.dropout(rate: 0.3, using: &rng)
        let kept = y.scalars.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / 10000, 0.7, accuracy: 0.02)
        XCTAssertEqual(kept.first ?? 0, 1 / 0.7, accuracy: 1e-6)
        y.sum().backward()
        XCTAssertEqual(x.grad!.scalars, y.scalars, "gradient passes exactly where the value was kept")
        let layer = Dropout(rate: 0.5)
        layer.eval()
        XCTAssertEqual(layer(x).scalars, x.scalars, "identity in evaluation mode")
    }
}
