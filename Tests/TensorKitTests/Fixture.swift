import Foundation
import TensorKit

/// Loads the PyTorch parity fixtures committed under `Tests/TensorKitTests/Fixtures`, written by
/// `tools/make_fixtures.py`.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

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
