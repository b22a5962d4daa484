import Foundation
import Imaging
import TensorKit

/// Map lines by the seed's UNet (reference §6-8): the map (at the seed's half scale) is
/// standardised per channel, cut into 32×32 tiles, each tile's pixels classified by an
/// ``AttentionUNet`` (argmax of 2 logits, a tie gives 0), and the mask cleaned of sparse pixels
/// (window 15, threshold 10).
///
/// **Tiles are anchored to the origin** (the stream's entrance is the top-left corner of tile
/// (0, 0)), not to the map's top-left corner as in the seed, so a map that grows in any direction
/// keeps its tiles; pixels outside the map are black (0), like the seed's zero padding, and are
/// standardised like every other pixel.
///
/// **Incremental updates.** The extractor keeps each tile's input pixels, its mask and which
/// statistics made it. A later call on the same growing map runs the network on every tile whose
/// pixels differ from the kept ones (or are new), always in that call, with the statistics in
/// force. That gives exactly the mask of a full pass on those tiles because (1) the network sees
/// one tile at a time, with no overlap and no context from neighbours (the seed's tiling), and
/// group norm normalises each tile on its own, so a tile's mask depends only on its pixels and the
/// normalisation statistics; (2) unchanged pixels with unchanged statistics give the same network
/// input, hence bit-identical logits; and (3) the cleanup is rerun over the whole mask (it is cheap).
///
/// **Statistics that move.** When the statistics change (see ``UNetNormalization``; the default,
/// `.refreshed(tolerance: 0.05)`, changes them when they drift by 5 % of a std), every kept tile is
/// *stale*: its pixels are the same but its mask was made with the old statistics. Rerunning them
/// all at once (``UNetStaleTileBudget/all``) costs a full pass: on a 4K stream's map of ~1600 tiles
/// that measured 1.1-1.6 s on two cores, over the live goal of 1 s an update. So by default
/// (``UNetStaleTileBudget/live``) an update reruns the changed tiles and then as many stale tiles
/// as fit in its time budget, nearest the newest capture first, and the rest over the next updates;
/// a stale tile keeps the mask of a full pass with statistics held earlier in this stream (each
/// refresh moves them by about `tolerance` std, which moves few pixels: at most 0.14 % of the line
/// pixels measured). So: changed tiles are always right in the update that sees them; the mask
/// equals a full pass with the statistics in force exactly when ``UNetUpdateReport/staleTilesLeft``
/// is 0; and since every update reruns at least ``UNetStaleTileBudget/minimumTiles`` stale tiles,
/// once the statistics stop moving the mask converges to that full pass. ``reset()`` forgets the
/// tiles.
///
/// Maps at another scale (`scale` map pixels per half-scale pixel, 2 for a 4K capture) are first
/// box-averaged onto a half-scale grid anchored to the origin, so the mask is at the seed's scale
/// (its ``LineMask/scale`` is 1 and its origin is the half-scale origin).
public final class UNetLineExtractor: LineExtracting {
    public let name: String
    public let network: AttentionUNet
    public var normalization: UNetNormalization
    /// The sparse-pixel cleanup (nil: none).
    public var cleanup: SparsePixelCleanup?
    /// How many stale tiles (made with older statistics) an update reruns besides the changed ones.
    public var staleBudget: UNetStaleTileBudget
    /// Tiles per network call (64, as the seed).
    public var batchSize = 64
    /// Line pixels this close (half-scale pixels, Chebyshev distance) to a pixel without data are
    /// dropped before the cleanup: black (every channel at most ``noDataLevel``, the stitched
    /// canvas where no frame has been) or outside the map (the seed's zero padding). The network
    /// answers the step from ground to black with a line, which is no wall. While it is set, the
    /// standardisation's statistics also leave out the black pixels (the seed counts them, so a
    /// map that is mostly unexplored canvas would be standardised unlike any training frame).
    /// nil keeps both as the seed does.
    public var noDataMargin: Int? = 2
    /// The brightest pixel that counts as no data (the game's darkest ground is far above it).
    public static let noDataLevel: UInt8 = 6
    public private(set) var lastUpdate: UNetUpdateReport?
    let plan: UNetInferencePlan
    static let tile = 32

    struct TileKey: Hashable {
        var x: Int, y: Int
    }
    struct TileEntry {
        var pixels: [UInt8]
        var mask: [UInt8]
        /// The statistics generation that made the mask.
        var generation: Int
    }
    private var cache: [TileKey: TileEntry] = [:]
    private var heldMean: [Float]?
    private var heldStd: [Float]?
    /// Bumped whenever the statistics in force change: tiles of an older generation are stale.
    private var generation = 0
    /// Where the last changed tiles were (tile units): stale tiles run nearest this first.
    private var focus: (x: Double, y: Double) = (0, 0)
    /// Measured network seconds per tile (for the time budget), smoothed.
    private var secondsPerTile: Double?

    /// An extractor running `network` (evaluation mode is set here).
    public init(
        network: AttentionUNet, name: String = "unet", normalization: UNetNormalization = .refreshed(tolerance: 0.05),
        cleanup: SparsePixelCleanup? = SparsePixelCleanup(), staleBudget: UNetStaleTileBudget = .live
    ) {
        network.eval()
        self.network = network
        self.name = name
        self.normalization = normalization
        self.cleanup = cleanup
        self.staleBudget = staleBudget
        plan = UNetInferencePlan(network)
    }

    /// Loads a model file (a PixelPilot UNet model, or a bare checkpoint with the seed's key
    /// names). Errors name the file.
    public convenience init(
        contentsOf url: URL, normalization: UNetNormalization = .refreshed(tolerance: 0.05),
        cleanup: SparsePixelCleanup? = SparsePixelCleanup(), staleBudget: UNetStaleTileBudget = .live
    ) throws {
        let (net, config) = try AttentionUNet.read(from: url)
        guard net.granularity <= UNetLineExtractor.tile else {
            throw TensorError.badFile(
                path: url.path, reason: "UNet depth \(net.configuration.depth) does not fit 32-pixel tiles (at most 5)")
        }
        guard net.configuration.inputChannels == 3 else {
            throw TensorError.badFile(
                path: url.path,
                reason: "the UNet takes \(net.configuration.inputChannels) channels; map lines need RGB (3)")
        }
        let name = config["name"] ?? url.deletingPathExtension().lastPathComponent
        self.init(network: net, name: name, normalization: normalization, cleanup: cleanup, staleBudget: staleBudget)
    }

    /// The small default network committed with PixelPilot (`unet-small.safetensors`; see
    /// ``UNetDefaultModel``).
    public static func loadDefault(
        normalization: UNetNormalization = .refreshed(tolerance: 0.05), staleBudget: UNetStaleTileBudget = .live
    ) throws -> UNetLineExtractor {
        try UNetLineExtractor(
            contentsOf: UNetDefaultModel.url(), normalization: normalization, staleBudget: staleBudget)
    }

    public func reset() {
        cache = [:]
        heldMean = nil
        heldStd = nil
        generation = 0
        focus = (0, 0)
        lastUpdate = nil
    }

    public func lines(of map: Image, origin: GridPoint, scale: Float) throws -> LineMask {
        let start = DispatchTime.now().uptimeNanoseconds
        guard map.width > 0, map.height > 0, map.channels >= 3 else {
            throw TensorError.invalidArgument(
                "the map must be a non-empty RGB or RGBA image, got \(map.width)x\(map.height)x\(map.channels)")
        }
        guard scale.isFinite, scale > 0 else {
            throw TensorError.invalidArgument("the map scale must be positive, got \(scale)")
        }
        let (img, o) = UNetLineExtractor.halfScale(map, origin: origin, scale: scale)
        let w = img.width
        let h = img.height
        let c = img.channels
        let (mean, std) = statistics(img)
        var refreshed = false
        if heldMean != mean || heldStd != std {
            // Kept tiles stay (their pixels still tell what changed) but are stale from now on.
            generation += 1
            heldMean = mean
            heldStd = std
            refreshed = true
        }
        let current = generation
        let t = UNetLineExtractor.tile
        func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
        let tx0 = floorDiv(-o.x, t)
        let tx1 = floorDiv(w - 1 - o.x, t)
        let ty0 = floorDiv(-o.y, t)
        let ty1 = floorDiv(h - 1 - o.y, t)
        var pending: [(TileKey, [UInt8])] = []
        var stale: [TileKey] = []
        var keys: [TileKey] = []
        img.pixels.withUnsafeBufferPointer { px in
            var buf = [UInt8](repeating: 0, count: t * t * 3)
            for ty in ty0...ty1 {
                for tx in tx0...tx1 {
                    let key = TileKey(x: tx, y: ty)
                    keys.append(key)
                    let x0 = o.x + tx * t
                    let y0 = o.y + ty * t
                    buf.withUnsafeMutableBufferPointer { b in
                        for yy in 0..<t {
                            let y = y0 + yy
                            let row = b.baseAddress! + yy * t * 3
                            guard y >= 0, y < h else {
                                row.update(repeating: 0, count: t * 3)
                                continue
                            }
                            for xx in 0..<t {
                                let x = x0 + xx
                                if x >= 0 && x < w {
                                    let s = (y * w + x) * c
                                    row[3 * xx] = px[s]
                                    row[3 * xx + 1] = px[s + 1]
                                    row[3 * xx + 2] = px[s + 2]
                                } else {
                                    row[3 * xx] = 0
                                    row[3 * xx + 1] = 0
                                    row[3 * xx + 2] = 0
                                }
                            }
                        }
                    }
                    if let kept = cache[key], kept.pixels == buf {
                        if kept.generation != current { stale.append(key) }
                    } else {
                        pending.append((key, buf))
                    }
                }
            }
        }
        run(pending, mean: mean, std: std)
        let staleRun = runStale(stale, changed: pending, mean: mean, std: std, start: start)
        var values = [UInt8](repeating: 0, count: w * h)
        values.withUnsafeMutableBufferPointer { out in
            for key in keys {
                guard let entry = cache[key] else { continue }
                let x0 = o.x + key.x * t
                let y0 = o.y + key.y * t
                for yy in 0..<t {
                    let y = y0 + yy
                    guard y >= 0, y < h else { continue }
                    for xx in 0..<t {
                        let x = x0 + xx
                        if x >= 0 && x < w { out[y * w + x] = entry.mask[yy * t + xx] }
                    }
                }
            }
        }
        if let noDataMargin { UNetLineExtractor.dropLines(&values, nearNoDataOf: img, margin: noDataMargin) }
        cleanup?.apply(&values, width: w, height: h)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        lastUpdate = UNetUpdateReport(
            tiles: keys.count, tilesRun: pending.count + staleRun, tilesChanged: pending.count, staleTilesRun: staleRun,
            staleTilesLeft: stale.count - staleRun, statisticsRefreshed: refreshed, mean: mean, std: std,
            seconds: seconds)
        return LineMask(width: w, height: h, values: values, origin: o, scale: 1)
    }

    /// Clears every line pixel of `values` (the mask of `img`) within `margin` of a pixel without
    /// data: outside `img`, or with every channel at most ``noDataLevel``.
    static func dropLines(_ values: inout [UInt8], nearNoDataOf img: Image, margin m: Int) {
        let w = img.width
        let h = img.height
        let c = img.channels
        let level = noDataLevel
        img.pixels.withUnsafeBufferPointer { px in
            values.withUnsafeMutableBufferPointer { v in
                for y in 0..<h {
                    for x in 0..<w where v[y * w + x] != 0 {
                        guard x >= m, y >= m, x < w - m, y < h - m else {
                            v[y * w + x] = 0
                            continue
                        }
                        search: for yy in (y - m)...(y + m) {
                            for xx in (x - m)...(x + m) {
                                let s = (yy * w + xx) * c
                                if px[s] <= level && px[s + 1] <= level && px[s + 2] <= level {
                                    v[y * w + x] = 0
                                    break search
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Reruns stale tiles within ``staleBudget``, nearest the changed tiles first (or the last
    /// place tiles changed); returns how many ran (a prefix of the sorted stale tiles).
    private func runStale(
        _ stale: [TileKey], changed: [(TileKey, [UInt8])], mean: [Float], std: [Float], start: UInt64
    ) -> Int {
        if !changed.isEmpty {
            var sx = 0.0
            var sy = 0.0
            for (k, _) in changed {
                sx += Double(k.x)
                sy += Double(k.y)
            }
            focus = (sx / Double(changed.count), sy / Double(changed.count))
        }
        guard !stale.isEmpty else { return 0 }
        let f = focus
        let order = stale.sorted { a, b in
            let da = (Double(a.x) - f.x) * (Double(a.x) - f.x) + (Double(a.y) - f.y) * (Double(a.y) - f.y)
            let db = (Double(b.x) - f.x) * (Double(b.x) - f.x) + (Double(b.y) - f.y) * (Double(b.y) - f.y)
            return da != db ? da < db : (a.y, a.x) < (b.y, b.x)
        }
        let budget = staleBudget
        let cap = min(order.count, budget.tiles ?? order.count)
        let floor = min(order.count, budget.minimumTiles)
        var done = 0
        while done < max(cap, floor) {
            var count = min(batchSize, max(cap, floor) - done)
            if done >= floor, let limit = budget.seconds {
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let perTile = max(secondsPerTile ?? 0.002, 1e-6)
                let fit = Int(((limit - elapsed) / perTile).rounded(.down))
                count = min(count, fit)
            } else if done < floor {
                count = min(count, floor - done)
            }
            if count <= 0 { break }
            let batch = order[done..<(done + count)].map { ($0, cache[$0]!.pixels) }
            run(batch, mean: mean, std: std)
            done += count
        }
        return done
    }

    /// Standardises and classifies the tiles in batches, storing pixels and masks in the cache
    /// (made by the statistics generation in force), and updates the measured time per tile.
    private func run(_ pending: [(TileKey, [UInt8])], mean: [Float], std: [Float]) {
        guard !pending.isEmpty else { return }
        let began = DispatchTime.now().uptimeNanoseconds
        defer {
            let perTile = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9 / Double(pending.count)
            // Small runs are dominated by fixed costs; weigh by size, and follow the machine's load.
            let w = min(1, Double(pending.count) / 64)
            secondsPerTile = secondsPerTile.map { $0 + 0.5 * w * (perTile - $0) } ?? perTile
        }
        let t = UNetLineExtractor.tile
        let inv = std.map { 1 / ($0 + 1e-8) }
        var start = 0
        var mask = [UInt8](repeating: 0, count: batchSize * t * t)
        while start < pending.count {
            let count = min(batchSize, pending.count - start)
            let x = Tensor.uninitialized([count, t, t, 3])
            let xp = x.pointer
            for i in 0..<count {
                pending[start + i].1.withUnsafeBufferPointer { px in
                    let dst = xp + i * t * t * 3
                    for p in 0..<(t * t) {
                        dst[3 * p] = (Float(px[3 * p]) - mean[0]) * inv[0]
                        dst[3 * p + 1] = (Float(px[3 * p + 1]) - mean[1]) * inv[1]
                        dst[3 * p + 2] = (Float(px[3 * p + 2]) - mean[2]) * inv[2]
                    }
                }
            }
            let logits = plan.logits(x)
            mask.withUnsafeMutableBufferPointer { UNetInferencePlan.argmax(logits, into: $0.baseAddress!) }
            for i in 0..<count {
                let (key, pixels) = pending[start + i]
                cache[key] = TileEntry(
                    pixels: pixels, mask: Array(mask[(i * t * t)..<((i + 1) * t * t)]), generation: generation)
            }
            start += count
        }
    }

    /// The statistics the policy says to use now (may be the held ones).
    private func statistics(_ img: Image) -> (mean: [Float], std: [Float]) {
        switch normalization {
        case .fixed(let mean, let std):
            return (mean, std)
        case .exact:
            return UNetLineExtractor.channelStatistics(img, excludingNoData: noDataMargin != nil)
        case .refreshed(let tolerance):
            let (mean, std) = UNetLineExtractor.channelStatistics(img, excludingNoData: noDataMargin != nil)
            if let hm = heldMean, let hs = heldStd {
                let moved = (0..<3).contains { k in
                    let unit = max(hs[k], 1e-3)
                    return abs(mean[k] - hm[k]) > tolerance * unit || abs(std[k] - hs[k]) > tolerance * unit
                }
                if !moved { return (hm, hs) }
            }
            return (mean, std)
        }
    }

    /// Per-channel mean and population std of an RGB(A) image's first three channels; with
    /// `excludingNoData` over the pixels with data only (not every channel at most ``noDataLevel``).
    public static func channelStatistics(
        _ img: Image, excludingNoData: Bool = false
    ) -> (mean: [Float], std: [Float]) {
        var n = excludingNoData ? 0 : img.width * img.height
        let c = img.channels
        let level = Int(noDataLevel)
        var sum = [Double](repeating: 0, count: 3)
        var sq = [Double](repeating: 0, count: 3)
        img.pixels.withUnsafeBufferPointer { px in
            // Integer sums per row (exact), then doubles.
            for y in 0..<img.height {
                var s0 = 0
                var s1 = 0
                var s2 = 0
                var q0 = 0
                var q1 = 0
                var q2 = 0
                var counted = 0
                var o = y * img.width * c
                for _ in 0..<img.width {
                    let r = Int(px[o])
                    let g = Int(px[o + 1])
                    let b = Int(px[o + 2])
                    o += c
                    if excludingNoData && r <= level && g <= level && b <= level { continue }
                    counted += 1
                    s0 += r
                    s1 += g
                    s2 += b
                    q0 += r * r
                    q1 += g * g
                    q2 += b * b
                }
                if excludingNoData { n += counted }
                sum[0] += Double(s0)
                sum[1] += Double(s1)
                sum[2] += Double(s2)
                sq[0] += Double(q0)
                sq[1] += Double(q1)
                sq[2] += Double(q2)
            }
        }
        n = max(1, n)
        let mean = sum.map { $0 / Double(n) }
        let std = (0..<3).map { k in max(0, sq[k] / Double(n) - mean[k] * mean[k]).squareRoot() }
        return (mean.map { Float($0) }, std.map { Float($0) })
    }

    /// The map on a half-scale grid anchored to `origin`: half-scale pixel u (relative to the
    /// origin) averages the map pixels in [origin + u·scale, origin + (u + 1)·scale) on each axis.
    /// Returns the map itself when the scale is 1.
    static func halfScale(_ map: Image, origin: GridPoint, scale: Float) -> (Image, GridPoint) {
        if abs(scale - 1) < 1e-4 { return (map, origin) }
        let s = Double(scale)
        // Half-scale pixels u from the first box that reaches into the map to the last that starts
        // in it (edge boxes may be partial; they fill as the map grows, and their tiles rerun).
        let ux0 = Int((Double(-origin.x) / s).rounded(.down))
        let ux1 = Int((Double(map.width - 1 - origin.x) / s).rounded(.down))
        let uy0 = Int((Double(-origin.y) / s).rounded(.down))
        let uy1 = Int((Double(map.height - 1 - origin.y) / s).rounded(.down))
        let ox = -ux0
        let oy = -uy0
        let w = ux1 - ux0 + 1
        let h = uy1 - uy0 + 1
        func span(_ i: Int, _ o: Int, _ oh: Int, _ limit: Int) -> (Int, Int) {
            let u = i - oh
            var a = Int((Double(o) + Double(u) * s).rounded(.down))
            var b = Int((Double(o) + Double(u + 1) * s).rounded(.down))
            a = min(max(a, 0), limit)
            b = min(max(b, a + 1), limit)
            if a >= limit { a = limit - 1 }
            return (a, b)
        }
        let xs = (0..<w).map { span($0, origin.x, ox, map.width) }
        let ys = (0..<h).map { span($0, origin.y, oy, map.height) }
        var out = Image(width: w, height: h)
        let c = map.channels
        map.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let (y0, y1) = ys[y]
                    for x in 0..<w {
                        let (x0, x1) = xs[x]
                        var r = 0
                        var g = 0
                        var b = 0
                        for yy in y0..<y1 {
                            var o = (yy * map.width + x0) * c
                            for _ in x0..<x1 {
                                r += Int(src[o])
                                g += Int(src[o + 1])
                                b += Int(src[o + 2])
                                o += c
                            }
                        }
                        let n = (y1 - y0) * (x1 - x0)
                        let d = (y * w + x) * 3
                        dst[d] = UInt8((r + n / 2) / n)
                        dst[d + 1] = UInt8((g + n / 2) / n)
                        dst[d + 2] = UInt8((b + n / 2) / n)
                    }
                }
            }
        }
        return (out, GridPoint(x: ox, y: oy))
    }
}
