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
            trained on (seeds 9000+), at effects normal and heavy, against the arena's exact wall masks.

            2. Live updates: the map game at 3840x2160 with normal effects, one capture a second \
            stitched into the growing map; each update runs the extractor on the whole stitched \
            map (4K scale, halved to the original layout reader's scale) incrementally; milliseconds per update, with \
            the default stale-tile budget and with every stale tile rerun at once; then updates on \
            the final map until no stale tile is left, checked against a full pass.

            3. The original layout reader's network (8,173,099 parameters, random weights) on batches of 64 tiles \
            (64x32x32x3): median seconds per batch; --weights-out saves the weights, one input \
            batch and TensorKit's logits for the peers (Benchmarks/unet_peers.py: PyTorch and ONNX \
            Runtime on the same weights and threads).

            --picture writes map | truth | UNet mask | colour-threshold mask of one heavy frame.

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
        let extractor =
            try model.map { try UNetLineExtractor(contentsOf: URL(fileURLWithPath: $0), normalization: .exact) }
            ?? UNetLineExtractor.loadDefault(normalization: .exact)
        let baseline = ColorThresholdLineExtractor()
        var figures: [String: Any] = [
            "model": extractor.name, "network": "\(extractor.network.configuration)",
            "parameters": extractor.network.parameterCount, "threads": Parallel.threadCount,
            "avx512": DirectConv.useAVX512,
        ]
        print(
            "UNet \(extractor.name): \(extractor.network.configuration), \(extractor.network.parameterCount) parameters; \(Parallel.threadCount) threads; \(DirectConv.useAVX512 ? "AVX-512" : "AVX2") kernels"
        )
        // 1. Quality on held-out frames.
        print("Quality on held-out arena frames (seeds 9000+, \(frames) frames per class and level):")
        print("  effects  extractor          precision  recall   IoU")
        var pictureDone = false
        for level in [MapEffects.normal, .heavy] {
            let set = try LineFrameSet.make(
                seeds: LineFrameSet.seeds(.test, count: 1), effects: [level], frames: frames)
            var u = LineScore()
            var c = LineScore()
            var ms: [Double] = []
            for f in set {
                let o = GridPoint(x: f.image.width / 2, y: f.image.height / 2)
                extractor.reset()
                let mask = try extractor.lines(of: f.image, origin: o, scale: 1)
                ms.append((extractor.lastUpdate?.seconds ?? 0) * 1000)
                u.add(predicted: mask.values, truth: f.lines)
                let cm = try baseline.lines(of: f.image, origin: o, scale: 1)
                c.add(predicted: cm.values, truth: f.lines)
                if level == .heavy, !pictureDone, let picture, f.lines.reduce(0, { $0 + Int($1) }) > 2000 {
                    try PNG.write(
                        LayoutUNetBench.comparison(f.image, truth: f.lines, unet: mask.values, colour: cm.values),
                        path: picture)
                    pictureDone = true
                }
            }
            for (name, s) in [(extractor.name, u), (baseline.name, c)] {
                let label =
                    "  " + level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0) + "  "
                    + name.padding(toLength: 17, withPad: " ", startingAt: 0)
                print(label + String(format: "  %.3f      %.3f    %.3f", s.precision, s.recall, s.iou))
                figures["quality.\(level.rawValue).\(name == baseline.name ? "colour" : "unet")"] = [
                    "precision": s.precision, "recall": s.recall, "iou": s.iou,
                ]
            }
            print(
                String(
                    format: "  (%d frames of 600x600; %.0f ms per full frame)", set.count, ms.median))
        }
        if let picture { print(pictureDone ? "Picture: \(picture)" : "Picture: no heavy frame with enough lines") }
        // 2. Live updates on a growing stitched map: the default stale-tile budget, and every stale
        // tile at once (the original layout reader's behaviour) on the same frames.
        if updates > 0 {
            var live: [String: Any] = [:]
            for (label, budget) in [("live", UNetStaleTileBudget.live), ("all", UNetStaleTileBudget.all)] {
                let r = try liveUpdates(budget: budget)
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
            figures["live"] = live
        }
        // 3. The original layout reader's network per 64-tile batch.
        if seedBatches > 0 {
            let net = AttentionUNet(.seed, seed: 7)
            net.eval()
            let plan = UNetInferencePlan(net)
            var rng = SeededGenerator(seed: 11)
            let x = Tensor.normal([64, 32, 32, 3], using: &rng)
            var logits = plan.logits(x)
            var secs: [Double] = []
            for _ in 0..<seedBatches {
                let t0 = DispatchTime.now().uptimeNanoseconds
                logits = plan.logits(x)
                secs.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            let med = secs.median
            print(
                String(
                    format: "Seed network (8,173,099 parameters), 64 tiles of 32x32x3: median %.3f s over %d runs (",
                    med,
                    seedBatches) + plan.kernelSummary + ")")
            let parts = plan.timings.sorted { $0.value > $1.value }
                .map { "\($0.key) " + String(format: "%.0f ms", $0.value * 1000) }
            print("  time by step (last run): " + parts.joined(separator: ", "))
            figures["seed_batch_seconds"] = med
            figures["seed_batch_runs"] = secs
            figures["kernels"] = plan.kernelSummary
            if let weightsOut {
                var tensors = net.stateDict()
                tensors["__input"] = x
                tensors["__logits"] = logits
                try SafeTensors.write(.init(tensors: tensors), to: URL(fileURLWithPath: weightsOut))
            }
        }
        if let json {
            let data = try JSONSerialization.data(withJSONObject: figures, options: [.prettyPrinted, .sortedKeys])
            do { try data.write(to: URL(fileURLWithPath: json)) } catch {
                throw CLIError("cannot write \(json): \(error.localizedDescription)")
            }
        }
    }

    struct LiveRun {
        var times: [Double] = []
        var medianTiles = 0, medianChanged = 0, refreshes = 0, maxStaleLeft = 0
        var size = (0, 0)
        var extraUpdates = 0
        var equalsFullPass = false
        /// Per update: pixels where the mask differs from a full pass with the statistics in force,
        /// over that full pass's line pixels (only with a limited stale budget).
        var mismatch: [Double] = []
    }

    /// The map game at 3840×2160 (hub, seed 9100, normal effects), one capture a second stitched,
    /// the extractor run after every capture; the first update (all tiles new) is not timed. Then
    /// updates on the final map until no stale tile is left, compared with a full pass.
    func liveUpdates(budget: UNetStaleTileBudget) throws -> LiveRun {
        let live =
            try model.map { try UNetLineExtractor(contentsOf: URL(fileURLWithPath: $0), staleBudget: budget) }
            ?? UNetLineExtractor.loadDefault(staleBudget: budget)
        let layout = MapLayout(layoutClass: .hub, seed: 9100)
        let world = MapWorld(layout: layout, effects: .normal, seed: 9100)
        world.hardCases = false
        let explorer = try MapExplorer(layout: layout, seed: 9100)
        let view = MapView(screenWidth: 3840, screenHeight: 2160)
        let stitcher = MinimapStitcher()
        var run = LiveRun()
        var tiles: [Int] = []
        var changed: [Int] = []
        var last: (Image, GridPoint)?
        for k in 0..<updates {
            for _ in 0..<30 {
                world.held = explorer.keys(player: world.player, time: world.time)
                world.step(1.0 / 30)
            }
            let frame = MapRenderer.image(world, view: view, rect: view.captureRect, frameIndex: k)
            _ = stitcher.add(frame)
            let (map, ox, oy) = stitcher.stitchedMap()
            let mask = try live.lines(of: map, origin: GridPoint(x: ox, y: oy), scale: view.scale)
            last = (map, GridPoint(x: ox, y: oy))
            guard let r = live.lastUpdate else { continue }
            if k > 0, budget != .all {
                // Not timed: how far the mask is from a full pass with the statistics in force.
                let full = try UNetLineExtractor(
                    network: live.network, normalization: .fixed(mean: r.mean, std: r.std), cleanup: live.cleanup
                ).lines(of: map, origin: GridPoint(x: ox, y: oy), scale: view.scale)
                var differ = 0
                for i in full.values.indices where full.values[i] != mask.values[i] { differ += 1 }
                run.mismatch.append(Double(differ) / Double(max(1, full.lineCount)))
            }
            if k > 0 {
                run.times.append(r.seconds * 1000)
                tiles.append(r.tilesRun)
                changed.append(r.tilesChanged)
                if r.statisticsRefreshed { run.refreshes += 1 }
                run.maxStaleLeft = max(run.maxStaleLeft, r.staleTilesLeft)
            }
            run.size = (map.width, map.height)
        }
        run.medianTiles = tiles.isEmpty ? 0 : tiles.sorted()[tiles.count / 2]
        run.medianChanged = changed.isEmpty ? 0 : changed.sorted()[changed.count / 2]
        if let (map, origin) = last {
            var mask = try live.lines(of: map, origin: origin, scale: view.scale)
            run.extraUpdates = 1
            while let r = live.lastUpdate, r.staleTilesLeft > 0 || r.tilesRun > 0, run.extraUpdates < 1000 {
                mask = try live.lines(of: map, origin: origin, scale: view.scale)
                run.extraUpdates += 1
            }
            if let r = live.lastUpdate {
                let full = UNetLineExtractor(
                    network: live.network, normalization: .fixed(mean: r.mean, std: r.std), cleanup: live.cleanup)
                run.equalsFullPass = try full.lines(of: map, origin: origin, scale: view.scale) == mask
            }
        }
        return run
    }

    /// The centre 300×300 of a frame: picture | truth | UNet | colour threshold, with labels.
    static func comparison(_ img: Image, truth: [UInt8], unet: [UInt8], colour: [UInt8]) -> Image {
        let s = 300
        let x0 = (img.width - s) / 2
        let y0 = (img.height - s) / 2
        var out = Image(width: 4 * s + 30, height: s + 24, color: [255, 255, 255])
        let crop = (try? img.cropped(x: x0, y: y0, width: s, height: s)) ?? img
        out.draw(crop, atX: 0, y: 24)
        for (k, (mask, name)) in [(truth, "TRUTH"), (unet, "UNET"), (colour, "COLOUR THRESHOLD")].enumerated() {
            var m = Image(width: s, height: s)
            m.pixels.withUnsafeMutableBufferPointer { px in
                for y in 0..<s {
                    for x in 0..<s {
                        let i = (y0 + y) * img.width + x0 + x
                        let t = truth[i] != 0
                        let p = mask[i] != 0
                        let d = 3 * (y * s + x)
                        // White: line (both for truth); for predictions green = right, red = wrong, blue = missed.
                        let c: (UInt8, UInt8, UInt8) =
                            k == 0
                            ? (t ? (255, 255, 255) : (0, 0, 0))
                            : (p && t ? (90, 230, 90) : p ? (240, 60, 50) : t ? (40, 90, 255) : (0, 0, 0))
                        px[d] = c.0
                        px[d + 1] = c.1
                        px[d + 2] = c.2
                    }
                }
            }
            out.draw(m, atX: (k + 1) * (s + 10), y: 24)
            out.drawText(name, x: (k + 1) * (s + 10) + 4, y: 4, color: [30, 30, 30], scale: 2)
        }
        out.drawText("FRAME", x: 4, y: 4, color: [30, 30, 30], scale: 2)
        return out
    }
}
