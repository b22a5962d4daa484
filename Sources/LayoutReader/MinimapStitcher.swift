import Foundation
import Imaging

/// Settings of ``MinimapStitcher``.
public struct StitchSettings: Sendable {
    /// Matches below this cosine similarity are skipped, never pasted.
    public var minConfidence: Float = 0.3
    /// At least this share of the frame's pixels must be map lines.
    public var minLineFraction: Float = 0.0001
    /// ...and at least this share of the recent good frames' line count.
    public var minLineRatio: Float = 0.3
    /// Radius of the disc around the player that is ignored, as a share of the frame side.
    public var playerMaskFraction: Float = 0.04
    public init() {}
}

/// Stitches minimap frames into one map without drift. Each frame's translation is measured
/// against the growing canvas (not the previous frame): phase correlation on a coarse level
/// around the predicted position finds it to a block, Lucas-Kanade on the line planes at full
/// resolution refines it to a fraction of a pixel, and the cosine similarity of frame and canvas
/// at the match is the confidence. A frame without lines or with a weak match is reported and
/// skipped; when the local match fails the whole canvas is searched (after a teleport).
public final class MinimapStitcher {
    public let settings: StitchSettings
    public private(set) var frameWidth = 0, frameHeight = 0
    public let canvas = TiledCanvas()
    public private(set) var reports: [StitchReport] = []
    /// True while the stream does not know where it is (after failed frames).
    public private(set) var isLost = false
    private var features: LineFeatures?
    private var factor = 1
    private var local: PhaseCorrelator?
    private let localSize = 512
    private var last: (x: Float, y: Float, index: Int)?
    private var velocity: (x: Float, y: Float) = (0, 0)
    private var recentLines: [Int] = []
    private var failures = 0
    // Buffers, allocated for the first frame's size.
    private var frame: [Float] = [], blurred: [Float] = [], scratch: [Float] = [], resampled: [Float] = []
    private var planeA: [Float] = [], planeB: [Float] = []
    private var window: [Float] = [], known: [UInt8] = [], gradX: [Float] = [], gradY: [Float] = []
    private var active: [Int32] = []
    private let margin = 8

    public init(settings: StitchSettings = StitchSettings()) { self.settings = settings }

    /// Stitches one frame (RGB or RGBA) and says what happened. Never throws: bad frames are
    /// reported and skipped, and the stream goes on.
    @discardableResult
    public func add(_ image: Image) -> StitchReport {
        let start = DispatchTime.now().uptimeNanoseconds
        var report = process(image)
        report.index = reports.count
        report.milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        reports.append(report)
        return report
    }

    /// The origin's position in ``TiledCanvas/picture()`` is returned with it.
    public func stitchedMap() -> (image: Image, originX: Int, originY: Int) { canvas.picture() }

    private func setUp(width w: Int, height h: Int) throws {
        frameWidth = w
        frameHeight = h
        features = LineFeatures(width: w, height: h, playerMaskFraction: settings.playerMaskFraction)
        factor = max(1, Int((Float(max(w, h)) / 240).rounded(.up)))
        local = try PhaseCorrelator(size: localSize)
        frame = [Float](repeating: 0, count: w * h)
        blurred = frame
        scratch = frame
        resampled = frame
        planeA = [Float](repeating: 0, count: localSize * localSize)
        planeB = planeA
        let ww = (w + 2 * margin + 1) * (h + 2 * margin + 1)
        window = [Float](repeating: 0, count: ww)
        gradX = window
        gradY = window
        known = [UInt8](repeating: 0, count: ww)
        active.reserveCapacity(w * h / 4)
    }

    private func skipped(_ reason: SkipReason, lines: Int = 0, confidence: Float = 0) -> StitchReport {
        StitchReport(
            index: 0, outcome: .skipped(reason), x: nil, y: nil, confidence: confidence, linePixels: lines,
            milliseconds: 0)
    }

    private func process(_ image: Image) -> StitchReport {
        guard image.width > 0, image.height > 0 else { return skipped(.empty) }
        if features == nil {
            guard image.width >= 64, image.height >= 64 else {
                return skipped(
                    .wrongSize(width: image.width, height: image.height, expectedWidth: 64, expectedHeight: 64))
            }
            do { try setUp(width: image.width, height: image.height) } catch { return skipped(.empty) }
        }
        guard image.width == frameWidth, image.height == frameHeight, let features else {
            return skipped(
                .wrongSize(
                    width: image.width, height: image.height, expectedWidth: frameWidth, expectedHeight: frameHeight))
        }
        let w = frameWidth
        let h = frameHeight
        let lines = frame.withUnsafeMutableBufferPointer { f in
            scratch.withUnsafeMutableBufferPointer { s in
                features.extract(image, into: f.baseAddress!, scratch: s.baseAddress!)
            }
        }
        let typical = recentLines.isEmpty ? 0 : recentLines.sorted()[recentLines.count / 2]
        let needed = max(Int(settings.minLineFraction * Float(w * h)), Int(settings.minLineRatio * Float(typical)))
        guard lines >= needed else {
            failures += 1
            return skipped(.noLines(linePixels: lines, needed: needed), lines: lines)
        }
        blur()
        guard let previous = last else {
            paste(x: 0, y: 0, image: image)
            last = (0, 0, reports.count)
            recentLines = [lines]
            return StitchReport(
                index: 0, outcome: .origin, x: 0, y: 0, confidence: 1, linePixels: lines, milliseconds: 0)
        }
        // Local search around the predicted position.
        let gap = Float(reports.count - previous.index)
        let predicted = (x: previous.x + velocity.x * gap, y: previous.y + velocity.y * gap)
        var best: (x: Float, y: Float, confidence: Float)?
        if !isLost {
            for candidate in localCandidates(around: predicted) {
                if let r = refine(mid(candidate)), r.confidence > (best?.confidence ?? -1) { best = r }
                if let b = best, b.confidence >= settings.minConfidence + 0.1 { break }
            }
        }
        var outcome = StitchOutcome.pasted
        if (best?.confidence ?? 0) < settings.minConfidence {
            // Search the whole canvas: after a teleport, or when the local match failed.
            for candidate in globalCandidates() {
                if let r = refine(mid(candidate)), r.confidence > (best?.confidence ?? -1) {
                    best = r
                    outcome = .relocalised
                }
            }
        }
        guard let match = best, match.confidence >= settings.minConfidence else {
            failures += 1
            if failures >= 2 { isLost = true }
            return skipped(.lowConfidence(best?.confidence ?? 0), lines: lines, confidence: best?.confidence ?? 0)
        }
        if outcome == .relocalised && !isLost && abs(match.x - predicted.x) + abs(match.y - predicted.y) < 8 {
            outcome = .pasted
        }
        // Velocity from consecutive good frames only, bounded.
        if outcome == .pasted && gap > 0 {
            let limit = Float(max(w, h)) * 0.3
            velocity = (
                max(-limit, min(limit, (match.x - previous.x) / gap)),
                max(-limit, min(limit, (match.y - previous.y) / gap))
            )
        } else {
            velocity = (0, 0)
        }
        paste(x: match.x, y: match.y, image: image)
        last = (match.x, match.y, reports.count)
        failures = 0
        isLost = false
        recentLines.append(lines)
        if recentLines.count > 9 { recentLines.removeFirst() }
        return StitchReport(
            index: 0, outcome: outcome, x: match.x, y: match.y, confidence: match.confidence, linePixels: lines,
            milliseconds: 0)
    }

    /// [1 2 1] blur of the frame's line plane into `blurred` (widens the refinement's basin).
    private func blur() {
        let w = frameWidth
        let h = frameHeight
        frame.withUnsafeBufferPointer { f in
            scratch.withUnsafeMutableBufferPointer { s in
                blurred.withUnsafeMutableBufferPointer { b in
                    MinimapStitcher.blur121(
                        f.baseAddress!, into: b.baseAddress!, scratch: s.baseAddress!, width: w, height: h)
                }
            }
        }
    }

    static func blur121(
        _ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        width w: Int, height h: Int
    ) {
        for y in 0..<h {
            let s = src + y * w
            let t = scratch + y * w
            t[0] = (3 * s[0] + s[1]) * 0.25
            for x in 1..<(w - 1) { t[x] = (s[x - 1] + 2 * s[x] + s[x + 1]) * 0.25 }
            t[w - 1] = (s[w - 2] + 3 * s[w - 1]) * 0.25
        }
        for y in 0..<h {
            let up = scratch + max(0, y - 1) * w
            let mid = scratch + y * w
            let down = scratch + min(h - 1, y + 1) * w
            let d = dst + y * w
            for x in 0..<w { d[x] = (up[x] + 2 * mid[x] + down[x]) * 0.25 }
        }
    }

    /// Downsamples the (blurred) frame by `factor` into `plane` (n×n) at block offset (ox, oy).
    private func coarseFrame(into plane: UnsafeMutablePointer<Float>, n: Int, ox: Int, oy: Int) -> (cw: Int, ch: Int) {
        let w = frameWidth
        let h = frameHeight
        let k = factor
        let cw = w / k
        let ch = h / k
        plane.initialize(repeating: 0, count: n * n)
        let norm = 1 / Float(k * k)
        blurred.withUnsafeBufferPointer { f in
            for y in 0..<(ch * k) {
                let row = plane + (oy + y / k) * n + ox
                let src = f.baseAddress! + y * w
                for x in 0..<(cw * k) { row[x / k] += src[x] * norm }
            }
        }
        return (cw, ch)
    }

    /// Frame-centre candidates from phase correlation in a window around `p`.
    private func localCandidates(around p: (x: Float, y: Float)) -> [(x: Float, y: Float)] {
        guard let local else { return [] }
        let n = localSize
        let k = factor
        let w = frameWidth
        let h = frameHeight
        return planeA.withUnsafeMutableBufferPointer { a in
            planeB.withUnsafeMutableBufferPointer { b in
                let (cw, ch) = coarseFrame(into: a.baseAddress!, n: n, ox: (n - w / k) / 2, oy: (n - h / k) / 2)
                let offX = (n - cw) / 2
                let offY = (n - ch) / 2
                // Canvas window: block (offX, offY) holds the canvas where the frame's top-left would be at p.
                let wx0 = Int((p.x - Float(w) / 2).rounded()) - offX * k
                let wy0 = Int((p.y - Float(h) / 2).rounded()) - offY * k
                canvas.readCoarse(x0: wx0, y0: wy0, blocksWide: n, blocksHigh: n, factor: k, into: b.baseAddress!)
                let peaks = local.correlate(a.baseAddress!, b.baseAddress!, peaks: 3)
                return peaks.map { pk in
                    (
                        Float(wx0) + (Float(offX) + pk.dx) * Float(k) + Float(w) / 2,
                        Float(wy0) + (Float(offY) + pk.dy) * Float(k) + Float(h) / 2
                    )
                }
            }
        }
    }

    /// Frame-centre candidates from phase correlation against the whole canvas.
    private func globalCandidates() -> [(x: Float, y: Float)] {
        guard let b = canvas.bounds else { return [] }
        let w = frameWidth
        let h = frameHeight
        var k = factor
        var n = 0
        while true {
            let need = max((b.maxX - b.minX + 1) / k, (b.maxY - b.minY + 1) / k) + max(w, h) / k + 2
            n = 1
            while n < need { n <<= 1 }
            if n <= 1024 { break }
            k *= 2
        }
        guard let correlator = try? PhaseCorrelator(size: n) else { return [] }
        var a = [Float](repeating: 0, count: n * n)
        var c = a
        let cw = w / k
        let ch = h / k
        blurred.withUnsafeBufferPointer { f in
            let norm = 1 / Float(k * k)
            for y in 0..<(ch * k) {
                for x in 0..<(cw * k) { a[(y / k) * n + x / k] += f[y * w + x] * norm }
            }
        }
        let bw = (b.maxX - b.minX + 1 + k - 1) / k
        let bh = (b.maxY - b.minY + 1 + k - 1) / k
        var sub = [Float](repeating: 0, count: bw * bh)
        sub.withUnsafeMutableBufferPointer { s in
            canvas.readCoarse(x0: b.minX, y0: b.minY, blocksWide: bw, blocksHigh: bh, factor: k, into: s.baseAddress!)
        }
        for y in 0..<bh { for x in 0..<bw { c[y * n + x] = sub[y * bw + x] } }
        let peaks = a.withUnsafeBufferPointer { ap in
            c.withUnsafeBufferPointer { cp in correlator.correlate(ap.baseAddress!, cp.baseAddress!, peaks: 5) }
        }
        return peaks.map { pk in
            var dx = pk.dx
            var dy = pk.dy
            if dx < 0 && dx + Float(n) <= Float(n - cw) { dx += Float(n) }
            if dy < 0 && dy + Float(n) <= Float(n - ch) { dy += Float(n) }
            if dx > Float(n - cw) { dx -= Float(n) }
            if dy > Float(n - ch) { dy -= Float(n) }
            return (Float(b.minX) + dx * Float(k) + Float(w) / 2, Float(b.minY) + dy * Float(k) + Float(h) / 2)
        }
    }

    /// Lucas-Kanade refinement of the frame centre (x, y) on the line planes at full resolution,
    /// with Huber weights; returns the refined centre and the cosine similarity there, or nil when
    /// the canvas there is unknown or the refinement runs away.
    private func refine(_ p: (x: Float, y: Float)) -> (x: Float, y: Float, confidence: Float)? {
        refine(x: p.x, y: p.y)
    }

    /// When the coarse level is coarser than 2 px, phase correlation at half resolution on the
    /// frame's central 1024 px around a candidate brings it within a pixel or so, inside the
    /// refinement's reach.
    private func mid(_ c: (x: Float, y: Float)) -> (x: Float, y: Float) {
        guard factor > 2, let local else { return c }
        let n = localSize
        let k = 2
        let w = frameWidth
        let h = frameHeight
        let cw = min(n, w / k)
        let ch = min(n, h / k)
        // Frame block (bx0, by0) is the crop's top-left; its canvas position if the candidate is right.
        let bx0 = (w / k - cw) / 2
        let by0 = (h / k - ch) / 2
        let ox = (n - cw) / 2
        let oy = (n - ch) / 2
        let peaks: [CorrelationPeak] = planeA.withUnsafeMutableBufferPointer { a in
            planeB.withUnsafeMutableBufferPointer { b in
                a.baseAddress!.initialize(repeating: 0, count: n * n)
                blurred.withUnsafeBufferPointer { f in
                    for y in 0..<(ch * k) {
                        let row = a.baseAddress! + (oy + y / k) * n + ox
                        let src = f.baseAddress! + (by0 * k + y) * w + bx0 * k
                        for x in 0..<(cw * k) { row[x / k] += src[x] * 0.25 }
                    }
                }
                let wx0 = Int((c.x - Float(w) / 2).rounded()) + bx0 * k - ox * k
                let wy0 = Int((c.y - Float(h) / 2).rounded()) + by0 * k - oy * k
                canvas.readCoarse(x0: wx0, y0: wy0, blocksWide: n, blocksHigh: n, factor: k, into: b.baseAddress!)
                return local.correlate(a.baseAddress!, b.baseAddress!, peaks: 1)
            }
        }
        guard let p = peaks.first, abs(p.dx) <= Float(factor + 2), abs(p.dy) <= Float(factor + 2) else { return c }
        let rx = Float(Int((c.x - Float(w) / 2).rounded())) + Float(w) / 2
        let ry = Float(Int((c.y - Float(h) / 2).rounded())) + Float(h) / 2
        return (rx + p.dx * Float(k), ry + p.dy * Float(k))
    }

    private func refine(x: Float, y: Float) -> (x: Float, y: Float, confidence: Float)? {
        guard let features else { return nil }
        let lastCentre = last.map { (x: $0.x, y: $0.y) }
        let fogReach = 0.15 * Float(min(frameWidth, frameHeight))
        let w = frameWidth
        let h = frameHeight
        let m = margin
        let ww = w + 2 * m + 1
        let wh = h + 2 * m + 1
        let ix0 = Int((x - Float(w) / 2).rounded(.down)) - m
        let iy0 = Int((y - Float(h) / 2).rounded(.down)) - m
        var cx = x
        var cy = y
        return window.withUnsafeMutableBufferPointer { winB in
            known.withUnsafeMutableBufferPointer { knB in
                gradX.withUnsafeMutableBufferPointer { gxB in
                    gradY.withUnsafeMutableBufferPointer { gyB in
                        blurred.withUnsafeBufferPointer { fB in
                            features.valid.withUnsafeBufferPointer { valid in
                                let win = winB.baseAddress!
                                let kn = knB.baseAddress!
                                let gx = gxB.baseAddress!
                                let gy = gyB.baseAddress!
                                let f = fB.baseAddress!
                                canvas.read(x0: ix0, y0: iy0, width: ww, height: wh, line: gx, known: kn)
                                MinimapStitcher.blur121(gx, into: win, scratch: gy, width: ww, height: wh)
                                for yy in 0..<wh {
                                    let row = win + yy * ww
                                    let up = win + max(0, yy - 1) * ww
                                    let down = win + min(wh - 1, yy + 1) * ww
                                    for xx in 0..<ww {
                                        gx[yy * ww + xx] = 0.5 * (row[min(ww - 1, xx + 1)] - row[max(0, xx - 1)])
                                        gy[yy * ww + xx] = 0.5 * (down[xx] - up[xx])
                                    }
                                }
                                // Active pixels: lines in the frame or in the canvas, where the canvas is known.
                                active.removeAll(keepingCapacity: true)
                                let bx0 = (lastCentre?.x ?? cx) - cx + Float(w) / 2
                                let by0 = (lastCentre?.y ?? cy) - cy + Float(h) / 2
                                let ux = Float(w) / 2 - bx0
                                let uy = Float(h) / 2 - by0
                                let ul = max(1e-6, ux * ux + uy * uy)
                                var knownCount = 0
                                var validCount = 0
                                let ox0 = Int((cx - Float(w) / 2).rounded()) - ix0
                                let oy0 = Int((cy - Float(h) / 2).rounded()) - iy0
                                for fy in 0..<h {
                                    let wrow = (fy + oy0) * ww + ox0
                                    for fx in 0..<w where valid[fy * w + fx] != 0 {
                                        validCount += 1
                                        guard kn[wrow + fx] != 0 else { continue }
                                        knownCount += 1
                                        let canvasLine = win[wrow + fx] > 1
                                        guard canvasLine || f[fy * w + fx] > 1 else { continue }
                                        // Near the path since the last frame, lines only in the frame may be
                                        // newly revealed: they would pull the match forward, so only the
                                        // canvas's lines are used there.
                                        if !canvasLine {
                                            let qx = Float(fx) - bx0
                                            let qy = Float(fy) - by0
                                            let t = max(0, min(1, (qx * ux + qy * uy) / ul))
                                            let ddx = qx - t * ux
                                            let ddy = qy - t * uy
                                            if ddx * ddx + ddy * ddy <= fogReach * fogReach { continue }
                                        }
                                        active.append(Int32(fy * w + fx))
                                    }
                                }
                                guard validCount > 0, Float(knownCount) / Float(validCount) > 0.15, active.count > 50
                                else { return nil }
                                var confidence: Float = 0
                                let minimumEnergy = Float(30 * 25)
                                for iteration in 0..<10 {
                                    let ox = cx - Float(w) / 2 - Float(ix0)
                                    let oy = cy - Float(h) / 2 - Float(iy0)
                                    guard ox >= 1, oy >= 1, ox < Float(2 * m - 1), oy < Float(2 * m - 1) else {
                                        return nil
                                    }
                                    let bx = Int(ox)
                                    let by = Int(oy)
                                    let ax = ox - Float(bx)
                                    let ay = oy - Float(by)
                                    let w00 = (1 - ax) * (1 - ay)
                                    let w01 = ax * (1 - ay)
                                    let w10 = (1 - ax) * ay
                                    let w11 = ax * ay
                                    var hxx: Float = 0
                                    var hxy: Float = 0
                                    var hyy: Float = 0
                                    var ex: Float = 0
                                    var ey: Float = 0
                                    var found: Float = 0
                                    var total: Float = 0
                                    // Where the fog may have lifted since the last pasted frame: near the
                                    // path from its centre to this one (frame coordinates).
                                    let ax0 = (lastCentre?.x ?? cx) - cx + Float(w) / 2
                                    let ay0 = (lastCentre?.y ?? cy) - cy + Float(h) / 2
                                    let sx = Float(w) / 2 - ax0
                                    let sy = Float(h) / 2 - ay0
                                    let sl = max(1e-6, sx * sx + sy * sy)
                                    let reach = fogReach * fogReach
                                    for p in active {
                                        let pi = Int(p)
                                        let fx = pi % w
                                        let fy = pi / w
                                        let j = (fy + by) * ww + fx + bx
                                        let c =
                                            w00 * win[j] + w01 * win[j + 1] + w10 * win[j + ww] + w11 * win[j + ww + 1]
                                        let gxv =
                                            w00 * gx[j] + w01 * gx[j + 1] + w10 * gx[j + ww] + w11 * gx[j + ww + 1]
                                        let gyv =
                                            w00 * gy[j] + w01 * gy[j + 1] + w10 * gy[j + ww] + w11 * gy[j + ww + 1]
                                        let fv = f[pi]
                                        let e = c - fv
                                        let a = abs(e)
                                        let weight: Float = a < 6 ? 1 : 6 / a
                                        hxx += weight * gxv * gxv
                                        hxy += weight * gxv * gyv
                                        hyy += weight * gyv * gyv
                                        ex += weight * gxv * e
                                        ey += weight * gyv * e
                                        found += min(fv, c)
                                        let qx = Float(fx) - ax0
                                        let qy = Float(fy) - ay0
                                        let t = max(0, min(1, (qx * sx + qy * sy) / sl))
                                        let ddx = qx - t * sx
                                        let ddy = qy - t * sy
                                        // New lines are allowed near the path; elsewhere every line counts.
                                        total += ddx * ddx + ddy * ddy <= reach ? c : max(fv, c)
                                    }
                                    // Overlap over union of the line energy (weighted Jaccard), where near the
                                    // path lines only in the frame are newly revealed, not evidence against.
                                    confidence = total > minimumEnergy ? found / total : 0
                                    let det = hxx * hyy - hxy * hxy
                                    guard det > 1e-6 else { break }
                                    let dx = -(hyy * ex - hxy * ey) / det
                                    let dy = -(hxx * ey - hxy * ex) / det
                                    let step = (dx * dx + dy * dy).squareRoot()
                                    let scale: Float = step > 1 ? 1 / step : 1
                                    cx += dx * scale
                                    cy += dy * scale
                                    if step < 0.005 || iteration == 9 { break }
                                }
                                return (cx, cy, confidence)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Pastes the current frame with its centre at (x, y): lines resampled onto the canvas grid
    /// (bilinear, sub-pixel), colours at the nearest pixel.
    private func paste(x: Float, y: Float, image: Image) {
        guard let features else { return }
        let w = frameWidth
        let h = frameHeight
        let fx = x - Float(w) / 2
        let fy = y - Float(h) / 2
        let x0 = Int(fx.rounded())
        let y0 = Int(fy.rounded())
        let px = fx - Float(x0)
        let py = fy - Float(y0)  // in [-0.5, 0.5]
        // Canvas pixel i shows frame coordinate i - p.
        frame.withUnsafeBufferPointer { f in
            resampled.withUnsafeMutableBufferPointer { r in
                let sx = px >= 0 ? -1 : 1
                let sy = py >= 0 ? -1 : 1
                let ax = abs(px)
                let ay = abs(py)
                for yy in 0..<h {
                    let y1 = min(h - 1, max(0, yy + sy))
                    for xx in 0..<w {
                        let x1 = min(w - 1, max(0, xx + sx))
                        let a = f[yy * w + xx]
                        let b = f[yy * w + x1]
                        let c = f[y1 * w + xx]
                        let d = f[y1 * w + x1]
                        r[yy * w + xx] = (a * (1 - ax) + b * ax) * (1 - ay) + (c * (1 - ax) + d * ax) * ay
                    }
                }
            }
        }
        resampled.withUnsafeBufferPointer { r in
            image.pixels.withUnsafeBufferPointer { rgb in
                features.valid.withUnsafeBufferPointer { v in
                    canvas.paste(
                        x0: x0, y0: y0, width: w, height: h, line: r.baseAddress!, rgb: rgb.baseAddress!,
                        rgbStride: image.channels,
                        valid: v.baseAddress!)
                }
            }
        }
    }
}
