import Foundation
import Imaging
import TensorKit
import XCTest

import LayoutReader

/// The whole classifier against PyTorch (float64, the seed's formulas, `tools/make_vit_fixtures.py`)
/// from fixed weights in the seed's key names and (in, out) layout; model files and bad input.
final class ViTClassifierTests: XCTestCase {
    struct Loaded {
        var network: ViTNetwork
        var samples: [LayoutTokens]
        var f: [String: Tensor]
    }

    func loadFixture() throws -> Loaded {
        let f = try SafeTensors.read(contentsOf: ViTFixture.url("vit_classifier")).tensors
        let cfg = try XCTUnwrap(f["config"]).scalars.map { Int($0) }
        let c = ViTConfiguration(
            width: cfg[0], depth: cfg[1], heads: cfg[2], mlp: cfg[3], tokens: cfg[4], classes: cfg[5])
        let seedTensors = f.filter {
            !$0.key.hasPrefix("grad.") && !$0.key.hasPrefix("sample")
                && !["logits", "labels", "loss_mask", "loss", "config"].contains($0.key)
        }
        let network = ViTNetwork(c)
        try network.loadSeed(seedTensors)
        var samples: [LayoutTokens] = []
        for i in 0..<3 {
            let rows = try XCTUnwrap(f["sample\(i).rows"]).scalars.map { Int($0) }
            let cols = try XCTUnwrap(f["sample\(i).cols"]).scalars.map { Int($0) }
            let px = try XCTUnwrap(f["sample\(i).pixels"]).scalars.map { UInt8($0) }
            samples.append(LayoutTokens(totalCount: rows.count, rows: rows, columns: cols, pixels: px))
        }
        return Loaded(network: network, samples: samples, f: f)
    }

    func testLogitsLossAndGradientsMatchPyTorch() throws {
        try checkParity(compact: true)
        try checkParity(compact: false)
    }

    func checkParity(compact: Bool) throws {
        let l = try loadFixture()
        l.network.eval()
        let logits = l.network(ViTBatch(l.samples, configuration: l.network.configuration, compact: compact))
        assertClose(logits, l.f["logits"], "logits")
        let labels = try XCTUnwrap(l.f["labels"]).scalars.map { Int($0) }
        let mask = try XCTUnwrap(l.f["loss_mask"]).scalars
        let loss = logits.softmaxCrossEntropy(labels: labels, weights: mask)
        XCTAssertEqual(loss.item, try XCTUnwrap(l.f["loss"]).item, accuracy: 1e-5)
        loss.backward()
        let n = l.network
        let e = n.configuration.width
        func t(_ x: Tensor?) -> Tensor? { x.map { y in GradMode.withoutGrad { y.permuted([1, 0]).copy() } } }
        assertClose(n.head.weight.grad, t(l.f["grad.head.0"]), "head weight gradient")
        assertClose(n.head.bias?.grad, l.f["grad.head.1"], "head bias gradient")
        assertClose(n.clsToken.grad, l.f["grad.cls_token"], "CLS gradient")
        assertClose(n.padToken.grad, l.f["grad.mask_token"], "pad token gradient")
        assertClose(n.patchEmbed.weight.grad, l.f["grad.embedding.l1.weight"], "patch embedding gradient")
        assertClose(n.patchEmbed.bias?.grad, l.f["grad.embedding.l1.bias"], "patch bias gradient")
        assertClose(n.norm.weight.grad, l.f["grad.encoder_norm.0"], "final norm gradient")
        for i in 0..<n.configuration.depth {
            let b = n.blocks[i]
            let g = try XCTUnwrap(b.selfAttn.inProjWeight.grad)
            assertClose(g.slice(axis: 0, 0..<e), t(l.f["grad.tbs.\(i).query.0"]), "block \(i) query gradient")
            assertClose(
                g.slice(axis: 0, (2 * e)..<(3 * e)), t(l.f["grad.tbs.\(i).value.0"]), "block \(i) value gradient")
            assertClose(b.linear2.weight.grad, t(l.f["grad.tbs.\(i).ff2.0"]), "block \(i) ff2 gradient")
            assertClose(b.norm1.weight.grad, l.f["grad.tbs.\(i).ln1.0"], "block \(i) ln1 gradient")
        }
    }

    func testFastInferenceMatchesTheNetwork() throws {
        let l = try loadFixture()
        l.network.eval()
        let reference = try XCTUnwrap(l.f["logits"]).scalars
        let inference = ViTInference(network: l.network)
        for compact in [true, false] {
            for (i, s) in l.samples.enumerated() {
                let z = inference.logits(s, compact: compact)
                for k in 0..<9 {
                    XCTAssertEqual(z[k], reference[i * 9 + k], accuracy: 1e-4 * max(1, abs(reference[i * 9 + k])))
                }
            }
        }
    }

    func testClassifierFileRoundTripAndPrediction() throws {
        let l = try loadFixture()
        let names = (0..<9).map { "class\($0)" }
        let classifier = ViTLayoutClassifier(network: l.network, classNames: names)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vit-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try classifier.write(to: url)
        let back = try ViTLayoutClassifier(contentsOf: url)
        XCTAssertEqual(back.classNames, names)
        XCTAssertEqual(back.network.configuration, l.network.configuration)
        let p = try back.classify(l.samples[1])
        let logits = try XCTUnwrap(l.f["logits"]).scalars
        let row = Array(logits[9..<18])
        let best = row.indices.max { row[$0] < row[$1] }!
        XCTAssertEqual(p.best, best)
        XCTAssertEqual(p.tokenCount, 11)
        XCTAssertEqual(p.probabilities.reduce(0, +), 1, accuracy: 1e-5)
    }

    func testNoTokensIsNoMapFeatures() throws {
        let l = try loadFixture()
        let classifier = ViTLayoutClassifier(network: l.network, classNames: (0..<9).map { "\($0)" })
        let empty = LineMask(
            width: 64, height: 64, values: [UInt8](repeating: 0, count: 4096), origin: .init(x: 3, y: 3))
        XCTAssertThrowsError(try classifier.classify(empty)) {
            XCTAssertEqual($0 as? LayoutReaderError, .noMapFeatures)
        }
    }

    func testBadModelFilesNameTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vit-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Corrupt bytes.
        let corrupt = dir.appendingPathComponent("corrupt.safetensors")
        try Data("not a model at all".utf8).write(to: corrupt)
        XCTAssertThrowsError(try ViTLayoutClassifier(contentsOf: corrupt)) {
            XCTAssertTrue("\($0)".contains(corrupt.path), "\($0)")
        }
        // Another architecture.
        let other = dir.appendingPathComponent("other.safetensors")
        try ModelFile(
            architecture: "pixelpilot.cell-cnn", classNames: ["a", "b"], inputShape: [1], preprocessing: "",
            tensors: ["w": Tensor(zeros: [2])]
        ).write(to: other)
        XCTAssertThrowsError(try ViTLayoutClassifier(contentsOf: other)) {
            XCTAssertTrue("\($0)".contains(other.path) && "\($0)".contains("cell-cnn"), "\($0)")
        }
        // Right architecture, weights of another shape.
        let l = try loadFixture()
        let mismatched = dir.appendingPathComponent("mismatched.safetensors")
        var tensors = l.network.stateDict()
        tensors["head.weight"] = Tensor(zeros: [5, l.network.configuration.width])
        let enc = JSONEncoder()
        try ModelFile(
            architecture: ViTLayoutClassifier.architecture,
            config: ["vit": String(decoding: try enc.encode(l.network.configuration), as: UTF8.self)],
            classNames: (0..<9).map { "\($0)" }, inputShape: [8, 32, 32], preprocessing: "", tensors: tensors
        ).write(to: mismatched)
        XCTAssertThrowsError(try ViTLayoutClassifier(contentsOf: mismatched)) {
            XCTAssertTrue("\($0)".contains(mismatched.path) && "\($0)".contains("head.weight"), "\($0)")
        }
        // The seed's loader names what is missing.
        XCTAssertThrowsError(
            try ViTNetwork(l.network.configuration).loadSeed(["cls_token": Tensor(zeros: [1, 1, 32])])
        ) {
            XCTAssertTrue("\($0)".contains("embedding.l1.weight"), "\($0)")
        }
    }

    func assertClose(
        _ a: Tensor?, _ b: Tensor?, _ what: String, tolerance: Float = 1e-4, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        guard let a, let b else { return XCTFail("\(what): missing tensor", file: file, line: line) }
        XCTAssertEqual(a.count, b.count, "\(what): element count", file: file, line: line)
        var worst: Float = 0
        for i in 0..<min(a.count, b.count) {
            worst = max(worst, abs(a.pointer[i] - b.pointer[i]) / max(1, abs(b.pointer[i])))
        }
        XCTAssertLessThanOrEqual(worst, tolerance, "\(what): max relative error \(worst)", file: file, line: line)
    }
}
