import Foundation
import XCTest

import TensorKit

/// The fused LSTM inference plan and the vector math under it, against the autodiff ``LSTM`` and
/// the C library.
final class LSTMPlanTests: XCTestCase {
    func rand(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, using: &rng)
    }

    /// `exp`, sigmoid and tanh on eight lanes against Foundation's, from saturation to saturation.
    func testVectorMathMatchesLibrary() {
        var worstExp: Float = 0
        var worstSigmoid: Float = 0
        var worstTanh: Float = 0
        var x: Float = -100
        while x <= 100 {
            let v = SIMD8<Float>((0..<8).map { x + Float($0) * 0.0031 })
            let e = VectorMath.exp(v)
            let s = VectorMath.sigmoid(v)
            let t = VectorMath.tanh(v)
            for lane in 0..<8 {
                let xl = v[lane]
                if xl > -87 && xl < 88 {
                    let want = Foundation.exp(xl)
                    worstExp = max(worstExp, abs(e[lane] - want) / want)
                }
                XCTAssertTrue(e[lane].isFinite && e[lane] >= 0, "exp(\(xl)) = \(e[lane])")
                worstSigmoid = max(worstSigmoid, abs(s[lane] - 1 / (1 + Foundation.exp(-xl))))
                worstTanh = max(worstTanh, abs(t[lane] - Foundation.tanh(xl)))
            }
            x += 0.173
        }
        XCTAssertLessThan(worstExp, 5e-7, "relative error of exp")
        XCTAssertLessThan(worstSigmoid, 2e-7, "absolute error of sigmoid")
        XCTAssertLessThan(worstTanh, 5e-7, "absolute error of tanh")
        XCTAssertEqual(VectorMath.exp(SIMD8(repeating: 0)), SIMD8(repeating: 1))
        XCTAssertEqual(VectorMath.tanh(SIMD8(repeating: 0)), SIMD8(repeating: 0))
    }

    /// Hidden sizes that are not multiples of 8 (padded units must stay exactly zero), three
    /// layers of different widths, a batch of three, inputs large enough to saturate the gates; on
    /// both kernel families of the input projection.
    func testPaddedHiddenSizesEqualLSTM() {
        let l1 = LSTM(inputSize: 7, hiddenSize: 5, seed: 11)
        let l2 = LSTM(inputSize: 5, hiddenSize: 12, seed: 12)
        let l3 = LSTM(inputSize: 12, hiddenSize: 9, seed: 13)
        let out = Linear(9, 4, seed: 14)
        let x = rand([3, 6, 7], seed: 15, low: -4, high: 4)
        let expected = GradMode.withoutGrad {
            out(l3(l2(l1(x).output).output).h.reshaped([3, 9]))
        }
        let saved = DirectConv.useAVX512
        defer { DirectConv.useAVX512 = saved }
        for avx512 in CPUFeatures.hasAVX512 ? [true, false] : [false] {
            DirectConv.useAVX512 = avx512
            let got = LSTMPlan(layers: [l1, l2, l3], output: out)(x)
            XCTAssertEqual(got.shape, [3, 4])
            XCTAssertLessThan(Fixture.maxRelativeError(got, expected), 1e-5, avx512 ? "AVX-512" : "AVX2")
        }
    }

    /// The seed's sizes (1,280 features, 128 units, 20 steps), where the projection runs on two threads.
    func testSeedSizesEqualLSTM() {
        let l1 = LSTM(inputSize: 1280, hiddenSize: 128, seed: 21)
        let l2 = LSTM(inputSize: 128, hiddenSize: 128, seed: 22)
        let out = Linear(128, 4, seed: 23)
        let x = rand([2, 20, 1280], seed: 24, low: 0, high: 2)
        let expected = GradMode.withoutGrad { out(l2(l1(x).output).h.reshaped([2, 128])) }
        let got = LSTMPlan(layers: [l1, l2], output: out)(x)
        XCTAssertLessThan(Fixture.maxRelativeError(got, expected), 1e-5)
    }
}
