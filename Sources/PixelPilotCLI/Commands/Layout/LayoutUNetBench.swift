import ArgumentParser
import Arena
import Foundation
import Workshop
import Imaging
import LayoutReader
import TensorKit

struct LayoutUNetBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unet-bench",
        abstract:
            "Line-extraction benchmark: quality on held-out frames, live update time, the original network's speed.",
        discussion: """
            1. Quality: line precision, recall and IoU of the UNet (--model, default: the committed \
            small model) and of the colour-threshold baseline on arena frames of instances never \
            trained on (seeds 9000+), at effects normal and heavy, in the arena's own look and in \
            looks varied per frame around the real game's (colours, widths, grounds, zoom, noise, \
            blur, JPEG; drawn from a random seed that training never uses), against the arena's exact \
            wall masks.

            2. Live updates: the map game at 3840x2160 with normal effects, one capture a second \
            stitched into the growing map; each update runs the extractor on the whole stitched \
            map (4K scale, halved to the original layout reader's scale) incrementally; milliseconds per update, with \
            the default stale-tile budget and with every stale tile rerun at once; then updates on \
            the final map until no stale tile is left, checked against a full pass.

            3. The original layout reader's network (8,173,099 parameters, random weights) on batches of 64 tiles \
            (64x32x32x3): median seconds per batch; --weights-out saves the weights, one input \
            batch and TensorKit's logits for the peers (Benchmarks/unet_peers.py: PyTorch and ONNX \
            Runtime on the same weights and threads).

            --picture writes map | truth | UNet mask | colour-threshold mask of one heavy frame, \
            and beside it NAME-varied.png of one in a varied look.

            Example: pixelpilot layout unet-bench --picture docs/unet-lines.png
            """)

    @Option(help: "UNet model file (default: the committed small model).")
    var model: String?

    @Option(parsing: .unconditional, help: "Held-out frames per layout class and effects level.")
    var frames = 3

    @Option(parsing: .unconditional, help: "Live updates (one per second of play).")
    var updates = 40

    @Option(parsing: .unconditional, help: "Timed batches of the original layout reader's network (0: skip).")
    var seedBatches = 5

    @Option(
        help: "Save the original layout reader network's weights, input and logits here (safetensors) for the peers.")
    var weightsOut: String?

    @Option(help: "Write the comparison picture here (PNG).")
    var picture: String?

    @Option(help: "Write the figures as JSON here.")
    var json: String?

    func validate() throws {
        guard (1...50).contains(frames) else { throw ValidationError("--frames must be 1...50, got \(frames)") }
        guard (0...600).contains(updates) else { throw ValidationError("--updates must be 0...600, got \(updates)") }
        guard (0...100).contains(seedBatches) else {
            throw ValidationError("--seed-batches must be 0...100, got \(seedBatches)")
        }
    }

    func run() throws {
        let modelURL = model.map { URL(fileURLWithPath: $0) }
        let extractor =
            try modelURL.map { try UNetLineExtractor(contentsOf: $0, normalization: .exact) }
            ?? UNetLineExtractor.loadDefault(normalization: .exact)
        var figures: [String: Any] = [
            "model": extractor.name, "network": "\(extractor.network.configuration)",
            "parameters": extractor.network.parameterCount, "threads": Parallel.threadCount,
            "avx512": DirectConv.useAVX512,
        ]
        print(
            "UNet \(extractor.name): \(extractor.network.configuration), \(extractor.network.parameterCount) parameters; \(Parallel.threadCount) threads; \(DirectConv.useAVX512 ? "AVX-512" : "AVX2") kernels"
        )
        print("Quality on held-out arena frames (seeds 9000+, \(frames) frames per class and level):")
        print("  frames         extractor          precision  recall   IoU")
        let quality = try LineExtractionBench.quality(extractor, frames: frames)
        for kind in LineExtractionBench.FrameKind.all {
            for row in quality.rows where row.kind == kind {
                let s = row.score
                print(
                    "  " + kind.label.padding(toLength: 13, withPad: " ", startingAt: 0) + "  "
                        + row.extractor.padding(toLength: 17, withPad: " ", startingAt: 0)
                        + String(format: "  %.3f      %.3f    %.3f", s.precision, s.recall, s.iou))
                let key = kind.label.replacingOccurrences(of: " ", with: "-")
                figures["quality.\(key).\(row.isBaseline ? "colour" : "unet")"] = [
                    "precision": s.precision, "recall": s.recall, "iou": s.iou,
                ]
            }
            print(
                String(
                    format: "  (%d frames of 600x600; %.0f ms per full frame)", quality.frameCount[kind] ?? 0,
                    quality.milliseconds[kind] ?? 0))
        }
        if let picture {
            let varied = (picture as NSString).deletingPathExtension + "-varied.png"
            for (image, path) in [(quality.picture, picture), (quality.variedPicture, varied)] {
                if let image { try PNG.write(image, path: path) }
                print(image != nil ? "Picture: \(path)" : "Picture: no heavy frame with enough lines for \(path)")
            }
        }
        if updates > 0 { figures["live"] = try printLiveUpdates(model: modelURL) }
        if seedBatches > 0 { try printOriginalNetwork(into: &figures) }
        if let json {
            let data = try JSONSerialization.data(withJSONObject: figures, options: [.prettyPrinted, .sortedKeys])
            do { try data.write(to: URL(fileURLWithPath: json)) } catch {
                throw CLIError("cannot write \(json): \(error.localizedDescription)")
            }
        }
    }

    /// Live updates on a growing stitched map: the default stale-tile budget, and every stale tile
    /// at once (the original layout reader's behaviour) on the same frames.
    func printLiveUpdates(model: URL?) throws -> [String: Any] {
        var live: [String: Any] = [:]
        for (label, budget) in [("live", UNetStaleTileBudget.live), ("all", UNetStaleTileBudget.all)] {
            let r = try LineExtractionBench.liveUpdates(model: model, budget: budget, updates: updates)
            print(
                String(
                    format:
                        "Live updates, stale budget %@ (%d, 4K capture, stitched map grew to %dx%d): median %.0f ms, max %.0f ms; median %d tiles run (%d changed); %d statistics refreshes; at most %d stale tiles waiting",
                    label, r.times.count, r.size.0, r.size.1, r.times.median,
                    r.times.max() ?? .nan, r.medianTiles, r.medianChanged, r.refreshes, r.maxStaleLeft))
            if !r.mismatch.isEmpty {
                print(
                    String(
                        format:
                            "  mask against a full pass with the statistics in force: differing pixels median %.2f %%, max %.2f %% of its line pixels; equal in %d of %d updates",
                        r.mismatch.median * 100, (r.mismatch.max() ?? 0) * 100,
                        r.mismatch.filter { $0 == 0 }.count, r.mismatch.count))
            }
            print(
                "  the final map: \(r.extraUpdates) more updates without new frames until no stale tile was left; then equal to a full pass with the statistics in force: \(r.equalsFullPass ? "yes" : "NO")"
            )
            live[label] = [
                "updates": r.times.count, "median_ms": r.times.isEmpty ? 0 : r.times.median,
                "max_ms": r.times.max() ?? 0, "times_ms": r.times,
                "median_tiles": r.medianTiles, "median_changed": r.medianChanged, "refreshes": r.refreshes,
                "max_stale_left": r.maxStaleLeft, "map": [r.size.0, r.size.1], "extra_updates": r.extraUpdates,
                "equals_full_pass": r.equalsFullPass, "mismatch": r.mismatch,
            ]
        }
        return live
    }

    /// The original layout reader's network per 64-tile batch; with --weights-out, its weights for the peers.
    func printOriginalNetwork(into figures: inout [String: Any]) throws {
        let r = LineExtractionBench.originalNetwork(batches: seedBatches)
        let med = r.seconds.median
        print(
            String(
                format: "Seed network (8,173,099 parameters), 64 tiles of 32x32x3: median %.3f s over %d runs (",
                med, seedBatches) + r.kernelSummary + ")")
        let parts = r.timings.sorted { $0.value > $1.value }
            .map { "\($0.key) " + String(format: "%.0f ms", $0.value * 1000) }
        print("  time by step (last run): " + parts.joined(separator: ", "))
        figures["seed_batch_seconds"] = med
        figures["seed_batch_runs"] = r.seconds
        figures["kernels"] = r.kernelSummary
        if let weightsOut {
            var tensors = r.network.stateDict()
            tensors["__input"] = r.input
            tensors["__logits"] = r.logits
            try SafeTensors.write(.init(tensors: tensors), to: URL(fileURLWithPath: weightsOut))
        }
    }
}
