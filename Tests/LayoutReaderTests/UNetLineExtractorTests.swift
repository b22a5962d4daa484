import Arena
import Foundation
import Imaging
import LayoutReader
import TensorKit
import XCTest

/// The UNet line extractor: the seed's cleanup, tiles anchored to the origin, incremental updates
/// against full passes, the colour-threshold baseline, model files, and the committed default
/// model on held-out arena frames.
final class UNetLineExtractorTests: XCTestCase {
    /// A map-like picture: dark noisy ground with lavender strokes, `w`×`h`.
    func picture(_ w: Int, _ h: Int, seed: UInt64) -> Image {
        var rng = SeededGenerator(seed: seed)
        var img = Image(width: w, height: h)
        img.pixels.withUnsafeMutableBufferPointer { px in
            for i in 0..<(w * h) {
                let v = rng.nextUniform() * 20
                px[3 * i] = UInt8(35 + v)
                px[3 * i + 1] = UInt8(40 + v)
                px[3 * i + 2] = UInt8(55 + v)
            }
        }
        for k in 0..<8 {
            let y = 10 + k * (h - 20) / 8
            img.fillRect(x: 5 + 7 * k, y: y, width: w / 2, height: 3, color: [128, 130, 178])
        }
        return img
    }

    /// `img` grown by `left`/`top` black pixels (the stitched map growing up and left), and
    /// `right`/`bottom` more.
    func grown(_ img: Image, left: Int, top: Int, right: Int, bottom: Int) -> Image {
        var out = Image(width: img.width + left + right, height: img.height + top + bottom)
        out.draw(img, atX: left, y: top)
        return out
    }

    func tinyNetwork() -> AttentionUNet {
        let net = AttentionUNet(AttentionUNetConfiguration(depth: 2, midChannels: 8), seed: 4)
        // Non-trivial norms and biases, and a head bias at the median logit margin of a picture,
        // so the random network's mask is mixed.
        for (k, p) in net.namedParameters() where p.rank == 1 {
            var rng = SeededGenerator(seed: UInt64(k.count))
            p.assign(Tensor.uniform(p.shape, low: -0.8, high: 0.8, using: &rng))
        }
        net.eval()
        let img = picture(64, 64, seed: 9)
        let (mean, std) = UNetLineExtractor.channelStatistics(img)
        let x = Tensor(
            shape: [1, 64, 64, 3], scalars: img.pixels.enumerated().map { (Float($1) - mean[$0 % 3]) / std[$0 % 3] })
        let y = GradMode.withoutGrad { net(x) }
        let margins = (0..<(64 * 64)).map { y.pointer[2 * $0 + 1] - y.pointer[2 * $0] }.sorted()
        net.head.bias!.pointer[1] -= margins[margins.count / 2]
        return net
    }

    func testSparsePixelCleanupHandCases() {
        // 20×20: an isolated pixel, a 4×3 block (12 pixels: each has 11 others in its window), and a
        // 3×3 block (each has 8 others: below the threshold of 10).
        let w = 20
        var m = [UInt8](repeating: 0, count: w * w)
        m[2 * w + 2] = 1
        for y in 10..<13 { for x in 10..<14 { m[y * w + x] = 1 } }
        var small = [UInt8](repeating: 0, count: w * w)
        for y in 0..<3 { for x in 17..<20 { small[y * w + x] = 1 } }
        var both = m
        for i in both.indices where small[i] != 0 { both[i] = 1 }
        SparsePixelCleanup().apply(&both, width: w, height: w)
        XCTAssertEqual(both[2 * w + 2], 0, "isolated pixel removed")
        XCTAssertEqual((10..<13).flatMap { y in (10..<14).map { both[y * w + $0] } }, [UInt8](repeating: 1, count: 12))
        XCTAssertEqual(
            both.reduce(0) { $0 + Int($1) }, 12, "the 3x3 block in the corner (8 neighbours each) is removed")
        // Threshold 8 keeps the corner block: counts exclude the pixel itself and see no padding.
        var corner = small
        SparsePixelCleanup(window: 15, threshold: 8).apply(&corner, width: w, height: w)
        XCTAssertEqual(corner, small)
    }

    func testColourThresholdFindsLavenderLines() throws {
        let img = picture(120, 90, seed: 1)
        let mask = try ColorThresholdLineExtractor().lines(of: img, origin: GridPoint(x: 10, y: 10), scale: 1)
        XCTAssertEqual(mask.width, 120)
        XCTAssertEqual(mask.values[11 * 120 + 20], 1)
        XCTAssertEqual(mask.values[5 * 120 + 100], 0)
        XCTAssertEqual(mask.lineCount, 8 * 60 * 3)
    }

    /// The docs' promise: with every stale tile rerun at once (`.all`), each update's mask equals a
    /// full pass with the statistics in force; with a limited stale budget it does whenever no
    /// stale tile is left (and always on the tiles that changed: see
    /// `testChangedTilesRunAtOnceAndStaleTilesConvergeToAFullPass`).
    func testIncrementalUpdatesEqualFullPasses() throws {
        let net = tinyNetwork()
        let base = picture(150, 110, seed: 2)
        var changed = grown(base, left: 37, top: 45, right: 20, bottom: 0)
        changed.fillRect(x: 60, y: 70, width: 9, height: 5, color: [140, 140, 190])
        let steps: [(Image, GridPoint)] = [
            (base, GridPoint(x: 70, y: 50)),
            (grown(base, left: 37, top: 45, right: 20, bottom: 0), GridPoint(x: 107, y: 95)),
            (changed, GridPoint(x: 107, y: 95)),
        ]
        for normalization in [
            UNetNormalization.fixed(mean: [45, 50, 65], std: [20, 20, 25]), .exact, .refreshed(tolerance: 0.5),
        ] {
            for cleanup in [nil, SparsePixelCleanup()] {
                for budget in [UNetStaleTileBudget.all, UNetStaleTileBudget(tiles: 2)] {
                    let live = UNetLineExtractor(
                        network: net, normalization: normalization, cleanup: cleanup, staleBudget: budget)
                    for (i, (img, origin)) in steps.enumerated() {
                        let incremental = try live.lines(of: img, origin: origin, scale: 1)
                        let report = try XCTUnwrap(live.lastUpdate)
                        // A fresh extractor with the statistics the live one used: a full pass.
                        let full = UNetLineExtractor(
                            network: net, normalization: .fixed(mean: report.mean, std: report.std), cleanup: cleanup)
                        let want = try full.lines(of: img, origin: origin, scale: 1)
                        XCTAssertEqual(full.lastUpdate?.tilesRun, full.lastUpdate?.tiles)
                        XCTAssertGreaterThan(want.lineCount, 0)
                        XCTAssertLessThan(want.lineCount, img.width * img.height)
                        if budget == .all { XCTAssertEqual(report.staleTilesLeft, 0) }
                        if report.staleTilesLeft == 0 {
                            XCTAssertEqual(incremental, want, "\(normalization) \(budget) step \(i)")
                        }
                        if i == 2 {
                            // Only the tiles under the changed rectangle changed.
                            XCTAssertLessThanOrEqual(report.tilesChanged, 4, "\(normalization)")
                            if !report.statisticsRefreshed, budget == .all {
                                XCTAssertLessThanOrEqual(report.tilesRun, 4, "\(normalization)")
                            }
                        }
                        if case .exact = normalization, budget == .all {
                            let seed = try UNetLineExtractor(network: net, normalization: .exact, cleanup: cleanup)
                                .lines(of: img, origin: origin, scale: 1)
                            XCTAssertEqual(incremental, seed, "exact statistics: identical to a fresh full pass")
                        }
                    }
                }
            }
        }
        // With fixed statistics, growing the map reruns only the new tiles (the old ones are kept).
        let live = UNetLineExtractor(network: net, normalization: .fixed(mean: [45, 50, 65], std: [20, 20, 25]))
        _ = try live.lines(of: steps[0].0, origin: steps[0].1, scale: 1)
        let first = try XCTUnwrap(live.lastUpdate)
        _ = try live.lines(of: steps[1].0, origin: steps[1].1, scale: 1)
        let second = try XCTUnwrap(live.lastUpdate)
        XCTAssertEqual(first.tilesRun, first.tiles)
        XCTAssertLessThan(
            second.tilesRun, second.tiles - first.tiles + 8, "tiles kept across growth: \(first) \(second)")
    }

    /// Tiles of `b` (x, y in tile units from the origin) that `a` had not, or whose 32×32 pixels
    /// differ between `a` and `b` (each seen around its origin; pixels outside a map are black),
    /// and how many tiles `b` has. Computed here independently of the extractor.
    func changedTiles(_ a: Image, _ oa: GridPoint, _ b: Image, _ ob: GridPoint) -> (Set<[Int]>, Int) {
        func px(_ img: Image, _ o: GridPoint, _ x: Int, _ y: Int) -> [UInt8] {
            let ix = x + o.x
            let iy = y + o.y
            guard ix >= 0, iy >= 0, ix < img.width, iy < img.height else { return [0, 0, 0] }
            let i = (iy * img.width + ix) * img.channels
            return Array(img.pixels[i..<(i + 3)])
        }
        func fdiv(_ v: Int) -> Int { v >= 0 ? v / 32 : -((-v + 31) / 32) }
        var out = Set<[Int]>()
        var count = 0
        let had = (fdiv(-oa.x)...fdiv(a.width - 1 - oa.x), fdiv(-oa.y)...fdiv(a.height - 1 - oa.y))
        for ty in fdiv(-ob.y)...fdiv(b.height - 1 - ob.y) {
            for tx in fdiv(-ob.x)...fdiv(b.width - 1 - ob.x) {
                count += 1
                if !had.0.contains(tx) || !had.1.contains(ty) {
                    out.insert([tx, ty])
                    continue
                }
                search: for y in (ty * 32)..<(ty * 32 + 32) {
                    for x in (tx * 32)..<(tx * 32 + 32) where px(a, oa, x, y) != px(b, ob, x, y) {
                        out.insert([tx, ty])
                        break search
                    }
                }
            }
        }
        return (out, count)
    }

    /// With a limited stale budget: an update that moves the statistics still runs every changed
    /// tile at once with the new statistics (its mask there equals a full pass's), reruns at most
    /// the budget of stale tiles, keeps the old masks elsewhere, and, the map staying the same,
    /// converges to exactly a full pass with the current statistics in ceil(stale / budget) updates.
    func testChangedTilesRunAtOnceAndStaleTilesConvergeToAFullPass() throws {
        let net = tinyNetwork()
        let base = picture(150, 110, seed: 2)
        let o0 = GridPoint(x: 70, y: 50)
        var next = grown(base, left: 37, top: 45, right: 20, bottom: 0)
        next.fillRect(x: 60, y: 70, width: 9, height: 5, color: [140, 140, 190])
        next.fillRect(x: 150, y: 120, width: 30, height: 4, color: [150, 150, 200])
        let o1 = GridPoint(x: 107, y: 95)
        for budget in [UNetStaleTileBudget(tiles: 3), UNetStaleTileBudget(seconds: 0, minimumTiles: 3)] {
            let live = UNetLineExtractor(network: net, normalization: .exact, cleanup: nil, staleBudget: budget)
            _ = try live.lines(of: base, origin: o0, scale: 1)
            let first = try XCTUnwrap(live.lastUpdate)
            XCTAssertEqual(first.tilesChanged, first.tiles, "a new map: every tile is new")
            XCTAssertEqual(first.staleTilesLeft, 0)
            let (changed, tiles) = changedTiles(base, o0, next, o1)
            XCTAssertFalse(changed.isEmpty)
            var mask = try live.lines(of: next, origin: o1, scale: 1)
            var report = try XCTUnwrap(live.lastUpdate)
            XCTAssertTrue(report.statisticsRefreshed, "the grown map has other statistics")
            XCTAssertEqual(report.tiles, tiles)
            XCTAssertEqual(report.tilesChanged, changed.count, "\(report)")
            XCTAssertEqual(report.staleTilesRun, 3, "the budget")
            let kept = tiles - changed.count
            XCTAssertGreaterThan(kept, 10)
            XCTAssertEqual(report.staleTilesRun + report.staleTilesLeft, kept, "every kept unchanged tile is stale")
            let full = try UNetLineExtractor(
                network: net, normalization: .fixed(mean: report.mean, std: report.std), cleanup: nil
            ).lines(of: next, origin: o1, scale: 1)
            XCTAssertEqual(mask.origin, full.origin)
            XCTAssertNotEqual(mask, full, "stale tiles still hold masks made with the old statistics")
            for t in changed {
                for y in max(0, t[1] * 32 + o1.y)..<min(next.height, t[1] * 32 + 32 + o1.y) {
                    for x in max(0, t[0] * 32 + o1.x)..<min(next.width, t[0] * 32 + 32 + o1.x)
                    where mask.values[y * mask.width + x] != full.values[y * full.width + x] {
                        return XCTFail("changed tile \(t) differs from the full pass at \(x), \(y)")
                    }
                }
            }
            // The map stays the same: each update reruns 3 more stale tiles until none is left.
            var updates = 0
            var left = report.staleTilesLeft
            while report.staleTilesLeft > 0 {
                mask = try live.lines(of: next, origin: o1, scale: 1)
                report = try XCTUnwrap(live.lastUpdate)
                updates += 1
                XCTAssertFalse(report.statisticsRefreshed)
                XCTAssertEqual(report.tilesChanged, 0)
                XCTAssertEqual(report.staleTilesRun, min(3, left))
                XCTAssertEqual(report.staleTilesLeft, left - report.staleTilesRun)
                left = report.staleTilesLeft
                guard updates < 100 else { return XCTFail("no convergence") }
            }
            XCTAssertEqual(updates, (kept - 3 + 2) / 3)
            XCTAssertEqual(mask, full, "converged: exactly the full pass with the current statistics")
            // And stays there: nothing left to run.
            XCTAssertEqual(try live.lines(of: next, origin: o1, scale: 1), full)
            XCTAssertEqual(live.lastUpdate?.tilesRun, 0)
        }
    }

    func testHalfScaleGridIsAnchoredToTheOrigin() throws {
        // A 4K-scale map (scale 2) gives a half-scale mask at scale 1 whose grid is anchored to the
        // origin: growing the map by an odd number of pixels on the left keeps the mask of every tile
        // but the one holding the partial edge column (which fills as the map grows, so that tile
        // sees other pixels and reruns).
        let net = tinyNetwork()
        let base = picture(160, 120, seed: 3)
        let stats = UNetNormalization.fixed(mean: [45, 50, 65], std: [20, 20, 25])
        let a = try UNetLineExtractor(network: net, normalization: stats, cleanup: nil)
            .lines(of: base, origin: GridPoint(x: 81, y: 61), scale: 2)
        XCTAssertEqual(a.scale, 1)
        XCTAssertEqual(a.origin, GridPoint(x: 41, y: 31))
        XCTAssertEqual(a.width, 81)
        let b = try UNetLineExtractor(network: net, normalization: stats, cleanup: nil)
            .lines(of: grown(base, left: 33, top: 0, right: 0, bottom: 0), origin: GridPoint(x: 114, y: 61), scale: 2)
        XCTAssertEqual(b.origin, GridPoint(x: 57, y: 31))
        let dx = b.origin.x - a.origin.x
        XCTAssertGreaterThan(a.lineCount, 0)
        for y in 0..<a.height {
            for x in (a.origin.x - 32)..<a.width where a.values[y * a.width + x] != b.values[y * b.width + x + dx] {
                return XCTFail("half-scale pixel \(x), \(y) differs")
            }
        }
    }

    func testModelFilesRoundTripAndBadFilesAreNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("unet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let net = tinyNetwork()
        let url = dir.appendingPathComponent("m.safetensors")
        try net.write(to: url, extra: ["name": "tiny"])
        let loaded = try UNetLineExtractor(contentsOf: url, normalization: .exact)
        XCTAssertEqual(loaded.name, "tiny")
        let img = picture(64, 64, seed: 5)
        let o = GridPoint(x: 0, y: 0)
        XCTAssertEqual(
            try loaded.lines(of: img, origin: o, scale: 1),
            try UNetLineExtractor(network: net, normalization: .exact).lines(of: img, origin: o, scale: 1))
        // A bare checkpoint with the seed's key names (no metadata) loads as well.
        let bare = dir.appendingPathComponent("bare.safetensors")
        try SafeTensors.write(.init(tensors: net.stateDict()), to: bare)
        XCTAssertEqual(try AttentionUNet.read(from: bare).network.configuration.midChannels, 8)
        // Corrupt, truncated and mismatched files: errors that name the file.
        let corrupt = dir.appendingPathComponent("corrupt.safetensors")
        try Data("not a model".utf8).write(to: corrupt)
        var tensors = net.stateDict()
        tensors["middle.3.weight"] = Tensor(zeros: [3, 3])
        let mismatched = dir.appendingPathComponent("mismatched.safetensors")
        try SafeTensors.write(.init(tensors: tensors), to: mismatched)
        let other = dir.appendingPathComponent("other.safetensors")
        try SafeTensors.write(.init(tensors: ["dense.weight": Tensor(zeros: [2, 2])]), to: other)
        for bad in [corrupt, mismatched, other, dir.appendingPathComponent("missing.safetensors")] {
            XCTAssertThrowsError(try UNetLineExtractor(contentsOf: bad)) { error in
                XCTAssertTrue("\(error)".contains(bad.path), "\(error)")
            }
        }
    }

    func testDefaultModelFindsWallLinesOnHeldOutFrames() throws {
        let extractor = try UNetLineExtractor.loadDefault(normalization: .exact)
        let frames = try MapLineFrames.generate(layoutClass: .hub, seed: 9999, effects: .normal, count: 2)
        var unet = LineScore()
        var colour = LineScore()
        for f in frames {
            let o = GridPoint(x: 300, y: 300)
            unet.add(predicted: try extractor.lines(of: f.image, origin: o, scale: 1).values, truth: f.lines)
            colour.add(
                predicted: try ColorThresholdLineExtractor().lines(of: f.image, origin: o, scale: 1).values,
                truth: f.lines)
            extractor.reset()
        }
        XCTAssertGreaterThan(unet.iou, 0.5, "default UNet IoU \(unet.iou) (colour threshold \(colour.iou))")
        XCTAssertGreaterThan(unet.iou, colour.iou)
    }

    /// The stitched canvas is black where no frame has been: the default UNet draws no line along
    /// the step from ground to black, and leaves the black out of its statistics; the seed's rule
    /// (`noDataMargin = nil`) keeps both.
    func testNoLinesWhereTheCanvasHasNoData() throws {
        let frames = try MapLineFrames.generate(layoutClass: .fork, seed: 9998, effects: .normal, count: 1)
        var frame = try XCTUnwrap(frames.first).image
        // The left half of the frame never captured: black, as on the stitched canvas.
        for y in 0..<frame.height {
            for x in 0..<(frame.width / 2) { frame.setPixel(x: x, y: y, [0, 0, 0]) }
        }
        let extractor = try UNetLineExtractor.loadDefault(normalization: .exact)
        extractor.cleanup = nil
        let o = GridPoint(x: 300, y: 300)
        func columnsNearTheStep(_ m: LineMask) -> Int {
            var n = 0
            for y in 0..<m.height {
                for x in (m.width / 2 - 2)...(m.width / 2 + 1) where m.values[y * m.width + x] != 0 { n += 1 }
            }
            return n
        }
        let kept = try extractor.lines(of: frame, origin: o, scale: 1)
        XCTAssertEqual(columnsNearTheStep(kept), 0)
        XCTAssertEqual(kept.values[0..<(kept.width / 2)].reduce(0) { $0 + Int($1) }, 0)
        XCTAssertEqual(
            extractor.lastUpdate?.mean, UNetLineExtractor.channelStatistics(frame, excludingNoData: true).mean)
        let (all, data) = (
            UNetLineExtractor.channelStatistics(frame),
            UNetLineExtractor.channelStatistics(frame, excludingNoData: true)
        )
        XCTAssertLessThan(all.mean[2], data.mean[2] * 0.7, "the black half pulls the plain mean down")
        // A flat picture has no line at all (the seed's rule finds its edges).
        let flat = Image(width: 200, height: 200, color: [40, 46, 60])
        XCTAssertEqual(try extractor.lines(of: flat, origin: GridPoint(x: 100, y: 100), scale: 1).lineCount, 0)
        extractor.noDataMargin = nil
        extractor.reset()
        XCTAssertGreaterThan(try extractor.lines(of: flat, origin: GridPoint(x: 100, y: 100), scale: 1).lineCount, 0)
    }
}
