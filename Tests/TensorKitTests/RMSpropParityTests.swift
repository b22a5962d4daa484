import TensorKit
import XCTest

/// RMSprop against `torch.optim.RMSprop` (fixture from tools/make_rmsprop_fixtures.py).
final class RMSpropParityTests: XCTestCase {
    func testEveryVariantMatchesPyTorchStepByStep() throws {
        let f = try Fixture.load("rmsprop")
        let makers: [(String, (Tensor) -> RMSprop)] = [
            ("plain", { RMSprop(parameters: [$0], learningRate: 0.01) }),
            ("keras", { RMSprop.keras(parameters: [$0]) }),
            ("momentum", { RMSprop(parameters: [$0], learningRate: 0.01, alpha: 0.9, momentum: 0.8) }),
            ("centered", { RMSprop(parameters: [$0], learningRate: 0.01, alpha: 0.95, centered: true) }),
            (
                "decay",
                { RMSprop(parameters: [$0], learningRate: 0.01, weightDecay: 0.1, momentum: 0.5, centered: true) }
            ),
        ]
        for (name, make) in makers {
            let p = leaf(f["p0"])
            let opt = make(p)
            for i in 0..<6 {
                p.grad = f["grad\(i)"]!.copy()
                opt.step()
                assertClose(p, f["\(name)_step\(i)"], "\(name) step \(i)")
            }
            XCTAssertEqual(opt.steps, 6)
        }
    }

    /// It minimises: a quadratic bowl reaches its bottom.
    func testMinimisesAQuadratic() {
        let p = Tensor(shape: [3], scalars: [3, -2, 5], requiresGrad: true)
        let opt = RMSprop(parameters: [p], learningRate: 0.05)
        for _ in 0..<400 {
            opt.zeroGrad()
            let loss = (p * p).sum()
            loss.backward()
            opt.step()
        }
        for v in p.scalars { XCTAssertLessThan(abs(v), 0.1) }
    }
}
