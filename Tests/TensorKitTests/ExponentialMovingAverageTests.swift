import XCTest
import TensorKit

final class ExponentialMovingAverageTests: XCTestCase {
    /// The average follows `a ← d·a + (1−d)·w` with TensorFlow's warm-up `min(d, (1+n)/(10+n))`,
    /// tracks weights the optimizer changes in place, and leaves the live weights alone.
    func testAverageFollowsTheFormulaWithWarmUp() {
        let layer = Linear(2, 1, seed: 5)
        let w0 = layer.weight.scalars
        let average = ExponentialMovingAverage(of: layer, decay: 0.9)
        XCTAssertEqual(average.averages["weight"]!.scalars, w0)
        XCTAssertEqual(Set(average.averages.keys), ["weight", "bias"])

        var expected = w0.map(Double.init)
        for n in 1...150 {
            // A weight change as an optimizer makes it: in place, in the module's own tensor.
            let target: [Float] = [Float(n), -2 * Float(n)]
            layer.weight.pointer[0] = target[0]
            layer.weight.pointer[1] = target[1]
            let d = min(0.9, Double(1 + n) / Double(10 + n))
            XCTAssertEqual(Double(average.currentDecay), d, accuracy: 1e-6, "update \(n)")
            average.update()
            expected = zip(expected, target).map { d * $0 + (1 - d) * Double($1) }
            let got = average.averages["weight"]!.scalars
            XCTAssertEqual(Double(got[0]), expected[0], accuracy: 1e-3 * max(1, abs(expected[0])), "update \(n)")
            XCTAssertEqual(Double(got[1]), expected[1], accuracy: 1e-3 * max(1, abs(expected[1])), "update \(n)")
            XCTAssertEqual(layer.weight.scalars, target, "the live weights are not touched")
        }
        XCTAssertEqual(average.updates, 150)
        // After warm-up ((1+n)/(10+n) reaches 0.9 at n = 80) the decay is the one given; the average lags the rising weight by about d/(1-d) steps.
        XCTAssertEqual(average.currentDecay, 0.9, accuracy: 1e-7)
        XCTAssertEqual(Double(average.averages["weight"]!.scalars[0]), 150 - 9, accuracy: 0.5)
    }

    /// Averaging a network trained with Adam gives weights a copy can load and run.
    func testAveragedWeightsLoadIntoACopy() throws {
        let net = Sequential([Linear(3, 4, seed: 1), Linear(4, 2, seed: 2)])
        let average = ExponentialMovingAverage(of: net, decay: 0.99)
        let adam = Adam(parameters: net.trainableParameters(), learningRate: 0.05)
        var rng = SeededGenerator(seed: 3)
        let x = Tensor.uniform([8, 3], low: -1, high: 1, using: &rng)
        for _ in 0..<20 {
            let y = net(x)
            let loss = (y * y).mean()
            adam.zeroGrad()
            loss.backward()
            adam.step()
            average.update()
        }
        let copy = Sequential([Linear(3, 4, seed: 7), Linear(4, 2, seed: 8)])
        try copy.load(stateDict: average.averages)
        XCTAssertEqual(copy.stateDict()["0.weight"]!.scalars, average.averages["0.weight"]!.scalars)
        XCTAssertNotEqual(average.averages["0.weight"]!.scalars, net.stateDict()["0.weight"]!.scalars)
        XCTAssertTrue(copy(x).scalars.allSatisfy(\.isFinite))
    }
}
