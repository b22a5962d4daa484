import TensorKit
import XCTest

/// A backward closure must not hold the tensor that owns its node (a retain cycle would keep every
/// step's whole graph alive: training memory grew by one graph a step before this was fixed).
final class GraphReleaseTests: XCTestCase {
    func testGraphsAreReleased() {
        let ops: [(String, (Tensor) -> Tensor)] = [
            ("layerNorm", { $0.layerNorm(normalizedShape: [4], weight: nil, bias: nil) }),
            ("groupNorm", { $0.reshaped([1, 2, 2, 4]).groupNorm(groups: 2, weight: nil, bias: nil) }),
            ("sigmoid", { $0.sigmoid() }), ("tanh", { $0.tanh() }), ("exp", { $0.exp() }),
            ("sqrt", { ($0 * $0 + 1).sqrt() }), ("softmax", { $0.softmax(axis: -1) }),
            ("gelu", { $0.gelu(approximateTanh: true) }),
        ]
        for (name, op) in ops {
            weak var input: Tensor?
            do {
                let x = Tensor(shape: [4, 4], scalars: (0..<16).map { Float($0) * 0.1 }, requiresGrad: true)
                input = x
                let y = op(x).sum()
                y.backward()
            }
            XCTAssertNil(input, "\(name): the graph (and its input) is still alive")
        }
    }
}
