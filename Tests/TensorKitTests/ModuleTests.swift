import XCTest
import TensorKit

final class ModuleTests: XCTestCase {
    final class Tiny: Module {
        let body = Sequential([Linear(3, 4, seed: 1), Linear(4, 2, seed: 2)])
        let head = Linear(2, 1, bias: false, seed: 3)
        let runningMean = Buffer(Tensor(zeros: [2]))
    }

    func testNamesMatchPyTorchStyle() {
        let keys = Tiny().namedParameters().map(\.0)
        XCTAssertEqual(keys, ["body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias", "head.weight"])
        XCTAssertEqual(Tiny().namedBuffers().map(\.0), ["running_mean"])
        XCTAssertEqual(Tiny().parameterCount, 3 * 4 + 4 + 4 * 2 + 2 + 2)
    }

    func testStrictLoadingNamesTheProblem() {
        let a = Tiny()
        let b = Tiny()
        var state = a.stateDict()
        XCTAssertNoThrow(try b.load(stateDict: state))
        XCTAssertEqual(b.stateDict()["body.0.weight"]!.scalars, state["body.0.weight"]!.scalars)
        state["head.weight"] = Tensor(zeros: [1, 3])
        state["extra"] = Tensor(zeros: [1])
        state.removeValue(forKey: "body.1.bias")
        XCTAssertThrowsError(try b.load(stateDict: state)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("head.weight"), text)
            XCTAssertTrue(text.contains("unexpected tensor 'extra'"), text)
            XCTAssertTrue(text.contains("missing tensor 'body.1.bias'"), text)
        }
    }

    func testLinearGradient() {
        let l = Linear(5, 3, seed: 4)
        var rng = SeededGenerator(seed: 9)
        let x = Tensor.uniform([2, 5], low: -1, high: 1, using: &rng)
        let r = GradientCheck.check([x, l.weight, l.bias!]) { _ in l(x) }
        XCTAssertLessThan(r.maxError, 2e-2, "\(r)")
    }
}
