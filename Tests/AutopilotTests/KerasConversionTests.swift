import Foundation
import XCTest

import Autopilot
import TensorKit

/// tools/keras_to_pixelpilot.py on a randomly initialised tf_keras seed model (3 frames of 32×32,
/// batch-norm statistics from a fixed random batch): the converted file must compute Keras's
/// outputs. Runs the project's Python peers (.venv-bench, made by Benchmarks/setup_peers.sh).
final class KerasConversionTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testConvertedKerasSeedModelMatchesKeras() throws {
        let python = Self.root.appendingPathComponent(".venv-bench/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw XCTSkip("no \(python.path): run Benchmarks/setup_peers.sh (tensorflow, tf_keras) to test the converter")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keras-conversion-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = python
        process.arguments = [Self.root.appendingPathComponent("tools/keras_to_pixelpilot.py").path, "--self-test", dir.path]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""], uniquingKeysWith: { $1 })
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "keras_to_pixelpilot --self-test failed:\n\(errText.suffix(2000))")
        guard process.terminationStatus == 0 else { return }

        let check = try SafeTensors.read(contentsOf: dir.appendingPathComponent("check.safetensors")).tensors
        let frames = check["frames"]!
        let file = try ModelFile.read(from: dir.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(file.config["recurrent"], "converted")
        XCTAssertEqual(SeedPolicy.fps(of: file), 10)
        let policy = try SeedPolicy(modelFile: file, path: "model.safetensors")
        policy.eval()
        XCTAssertEqual(policy.keyNames, SeedPolicy.seedKeys)
        XCTAssertEqual(policy.preprocessing.windowLength, 3)
        let s = frames.shape
        let features = policy.encode(frames.reshaped([s[0] * s[1], s[2], s[3], s[4]]))
        XCTAssertLessThan(maxError(features, check["features"]!), 1e-3, "MobileNetV2 features against Keras")
        let probabilities = policy(frames).sigmoid()
        XCTAssertLessThan(maxError(probabilities, check["probabilities"]!), 1e-4, "key probabilities against Keras")

        // The encoder alone, converted with --bgr: R, G, B frames give Keras's features of B, G, R ones.
        let encoderOnly = try SeedPolicy(
            modelFile: try ModelFile.read(from: dir.appendingPathComponent("encoder_bgr.safetensors")))
        encoderOnly.eval()
        let flat = frames.reshaped([s[0] * s[1], s[2], s[3], s[4]])
        let swapped = Tensor.uninitialized(flat.shape)
        for p in 0..<(flat.count / 3) {
            for c in 0..<3 { swapped.pointer[p * 3 + c] = flat.pointer[p * 3 + 2 - c] }
        }
        XCTAssertLessThan(maxError(encoderOnly.encode(swapped), check["features"]!), 1e-3, "--bgr encoder")
    }

    func maxError(_ a: Tensor, _ b: Tensor) -> Float {
        XCTAssertEqual(a.count, b.count)
        var worst: Float = 0
        for i in 0..<min(a.count, b.count) { worst = max(worst, abs(a.pointer[i] - b.pointer[i]) / max(1, abs(b.pointer[i]))) }
        return worst
    }
}
