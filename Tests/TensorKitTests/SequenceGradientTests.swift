import XCTest
import TensorKit

/// Finite-difference checks for joining, normalisation, resizing, transposed convolution and the
/// sequence layers.
final class SequenceGradientTests: XCTestCase {
    func rand(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, using: &rng)
    }

    func assertGrad(
        _ inputs: [Tensor], tol: Float = 2e-2, file: StaticString = #filePath, line: UInt = #line,
        _ f: ([Tensor]) -> Tensor
    ) {
        let r = GradientCheck.check(inputs, epsilon: 1e-2, f)
        XCTAssertLessThan(r.maxError, tol, "\(r)", file: file, line: line)
    }

    func testJoiningGradients() {
        let a = rand([2, 3, 4], seed: 1)
        let b = rand([2, 1, 4], seed: 2)
        assertGrad([a, b]) { Tensor.concat($0, axis: 1) }
        assertGrad([a, b]) { Tensor.concat([$0[0].slice(axis: 1, 0..<1), $0[1]], axis: 0) }
        assertGrad([a]) { $0[0].slice(axis: 2, 1..<3) }
        assertGrad([a]) { $0[0].padded([(1, 0), (0, 2), (1, 1)], value: 0.3) }
        assertGrad([a, a.copy()]) { Tensor.stack($0, axis: 1) }
        assertGrad([rand([5, 3], seed: 3)]) { $0[0].gather(rows: [4, 0, 4, 2]) }
    }

    func testNormalizationGradients() {
        let x = rand([2, 3, 6], seed: 4)
        let w = rand([6], seed: 5)
        let b = rand([6], seed: 6)
        assertGrad([x, w, b]) { $0[0].layerNorm(normalizedShape: [6], weight: $0[1], bias: $0[2]) }
        let img = rand([2, 3, 2, 6], seed: 7)
        assertGrad([img, w, b]) { $0[0].groupNorm(groups: 3, weight: $0[1], bias: $0[2]) }
        let rm = Tensor(zeros: [6])
        let rv = Tensor(shape: [6], repeating: 1)
        assertGrad([img, w, b]) {
            $0[0].batchNorm(runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: true)
        }
        assertGrad([img, w, b]) {
            $0[0].batchNorm(runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: false)
        }
        let layer = BatchNorm(6)
        assertGrad([img, layer.weight, layer.bias]) { _ in layer(img) }
        XCTAssertEqual(layer.namedBuffers().map(\.0), ["running_mean", "running_var", "num_batches_tracked"])
    }

    func testResizingAndTransposedConvolutionGradients() {
        let x = rand([1, 3, 4, 2], seed: 8)
        assertGrad([x]) { $0[0].upsampled(height: 6, width: 8, bilinear: false) }
        assertGrad([x]) { $0[0].upsampled(height: 5, width: 7, bilinear: true) }
        assertGrad([x]) { $0[0].upsampled(height: 7, width: 5, bilinear: true, alignCorners: true) }
        let w = rand([2, 3, 3, 3], seed: 9)
        let bias = rand([3], seed: 10)
        assertGrad([x, w, bias]) {
            Tensor.convTranspose2d(
                $0[0], weight: $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1), outputPadding: (1, 1))
        }
        let layer = ConvTranspose2D(2, 4, kernelSize: 2, stride: 2, groups: 2, seed: 3)
        assertGrad([x, layer.weight, layer.bias!]) { _ in layer(x) }
    }

    func testSequenceLayerGradients() {
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layerCount: 2, seed: 1)
        let x = rand([2, 3, 3], seed: 11)
        assertGrad([x] + lstm.namedParameters().map(\.1)) { _ in lstm(x).output }
        let mha = MultiHeadAttention(embedDim: 4, headCount: 2, seed: 2)
        let s = rand([2, 3, 4], seed: 12)
        assertGrad([s] + mha.namedParameters().map(\.1)) { _ in
            mha(s, keyPaddingMask: [[false, false, true], [false, false, false]])
        }
        let block = TransformerEncoderBlock(
            embedDim: 4, headCount: 2, feedForward: 8, normFirst: true, gelu: true, seed: 3)
        assertGrad([s] + block.namedParameters().map(\.1)) { _ in block(s) }
        let emb = Embedding(count: 5, dimension: 3)
        assertGrad([emb.weight]) { _ in emb([1, 4, 1]) }
        let ln = LayerNorm(4)
        let gn = GroupNorm(groups: 2, channels: 4)
        assertGrad([s, ln.weight, ln.bias]) { _ in ln(s) }
        assertGrad([s, gn.weight, gn.bias]) { _ in gn(s) }
    }
}
