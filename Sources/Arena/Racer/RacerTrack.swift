import Foundation
import SeededRandom

/// Where a point lies relative to a track's centre line.
public struct TrackLocation: Sendable, Equatable {
    /// Index of the centre-line sample at the start of the nearest segment.
    public var index: Int
    /// Distance along the centre line from the start line, metres, in `0..<length`.
    public var s: Double
    /// Signed distance from the centre line, metres; positive to the left of the driving direction.
    public var lateral: Double
}

/// A closed procedural race track: a centre line sampled every metre, with a width at each sample.
///
/// Built from a seed: control points on a wobbly loop (corners of varied radius where neighbouring
/// radii differ), straights (collinear control points), one or two chicanes (an S-shaped lateral
/// offset) and a width that changes smoothly along the lap. Every generated track is checked:
/// it never comes closer to itself than its width plus run-off and barriers, and no corner is
/// tighter than ``minimumRadius``. Coordinates are metres, x to the right and y up; the car
/// drives counter-clockwise (increasing `s`).
public struct RacerTrack: Sendable {
    /// The seed the track was built from.
    public let seed: UInt64
    /// Centre-line samples, `spacing` metres apart along the line (the last joins the first).
    public let points: [SIMD2<Double>]
    /// Unit tangent (driving direction) at each sample.
    public let tangents: [SIMD2<Double>]
    /// Full asphalt width at each sample, metres.
    public let widths: [Double]
    /// Signed curvature at each sample, 1/metres (positive: turning left).
    public let curvatures: [Double]
    /// Length of one lap, metres.
    public let length: Double
    /// Distance between samples, metres.
    public let spacing: Double
    /// Width of the gravel run-off beyond each edge before the tyre barrier, metres.
    public let runoff: Double
    /// The tightest corner any generated track may have, metres.
    public static let minimumRadius = 14.0

    /// Builds the track for `seed`. `size` scales the loop (1 = about 700-900 m a lap).
    public init(seed: UInt64, size: Double = 1) {
        var rng = SeededGenerator(seed: seed ^ 0x7AC4_7AC4)
        // Practically never more than a few attempts; after many, a gentler shape; a plain oval
        // (always valid) only if even that failed.
        for attempt in 0..<400 {
            if let t = RacerTrack.generate(seed: seed, size: size, rng: &rng, gentle: attempt >= 200) {
                self = t
                return
            }
        }
        let radius = 120.0 * size
        let n = Int(2 * Double.pi * radius)
        let oval = (0..<n).map { k -> SIMD2<Double> in
            let a = 2 * Double.pi * Double(k) / Double(n)
            return SIMD2(cos(a) * radius * 1.3, sin(a) * radius)
        }
        self = RacerTrack(
            seed: seed, points: RacerTrack.resample(oval, spacing: 1),
            widths: [Double](repeating: 14, count: RacerTrack.resample(oval, spacing: 1).count),
            spacing: 1, runoff: 6)
    }

    private init(seed: UInt64, points: [SIMD2<Double>], widths: [Double], spacing: Double, runoff: Double) {
        self.seed = seed
        self.points = points
        self.widths = widths
        self.spacing = spacing
        self.runoff = runoff
        let n = points.count
        length = Double(n) * spacing
        var tangents = [SIMD2<Double>](repeating: .zero, count: n)
        var curvatures = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let d = points[(i + 1) % n] - points[(i + n - 1) % n]
            tangents[i] = d / (d * d).sum().squareRoot()
        }
        for i in 0..<n {
            let a = tangents[(i + n - 1) % n]
            let b = tangents[(i + 1) % n]
            let cross = a.x * b.y - a.y * b.x
            let dot = (a * b).sum()
            curvatures[i] = atan2(cross, dot) / (2 * spacing)
        }
        self.tangents = tangents
        self.curvatures = curvatures
    }

    private static func uniform(_ rng: inout SeededGenerator, _ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(rng.nextUniform())
    }

    private static func generate(
        seed: UInt64, size: Double, rng: inout SeededGenerator, gentle: Bool = false
    ) -> RacerTrack? {
        let baseRadius = 120.0 * size
        let count = Int(uniform(&rng, 9, 14))
        var control: [SIMD2<Double>] = []
        var angles: [Double] = []
        for i in 0..<count {
            let jitter = uniform(&rng, -0.3, 0.3) * 2 * Double.pi / Double(count)
            angles.append(2 * Double.pi * Double(i) / Double(count) + jitter)
        }
        var radii = (0..<count).map { _ in baseRadius * (gentle ? uniform(&rng, 0.8, 1.1) : uniform(&rng, 0.5, 1.25)) }
        // A long straight: two neighbouring control points pushed onto one line, with points between.
        let straightAt = Int(uniform(&rng, 0, Double(count)))
        radii[(straightAt + 1) % count] = radii[straightAt] * uniform(&rng, 0.9, 1.1)
        for i in 0..<count {
            let p = SIMD2(cos(angles[i]), sin(angles[i])) * radii[i]
            control.append(p)
            if i == straightAt {
                let j = (i + 1) % count
                let q = SIMD2(cos(angles[j]), sin(angles[j])) * radii[j]
                control.append(p + (q - p) * (1.0 / 3))
                control.append(p + (q - p) * (2.0 / 3))
            }
        }
        // Dense Catmull-Rom (centripetal-free, uniform) through the control points.
        var dense: [SIMD2<Double>] = []
        let m = control.count
        for i in 0..<m {
            let p0 = control[(i + m - 1) % m]
            let p1 = control[i]
            let p2 = control[(i + 1) % m]
            let p3 = control[(i + 2) % m]
            for k in 0..<60 {
                let t = Double(k) / 60
                let t2 = t * t
                let t3 = t2 * t
                let a = 2 * p1
                let b = (p2 - p0) * t
                let c = (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                let d = (3 * p1 - p0 - 3 * p2 + p3) * t3
                dense.append((a + b + c + d) * 0.5)
            }
        }
        let spacing = 1.0
        var points = resample(dense, spacing: spacing)
        let n = points.count
        guard n > 100 else { return nil }
        // Chicanes: an S-shaped sideways offset over 50-70 m, once or twice a lap.
        let chicanes = gentle ? 0 : Int(uniform(&rng, 1, 3))
        if chicanes > 0 {
            var normals = [SIMD2<Double>](repeating: .zero, count: n)
            for i in 0..<n {
                let d = points[(i + 1) % n] - points[(i + n - 1) % n]
                let t = d / (d * d).sum().squareRoot()
                normals[i] = SIMD2(-t.y, t.x)
            }
            for c in 0..<chicanes {
                let span = Int(uniform(&rng, 50, 70))
                let start = (Int(uniform(&rng, 0, 0.4) * Double(n)) + c * n / 2) % n
                let amplitude = uniform(&rng, 4, 6) * (rng.nextUniform() < 0.5 ? -1 : 1)
                for k in 0...span {
                    let u = Double(k) / Double(span)
                    let offset = amplitude * sin(2 * Double.pi * u) * pow(sin(Double.pi * u), 2)
                    let i = (start + k) % n
                    points[i] += normals[i] * offset
                }
            }
            points = resample(points, spacing: spacing)
        }
        // Smooth away kinks (Laplacian passes) until no corner is tighter than the minimum radius.
        for _ in 0..<60 {
            if maxCurvature(points) < 0.92 / RacerTrack.minimumRadius { break }
            for _ in 0..<8 {
                let m = points.count
                var next = points
                for i in 0..<m { next[i] = points[i] * 0.5 + (points[(i + m - 1) % m] + points[(i + 1) % m]) * 0.25 }
                points = next
            }
        }
        points = resample(points, spacing: spacing)
        // Rotate so the start line sits on the longest nearly-straight stretch's beginning: keep it
        // simple and start at the straight (the sample nearest its first control point).
        let n2 = points.count
        let startPoint = control[straightAt + 0]
        var best = 0
        var bestD = Double.infinity
        for i in 0..<n2 {
            let d = ((points[i] - startPoint) * (points[i] - startPoint)).sum()
            if d < bestD {
                bestD = d
                best = i
            }
        }
        points = Array(points[best...] + points[..<best])
        // Width: 10-18 m, changing smoothly along the lap.
        let k1 = Double(Int(uniform(&rng, 2, 4)))
        let k2 = Double(Int(uniform(&rng, 5, 8)))
        let f1 = uniform(&rng, 0, 6.28)
        let f2 = uniform(&rng, 0, 6.28)
        let widths = (0..<n2).map { i -> Double in
            let u = Double(i) / Double(n2) * 2 * Double.pi
            return Swift.min(18, Swift.max(10, 13.5 + 2.6 * sin(k1 * u + f1) + 1.4 * sin(k2 * u + f2)))
        }
        let track = RacerTrack(seed: seed, points: points, widths: widths, spacing: spacing, runoff: 6)
        return track.isValid ? track : nil
    }

    /// The largest curvature of a closed polyline, from the turn angle over two segments.
    private static func maxCurvature(_ p: [SIMD2<Double>]) -> Double {
        let n = p.count
        var worst = 0.0
        for i in 0..<n {
            let a = p[i] - p[(i + n - 1) % n]
            let b = p[(i + 1) % n] - p[i]
            let la = (a * a).sum().squareRoot()
            let lb = (b * b).sum().squareRoot()
            let turn = abs(atan2(a.x * b.y - a.y * b.x, (a * b).sum()))
            worst = Swift.max(worst, 2 * turn / (la + lb))
        }
        return worst
    }

    /// Resamples a closed polyline (last point may repeat the first) every `spacing` metres.
    private static func resample(_ line: [SIMD2<Double>], spacing: Double) -> [SIMD2<Double>] {
        var cumulative = [0.0]
        let closed = line + [line[0]]
        for i in 1..<closed.count {
            let d = closed[i] - closed[i - 1]
            cumulative.append(cumulative[i - 1] + (d * d).sum().squareRoot())
        }
        let total = cumulative[cumulative.count - 1]
        let n = Int((total / spacing).rounded())
        let step = total / Double(n)
        var out: [SIMD2<Double>] = []
        out.reserveCapacity(n)
        var j = 0
        for k in 0..<n {
            let s = Double(k) * step
            while j + 1 < cumulative.count - 1 && cumulative[j + 1] < s { j += 1 }
            let seg = cumulative[j + 1] - cumulative[j]
            let u = seg > 0 ? (s - cumulative[j]) / seg : 0
            out.append(closed[j] + (closed[j + 1] - closed[j]) * u)
        }
        return out
    }

    /// No corner tighter than ``minimumRadius`` and no two far-apart parts of the lap closer than
    /// their half widths, run-off and barriers plus a margin.
    var isValid: Bool {
        let n = points.count
        for c in curvatures where abs(c) > 1 / RacerTrack.minimumRadius { return false }
        let apart = Int(80 / spacing)
        for i in stride(from: 0, to: n, by: 2) {
            for j in stride(from: i + apart, to: n, by: 2) where n - (j - i) > apart {
                let d = points[i] - points[j]
                let clearance = (widths[i] + widths[j]) / 2 + 2 * runoff + 12
                if (d * d).sum() < clearance * clearance { return false }
            }
        }
        return true
    }

    /// Wraps `s` into `0..<length`.
    public func wrap(_ s: Double) -> Double {
        let r = s.truncatingRemainder(dividingBy: length)
        return r < 0 ? r + length : r
    }

    /// Interpolated sample index and fraction for distance `s`.
    private func segment(_ s: Double) -> (Int, Double) {
        let u = wrap(s) / spacing
        let i = Int(u.rounded(.down)) % points.count
        return (i, u - Double(Int(u.rounded(.down))))
    }

    /// The centre-line point at distance `s`.
    public func point(at s: Double) -> SIMD2<Double> {
        let (i, f) = segment(s)
        return points[i] + (points[(i + 1) % points.count] - points[i]) * f
    }

    /// The full width at distance `s`.
    public func width(at s: Double) -> Double {
        let (i, f) = segment(s)
        return widths[i] + (widths[(i + 1) % widths.count] - widths[i]) * f
    }

    /// The curvature at distance `s` (1/metres, positive turning left).
    public func curvature(at s: Double) -> Double {
        let (i, f) = segment(s)
        return curvatures[i] + (curvatures[(i + 1) % curvatures.count] - curvatures[i]) * f
    }

    /// The driving direction at distance `s`, radians counter-clockwise from +x.
    public func heading(at s: Double) -> Double {
        let (i, f) = segment(s)
        let t = tangents[i] + (tangents[(i + 1) % tangents.count] - tangents[i]) * f
        return atan2(t.y, t.x)
    }

    /// The nearest point of the centre line to `p`. With a `hint` (the previous index), only the
    /// neighbourhood is searched unless the point is far from it.
    public func locate(_ p: SIMD2<Double>, hint: Int? = nil) -> TrackLocation {
        let n = points.count
        var bestI = 0
        var bestD = Double.infinity
        func scan(_ range: ClosedRange<Int>) {
            for k in range {
                let i = ((k % n) + n) % n
                let d = p - points[i]
                let dd = (d * d).sum()
                if dd < bestD {
                    bestD = dd
                    bestI = i
                }
            }
        }
        if let hint {
            scan((hint - 30)...(hint + 30))
            let reach = widths[bestI] / 2 + runoff + 10
            if bestD > reach * reach {
                bestD = .infinity
                scan(0...(n - 1))
            }
        } else {
            scan(0...(n - 1))
        }
        // Project onto the better of the two segments around the nearest sample.
        var best = (index: bestI, s: Double(bestI) * spacing, lateral: 0.0, dist: Double.infinity)
        for i in [(bestI + n - 1) % n, bestI] {
            let a = points[i]
            let b = points[(i + 1) % n]
            let ab = b - a
            let len2 = (ab * ab).sum()
            let u = Swift.max(0, Swift.min(1, ((p - a) * ab).sum() / len2))
            let q = a + ab * u
            let d = p - q
            let dist = (d * d).sum().squareRoot()
            if dist < best.dist {
                let cross = ab.x * d.y - ab.y * d.x
                best = (i, (Double(i) + u) * spacing, cross >= 0 ? dist : -dist, dist)
            }
        }
        return TrackLocation(index: best.index, s: wrap(best.s), lateral: best.lateral)
    }

    /// The axis-aligned bounds of the centre line, metres.
    public var bounds: (min: SIMD2<Double>, max: SIMD2<Double>) {
        var lo = points[0]
        var hi = points[0]
        for p in points {
            lo = pointwiseMin(lo, p)
            hi = pointwiseMax(hi, p)
        }
        return (lo, hi)
    }
}
