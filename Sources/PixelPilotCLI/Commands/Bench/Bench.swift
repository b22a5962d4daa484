import ArgumentParser
import Foundation
import TensorKit
import Desktop
import Workshop

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
        let show: (BenchResult) -> Void = { result in
            print(result.jsonLine)
            fflush(stdout)
        }
        var tensorKit = TensorKitBench(trainImages: trainImages)
        if suites.contains(.sgemm) { tensorKit.sgemm(report: show) }
        if suites.contains(.train) { try tensorKit.train(report: show) }
        if suites.contains(.capture) || suites.contains(.inject) {
            var virtual: VirtualDisplay?
            let name = display ?? ProcessInfo.processInfo.environment["DISPLAY"]
            if name == nil { virtual = try VirtualDisplay(width: 3840, height: 2160) }
            defer { virtual?.stop() }
            let connection = try X11Connection(name: virtual?.name ?? name)
            if suites.contains(.capture) { try DesktopBench.capture(connection: connection, report: show) }
            if suites.contains(.inject) {
                try DesktopBench.inject(connection: connection, peers: peers, pythonPeer: python, report: show)
            }
        }
        if suites.contains(.sort) { try SortBench.run(displayName: display, report: show) }
        if suites.contains(.infer) {
            tensorKit.infer(batchSizes: try inferBatchSizes(), repeats: inferRepeats, report: show)
        }
    }
}
