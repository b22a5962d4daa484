import XCTest
import TensorKit

/// The fused inference kernels against the layer-by-layer network, over the shapes each kernel
/// family handles and its edges (odd sizes, the smallest widths, tails that overlap), for both the
/// AVX2 kernels and, where the CPU has it, the AVX-512 ones.
final class InferencePlanTests: XCTestCase {
    /// (input channels, output channels, height, width) of single conv blocks.
    let shapes: [(Int, Int, Int, Int)] = [
        (3, 8, 52, 52), (3, 8, 16, 16), (3, 8, 17, 23), (1, 8, 20, 34), (5, 8, 18, 30), (3, 8, 6, 10), (3, 8, 5, 7),
        (3, 8, 9, 8),
        (8, 16, 26, 26), (8, 16, 8, 9), (3, 16, 13, 21), (8, 16, 4, 4),
        (16, 32, 13, 13), (16, 32, 4, 5), (7, 32, 9, 14), (16, 32, 2, 2),
    ]

    func block(_ cin: Int, _ cout: Int, relu: Bool, scale: Float?, seed: UInt64) -> Sequential {
        var layers: [any UnaryLayer] = []
        if let scale { layers.append(Rescaling(scale: scale)) }
        layers.append(Conv2D(cin, cout, kernelSize: 3, padding: .same, seed: seed))
        if relu { layers.append(ReLU()) }
        layers.append(MaxPool2D(kernelSize: 2))
        return Sequential(layers)
    }

    func assertPlanMatches(
        _ net: Sequential, _ x: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        net.eval()
        let reference = GradMode.withoutGrad { net(x) }
        let plan = InferencePlan(net)
        XCTAssertGreaterThan(plan.fusedStepCount, 0, "\(label): nothing was fused", file: file, line: line)
        let fused = plan(x)
        XCTAssertEqual(fused.shape, reference.shape, label, file: file, line: line)
        guard fused.shape == reference.shape else { return }
        var worst: Float = 0
        for i in 0..<fused.count {
            worst = max(worst, abs(fused.pointer[i] - reference.pointer[i]) / max(1, abs(reference.pointer[i])))
        }
        XCTAssertLessThan(worst, 1e-4, label, file: file, line: line)
    }

    func checkAllShapes(_ isa: String) {
        var rng = SeededGenerator(seed: 21)
        for (k, (cin, cout, h, w)) in shapes.enumerated() {
            for (relu, scale) in [(true, Float(1) / 255), (false, nil)] {
                let net = block(cin, cout, relu: relu, scale: scale, seed: UInt64(k))
                for n in [1, 3] {
                    let x = Tensor.uniform(
                        [n, h, w, cin], low: scale == nil ? -1 : 0, high: scale == nil ? 1 : 255, using: &rng)
                    assertPlanMatches(net, x, "\(isa) cin \(cin) cout \(cout) \(h)x\(w) relu \(relu) batch \(n)")
                }
            }
        }
        // The gem network whole: three blocks, flatten, two dense layers.
        let gem = Sequential([
            Rescaling(scale: 1 / 255),
            Conv2D(3, 8, kernelSize: 3, padding: .same, seed: 1), ReLU(), MaxPool2D(kernelSize: 2), Dropout(rate: 0.3),
            Conv2D(8, 16, kernelSize: 3, padding: .same, seed: 2), ReLU(), MaxPool2D(kernelSize: 2), Dropout(rate: 0.3),
            Conv2D(16, 32, kernelSize: 3, padding: .same, seed: 3), ReLU(), MaxPool2D(kernelSize: 2),
            Dropout(rate: 0.3),
            Flatten(), Linear(1152, 128, seed: 4), ReLU(), Linear(128, 4, seed: 5),
        ])
        for n in [1, 2, 5] {
            assertPlanMatches(
                gem, Tensor.uniform([n, 52, 52, 3], low: 0, high: 255, using: &rng), "\(isa) gem network batch \(n)")
        }
    }

    func testAVX2KernelsMatchTheNetwork() {
        let saved = DirectConv.useAVX512
        defer { DirectConv.useAVX512 = saved }
        DirectConv.useAVX512 = false
        checkAllShapes("AVX2")
    }

    func testAVX512KernelsMatchTheNetwork() throws {
        try XCTSkipUnless(CPUFeatures.hasAVX512, "this CPU has no AVX-512; the AVX2 kernels are what runs here")
        let saved = DirectConv.useAVX512
        defer { DirectConv.useAVX512 = saved }
        DirectConv.useAVX512 = true
        checkAllShapes("AVX-512")
    }
}
