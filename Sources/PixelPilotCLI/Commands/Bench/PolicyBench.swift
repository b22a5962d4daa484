import ArgumentParser
import Autopilot
import Foundation
import TensorKit

/// `pixelpilot bench policy`: the original autopilot's network (reference §8.2) at batch 1, whole and per frame
/// with cached features, and its depthwise and inverted-residual kernels alone.
struct PolicyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Time the original autopilot's policy network (MobileNetV2 + 2 LSTMs) and its kernels.",
        discussion: """
            Prints one JSON object per line (suite, case, framework, value, unit), medians of \
            repeated runs, as `pixelpilot bench` does; Benchmarks/policy.sh runs it beside \
            TFLite, ONNX Runtime, Keras and PyTorch on the same weights and prints ratios. \
            PIXELPILOT_NO_AVX512=1 forces the AVX2 kernels.

            Example: pixelpilot bench policy --model original.safetensors --threads 2
            """)

    @Option(help: "A model of the original autopilot's network (default: random weights).")
    var model: String?

    @Option(parsing: .unconditional, help: "Threads for TensorKit.")
    var threads = 2

    @Option(parsing: .unconditional, help: "Repeats per case (the median is printed).")
    var repeats = 50

    @Option(help: "Cases: network, kernels, layers (each block alone on one thread) or several (comma-separated).")
    var cases = "network,kernels"

    /// Prints the median and, as a second case, the fastest run (robust on a busy machine).
    func emit(_ c: String, _ t: (median: Double, best: Double)) {
        let family = CPUFeatures.kernelInstructionSet
        for (name, v) in [(c, t.median), ("\(c) (fastest run)", t.best)] {
            print(
                "{\"suite\": \"policy\", \"case\": \"\(name)\", \"framework\": \"TensorKit \(family)\", \"value\": \(v * 1000), \"unit\": \"ms\"}"
            )
        }
        fflush(stdout)
    }

    /// Median and minimum seconds of `repeats` runs after `warmup`.
    static func time(_ repeats: Int, warmup: Int, _ body: () -> Void) -> (median: Double, best: Double) {
        for _ in 0..<warmup { body() }
        var samples: [Double] = []
        for _ in 0..<repeats {
            let t = DispatchTime.now().uptimeNanoseconds
            body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        }
        samples.sort()
        return (samples[samples.count / 2], samples[0])
    }

    func run() throws {
        Parallel.threadCount = threads
        let policy: SeedPolicy
        if let model {
            let file = try ModelFile.read(from: URL(fileURLWithPath: model))
            policy = try SeedPolicy(modelFile: file, path: model)
        } else {
            policy = SeedPolicy(seed: 1)
        }
        policy.eval()
        let p = policy.preprocessing
        FileHandle.standardError.write(
            Data(
                "TensorKit kernels: \(CPUFeatures.kernelInstructionSet), \(threads) threads, \(p.windowLength) frames of \(p.width)x\(p.height)\n"
                    .utf8))
        var rng = SeededGenerator(seed: 5)
        let chosen = Set(cases.split(separator: ",").map { String($0) })
        if chosen.contains("network") {
            let t = p.windowLength
            let windows = Tensor.uniform([1, t, p.height, p.width, 3], low: -1, high: 1, using: &rng)
            let whole = PolicyBench.time(repeats, warmup: 5) { _ = policy(windows) }
            emit("seed network, \(t) frames, batch 1", whole)
            let frame = windows.slice(axis: 1, 0..<1).reshaped([1, p.height, p.width, 3]).copy()
            let features = Tensor.uniform([1, t, policy.featureCount], low: 0, high: 1, using: &rng)
            let step = PolicyBench.time(repeats * 4, warmup: 10) {
                _ = policy.encode(frame)
                _ = policy.keyLogits(features: features)
            }
            emit("per frame, cached features (1 encoder pass + LSTMs over \(t))", step)
            let enc = PolicyBench.time(repeats * 4, warmup: 10) { _ = policy.encode(frame) }
            emit("encoder, 1 frame", enc)
            let rec = PolicyBench.time(repeats * 4, warmup: 10) { _ = policy.keyLogits(features: features) }
            emit("LSTMs + dense over \(t) features", rec)
        }
        if chosen.contains("layers") {
            // Each inverted residual block alone on one thread, on a part's worth of frames, as
            // the whole network runs it: GFLOP/s against the core's peak shows where time goes.
            let plan = MobileNetV2Plan(policy.encoder)
            // The part size of a whole window on --threads threads (5 frames for 20 at 2 threads).
            let part = plan.framesPerPart(ofWindow: p.windowLength)
            let saved = Parallel.threadCount
            Parallel.threadCount = 1
            defer { Parallel.threadCount = saved }
            for (i, b) in plan.blockShapes(height: p.height, width: p.width).enumerated() {
                let frames = i < plan.batchedFromBlock ? 1 : part
                let x = Tensor.uniform(
                    [frames, b.inputHeight, b.inputWidth, b.inputChannels], low: -1, high: 1, using: &rng)
                let t = PolicyBench.time(repeats * 4, warmup: 10) { _ = plan.runBlock(i, x) }
                let gflops = 2 * Double(b.multiplyAdds * frames) / t.median / 1e9
                FileHandle.standardError.write(
                    Data(
                        String(
                            format:
                                "block %2d %dx%dx%d -> %d -> %dx%dx%d s%d, %d frame(s), 1 thread: %.3f ms, %.1f GFLOP/s\n",
                            i, b.inputHeight, b.inputWidth, b.inputChannels, b.hiddenChannels, b.outputHeight,
                            b.outputWidth, b.outputChannels, b.stride, frames, t.median * 1000, gflops
                        ).utf8))
                emit("block \(i), \(frames) frame(s), 1 thread", t)
            }
        }
        if chosen.contains("kernels") {
            let plan = MobileNetV2Plan(policy.encoder)
            let frames = 20
            for (c, hw, s) in [(144, 24, 1), (96, 48, 2)] {
                let x = Tensor.uniform([frames, hw, hw, c], low: 0, high: 6, using: &rng)
                let w = Tensor.uniform([c, 1, 3, 3], low: -0.3, high: 0.3, using: &rng)
                let b = Tensor.uniform([c], low: -0.1, high: 0.1, using: &rng)
                let ms = PolicyBench.time(repeats, warmup: 5) {
                    _ = Tensor.depthwiseConv2d(x, weight: w, bias: b, stride: s, activation: .relu6)
                }
                emit("depthwise 3x3 s\(s) + ReLU6, \(frames)x\(hw)x\(hw)x\(c)", ms)
            }
            // Block 2 (24 -> 144 -> 24 at 24x24, residual) and block 13 (96 -> 576 -> 160, stride 2 at 6x6).
            for (index, hw, c) in [(2, 24, 24), (13, 6, 96)] {
                let x = Tensor.uniform([frames, hw, hw, c], low: -1, high: 1, using: &rng)
                let ms = PolicyBench.time(repeats, warmup: 5) { _ = plan.runBlock(index, x) }
                emit("inverted residual block \(index), \(frames)x\(hw)x\(hw)x\(c)", ms)
            }
        }
    }
}
