import XCTest
import TensorKit

/// The seed's attention UNet pieces: finite-difference gradient checks, parity with PyTorch
/// (fixtures from tools/make_unet_fixtures.py, under Fixtures/unet), the seed network's size and
/// key names, and the fast inference path against the module.
final class UNetTests: XCTestCase {
    func rand(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, using: &rng)
    }

    /// Central differences; a small step, since ReLU kinks inside ±epsilon spoil larger ones.
    func assertGrad(
        _ inputs: [Tensor], tol: Float = 2e-2, epsilon: Float = 1e-3, file: StaticString = #filePath,
        line: UInt = #line, _ f: ([Tensor]) -> Tensor
    ) {
        let r = GradientCheck.check(inputs, epsilon: epsilon, f)
        XCTAssertLessThan(r.maxError, tol, "\(r)", file: file, line: line)
    }

    /// Loads `param.*` into `module`, runs it, compares the output and every gradient.
    func checkModule(
        _ name: String, _ module: Module, inputs: [String], tolerance: Float = 1e-4, file: StaticString = #filePath,
        line: UInt = #line, _ call: ([Tensor]) -> Tensor
    ) throws {
        let fx = try Fixture.load("unet/" + name)
        var state: [String: Tensor] = [:]
        for (k, v) in fx where k.hasPrefix("param.") { state[String(k.dropFirst(6))] = v }
        try module.load(stateDict: state)
        let xs = inputs.map { leaf(fx[$0]) }
        let y = call(xs)
        assertClose(y, fx["y"], "\(name) output", tolerance: tolerance, file: file, line: line)
        (y * fx["w"]!).sum().backward()
        for (k, x) in zip(inputs, xs) {
            assertClose(x.grad, fx["grad_" + k], "\(name) grad \(k)", tolerance: tolerance, file: file, line: line)
        }
        for (k, p) in module.namedParameters() {
            assertClose(p.grad, fx["grad." + k], "\(name) gradient of \(k)", tolerance: tolerance, file: file, line: line)
        }
    }

    // MARK: Gradient checks

    func testChannelDropoutGradientAndStatistics() {
        let x = rand([2, 3, 3, 5], seed: 1)
        var keep = [Bool](repeating: true, count: 10)
        keep[1] = false
        keep[7] = false
        assertGrad([x]) { $0[0].channelDropout(keep: keep, rate: 0.5) }
        // Random masks: whole channels are either zero or doubled; about half survive.
        var rng = SeededGenerator(seed: 3)
        let big = Tensor(shape: [40, 2, 2, 50], repeating: 1)
        let y = big.channelDropout(rate: 0.5, using: &rng)
        var kept = 0
        for n in 0..<40 {
            for c in 0..<50 {
                let v = y[n, 0, 0, c]
                XCTAssertTrue(v == 0 || v == 2, "channel value \(v)")
                for i in 0..<2 { for j in 0..<2 { XCTAssertEqual(y[n, i, j, c], v) } }
                if v != 0 { kept += 1 }
            }
        }
        XCTAssertEqual(Double(kept) / 2000, 0.5, accuracy: 0.05)
        let layer = ChannelDropout(rate: 0.5)
        layer.eval()
        XCTAssertEqual(layer(big).scalars, big.scalars)
    }

    func testTransposedConvolutionStride2Gradient() {
        let x = rand([2, 3, 3, 4], seed: 4)
        let w = rand([4, 3, 2, 2], seed: 5)
        let b = rand([3], seed: 6)
        assertGrad([x, w, b]) { Tensor.convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 2)) }
    }

    func testAttentionGateAndResidualBlockGradients() {
        let gate = AttentionGate(gateChannels: 4, skipChannels: 6, innerChannels: 4, groups: { _ in 2 }, seed: 1)
        let g = rand([2, 3, 3, 4], seed: 7)
        let x = rand([2, 3, 3, 6], seed: 8)
        // A non-zero bias in the channel layer norm, so the gate is not 1/2.
        gate.psiNorm.bias.fill(0.7)
        assertGrad([g, x] + gate.namedParameters().map(\.1)) { v in gate(gate: v[0], skip: v[1]) }
        let block = PreActivationResidualBlock(4, 8, groups: { $0 / 4 }, seed: 2)
        let bx = rand([2, 4, 3, 4], seed: 9)
        assertGrad([bx] + block.namedParameters().map(\.1)) { _ in block(bx) }
    }

    func testTinyUNetGradient() {
        let net = AttentionUNet(AttentionUNetConfiguration(depth: 2, midChannels: 4, dropout: 0), seed: 3)
        let x = rand([1, 4, 4, 3], seed: 10)
        // The whole network has many ReLU kinks and group norms over a single pixel (the 1x1
        // bottleneck), so central differences are rougher than for one layer: 0.1 here (a wrong
        // gradient is off by O(1)); the PyTorch parity test checks every gradient to 3e-4.
        assertGrad([x], tol: 3e-2) { _ in net(x) }
        for (name, p) in net.namedParameters() where p.count <= 200 {
            let r = GradientCheck.check([p], epsilon: 1e-3) { _ in net(x) }
            XCTAssertLessThan(r.maxError, 0.1, "\(name): \(r)")
        }
    }

    // MARK: Parity with PyTorch

    func testChannelDropoutParity() throws {
        let fx = try Fixture.load("unet/channel_dropout")
        let keep = fx["keep"]!.scalars.map { $0 != 0 }
        XCTAssertTrue(keep.contains(true) && keep.contains(false), "the fixture drops some channels and keeps some")
        let x = leaf(fx["x"])
        let y = x.channelDropout(keep: keep, rate: 0.5)
        assertClose(y, fx["y"], "channel dropout output")
        (y * fx["w"]!).sum().backward()
        assertClose(x.grad, fx["grad_x"], "channel dropout gradient")
    }

    func testTransposedConvolutionStride2Parity() throws {
        let fx = try Fixture.load("unet/convt_k2s2")
        let xs = ["x", "weight", "bias"].map { leaf(fx[$0]) }
        let y = Tensor.convTranspose2d(xs[0], weight: xs[1], bias: xs[2], stride: (2, 2))
        assertClose(y, fx["y"], "convT output")
        (y * fx["w"]!).sum().backward()
        for (k, t) in zip(["x", "weight", "bias"], xs) { assertClose(t.grad, fx["grad_" + k], "convT grad \(k)") }
    }

    func testAttentionGateParity() throws {
        let groups = AttentionUNetConfiguration.groups
        let gate = AttentionGate(gateChannels: 32, skipChannels: 16, innerChannels: 32, groups: groups)
        try checkModule("attention_gate", gate, inputs: ["g", "x"]) { gate(gate: $0[0], skip: $0[1]) }
        // The channel layer norm makes the gate a constant: evaluation mode gives the same output.
        let fx = try Fixture.load("unet/attention_gate")
        gate.eval()
        let y = GradMode.withoutGrad { gate(gate: fx["g"]!, skip: fx["x"]!) }
        assertClose(y, fx["y"], "gate in evaluation mode")
        let a = gate.attention(gate: fx["g"]!, skip: fx["x"]!)
        XCTAssertEqual(Set(a.scalars).count, 1, "the attention map is one value")
        XCTAssertEqual(a.scalars[0], gate.constantGate, accuracy: 1e-6)
    }

    func testResidualBlockParity() throws {
        let groups = AttentionUNetConfiguration.groups
        let block = PreActivationResidualBlock(16, 32, groups: groups)
        try checkModule("resblock", block, inputs: ["x"]) { block($0[0]) }
        let same = PreActivationResidualBlock(16, 16, groups: groups)
        XCTAssertNil(same.shortcut)
        try checkModule("resblock_identity", same, inputs: ["x"]) { same($0[0]) }
    }

    func testTinyUNetParityWithSeedKeyNames() throws {
        let net = AttentionUNet(AttentionUNetConfiguration(depth: 2, midChannels: 8, dropout: 0))
        try checkModule("tiny_unet", net, inputs: ["x"], tolerance: 3e-4) { net($0[0]) }
        // The fast inference path gives the same logits.
        let fx = try Fixture.load("unet/tiny_unet")
        net.eval()
        let plan = UNetInferencePlan(net)
        let logits = plan.logits(fx["x"]!)
        assertClose(logits, fx["y"], "inference plan", tolerance: 3e-4)
    }

    // MARK: The seed network

    func testSeedNetworkSizeAndKeys() {
        let net = AttentionUNet(.seed)
        XCTAssertEqual(net.parameterCount, 8_173_099)
        let keys = net.namedParameters().map(\.0)
        XCTAssertEqual(keys.count, 116)
        for k in [
            "save_intermediates.0.0.weight", "save_intermediates.1.1.blocks.2.weight",
            "save_intermediates.1.1.shortcut.weight", "middle.1.blocks.0.weight", "middle.3.weight",
            "consume_intermediates.0.0.blocks.5.bias", "consume_intermediates.2.3.weight",
            "attention_blocks.0.W_g.0.weight", "attention_blocks.2.psi.1.bias",
        ] {
            XCTAssertTrue(keys.contains(k), "missing key \(k)")
        }
        let shapes = Dictionary(uniqueKeysWithValues: net.namedParameters().map { ($0.0, $0.1.shape) })
        XCTAssertEqual(shapes["middle.3.weight"], [512, 256, 2, 2], "transposed conv weights are (in, out, kh, kw)")
        XCTAssertEqual(shapes["save_intermediates.0.0.weight"], [64, 3, 3, 3])
        XCTAssertEqual(shapes["attention_blocks.0.W_g.1.weight"], [128])
    }

    func testInferencePlanMatchesModuleOnTiles() {
        for config in [
            AttentionUNetConfiguration(depth: 3, midChannels: 16), AttentionUNetConfiguration(depth: 2, midChannels: 12),
        ] {
            let net = AttentionUNet(config, seed: 5)
            for (_, p) in net.namedParameters() where p.shape.count == 1 {
                var rng = SeededGenerator(seed: UInt64(p.count))
                p.assign(Tensor.uniform(p.shape, low: -0.5, high: 1, using: &rng))
            }
            net.eval()
            let x = rand([5, 32, 32, 3], seed: 11)
            let want = GradMode.withoutGrad { net(x) }
            let plan = UNetInferencePlan(net)
            assertClose(plan.logits(x), want, "plan \(config)", tolerance: 2e-4)
        }
    }
}
