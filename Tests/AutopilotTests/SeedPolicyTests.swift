import Foundation
import XCTest

import Arena
import Autopilot
import Desktop
import Recording
import TensorKit

/// The seed's network: PyTorch parity of the whole network from fixed weights, the parameter
/// count of the seed's table, the model file, and the frozen / end-to-end training options.
final class SeedPolicyTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The fixed weights of tools/make_mobilenet_fixtures.py (`formula_weight`), by sorted name.
    static func setFormulaWeights(_ m: Module) {
        let state = m.stateDict()
        for (k, name) in state.keys.sorted().enumerated() {
            let t = state[name]!
            let n = t.count
            for i in 0..<n {
                let s = sin(0.7 * Double(i) + 1.3 * Double(k) + 0.5)
                var v: Double
                if name.hasSuffix("num_batches_tracked") {
                    v = 0
                } else if name.hasSuffix("running_var") {
                    v = 0.75 + 0.25 * s
                } else if name.hasSuffix("running_mean") || name.hasSuffix("bn.bias") {
                    v = 0.1 * s
                } else if name.hasSuffix("bn.weight") {
                    v = 1 + 0.2 * s
                } else if name.hasSuffix("conv.weight") {
                    v = (6.0 / Double(t.shape[1] * t.shape[2] * t.shape[3])).squareRoot() * s
                } else if name.hasPrefix("lstm") {
                    v = 0.1 * s
                } else {
                    v = 0.2 * s
                }
                t.pointer[i] = Float(v)
            }
        }
    }

    func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        XCTAssertEqual(a.count, b.count)
        var worst: Float = 0
        for i in 0..<min(a.count, b.count) {
            worst = max(worst, abs(a.pointer[i] - b.pointer[i]) / max(1, abs(b.pointer[i])))
        }
        return worst
    }

    func testWholeNetworkMatchesPyTorchFromFixedWeights() throws {
        let f = try SafeTensors.read(contentsOf: Self.fixtures.appendingPathComponent("seed_policy.safetensors"))
            .tensors
        let policy = SeedPolicy(frameSize: 64, windowLength: 3)
        SeedPolicyTests.setFormulaWeights(policy)
        policy.eval()
        policy.invalidateInferencePlans()
        let frames = f["frames"]!
        // Fused plans (evaluation).
        let features = policy.encode(frames.reshaped([3, 64, 64, 3]))
        XCTAssertLessThan(relativeError(features, f["features"]!), 2e-4, "features (plan)")
        XCTAssertLessThan(relativeError(policy(frames), f["logits"]!), 2e-4, "logits (plans)")
        // The autodiff path (training mode, frozen encoder in inference mode) gives the same.
        policy.train()
        let slow = policy(frames)
        XCTAssertLessThan(relativeError(slow, f["logits"]!), 2e-4, "logits (autodiff path)")
    }

    func testTheSeedsKeysAreTheRacersArrowsAsStored() {
        XCTAssertEqual(RacerControls.arrows.map(\.key), [.up, .left, .right, .down])
        XCTAssertEqual(RacerControls.keyNames, ["Up", "Left", "Right", "Down"], "the stored text")
        XCTAssertEqual(RecordingFingerprint.seedKeys, RacerControls.keyNames)
        XCTAssertEqual(SeedPolicy.seedKeys, RacerControls.keyNames)
        let held = RacerControls(keys: ["Down", "Up", "a"])
        XCTAssertEqual(held, [.up, .down])
        XCTAssertEqual(held.heldKeys, [.up, .down])
        XCTAssertEqual(held.keys, ["Up", "Down"])
    }

    func testSeedNetworkHasTheSeedsParameterCount() {
        let policy = SeedPolicy()
        let stats = policy.namedBuffers().filter { !$0.0.hasSuffix("num_batches_tracked") }.reduce(0) {
            $0 + $1.1.value.count
        }
        // Keras's LSTM has one bias per gate; PyTorch's layout two (bias_hh stays 0 on conversion).
        let extraBias = 2 * 4 * SeedPolicy.hiddenSize
        XCTAssertEqual(policy.parameterCount + stats - extraBias, 3_111_492)
        // Frozen as in the seed: what trains is the LSTMs and the output layer.
        XCTAssertEqual(policy.trainableParameters().reduce(0) { $0 + $1.count } - extraBias, 853_508)
        XCTAssertEqual(policy.featureCount, 1280)
        XCTAssertEqual(policy.preprocessing.width, 96)
        XCTAssertEqual(policy.preprocessing.windowLength, 20)
        XCTAssertEqual(policy.preprocessing.offset, -1)
        // Keras's unit forget bias.
        let b = policy.lstm1.weights[0].bih.scalars
        XCTAssertEqual(Array(b[128..<256]), [Float](repeating: 1, count: 128))
        XCTAssertEqual(b[0], 0)
    }

    func testModelFileRoundTripAndErrors() throws {
        let policy = SeedPolicy(keyNames: ["Up", "Left", "Right"], frameSize: 32, windowLength: 2, seed: 3)
        SeedPolicyTests.setFormulaWeights(policy)
        policy.invalidateInferencePlans()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seed-policy-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("seed.safetensors")
        try policy.modelFile(fps: 10).write(to: url)
        let file = try ModelFile.read(from: url)
        XCTAssertEqual(SeedPolicy.fps(of: file), 10)
        XCTAssertEqual(file.config["window_length"], "2")
        XCTAssertEqual(file.inputShape, [2, 32, 32, 3])
        let back = try SeedPolicy(modelFile: file, path: url.path)
        XCTAssertEqual(back.keyNames, ["Up", "Left", "Right"])
        XCTAssertEqual(back.preprocessing, policy.preprocessing)
        var rng = SeededGenerator(seed: 9)
        let x = Tensor.uniform([1, 2, 32, 32, 3], using: &rng)
        XCTAssertEqual(back(x).scalars, policy(x).scalars)
        var wrong = file
        wrong.architecture = "pixelpilot.cell-cnn"
        XCTAssertThrowsError(try SeedPolicy(modelFile: wrong, path: "w.safetensors")) {
            XCTAssertTrue("\($0)".contains("w.safetensors") && "\($0)".contains("architecture"), "\($0)")
        }
        var missing = file
        missing.tensors["lstm1.weight_ih_l0"] = nil
        XCTAssertThrowsError(try SeedPolicy(modelFile: missing, path: "m.safetensors")) {
            XCTAssertTrue("\($0)".contains("lstm1.weight_ih_l0"), "\($0)")
        }
    }

    func testFrozenEncoderGetsNoGradientsAndEndToEndTrainingDoes() {
        var rng = SeededGenerator(seed: 4)
        let x = Tensor.uniform([1, 2, 32, 32, 3], using: &rng)
        for trainable in [false, true] {
            let policy = SeedPolicy(frameSize: 32, windowLength: 2, trainableEncoder: trainable, seed: 1)
            policy.train()
            XCTAssertEqual(policy.encoder.isTraining, trainable)
            policy(x).sigmoid().sum().backward()
            XCTAssertNotNil(policy.lstm1.weights[0].ih.grad)
            let stem = policy.encoder.stem.conv.weight.grad
            if trainable {
                XCTAssertNotNil(stem)
                XCTAssertGreaterThan(stem!.scalars.map(abs).max()!, 0)
            } else {
                XCTAssertNil(stem)
            }
        }
    }
}
