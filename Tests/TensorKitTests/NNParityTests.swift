import XCTest
import TensorKit

/// Parity with PyTorch for convolution, pooling, activations, softmax, losses, the whole gem
/// network and the optimizers (fixtures from tools/fixtures/nn.py), within 1e-4 relative.
final class NNParityTests: XCTestCase {
    /// Runs `f` on leaf copies of the named inputs and compares output and gradients.
    func check(
        _ name: String, inputs: [String], file: StaticString = #filePath, line: UInt = #line, _ f: ([Tensor]) -> Tensor
    ) throws {
        let fx = try Fixture.load(name)
        let xs = inputs.map { leaf(fx[$0]) }
        let y = f(xs)
        assertClose(y, fx["y"], "\(name) output", file: file, line: line)
        (y * fx["w"]!).sum().backward()
        for (k, x) in zip(inputs, xs) {
            assertClose(x.grad, fx["grad_" + k], "\(name) grad \(k)", file: file, line: line)
        }
    }

    func testConvolutions() throws {
        try check("conv_same", inputs: ["x", "weight", "bias"]) {
            Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], padding: .same)
        }
        try check("conv_valid_stride2", inputs: ["x", "weight", "bias"]) {
            Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 2), padding: .valid)
        }
        try check("conv_same_stride2", inputs: ["x", "weight", "bias"]) {
            Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 2), padding: .same)
        }
        try check("conv_pad1_dil2", inputs: ["x", "weight", "bias"]) {
            Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], padding: .symmetric(1), dilation: (2, 2))
        }
        try check("conv_groups2", inputs: ["x", "weight", "bias"]) {
            Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], padding: .same, groups: 2)
        }
        try check("conv_depthwise", inputs: ["x", "weight", "bias"]) {
            Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], padding: .same, groups: 3)
        }
        try check("conv_1x1", inputs: ["x", "weight", "bias"]) { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2]) }
    }

    func testPooling() throws {
        try check("maxpool_2", inputs: ["x"]) { Tensor.maxPool2d($0[0], kernel: (2, 2)) }
        try check("maxpool_3s2p1", inputs: ["x"]) {
            Tensor.maxPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        }
        try check("avgpool_2", inputs: ["x"]) { Tensor.avgPool2d($0[0], kernel: (2, 2)) }
        try check("avgpool_3s2p1", inputs: ["x"]) {
            Tensor.avgPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        }
        try check("avgpool_3s2p1_nopad", inputs: ["x"]) {
            Tensor.avgPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false)
        }
    }

    func testActivationsAndSoftmax() throws {
        try check("act_relu", inputs: ["x"]) { $0[0].relu() }
        try check("act_relu6", inputs: ["x"]) { $0[0].relu6() }
        try check("act_sigmoid", inputs: ["x"]) { $0[0].sigmoid() }
        try check("act_tanh", inputs: ["x"]) { $0[0].tanh() }
        try check("act_gelu", inputs: ["x"]) { $0[0].gelu() }
        try check("act_gelu_tanh", inputs: ["x"]) { $0[0].gelu(approximateTanh: true) }
        try check("act_exp", inputs: ["x"]) { $0[0].exp() }
        try check("act_log", inputs: ["x"]) { $0[0].log() }
        try check("act_sqrt", inputs: ["x"]) { $0[0].sqrt() }
        try check("softmax_last", inputs: ["x"]) { $0[0].softmax() }
        try check("softmax_axis1", inputs: ["x"]) { $0[0].softmax(axis: 1) }
        try check("log_softmax_last", inputs: ["x"]) { $0[0].logSoftmax() }
    }

    func testLosses() throws {
        let f = try Fixture.load("loss_cross_entropy")
        let labels = f["labels"]!.scalars.map { Int($0) }
        var x = leaf(f["logits"])
        var l = x.softmaxCrossEntropy(labels: labels)
        assertClose(l, f["loss"], "cross-entropy")
        l.backward()
        assertClose(x.grad, f["grad"], "cross-entropy grad")
        x = leaf(f["logits"])
        l = x.softmaxCrossEntropy(labels: labels, weights: f["weights"]!.scalars)
        assertClose(l, f["wloss"], "weighted cross-entropy")
        l.backward()
        assertClose(x.grad, f["wgrad"], "weighted cross-entropy grad")

        let b = try Fixture.load("loss_bce")
        x = leaf(b["logits"])
        l = x.binaryCrossEntropyWithLogits(targets: b["targets"]!)
        assertClose(l, b["loss"], "bce")
        l.backward()
        assertClose(x.grad, b["grad"], "bce grad")

        let m = try Fixture.load("loss_mse")
        x = leaf(m["x"])
        l = x.meanSquaredError(m["target"]!)
        assertClose(l, m["loss"], "mse")
        l.backward()
        assertClose(x.grad, m["grad"], "mse grad")
    }

    /// The seed's whole gem network (as TensorKit layers) against PyTorch: logits, loss and every gradient.
    func testGemNetwork() throws {
        let f = try Fixture.load("gem_network")
        let net = Sequential([
            Rescaling(scale: 1 / 255),
            Conv2D(3, 8, kernelSize: 3, padding: .same), ReLU(), MaxPool2D(kernelSize: 2), Dropout(rate: 0.3),
            Conv2D(8, 16, kernelSize: 3, padding: .same), ReLU(), MaxPool2D(kernelSize: 2), Dropout(rate: 0.3),
            Conv2D(16, 32, kernelSize: 3, padding: .same), ReLU(), MaxPool2D(kernelSize: 2), Dropout(rate: 0.3),
            Flatten(), Linear(1152, 128), ReLU(), Linear(128, 4),
        ])
        var state: [String: Tensor] = [:]
        for (k, v) in f where k.hasPrefix("param.") { state[String(k.dropFirst(6))] = v }
        try net.load(stateDict: state)
        net.eval()
        let x = leaf(f["x"])
        let y = net(x)
        assertClose(y, f["y"], "logits")
        let loss = y.softmaxCrossEntropy(labels: f["labels"]!.scalars.map { Int($0) })
        assertClose(loss, f["loss"], "loss")
        loss.backward()
        assertClose(x.grad, f["grad_x"], "input gradient")
        for (k, p) in net.namedParameters() { assertClose(p.grad, f["grad." + k], "gradient of \(k)") }
    }

    func testOptimizers() throws {
        let f = try Fixture.load("optimizers")
        let makers: [(String, (Tensor) -> any Optimizer)] = [
            ("adam", { Adam(parameters: [$0], learningRate: 0.01, epsilon: 1e-7) }),
            ("adamw", { Adam.adamW(parameters: [$0], learningRate: 0.01, weightDecay: 0.1) }),
            ("sgd", { SGD(parameters: [$0], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01) }),
            ("nesterov", { SGD(parameters: [$0], learningRate: 0.1, momentum: 0.9, nesterov: true) }),
        ]
        for (name, make) in makers {
            let p = leaf(f["p0"])
            let opt = make(p)
            for i in 0..<5 {
                p.grad = f["grad\(i)"]!.copy()
                opt.step()
                assertClose(p, f["\(name)_step\(i)"], "\(name) step \(i)")
            }
        }
    }
}
