import ArgumentParser
import Foundation
import TensorKit
import StashSorter
import Datasets
import Desktop

/// The suites `pixelpilot bench` can run.
enum BenchSuite: String, CaseIterable, ExpressibleByArgument, Hashable {
    case sgemm, train, infer, capture, inject, sort
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure TensorKit: sgemm, gem-network training throughput and inference latency.",
        discussion: """
            Prints one JSON object per line (suite, case, framework, value, unit), the format \
            Benchmarks/run.sh merges with the peers' figures (`make bench` runs both and prints \
            ratios). Medians of repeated runs.
            """,
        subcommands: [PolicyBench.self])

    @Option(
        parsing: .unconditional,
        help: "Threads for TensorKit (OpenBLAS always runs single-threaded inside TensorKit's workers).")
    var threads = 2

    @Option(parsing: .unconditional, help: "Images per training epoch.")
    var trainImages = 4096

    @Option(help: "Suites to run, comma-separated: sgemm, train, infer, capture, inject, sort.")
    var only = CommaList<BenchSuite>([.sgemm, .train, .infer])

    @Option(help: "Batch sizes the infer suite times, comma-separated.")
    var inferBatches = "1,144"

    @Option(
        parsing: .unconditional,
        help:
            "Repeats per timed case in the infer suite (the median is printed); 0 picks 300 for batches under 16, else 50."
    )
    var inferRepeats = 0

    @Option(help: "X display for the capture and inject suites (default: $DISPLAY, else a private 3840x2160 Xvfb).")
    var display: String?

    @Flag(help: "In the inject suite, also time xdotool and pyautogui.")
    var peers = false

    @Option(help: "Python with pyautogui for the inject suite's peer.")
    var python: String?

    func emit(_ suite: String, _ c: String, _ value: Double, _ unit: String) {
        print(
            "{\"suite\": \"\(suite)\", \"case\": \"\(c)\", \"framework\": \"TensorKit\", \"value\": \(value), \"unit\": \"\(unit)\"}"
        )
        fflush(stdout)
    }

    static func median(_ repeatCount: Int, warmup: Int = 3, _ body: () -> Void) -> Double {
        for _ in 0..<warmup { body() }
        var samples: [Double] = []
        for _ in 0..<repeatCount {
            let t = DispatchTime.now().uptimeNanoseconds
            body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    /// The `--infer-batches` sizes; an error names the option and the text otherwise.
    func inferBatchSizes() throws -> [Int] {
        let parsed = inferBatches.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        let sizes = parsed.compactMap { $0 }
        guard !sizes.isEmpty, sizes.count == parsed.count, sizes.allSatisfy({ $0 > 0 }) else {
            throw ValidationError(
                "--infer-batches: expected positive batch sizes separated by commas, got '\(inferBatches)'")
        }
        return sizes
    }

    func validate() throws {
        _ = try inferBatchSizes()
        guard inferRepeats >= 0 else {
            throw ValidationError("--infer-repeats: expected 0 or more, got \(inferRepeats)")
        }
    }

    func run() throws {
        Parallel.threadCount = threads
        let suites = Set(only.values)
        if suites.contains(.train) || suites.contains(.infer) {
            FileHandle.standardError.write(
                Data(
                    "TensorKit kernels: \(CPUFeatures.kernelInstructionSet) (PIXELPILOT_NO_AVX512=1 forces AVX2), \(threads) threads\n"
                        .utf8))
        }
        var rng = SeededGenerator(seed: 1)
        if suites.contains(.sgemm) {
            for n in [512, 2048] {
                let a = Tensor.uniform([n, n], using: &rng)
                let b = Tensor.uniform([n, n], using: &rng)
                let c = Tensor.uninitialized([n, n])
                let t = Bench.median(n == 2048 ? 5 : 20, warmup: n == 2048 ? 2 : 40) {
                    Kernels.gemm(m: n, n: n, k: n, a: a.pointer, lda: n, b: b.pointer, ldb: n, c: c.pointer, ldc: n)
                }
                emit("sgemm", "\(n)", 2 * Double(n * n * n) / t / 1e9, "GFLOP/s")
            }
        }
        let images = Tensor.uniform([trainImages, 52, 52, 3], low: 0, high: 255, using: &rng)
        let labels = (0..<trainImages).map { _ in Int(rng.next() % 4) }
        let data = LabeledImages(images: images, labels: labels)
        if suites.contains(.train) {
            for bs in [16, 64] {
                let classifier = CellClassifier(classNames: ["blue", "empty", "green", "red"], seed: 1)
                let optimizer = Adam(
                    parameters: classifier.network.trainableParameters(), learningRate: 1e-3, epsilon: 1e-7)
                let trainer = Trainer(model: classifier.network, optimizer: optimizer) { logits, batch in
                    logits.softmaxCrossEntropy(labels: batch.labels)
                }
                let loader = BatchLoader(data, batchSize: bs, shuffle: true, augmentation: .gemSeed, seed: 2)
                let none: BatchLoader? = nil
                _ = try trainer.fit(epochs: 1, training: loader, validation: none)
                let t = Bench.median(3, warmup: 0) {
                    _ = try? trainer.fit(epochs: 1, training: loader, validation: none)
                }
                emit("train", "batch \(bs)", Double(trainImages) / t, "images/s")
            }
        }
        if suites.contains(.capture) || suites.contains(.inject) {
            var virtual: VirtualDisplay?
            let name = display ?? ProcessInfo.processInfo.environment["DISPLAY"]
            if name == nil { virtual = try VirtualDisplay(width: 3840, height: 2160) }
            let connection = try X11Connection(name: virtual?.name ?? name)
            if suites.contains(.capture) { try DesktopBench.capture(connection: connection) }
            if suites.contains(.inject) {
                try DesktopBench.inject(connection: connection, peers: peers, pythonPeer: python)
            }
            virtual?.stop()
        }
        if suites.contains(.sort) { try SortBench.run(displayName: display) }
        if suites.contains(.infer) {
            let classifier = CellClassifier(classNames: ["blue", "empty", "green", "red"], seed: 1)
            let sizes = try inferBatchSizes()
            for bs in sizes {
                let x = Tensor.uniform([bs, 52, 52, 3], low: 0, high: 255, using: &rng)
                let repeats = inferRepeats > 0 ? inferRepeats : (bs < 16 ? 300 : 50)
                let t = Bench.median(repeats, warmup: 10) {
                    _ = classifier.logits(batch: x)
                }
                emit("infer", "batch \(bs)", t * 1000, "ms")
            }
        }
    }
}
