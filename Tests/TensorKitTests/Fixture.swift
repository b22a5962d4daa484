import Foundation
import TensorKit

/// Loads the PyTorch parity fixtures committed under `Tests/TensorKitTests/Fixtures`, written by
/// `tools/make_fixtures.py`.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    /// The tensors of `Fixtures/<name>.safetensors`.
    static func load(_ name: String) throws -> [String: Tensor] {
        try SafeTensors.read(contentsOf: directory.appendingPathComponent("\(name).safetensors")).tensors
    }

    /// Largest `|a - b| / max(1e-4... )`-style relative difference: `|a-b| <= tol * max(1, |b|)`.
    static func maxRelativeError(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.count == b.count, "compare \(a.shape) with \(b.shape)")
        var worst: Float = 0
        for i in 0..<a.count {
            let d = abs(a.pointer[i] - b.pointer[i]) / max(1, abs(b.pointer[i]))
            worst = max(worst, d)
        }
        return worst
    }
}

import XCTest

/// Comparison helpers shared by the parity test cases.
extension XCTestCase {
    /// Asserts `a` matches the PyTorch value `b` within `tolerance` relative.
    func assertClose(
        _ a: Tensor?, _ b: Tensor?, _ what: String, tolerance: Float = 1e-4, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        guard let a, let b else { return XCTFail("\(what): missing tensor", file: file, line: line) }
        XCTAssertEqual(a.count, b.count, "\(what): element count", file: file, line: line)
        let err = Fixture.maxRelativeError(a, b)
        XCTAssertLessThanOrEqual(err, tolerance, "\(what): max relative error \(err)", file: file, line: line)
    }

    /// A copy of a fixture tensor that gradients flow to.
    func leaf(_ t: Tensor?) -> Tensor {
        let c = t!.copy()
        c.requiresGrad = true
        return c
    }
}
