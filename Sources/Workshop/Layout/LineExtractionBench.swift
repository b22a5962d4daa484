import Arena
import Foundation
import Imaging
import LayoutReader
import TensorKit

/// The line extractor's benchmark (`layout unet-bench`): quality on held-out arena frames against
/// the colour-threshold baseline, live updates on a growing stitched 4K map, and the original
/// layout reader's network per 64-tile batch.
public enum LineExtractionBench {
    /// The frames a quality row is measured on: an effects level in one appearance.
    public struct FrameKind: Hashable, Sendable {
        public var effects: MapEffects
        public var appearance: MapAppearance
        public init(_ effects: MapEffects, _ appearance: MapAppearance) {
            self.effects = effects
            self.appearance = appearance
        }
        /// "normal", "heavy varied".
        public var label: String { effects.rawValue + (appearance == .arena ? "" : " " + appearance.rawValue) }
        /// The kinds ``quality(_:frames:kinds:)`` measures by default.
        public static let all = [
            FrameKind(.normal, .arena), FrameKind(.heavy, .arena), FrameKind(.normal, .varied),
            FrameKind(.heavy, .varied),
        ]
    }

    /// Precision, recall and IoU of one extractor on one kind of frame.
    public struct QualityRow: Sendable {
        public var kind: FrameKind
        public var effects: MapEffects { kind.effects }
        public var extractor: String
        public var isBaseline: Bool
        public var score: LineScore
    }

    /// The quality of `extractor` and of the colour threshold on `frames` held-out frames per class
    /// and kind (instances 9000+; effects normal and heavy; the arena's look and looks varied per
    /// frame from ``LineFrameSet/testLookSeed``, which training never draws from).
    /// - Returns: the rows, milliseconds per full frame for each kind, and the comparison picture
    ///   of one heavy frame with enough lines in the arena's look (`picture`) and in a varied look.
    public static func quality(
        _ extractor: UNetLineExtractor, frames: Int, kinds: [FrameKind] = FrameKind.all
    ) throws -> (
        rows: [QualityRow], milliseconds: [FrameKind: Double], frameCount: [FrameKind: Int], picture: Image?,
        variedPicture: Image?
    ) {
        let baseline = ColorThresholdLineExtractor()
        var rows: [QualityRow] = []
        var ms: [FrameKind: Double] = [:]
        var counts: [FrameKind: Int] = [:]
        var pictures: [MapAppearance: Image] = [:]
        for kind in kinds {
            let set = try LineFrameSet.make(
                seeds: LineFrameSet.seeds(.test, count: 1), effects: [kind.effects], frames: frames,
                appearances: [kind.appearance], lookSeed: LineFrameSet.testLookSeed)
            var u = LineScore()
            var c = LineScore()
            var times: [Double] = []
            for f in set {
                let o = GridPoint(x: f.image.width / 2, y: f.image.height / 2)
                extractor.reset()
                let mask = try extractor.lines(of: f.image, origin: o, scale: 1)
                times.append((extractor.lastUpdate?.seconds ?? 0) * 1000)
                u.add(predicted: mask.values, truth: f.lines)
                let cm = try baseline.lines(of: f.image, origin: o, scale: 1)
                c.add(predicted: cm.values, truth: f.lines)
                if kind.effects == .heavy, pictures[kind.appearance] == nil, f.lines.reduce(0, { $0 + Int($1) }) > 2000
                {
                    pictures[kind.appearance] = comparison(
                        f.image, truth: f.lines, unet: mask.values, colour: cm.values)
                }
            }
            rows.append(QualityRow(kind: kind, extractor: extractor.name, isBaseline: false, score: u))
            rows.append(QualityRow(kind: kind, extractor: baseline.name, isBaseline: true, score: c))
            ms[kind] = times.median
            counts[kind] = set.count
        }
        return (rows, ms, counts, pictures[.arena], pictures[.varied])
    }

    /// The original layout reader's network (random weights) on 64 tiles of 32x32x3.
    public struct OriginalNetworkRun {
        public var network: AttentionUNet
        public var input: Tensor
        public var logits: Tensor
        /// Seconds per batch, one entry per timed run.
        public var seconds: [Double]
        public var kernelSummary: String
        /// Seconds by step of the last run.
        public var timings: [String: Double]
    }

    /// Times `batches` batches of the original network after one untimed run.
    public static func originalNetwork(batches: Int) -> OriginalNetworkRun {
        let net = AttentionUNet(.seed, seed: 7)
        net.eval()
        let plan = UNetInferencePlan(net)
        var rng = SeededGenerator(seed: 11)
        let x = Tensor.normal([64, 32, 32, 3], using: &rng)
        var logits = plan.logits(x)
        var secs: [Double] = []
        for _ in 0..<batches {
            let t0 = DispatchTime.now().uptimeNanoseconds
            logits = plan.logits(x)
            secs.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return OriginalNetworkRun(
            network: net, input: x, logits: logits, seconds: secs, kernelSummary: plan.kernelSummary,
            timings: plan.timings)
    }

    /// The live-update run of one stale-tile budget.
    public struct LiveRun: Sendable {
        public var times: [Double] = []
        public var medianTiles = 0, medianChanged = 0, refreshes = 0, maxStaleLeft = 0
        public var size = (0, 0)
        public var extraUpdates = 0
        public var equalsFullPass = false
        /// Per update: pixels where the mask differs from a full pass with the statistics in force,
        /// over that full pass's line pixels (only with a limited stale budget).
        public var mismatch: [Double] = []
    }

    /// The map game at 3840×2160 (hub, seed 9100, normal effects), one capture a second stitched,
    /// the extractor run after every capture; the first update (all tiles new) is not timed. Then
    /// updates on the final map until no stale tile is left, compared with a full pass.
    public static func liveUpdates(model: URL?, budget: UNetStaleTileBudget, updates: Int) throws -> LiveRun {
        let live =
            try model.map { try UNetLineExtractor(contentsOf: $0, staleBudget: budget) }
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
    public static func comparison(_ img: Image, truth: [UInt8], unet: [UInt8], colour: [UInt8]) -> Image {
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
