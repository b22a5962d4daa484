import ArgumentParser
import Autopilot
import Foundation
import TensorKit
import Workshop

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

    func validate() throws { _ = try PolicyBench.parseCases(cases) }

    static func parseCases(_ text: String) throws -> Set<PolicyNetworkBench.Case> {
        try Set(
            text.split(separator: ",").map { part in
                guard let c = PolicyNetworkBench.Case(rawValue: part.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--cases: '\(part)' is not network, kernels or layers")
                }
                return c
            })
    }

    func run() throws {
        Parallel.threadCount = threads
        let policy =
            try model.map { try SeedPolicy(modelFile: ModelFile.read(from: URL(fileURLWithPath: $0)), path: $0) }
            ?? SeedPolicy(seed: 1)
        var bench = PolicyNetworkBench(policy: policy, repeats: repeats)
        FileHandle.standardError.write(Data((bench.description + "\n").utf8))
        bench.run(
            try PolicyBench.parseCases(cases),
            report: {
                print($0.jsonLine)
                fflush(stdout)
            },
            note: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
    }
}
