import Imaging

/// Finds a stash grid in a screenshot: the regular lattice of thin border lines between cells, to
/// a fraction of a pixel.
///
/// The game draws its cells with thin dark borders, but items' gold filigree and glow cross them,
/// highlighted cells outline themselves, an ornamental frame runs round the grid, and other grids
/// (the inventory) and boxes share the screen. So no single line is trusted:
/// 1. Edge profiles: for every column x the mean over the rows of |I(x, y) − I(x − 1, y)| (and
///    likewise per row), which peaks on lines that run the whole height of the grid.
/// 2. A search over pitches (half-pixel steps, 12–140 px) and offsets for `count + 1` equally
///    spaced lines, scored by the weakest of them (all must be there) against the cell interiors
///    between them; the best few non-overlapping candidates are kept.
/// 3. For each candidate, the other axis is searched only across the candidate's span, then the
///    first axis again across the found rows.
/// 4. Every line's position is refined to the centroid of its edge energy and a least-squares fit
///    gives the sub-pixel origin and pitch.
/// 5. Checks: square cells, no further row or column of cells beyond the grid (the lattice must
///    end where `columns`/`rows` say), and no lines halfway between (cells half the size: a quad
///    tab). A failure says what was looked for and what was seen, with the picture it looked at.
public enum GridDetector {
    /// Why no grid was found, with the picture it looked at (the best candidate drawn on it).
    public struct Failure: Error, CustomStringConvertible {
        public var lookedFor: String
        public var saw: String
        /// The screenshot as searched, with the best candidate lines drawn in red.
        public var picture: Image
        public var description: String { "no grid found: looked for \(lookedFor); saw \(saw)" }
    }

    /// One axis' lattice: line centres at `first + k * pitch`, k = 0...count.
    struct Lattice: CustomStringConvertible {
        var first: Double
        var pitch: Double
        var count: Int
        /// Weakest line minus the cell-interior level (mean edge energy per row, levels).
        var score: Float
        var weakest: Float
        var interior: Float
        var span: ClosedRange<Double> { first...(first + Double(count) * pitch) }
        var description: String { String(format: "%d lines %.2f px apart from %.1f", count + 1, pitch, first) }
    }

    /// Detects a grid of `columns`×`rows` cells in `image`, whose top-left pixel is at screen
    /// (`originX`, `originY`). Throws ``Failure`` when no such lattice stands out.
    public static func detect(
        in image: Image, originX: Int = 0, originY: Int = 0, columns: Int = 12, rows: Int = 12,
        pitchRange: ClosedRange<Double> = 12...140
    ) throws -> GridGeometry {
        let gray = Gray(image)
        let lookedFor =
            "\(columns + 1) vertical and \(rows + 1) horizontal border lines, evenly spaced \(Int(pitchRange.lowerBound))-\(Int(pitchRange.upperBound)) px apart (a \(columns)x\(rows) grid), in the \(image.width)x\(image.height) picture"
        let fullX = gray.columnProfile(rows: 0..<gray.height)
        let candidatesX = candidates(fullX, count: columns, pitches: pitchRange, keep: 4)
        guard let firstX = candidatesX.first else {
            throw Failure(
                lookedFor: lookedFor, saw: "no evenly spaced vertical lines at all (the picture is too small or flat)",
                picture: annotate(image, nil, nil))
        }
        var best: (x: Lattice, y: Lattice, score: Float)?
        var reasons: [String] = []
        for cx in candidatesX {
            let pairs = fits(gray, startX: cx, columns: columns, rows: rows, pitches: pitchRange)
            if pairs.isEmpty { reasons.append("vertical \(cx): no \(rows + 1) horizontal lines across it") }
            for (lx, ly) in pairs {
                if let problem = check(gray, lx, ly, columns: columns, rows: rows) {
                    reasons.append(problem)
                    continue
                }
                let score = Swift.min(lx.score, ly.score)
                if best == nil || score > best!.score { best = (lx, ly, score) }
            }
        }
        guard let b = best else {
            var unique: [String] = []
            for r in reasons where !unique.contains(r) { unique.append(r) }
            let saw =
                unique.isEmpty
                ? "vertical lines \(firstX) whose weakest line is not above the cell interiors"
                : unique.prefix(3).joined(separator: "; also ")
                    + (unique.count > 3 ? " (and \(unique.count - 3) weaker candidate(s))" : "")
            throw Failure(
                lookedFor: lookedFor, saw: saw,
                picture: annotate(image, firstX, nil))
        }
        let pitch = (b.x.pitch + b.y.pitch) / 2
        // The game's lines are about 1.3 px at 1080p: the cell starts half a line past the centre.
        let line = Swift.max(1, pitch * 1.3 / 52.67)
        return GridGeometry(
            originX: Double(originX) + b.x.first + line / 2, originY: Double(originY) + b.y.first + line / 2,
            cellSize: pitch - line, pitch: pitch, columns: columns, rows: rows)
    }

    /// Fits both axes starting from a vertical-line candidate: for each of the best few row
    /// lattices across its span, the columns across those rows, then the rows again.
    static func fits(
        _ gray: Gray, startX: Lattice, columns: Int, rows: Int, pitches: ClosedRange<Double>
    ) -> [(Lattice, Lattice)] {
        let lx0 = refine(gray.columnProfile(rows: 0..<gray.height), startX)
        let py0 = gray.rowProfile(columns: clampRange(lx0.span, gray.width))
        var result: [(Lattice, Lattice)] = []
        for cy in candidates(py0, count: rows, pitches: narrow(pitches, around: lx0.pitch), keep: 3) {
            var ly = refine(py0, cy)
            var lx = lx0
            var ok = true
            for _ in 0..<2 {
                let px = gray.columnProfile(rows: clampRange(ly.span, gray.height))
                guard
                    let cx = candidates(
                        px, count: columns, pitches: narrow(pitches, around: ly.pitch), keep: 1, near: lx
                    ).first
                else {
                    ok = false
                    break
                }
                lx = refine(px, cx)
                let py = gray.rowProfile(columns: clampRange(lx.span, gray.width))
                guard
                    let c2 = candidates(py, count: rows, pitches: narrow(pitches, around: lx.pitch), keep: 1, near: ly)
                        .first
                else {
                    ok = false
                    break
                }
                ly = refine(py, c2)
            }
            if ok { result.append((lx, ly)) }
        }
        return result
    }

    /// The problem with a fitted grid, or nil when it is plausible.
    static func check(_ gray: Gray, _ lx: Lattice, _ ly: Lattice, columns: Int, rows: Int) -> String? {
        let ratio = lx.pitch / ly.pitch
        if ratio < 0.96 || ratio > 1.04 {
            return String(
                format: "cells are not square (%.2f px wide, %.2f px high) for the candidate at x %.0f, y %.0f",
                lx.pitch, ly.pitch, lx.first, ly.first)
        }
        if lx.weakest < 1.5 * lx.interior + 1 || ly.weakest < 1.5 * ly.interior + 1 {
            return String(
                format:
                    "a lattice at x %.0f, y %.0f (pitch %.2f) whose weakest border line (%.1f) barely stands out from the cell interiors (%.1f)",
                lx.first, ly.first, lx.pitch, Swift.min(lx.weakest, ly.weakest), Swift.max(lx.interior, ly.interior))
        }
        // A further column (row) of cells: the other axis' lines continue across it.
        let p = lx.pitch
        for (dx, side) in [(-p, "left"), (Double(columns) * p + p, "right")] {
            let strip = (lx.first + Swift.min(dx, dx - p))...(lx.first + Swift.max(dx, dx - p))
            if strip.lowerBound >= 0, strip.upperBound < Double(gray.width) - 1,
                linesPresent(gray.rowProfile(columns: clampRange(strip, gray.width)), ly, relativeTo: ly)
            {
                return
                    "the lattice continues to the \(side) of the \(columns) columns found at x \(Int(lx.first)) (pitch \(String(format: "%.2f", p))): the grid has more than \(columns) columns (a quad tab? give --columns 24 --rows 24)"
            }
        }
        let q = ly.pitch
        for (dy, side) in [(-q, "above"), (Double(rows) * q + q, "below")] {
            let strip = (ly.first + Swift.min(dy, dy - q))...(ly.first + Swift.max(dy, dy - q))
            if strip.lowerBound >= 0, strip.upperBound < Double(gray.height) - 1,
                linesPresent(gray.columnProfile(rows: clampRange(strip, gray.height)), lx, relativeTo: lx)
            {
                return
                    "the lattice continues \(side) the \(rows) rows found at y \(Int(ly.first)) (pitch \(String(format: "%.2f", q))): the grid has more than \(rows) rows (the inventory has 5, a quad tab 24)"
            }
        }
        // Lines halfway between lines: the cells are half this size.
        let px = gray.columnProfile(rows: clampRange(ly.span, gray.height))
        var half = lx
        half.first += lx.pitch / 2
        half.count = columns - 1
        if linesPresent(px, half, relativeTo: lx) {
            return
                "lines halfway between the \(columns + 1) found (pitch \(String(format: "%.2f", lx.pitch))): the cells are half that size, so the grid has \(2 * columns) columns (a quad tab? give --columns \(2 * columns))"
        }
        return nil
    }

    /// True when every line of `lattice` has at least half the edge energy of `reference`'s
    /// weakest line above the interior level, in `profile`.
    static func linesPresent(_ profile: [Float], _ lattice: Lattice, relativeTo reference: Lattice) -> Bool {
        let smooth = smoothed(profile)
        let need = reference.interior + 0.5 * (reference.weakest - reference.interior)
        var interior: Float = 0
        for k in 0..<Swift.max(1, lattice.count) {
            interior += sample(smooth, lattice.first + (Double(k) + 0.5) * lattice.pitch)
        }
        interior /= Float(Swift.max(1, lattice.count))
        for k in 0...lattice.count {
            if peak(smooth, at: lattice.first + Double(k) * lattice.pitch, radius: 2) < need { return false }
        }
        return interior < need
    }

    /// The best `keep` distinct lattices of `count + 1` lines in a profile (not two for the same
    /// lines), best first. `near`: only lattices overlapping that one.
    static func candidates(
        _ profile: [Float], count: Int, pitches: ClosedRange<Double>, keep: Int, near: Lattice? = nil
    ) -> [Lattice] {
        let n = profile.count
        let smooth = smoothed(profile)
        // Pitches in half-pixel steps: the last line drifts by at most count / 4 px, so lines are
        // looked for as the maximum within that radius.
        let radius = Int((Double(count) / 4).rounded(.up)) + 1
        let wide = maxFiltered(smooth, radius: radius)
        var found: [Lattice] = []
        var floor: Float = 0
        var p = pitches.lowerBound
        while p <= pitches.upperBound {
            defer { p += 0.5 }
            let span = Double(count) * p
            guard span + 2 < Double(n) else { break }
            if let near, abs(p - near.pitch) > near.pitch * 0.08 { continue }
            let radiusHere = Swift.min(radius, Int(p / 4))
            let prof = radiusHere == radius ? wide : maxFiltered(smooth, radius: radiusHere)
            var o = 1.0
            while o + span < Double(n - 1) {
                defer { o += 1 }
                if let near, abs(o - near.first) > Swift.max(3, near.pitch * 0.25) { continue }
                var weakest = Float.infinity
                var k = 0
                while k <= count {
                    let v = sample(prof, o + Double(k) * p)
                    if v < weakest {
                        weakest = v
                        if weakest <= floor { break }
                    }
                    k += 1
                }
                guard k > count else { continue }
                var interior: Float = 0
                for j in 0..<count { interior += sample(smooth, o + (Double(j) + 0.5) * p) }
                interior /= Float(count)
                let score = weakest - interior
                guard score > floor else { continue }
                let cand = Lattice(first: o, pitch: p, count: count, score: score, weakest: weakest, interior: interior)
                // Replace an overlapping weaker candidate, or add.
                if let i = found.firstIndex(where: { same($0, cand) }) {
                    if found[i].score < score { found[i] = cand }
                } else {
                    found.append(cand)
                }
                found.sort { $0.score > $1.score }
                if found.count > keep { found.removeLast() }
                if found.count == keep { floor = Swift.max(0, found[keep - 1].score) }
            }
        }
        return found.filter { $0.score > 0 }
    }

    /// Sub-pixel line positions (centroids of the edge energy near each predicted line) and a
    /// least-squares fit of `first + k * pitch` through them.
    static func refine(_ profile: [Float], _ start: Lattice) -> Lattice {
        var lat = start
        let smooth = smoothed(profile)
        // Inner lines only: the outer ones run beside the tab's frame, whose edges would pull them.
        let inner = lat.count >= 4 ? Array(1..<lat.count) : Array(0...lat.count)
        for pass in 0..<3 {
            let window = pass == 0 ? Swift.max(2, lat.pitch * 0.15) : Swift.max(1.5, lat.pitch * 0.04)
            let half = Swift.max(1.5, lat.pitch * 0.03)
            var ks: [Double] = []
            var xs: [Double] = []
            var ws: [Double] = []
            for k in inner {
                let c = lat.first + Double(k) * lat.pitch
                let lo = Swift.max(0, Int((c - window).rounded(.down)))
                let hi = Swift.min(profile.count - 1, Int((c + window).rounded(.up)))
                guard lo < hi else { continue }
                // The strongest place in the window, then the centroid of the energy around it.
                var top = lo
                for x in lo...hi where smooth[x] > smooth[top] { top = x }
                let a = Swift.max(0, Int((Double(top) - half).rounded(.down)))
                let b = Swift.min(profile.count - 1, Int((Double(top) + half).rounded(.up)))
                var mass = 0.0
                var moment = 0.0
                for x in a...b {
                    let v = Double(Swift.max(0, profile[x] - lat.interior))
                    mass += v
                    moment += v * Double(x)
                }
                guard mass > 0 else { continue }
                ks.append(Double(k))
                xs.append(moment / mass)
                ws.append(mass)
            }
            guard ks.count >= 3 else { break }
            // Weighted least squares x = a + b k, then once more without outliers.
            func solve(_ use: [Bool]) -> (Double, Double)? {
                var sw = 0.0
                var sk = 0.0
                var sx = 0.0
                var skk = 0.0
                var skx = 0.0
                for i in ks.indices where use[i] {
                    let w = ws[i]
                    sw += w
                    sk += w * ks[i]
                    sx += w * xs[i]
                    skk += w * ks[i] * ks[i]
                    skx += w * ks[i] * xs[i]
                }
                let det = sw * skk - sk * sk
                guard abs(det) > 1e-9 else { return nil }
                let b = (sw * skx - sk * sx) / det
                return ((sx - b * sk) / sw, b)
            }
            guard var (a, b) = solve(Array(repeating: true, count: ks.count)) else { break }
            let use = ks.indices.map { abs(xs[$0] - (a + b * ks[$0])) < Swift.max(0.8, b * 0.02) }
            if use.filter({ $0 }).count >= Swift.max(3, ks.count / 2), let refit = solve(use) { (a, b) = refit }
            lat.first = a
            lat.pitch = b
        }
        // Re-measure the lines' strength at the refined places.
        var weakest = Float.infinity
        var interior: Float = 0
        for k in 0...lat.count {
            weakest = Swift.min(weakest, peak(smooth, at: lat.first + Double(k) * lat.pitch, radius: 1))
        }
        for k in 0..<lat.count { interior += sample(smooth, lat.first + (Double(k) + 0.5) * lat.pitch) }
        lat.interior = interior / Float(Swift.max(1, lat.count))
        lat.weakest = weakest
        lat.score = weakest - lat.interior
        return lat
    }

    // MARK: - Profiles

    /// Edges count at most this much (levels): a border line's edges are about 30, while the gold
    /// of filigree and the search highlight make edges of 150 that would pull the lines off.
    static let edgeCap: Float = 40

    /// Luminance of a picture, with edge profiles over parts of it.
    struct Gray {
        let width: Int, height: Int
        var v: [Float]

        init(_ image: Image) {
            let rgb = image.rgb()
            let n = rgb.width * rgb.height
            width = rgb.width
            height = rgb.height
            var v = [Float](repeating: 0, count: n)
            rgb.pixels.withUnsafeBufferPointer { p in
                v.withUnsafeMutableBufferPointer { g in
                    for i in 0..<n {
                        g[i] = 0.299 * Float(p[3 * i]) + 0.587 * Float(p[3 * i + 1]) + 0.114 * Float(p[3 * i + 2])
                    }
                }
            }
            self.v = v
        }

        /// Mean over `rows` of min(|I(x) − I(x − 1)|, cap), per x (index x is the edge at coordinate x).
        func columnProfile(rows: Range<Int>) -> [Float] {
            var p = [Float](repeating: 0, count: width)
            guard !rows.isEmpty, width > 1 else { return p }
            v.withUnsafeBufferPointer { g in
                p.withUnsafeMutableBufferPointer { out in
                    for y in rows {
                        let row = y * width
                        for x in 1..<width {
                            out[x] += Swift.min(GridDetector.edgeCap, abs(g[row + x] - g[row + x - 1]))
                        }
                    }
                    let k = 1 / Float(rows.count)
                    for x in 0..<width { out[x] *= k }
                }
            }
            return p
        }

        /// Mean over `columns` of min(|I(y) − I(y − 1)|, cap), per y.
        func rowProfile(columns: Range<Int>) -> [Float] {
            var p = [Float](repeating: 0, count: height)
            guard !columns.isEmpty, height > 1 else { return p }
            v.withUnsafeBufferPointer { g in
                for y in 1..<height {
                    var s: Float = 0
                    let a = y * width
                    let b = (y - 1) * width
                    for x in columns { s += Swift.min(GridDetector.edgeCap, abs(g[a + x] - g[b + x])) }
                    p[y] = s / Float(columns.count)
                }
            }
            return p
        }
    }

    static func clampRange(_ r: ClosedRange<Double>, _ n: Int) -> Range<Int> {
        let lo = Swift.max(0, Swift.min(n - 1, Int(r.lowerBound.rounded(.up)) + 1))
        let hi = Swift.max(lo + 1, Swift.min(n, Int(r.upperBound.rounded(.down)) - 1))
        return lo..<hi
    }

    static func narrow(_ pitches: ClosedRange<Double>, around p: Double) -> ClosedRange<Double> {
        Swift.max(pitches.lowerBound, p * 0.93)...Swift.min(pitches.upperBound, p * 1.07)
    }

    /// Two candidates for the same lines (not one shifted by a whole cell).
    static func same(_ a: Lattice, _ b: Lattice) -> Bool {
        abs(a.first - b.first) < 0.5 * Swift.min(a.pitch, b.pitch) && abs(a.pitch - b.pitch) < 0.03 * a.pitch
    }

    static func overlap(_ a: Lattice, _ b: Lattice) -> Double {
        let lo = Swift.max(a.span.lowerBound, b.span.lowerBound)
        let hi = Swift.min(a.span.upperBound, b.span.upperBound)
        return Swift.max(0, hi - lo)
            / Swift.min(a.span.upperBound - a.span.lowerBound, b.span.upperBound - b.span.lowerBound)
    }

    /// [1 2 1] / 4 smoothing (a 1–2 px line's two edges merge into one peak).
    static func smoothed(_ p: [Float]) -> [Float] {
        guard p.count > 2 else { return p }
        var s = p
        for i in 1..<(p.count - 1) { s[i] = 0.25 * p[i - 1] + 0.5 * p[i] + 0.25 * p[i + 1] }
        return s
    }

    static func maxFiltered(_ p: [Float], radius r: Int) -> [Float] {
        guard r > 0 else { return p }
        var out = p
        for i in p.indices {
            var m: Float = 0
            for j in Swift.max(0, i - r)...Swift.min(p.count - 1, i + r) where p[j] > m { m = p[j] }
            out[i] = m
        }
        return out
    }

    /// Linear interpolation of a profile at a fractional index (0 outside).
    @inline(__always) static func sample(_ p: [Float], _ x: Double) -> Float {
        guard x >= 0, x < Double(p.count - 1) else { return 0 }
        let i = Int(x)
        let t = Float(x - Double(i))
        return p[i] * (1 - t) + p[i + 1] * t
    }

    static func peak(_ p: [Float], at x: Double, radius: Int) -> Float {
        let c = Int(x.rounded())
        var m: Float = 0
        for i in (c - radius)...(c + radius) where i >= 0 && i < p.count { m = Swift.max(m, p[i]) }
        return m
    }

    /// The picture with the candidate lines drawn in red (what `--detect` saves when it fails).
    static func annotate(_ image: Image, _ x: Lattice?, _ y: Lattice?) -> Image {
        var img = image.rgb()
        if let x {
            for k in 0...x.count {
                let px = Int((x.first + Double(k) * x.pitch).rounded())
                img.fillRect(x: px, y: 0, width: 1, height: img.height, color: [255, 0, 0])
            }
        }
        if let y {
            for k in 0...y.count {
                let py = Int((y.first + Double(k) * y.pitch).rounded())
                img.fillRect(x: 0, y: py, width: img.width, height: 1, color: [255, 0, 0])
            }
        }
        return img
    }
}
