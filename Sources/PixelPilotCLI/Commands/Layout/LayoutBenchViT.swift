import ArgumentParser
import Foundation
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
        let url = URL(fileURLWithPath: file)
        let all: [String: Tensor]
        do { all = try SafeTensors.read(contentsOf: url).tensors } catch {
            throw CLIError("\(file): cannot be read as safetensors: \(error)")
        }
        // The original's weights (the same file also holds the inputs).
        let network = ViTNetwork(.seed)
        do { try network.loadSeed(all.filter { !$0.key.hasPrefix("input") }) } catch {
            throw CLIError("\(file): not the original layout reader's ViT weights: \(error)")
        }
        let classifier = ViTLayoutClassifier(network: network, classNames: (0..<9).map { "\($0)" })
        let cases = all.keys.compactMap { k -> Int? in
            guard k.hasPrefix("input"), k.hasSuffix(".pixels") else { return nil }
            return Int(k.dropFirst(5).dropLast(7))
        }.sorted()
        guard !cases.isEmpty else {
            throw CLIError("\(file): has no input{N}.pixels tensors (write it with Benchmarks/vit_peers.py)")
        }
        for n in cases {
            guard let px = all["input\(n).pixels"], let rows = all["input\(n).rows"], let cols = all["input\(n).cols"]
            else { throw CLIError("\(file): input\(n) needs pixels, rows and cols") }
            let tokens = LayoutTokens(
                totalCount: n, rows: rows.scalars.map { Int($0) }, columns: cols.scalars.map { Int($0) },
                pixels: px.scalars.map { $0 != 0 ? 1 : 0 })
            for compact in [true, false] {
                let inference = ViTInference(network: classifier.network)
                func once() -> [Float] { inference.logits(tokens, compact: compact) }
                var maxDiff: Float = .nan
                if let peer = all["input\(n).logits"] {
                    let mine = once()
                    maxDiff = 0
                    for i in 0..<peer.count { maxDiff = max(maxDiff, abs(mine[i] - peer.pointer[i])) }
                }
                for _ in 0..<warmup { _ = once() }
                var ms: [Double] = []
                for _ in 0..<iterations {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    _ = once()
                    ms.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                }
                ms.sort()
                let q = { (f: Double) in ms[min(ms.count - 1, Int(Double(ms.count - 1) * f))] }
                let name = compact ? "compact" : "full129"
                print(
                    String(
                        format:
                            "{\"framework\":\"TensorKit\",\"tokens\":%d,\"padding\":\"%@\",\"median_ms\":%.4f,\"p25_ms\":%.4f,\"p75_ms\":%.4f,\"max_abs_logit_diff\":%@}",
                        n, name, q(0.5), q(0.25), q(0.75), maxDiff.isNaN ? "null" : String(format: "%.2e", maxDiff)))
            }
        }
    }
}
