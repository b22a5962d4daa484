import Foundation
import XCTest

import Autopilot
import DesktopTesting
import TensorKit

/// tools/keras_to_pixelpilot.py (numpy and h5py only, no TensorFlow) on the Keras files that
/// tools/make_keras_fixtures.py made with tf_keras: a randomly initialised seed model of 3 frames
/// of 32×32 (as tf_keras writes .h5 and Keras 3 writes .keras) and its MobileNetV2 alone, with
/// the probabilities and features Keras computed. The converted files must compute Keras's outputs.
/// The converter runs under Debian's python3 with python3-numpy and python3-h5py (`make deps`
/// installs them), as a user would run it.
final class KerasConversionTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Tests/AutopilotTests/Fixtures/keras")

    /// The first python3 that imports numpy and h5py: Debian's (which `make deps` equips), then
    /// PATH's. Looked up once for the whole suite.
    static let python: Result<URL, PythonMissing> = {
        var candidates = ["/usr/bin/python3"]
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(dir)/python3")
        }
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
            let url = URL(fileURLWithPath: path)
            if (try? run(url, ["-c", "import numpy, h5py"]).status) == 0 { return .success(url) }
        }
        return .failure(PythonMissing())
    }()

    struct PythonMissing: Error, CustomStringConvertible {
        var description: String { "no python3 with numpy and h5py: run `make deps` (python3-numpy, python3-h5py)" }
    }

    /// Runs `executable` with `arguments` (``BuiltTool/run``): exit status and standard error.
    static func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, errors: String) {
        let r = try BuiltTool.run(executable, arguments, in: FileManager.default.temporaryDirectory)
        return (r.status, r.err)
    }

    func convert(_ name: String, _ extra: [String] = [], into dir: URL) throws -> URL {
        let out = dir.appendingPathComponent(name.replacingOccurrences(of: ".", with: "-") + ".safetensors")
        let result = try Self.run(
            try Self.python.get(),
            [Self.root.appendingPathComponent("tools/keras_to_pixelpilot.py").path,
             Self.fixtures.appendingPathComponent(name).path, "--out", out.path] + extra)
        XCTAssertEqual(result.status, 0, "keras_to_pixelpilot \(name) failed:\n\(result.errors.suffix(2000))")
        return out
    }

    func testConvertedKerasSeedModelMatchesKeras() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keras-conversion-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try convert("seed.h5", into: dir)
        let kerasThree = try convert("seed.keras", into: dir)
        let encoderFile = try convert("encoder.h5", ["--bgr", "--window", "3"], into: dir)

        let check = try SafeTensors.read(contentsOf: Self.fixtures.appendingPathComponent("check.safetensors")).tensors
        let frames = check["frames"]!
        let file = try ModelFile.read(from: model)
        XCTAssertEqual(file.config["recurrent"], "converted")
        XCTAssertEqual(SeedPolicy.fps(of: file), 10)
        let policy = try SeedPolicy(modelFile: file, path: "model.safetensors")
        policy.eval()
        XCTAssertEqual(policy.keyNames, SeedPolicy.seedKeys)
        XCTAssertEqual(policy.preprocessing.windowLength, 3)
        let s = frames.shape
        let features = policy.encode(frames.reshaped([s[0] * s[1], s[2], s[3], s[4]]))
        // 52 float32 layers whose batch norms were fitted to 4 random images (some channels have a
        // tiny variance, so a large folded scale): summation order alone moves features ~1e-3.
        XCTAssertLessThan(maxError(features, check["features"]!), 3e-3, "MobileNetV2 features against Keras")
        let probabilities = policy(frames).sigmoid()
        XCTAssertLessThan(maxError(probabilities, check["probabilities"]!), 1e-4, "key probabilities against Keras")
        // The same network and weights saved by Keras 3 as .keras (layer groups named by class).
        let fromKerasThree = try SeedPolicy(modelFile: try ModelFile.read(from: kerasThree), path: "seed.keras")
        fromKerasThree.eval()
        XCTAssertLessThan(
            maxError(fromKerasThree(frames).sigmoid(), check["probabilities"]!), 1e-4, ".keras probabilities against Keras")

        // The encoder alone, converted with --bgr: R, G, B frames give Keras's features of B, G, R ones.
        let encoderOnly = try SeedPolicy(
            modelFile: try ModelFile.read(from: encoderFile))
        XCTAssertEqual(encoderOnly.preprocessing.windowLength, 3)
        XCTAssertEqual(try ModelFile.read(from: encoderFile).config["recurrent"], "initialised")
        encoderOnly.eval()
        let flat = frames.reshaped([s[0] * s[1], s[2], s[3], s[4]])
        let swapped = Tensor.uninitialized(flat.shape)
        for p in 0..<(flat.count / 3) {
            for c in 0..<3 { swapped.pointer[p * 3 + c] = flat.pointer[p * 3 + 2 - c] }
        }
        XCTAssertLessThan(maxError(encoderOnly.encode(swapped), check["features"]!), 3e-3, "--bgr encoder")
    }

    /// A file that is not a Keras model, and a missing one: exit 1 and a message naming the file.
    func testBadFilesGetAMessageNamingThem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keras-bad-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = Self.root.appendingPathComponent("tools/keras_to_pixelpilot.py").path
        let notKeras = Self.fixtures.appendingPathComponent("check.safetensors").path
        let missing = dir.appendingPathComponent("nothing.h5").path
        for (input, expected) in [(notKeras, "not an HDF5 file"), (missing, "no such file")] {
            let result = try Self.run(try Self.python.get(), [script, input, "--out", dir.appendingPathComponent("x").path])
            XCTAssertEqual(result.status, 1, input)
            XCTAssertTrue(result.errors.contains(input) && result.errors.contains(expected), result.errors)
            XCTAssertFalse(result.errors.contains("Traceback"), result.errors)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x").path))
    }

    func maxError(_ a: Tensor, _ b: Tensor) -> Float {
        XCTAssertEqual(a.count, b.count)
        var worst: Float = 0
        for i in 0..<min(a.count, b.count) {
            worst = max(worst, abs(a.pointer[i] - b.pointer[i]) / max(1, abs(b.pointer[i])))
        }
        return worst
    }
}
