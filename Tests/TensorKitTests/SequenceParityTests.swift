import XCTest
import TensorKit

/// Parity with PyTorch for joining ops, normalisation, resizing, transposed convolution, LSTM,
/// attention and the transformer encoder block (fixtures from tools/fixtures/seq.py).
final class SequenceParityTests: XCTestCase {
    func check(
        _ name: String, inputs: [String], file: StaticString = #filePath, line: UInt = #line,
        _ f: ([Tensor], [String: Tensor]) -> Tensor
    ) throws {
        let fx = try Fixture.load(name)
        let xs = inputs.map { leaf(fx[$0]) }
        let y = f(xs, fx)
        assertClose(y, fx["y"], "\(name) output", file: file, line: line)
        (y * fx["w"]!).sum().backward()
        for (k, x) in zip(inputs, xs) {
            assertClose(x.grad, fx["grad_" + k], "\(name) grad \(k)", file: file, line: line)
        }
    }

    /// Loads `param.*` into `module`, runs `call`, compares output and every gradient.
    func checkModule(
        _ name: String, _ module: Module, file: StaticString = #filePath, line: UInt = #line,
        _ call: (Tensor, [String: Tensor]) -> Tensor
    ) throws {
        let fx = try Fixture.load(name)
        var state: [String: Tensor] = [:]
        for (k, v) in fx where k.hasPrefix("param.") { state[String(k.dropFirst(6))] = v }
        try module.load(stateDict: state)
        let x = leaf(fx["x"])
        let y = call(x, fx)
        assertClose(y, fx["y"], "\(name) output", file: file, line: line)
        (y * fx["w"]!).sum().backward()
        assertClose(x.grad, fx["grad_x"], "\(name) input gradient", file: file, line: line)
        for (k, p) in module.namedParameters() {
            assertClose(p.grad, fx["grad." + k], "\(name) gradient of \(k)", file: file, line: line)
        }
    }

    func mask(_ t: Tensor?) -> [[Bool]] {
        let m = t!
        return (0..<m.shape[0]).map { i in (0..<m.shape[1]).map { m[i, $0] != 0 } }
    }

    func testJoining() throws {
        try check("join_concat", inputs: ["a", "b"]) { x, _ in Tensor.concat(x, axis: 1) }
        try check("join_slice", inputs: ["x"]) { x, _ in x[0].slice(axis: 1, 1..<4) }
        try check("join_pad", inputs: ["x"]) { x, _ in x[0].padded([(2, 0), (0, 1), (1, 2)], value: 0.5) }
        try check("join_gather", inputs: ["table"]) { x, f in x[0].gather(rows: f["indices"]!.scalars.map { Int($0) }) }
    }

    func testNormalization() throws {
        try check("norm_layer", inputs: ["x", "weight", "bias"]) { x, _ in
            x[0].layerNorm(normalizedShape: [6], weight: x[1], bias: x[2])
        }
        try check("norm_group", inputs: ["x", "weight", "bias"]) { x, _ in
            x[0].groupNorm(groups: 3, weight: x[1], bias: x[2])
        }
        let running = try Fixture.load("norm_batch_running")
        var rm: Tensor!
        var rv: Tensor!
        try check("norm_batch_train", inputs: ["x", "weight", "bias"]) { x, f in
            rm = f["running_mean0"]!.copy()
            rv = f["running_var0"]!.copy()
            return x[0].batchNorm(runningMean: rm, runningVar: rv, weight: x[1], bias: x[2], training: true)
        }
        assertClose(rm, running["running_mean"], "running mean")
        assertClose(rv, running["running_var"], "running var")
        try check("norm_batch_eval", inputs: ["x", "weight", "bias"]) { x, f in
            x[0].batchNorm(
                runningMean: f["running_mean"]!, runningVar: f["running_var"]!, weight: x[1], bias: x[2],
                training: false)
        }
    }

    func testResizingAndTransposedConvolution() throws {
        try check("up_nearest", inputs: ["x"]) { x, _ in x[0].upsampled(height: 6, width: 8, bilinear: false) }
        try check("up_nearest_odd", inputs: ["x"]) { x, _ in x[0].upsampled(height: 5, width: 7, bilinear: false) }
        try check("up_bilinear", inputs: ["x"]) { x, _ in x[0].upsampled(height: 6, width: 8, bilinear: true) }
        try check("up_bilinear_ac", inputs: ["x"]) { x, _ in
            x[0].upsampled(height: 7, width: 5, bilinear: true, alignCorners: true)
        }
        try check("convt_s2", inputs: ["x", "weight", "bias"]) { x, _ in
            Tensor.convTranspose2d(
                x[0], weight: x[1], bias: x[2], stride: (2, 2), padding: (1, 1), outputPadding: (1, 1))
        }
        try check("convt_groups", inputs: ["x", "weight", "bias"]) { x, _ in
            Tensor.convTranspose2d(x[0], weight: x[1], bias: x[2], stride: (2, 2), groups: 2)
        }
    }

    func testLSTM() throws {
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layerCount: 2)
        try checkModule("seq_lstm", lstm) { x, _ in lstm(x).output }
    }

    func testAttentionAndEncoderBlocks() throws {
        let mha = MultiHeadAttention(embedDim: 8, headCount: 2)
        try checkModule("seq_mha", mha) { x, f in mha(x, keyPaddingMask: mask(f["mask"])) }
        let post = TransformerEncoderBlock(embedDim: 8, headCount: 2, feedForward: 16)
        try checkModule("seq_encoder_post", post) { x, f in post(x, keyPaddingMask: mask(f["mask"])) }
        let pre = TransformerEncoderBlock(embedDim: 8, headCount: 2, feedForward: 16, normFirst: true, gelu: true)
        try checkModule("seq_encoder_pre_gelu", pre) { x, _ in pre(x) }
    }

    func testGradientClipping() throws {
        let f = try Fixture.load("clip_norm")
        let p0 = Tensor(zeros: f["g0"]!.shape)
        let p1 = Tensor(zeros: f["g1"]!.shape)
        p0.grad = f["g0"]!.copy()
        p1.grad = f["g1"]!.copy()
        let norm = GradientClipping.clipNorm([p0, p1], maxNorm: 1.5)
        XCTAssertEqual(norm, f["norm"]!.item, accuracy: 1e-4)
        assertClose(p0.grad, f["c0"], "clipped 0")
        assertClose(p1.grad, f["c1"], "clipped 1")
    }

    func testSchedules() {
        let s = StepSchedule(initial: 0.1, stepSize: 3, gamma: 0.5)
        XCTAssertEqual((0..<7).map { s.learningRate(at: $0) }, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])
        let c = CosineWithWarmup(peak: 1, warmupSteps: 4, totalSteps: 14, minimum: 0.1)
        XCTAssertEqual(c.learningRate(at: 0), 0.25, accuracy: 1e-6)
        XCTAssertEqual(c.learningRate(at: 3), 1, accuracy: 1e-6)
        XCTAssertEqual(c.learningRate(at: 4), 1, accuracy: 1e-6)
        XCTAssertEqual(c.learningRate(at: 9), 0.55, accuracy: 1e-6)
        XCTAssertEqual(c.learningRate(at: 14), 0.1, accuracy: 1e-6)
        XCTAssertEqual(c.learningRate(at: 100), 0.1, accuracy: 1e-6)
        // The decay by progress (time-limited runs): the same curve, clamped at both ends.
        XCTAssertEqual(c.decayedRate(progress: 0), 1, accuracy: 1e-6)
        XCTAssertEqual(c.decayedRate(progress: 0.5), c.learningRate(at: 9), accuracy: 1e-6)
        XCTAssertEqual(c.decayedRate(progress: 1), 0.1, accuracy: 1e-6)
        XCTAssertEqual(c.decayedRate(progress: 2), 0.1, accuracy: 1e-6)
        XCTAssertEqual(c.decayedRate(progress: -1), 1, accuracy: 1e-6)
    }
}
