import Autopilot
import Foundation
import SeededRandom
import TensorKit

/// The original autopilot's policy network (reference §8.2) at batch 1 (`pixelpilot bench policy`):
/// whole and per frame with cached features, each inverted-residual block alone, and its depthwise
/// and block kernels. Each case reports its median and, as a second case, its fastest run.
public struct PolicyNetworkBench {
    /// What to time.
    public enum Case: String, CaseIterable, Sendable {
        case network, kernels, layers
    }

    public let policy: SeedPolicy
    /// Timed runs per case (the median is reported).
    public var repeats: Int
    private var random = SeededGenerator(seed: 5)

    /// - Parameter policy: the network to time, in evaluation mode.
    public init(policy: SeedPolicy, repeats: Int = 50) {
        self.policy = policy
        self.repeats = repeats
        policy.eval()
    }

    /// The kernels' instruction set, the threads and the input: the line a reader needs beside the figures.
    public var description: String {
        let p = policy.preprocessing
        return
            "TensorKit kernels: \(CPUFeatures.kernelInstructionSet), \(Parallel.threadCount) threads, \(p.windowLength) frames of \(p.width)x\(p.height)"
    }

    /// Runs `cases` in the order network, layers, kernels.
    /// - Parameters:
    ///   - report: each figure, as it is measured.
    ///   - note: a line for a person (each block's GFLOP/s).
    public mutating func run(_ cases: Set<Case>, report: (BenchResult) -> Void, note: (String) -> Void = { _ in }) {
        if cases.contains(.network) { network(report: report) }
        if cases.contains(.layers) { layers(report: report, note: note) }
        if cases.contains(.kernels) { kernels(report: report) }
    }

    private func emit(_ c: String, _ t: (median: Double, best: Double), _ report: (BenchResult) -> Void) {
        let framework = "TensorKit \(CPUFeatures.kernelInstructionSet)"
        for (name, v) in [(c, t.median), ("\(c) (fastest run)", t.best)] {
            report(BenchResult(suite: "policy", case: name, framework: framework, value: v * 1000, unit: "ms"))
        }
    }

    /// The whole window, one frame with cached features, the encoder alone and the LSTMs alone.
    public mutating func network(report: (BenchResult) -> Void) {
        let p = policy.preprocessing
        let t = p.windowLength
        let windows = Tensor.uniform([1, t, p.height, p.width, 3], low: -1, high: 1, using: &random)
        let whole = BenchResult.timing(repeats, warmup: 5) { _ = policy(windows) }
        emit("seed network, \(t) frames, batch 1", whole, report)
        let frame = windows.slice(axis: 1, 0..<1).reshaped([1, p.height, p.width, 3]).copy()
        let features = Tensor.uniform([1, t, policy.featureCount], low: 0, high: 1, using: &random)
        let step = BenchResult.timing(repeats * 4, warmup: 10) {
            _ = policy.encode(frame)
            _ = policy.keyLogits(features: features)
        }
        emit("per frame, cached features (1 encoder pass + LSTMs over \(t))", step, report)
        let enc = BenchResult.timing(repeats * 4, warmup: 10) { _ = policy.encode(frame) }
        emit("encoder, 1 frame", enc, report)
        let rec = BenchResult.timing(repeats * 4, warmup: 10) { _ = policy.keyLogits(features: features) }
        emit("LSTMs + dense over \(t) features", rec, report)
    }

    /// Each inverted residual block alone on one thread, on a part's worth of frames as the whole
    /// network runs it: GFLOP/s against the core's peak shows where time goes.
    public mutating func layers(report: (BenchResult) -> Void, note: (String) -> Void) {
        let p = policy.preprocessing
        let plan = MobileNetV2Plan(policy.encoder)
        // The part size of a whole window on the current threads (5 frames for 20 at 2 threads).
        let part = plan.framesPerPart(ofWindow: p.windowLength)
        let saved = Parallel.threadCount
        Parallel.threadCount = 1
        defer { Parallel.threadCount = saved }
        for (i, b) in plan.blockShapes(height: p.height, width: p.width).enumerated() {
            let frames = i < plan.batchedFromBlock ? 1 : part
            let x = Tensor.uniform(
                [frames, b.inputHeight, b.inputWidth, b.inputChannels], low: -1, high: 1, using: &random)
            let t = BenchResult.timing(repeats * 4, warmup: 10) { _ = plan.runBlock(i, x) }
            let gflops = 2 * Double(b.multiplyAdds * frames) / t.median / 1e9
            note(
                String(
                    format: "block %2d %dx%dx%d -> %d -> %dx%dx%d s%d, %d frame(s), 1 thread: %.3f ms, %.1f GFLOP/s",
                    i, b.inputHeight, b.inputWidth, b.inputChannels, b.hiddenChannels, b.outputHeight,
                    b.outputWidth, b.outputChannels, b.stride, frames, t.median * 1000, gflops))
            emit("block \(i), \(frames) frame(s), 1 thread", t, report)
        }
    }

    /// The depthwise 3x3 kernels and two inverted residual blocks on 20 frames.
    public mutating func kernels(report: (BenchResult) -> Void) {
        let plan = MobileNetV2Plan(policy.encoder)
        let frames = 20
        for (c, hw, s) in [(144, 24, 1), (96, 48, 2)] {
            let x = Tensor.uniform([frames, hw, hw, c], low: 0, high: 6, using: &random)
            let w = Tensor.uniform([c, 1, 3, 3], low: -0.3, high: 0.3, using: &random)
            let b = Tensor.uniform([c], low: -0.1, high: 0.1, using: &random)
            let ms = BenchResult.timing(repeats, warmup: 5) {
                _ = Tensor.depthwiseConv2d(x, weight: w, bias: b, stride: s, activation: .relu6)
            }
            emit("depthwise 3x3 s\(s) + ReLU6, \(frames)x\(hw)x\(hw)x\(c)", ms, report)
        }
        // Block 2 (24 -> 144 -> 24 at 24x24, residual) and block 13 (96 -> 576 -> 160, stride 2 at 6x6).
        for (index, hw, c) in [(2, 24, 24), (13, 6, 96)] {
            let x = Tensor.uniform([frames, hw, hw, c], low: -1, high: 1, using: &random)
            let ms = BenchResult.timing(repeats, warmup: 5) { _ = plan.runBlock(index, x) }
            emit("inverted residual block \(index), \(frames)x\(hw)x\(hw)x\(c)", ms, report)
        }
    }
}
