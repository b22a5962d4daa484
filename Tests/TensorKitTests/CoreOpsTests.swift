import XCTest
import TensorKit

final class CoreOpsTests: XCTestCase {
    func rand(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: -1, high: 1, using: &rng)
    }

    func testBroadcastAddValues() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3], scalars: [10, 20, 30])
        XCTAssertEqual((a + b).scalars, [11, 22, 33, 14, 25, 36])
        let c = Tensor(shape: [2, 1], scalars: [100, 200])
        XCTAssertEqual((a + c).scalars, [101, 102, 103, 204, 205, 206])
        XCTAssertEqual((a * c).shape, [2, 3])
    }

    func testMatmulValues() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        XCTAssertEqual(a.matmul(b).scalars, [58, 64, 139, 154])
    }

    func testReductionsAndPermute() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(a.sum().item, 21)
        XCTAssertEqual(a.sum(alongAxes: [0]).scalars, [5, 7, 9])
        XCTAssertEqual(a.sum(alongAxes: [1]).scalars, [6, 15])
        XCTAssertEqual(a.max(alongAxis: 1).scalars, [3, 6])
        XCTAssertEqual(a.permuted([1, 0]).scalars, [1, 4, 2, 5, 3, 6])
    }

    func testArithmeticGradients() {
        let a = rand([3, 4], seed: 1)
        let b = rand([4], seed: 2)
        let c = rand([3, 1], seed: 3)
        let r = GradientCheck.check([a, b, c]) { x in (x[0] + x[1]) * x[2] - x[0] / (x[1] * x[1] + 2) }
        XCTAssertLessThan(r.maxError, 2e-2, "\(r)")
    }

    func testMatmulGradients() {
        let a = rand([2, 3, 4], seed: 4)
        let b = rand([2, 4, 5], seed: 5)
        let w = rand([4, 5], seed: 6)
        XCTAssertLessThan(GradientCheck.check([a, b]) { x in x[0].matmul(x[1]) }.maxError, 2e-2)
        XCTAssertLessThan(GradientCheck.check([a, w]) { x in x[0].matmul(x[1]) }.maxError, 2e-2)
        let m = rand([3, 4], seed: 7)
        let n = rand([5, 4], seed: 8)
        XCTAssertLessThan(
            GradientCheck.check([m, n]) { x in Tensor.matmul(x[0], x[1], transA: false, transB: true) }.maxError, 2e-2)
        XCTAssertLessThan(
            GradientCheck.check([m, n]) { x in Tensor.matmul(x[1], x[0], transA: false, transB: true) }.maxError, 2e-2)
        let at = rand([4, 3], seed: 9)
        XCTAssertLessThan(
            GradientCheck.check([at, w]) { x in Tensor.matmul(x[0], x[1], transA: true, transB: false) }.maxError, 2e-2)
    }

    func testReductionGradients() {
        let a = rand([2, 3, 4], seed: 10)
        XCTAssertLessThan(GradientCheck.check([a]) { x in x[0].sum(alongAxes: [1]) }.maxError, 2e-2)
        XCTAssertLessThan(
            GradientCheck.check([a]) { x in x[0].mean(alongAxes: [0, 2], keepDims: true) }.maxError, 2e-2)
        XCTAssertLessThan(GradientCheck.check([a]) { x in x[0].max(alongAxis: 2) }.maxError, 2e-2)
        XCTAssertLessThan(GradientCheck.check([a]) { x in x[0].permuted([2, 0, 1]).reshaped([4, 6]) }.maxError, 2e-2)
    }
}
