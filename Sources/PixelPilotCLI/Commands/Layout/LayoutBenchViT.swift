import ArgumentParser
import Foundation
import Workshop
import LayoutReader
import TensorKit

struct LayoutBenchViT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-vit",
        abstract: "Time the layout classifier (the original layout reader's ViT) at batch 1, tokens to logits.",
        discussion: """
            --model is a safetensors file with the original layout reader's ViT weights under its key names \
            ((in, out) linear weights) plus, for each case, 'input{N}.pixels' (N x 32 x 32, \
            0/1), 'input{N}.rows' and 'input{N}.cols' (patch coordinates) and optionally \
            'input{N}.logits' (a peer's answer, compared). Benchmarks/vit_peers.py writes it. \
            Prints one JSON line per case: median and quartiles in milliseconds over --iterations \
            runs after --warmup, with compact padding (the default) and with the original's full \
            129-long sequence.

            Example:
              pixelpilot layout bench-vit --model /tmp/vit-bench.safetensors --iterations 200
            """)
    @Option(help: "Weights and inputs (written by Benchmarks/vit_peers.py).") var model: String?
    /// The old form: the file as the first argument.
    @Argument(help: .hidden) var oldFormModel: String?
    var file: String { model ?? oldFormModel ?? "" }

    func validate() throws {
        guard (model == nil) != (oldFormModel == nil) else { throw ValidationError("give the file once: --model FILE") }
    }
    @Option(parsing: .unconditional, help: "Timed runs per case.") var iterations = 200
    @Option(parsing: .unconditional, help: "Untimed runs first.") var warmup = 20

    func run() throws {
        let bench = try ViTPeerBench(file: file)
        for n in bench.tokenCounts {
            for compact in [true, false] {
                let r = try bench.measure(tokens: n, compact: compact, iterations: iterations, warmup: warmup)
                print(
                    String(
                        format:
                            "{\"framework\":\"TensorKit\",\"tokens\":%d,\"padding\":\"%@\",\"median_ms\":%.4f,\"p25_ms\":%.4f,\"p75_ms\":%.4f,\"max_abs_logit_diff\":%@}",
                        n, compact ? "compact" : "full129", r.medianMilliseconds, r.p25Milliseconds, r.p75Milliseconds,
                        r.maxLogitDifference.map { String(format: "%.2e", $0) } ?? "null"))
            }
        }
    }
}
