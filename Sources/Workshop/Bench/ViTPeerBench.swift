import Foundation
import LayoutReader
import TensorKit

/// The original layout reader's ViT at batch 1 on the weights and inputs a peer wrote
/// (`layout bench-vit`, `Benchmarks/vit_peers.py`): per token count, compact and full padding,
/// TensorKit's time and its largest logit difference from the peer's.
public struct ViTPeerBench {
    /// One case's figures.
    public struct Row: Sendable {
        public var tokens: Int
        /// Compact (only the tokens given) or padded to the full 129.
        public var compact: Bool
        public var medianMilliseconds: Double
        public var p25Milliseconds: Double
        public var p75Milliseconds: Double
        /// The largest absolute difference from the peer's logits (nil when the file holds none).
        public var maxLogitDifference: Float?
    }

    public let file: String
    private let tensors: [String: Tensor]
    private let classifier: ViTLayoutClassifier
    /// The token counts the file holds inputs for, ascending.
    public let tokenCounts: [Int]

    /// Reads the weights and inputs; errors name the file and what is wrong with it.
    public init(file: String) throws {
        self.file = file
        do { tensors = try SafeTensors.read(contentsOf: URL(fileURLWithPath: file)).tensors } catch {
            throw WorkshopError.failed("\(file): cannot be read as safetensors: \(error)")
        }
        let network = ViTNetwork(.seed)
        do { try network.loadSeed(tensors.filter { !$0.key.hasPrefix("input") }) } catch {
            throw WorkshopError.failed("\(file): not the original layout reader's ViT weights: \(error)")
        }
        classifier = ViTLayoutClassifier(network: network, classNames: (0..<9).map { "\($0)" })
        tokenCounts = tensors.keys.compactMap { k -> Int? in
            guard k.hasPrefix("input"), k.hasSuffix(".pixels") else { return nil }
            return Int(k.dropFirst(5).dropLast(7))
        }.sorted()
        guard !tokenCounts.isEmpty else {
            throw WorkshopError.failed(
                "\(file): has no input{N}.pixels tensors (write it with Benchmarks/vit_peers.py)")
        }
    }

    /// Times `iterations` runs after `warmup` on the input of `n` tokens.
    public func measure(tokens n: Int, compact: Bool, iterations: Int, warmup: Int) throws -> Row {
        guard let px = tensors["input\(n).pixels"], let rows = tensors["input\(n).rows"],
            let cols = tensors["input\(n).cols"]
        else { throw WorkshopError.failed("\(file): input\(n) needs pixels, rows and cols") }
        let tokens = LayoutTokens(
            totalCount: n, rows: rows.scalars.map { Int($0) }, columns: cols.scalars.map { Int($0) },
            pixels: px.scalars.map { $0 != 0 ? 1 : 0 })
        let inference = ViTInference(network: classifier.network)
        func once() -> [Float] { inference.logits(tokens, compact: compact) }
        var maxDiff: Float?
        if let peer = tensors["input\(n).logits"] {
            let mine = once()
            var d: Float = 0
            for i in 0..<peer.count { d = Swift.max(d, abs(mine[i] - peer.pointer[i])) }
            maxDiff = d
        }
        for _ in 0..<warmup { _ = once() }
        var ms: [Double] = []
        for _ in 0..<Swift.max(1, iterations) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = once()
            ms.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        ms.sort()
        let q = { (f: Double) in ms[Swift.min(ms.count - 1, Int(Double(ms.count - 1) * f))] }
        return Row(
            tokens: n, compact: compact, medianMilliseconds: q(0.5), p25Milliseconds: q(0.25),
            p75Milliseconds: q(0.75), maxLogitDifference: maxDiff)
    }
}
