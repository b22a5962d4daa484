import Imaging
import SeededRandom

/// The colour of a skill gem (the seed's classes, besides `empty`).
public enum GemColor: String, CaseIterable, Sendable, Codable {
    case blue, green, red
}

/// What a stash cell shows.
public enum CellContent: Equatable, Sendable {
    case empty
    case gem(GemLook)

    /// The seed's class name: blue, empty, green or red.
    public var className: String {
        switch self {
        case .empty: return "empty"
        case .gem(let g): return g.color.rawValue
        }
    }
}

/// How one gem sprite is drawn. Every field varies, so that average-colour tricks fail the way
/// the seed's author found they fail on real gems.
public struct GemLook: Hashable, Sendable {
    public enum Shape: Int, CaseIterable, Sendable, Hashable { case shard, round, diamond, hexagon, teardrop }
    public enum Ornament: Int, CaseIterable, Sendable { case ring, swirl, wires, frame, skull, none }

    public var color: GemColor
    public var shape: Shape
    public var ornament: Ornament
    /// Red "Vaal" accents drawn over the gem (on any colour).
    public var vaal: Bool
    /// The "+" badge in the top-right corner.
    public var badge: Bool
    /// The character cannot use it: the cell background is tinted red.
    public var unusable: Bool
    /// Seed of the small variations (facets, angles, offsets).
    public var detailSeed: UInt64

    public init(
        color: GemColor, shape: Shape, ornament: Ornament, vaal: Bool, badge: Bool, unusable: Bool, detailSeed: UInt64
    ) {
        self.color = color
        self.shape = shape
        self.ornament = ornament
        self.vaal = vaal
        self.badge = badge
        self.unusable = unusable
        self.detailSeed = detailSeed
    }

    /// A random look of the given colour.
    public static func random(_ color: GemColor, using rng: inout SeededGenerator) -> GemLook {
        GemLook(
            color: color,
            shape: Shape.allCases[Int(rng.next() % UInt64(Shape.allCases.count))],
            ornament: Ornament.allCases[Int(rng.next() % UInt64(Ornament.allCases.count))],
            vaal: rng.nextUniform() < 0.25, badge: rng.nextUniform() < 0.15,
            unusable: rng.nextUniform() < 0.15, detailSeed: rng.next())
    }
}

/// Draws stash cells: dark slots, and procedurally drawn gems of our own in the game's style.
public enum GemArt {
    static let slotBackground: [Float] = [2, 2, 28]
    static let slotBorder: [Float] = [22, 15, 31]
    static let unusableBackground: [Float] = [52, 8, 6]
    static let emptyBackground: [Float] = [5, 4, 3]
    static let emptyBorder: [Float] = [34, 24, 13]
    static let gold: [Float] = [214, 170, 90]
    static let vaalRed: [Float] = [220, 60, 20]

    static func base(_ c: GemColor) -> (dark: [Float], mid: [Float], light: [Float]) {
        switch c {
        case .blue: return ([15, 30, 130], [45, 105, 225], [150, 195, 255])
        case .green: return ([15, 80, 5], [50, 160, 15], [165, 235, 70])
        case .red: return ([80, 3, 10], [160, 12, 28], [235, 80, 95])
        }
    }

    /// One cell of `size`×`size` pixels. `noiseSeed` adds faint sensor-like noise (0: none).
    public static func cell(_ content: CellContent, size: Int = 52, noiseSeed: UInt64 = 0) -> Image {
        var canvas = Canvas(size: size)
        switch content {
        case .empty:
            canvas.fill(emptyBackground)
            canvas.border(emptyBorder)
            canvas.emptyOrnament()
        case .gem(let look):
            var rng = SeededGenerator(seed: look.detailSeed)
            canvas.fill(look.unusable ? unusableBackground : slotBackground)
            canvas.border(slotBorder)
            canvas.gem(look, rng: &rng)
        }
        if noiseSeed != 0 {
            var rng = SeededGenerator(seed: noiseSeed)
            let gain = 0.85 + rng.nextUniform() * 0.3
            for i in 0..<canvas.px.count { canvas.px[i] = canvas.px[i] * gain + rng.nextNormal() * 2 }
        }
        return canvas.image()
    }
}

/// A float RGB canvas with the few primitives gem drawing needs.
struct Canvas {
    let size: Int
    var px: [Float]
    /// Coverage of what was drawn (0 = untouched). Drawing on a fresh canvas leaves `px`
    /// premultiplied by it, so a sprite drawn without a background can be composited.
    var alpha: [Float]

    init(size: Int) {
        self.size = size
        px = [Float](repeating: 0, count: size * size * 3)
        alpha = [Float](repeating: 0, count: size * size)
    }

    mutating func fill(_ c: [Float]) {
        for i in 0..<(size * size) {
            px[3 * i] = c[0]
            px[3 * i + 1] = c[1]
            px[3 * i + 2] = c[2]
        }
    }

    mutating func blend(_ x: Int, _ y: Int, _ c: [Float], _ a: Float) {
        guard x >= 0, y >= 0, x < size, y < size, a > 0 else { return }
        let o = 3 * (y * size + x)
        let k = Swift.min(a, 1)
        for ch in 0..<3 { px[o + ch] = px[o + ch] * (1 - k) + c[ch] * k }
        alpha[y * size + x] += (1 - alpha[y * size + x]) * k
    }

    mutating func border(_ c: [Float]) {
        for i in 0..<size {
            blend(i, 0, c, 1)
            blend(i, size - 1, c, 1)
            blend(0, i, c, 1)
            blend(size - 1, i, c, 1)
        }
    }

    /// Faint concentric ornament of an empty slot.
    mutating func emptyOrnament() {
        let s = Float(size)
        let cx = s / 2
        let cy = s / 2
        for y in 0..<size {
            for x in 0..<size {
                let dx = Float(x) - cx
                let dy = Float(y) - cy
                let r = (dx * dx + dy * dy).squareRoot()
                let ang = Float(atan2Approx(dy, dx))
                let petal = Swift.abs(sinApprox(ang * 4)) * s * 0.12 + s * 0.18
                if Swift.abs(r - petal) < 1 || Swift.abs(r - s * 0.38) < 0.6 { blend(x, y, [14, 12, 10], 0.9) }
            }
        }
    }

    /// Thick anti-aliased line.
    mutating func line(_ x0: Float, _ y0: Float, _ x1: Float, _ y1: Float, width: Float, _ c: [Float]) {
        let minX = Int(Swift.min(x0, x1) - width - 1)
        let maxX = Int(Swift.max(x0, x1) + width + 1)
        let minY = Int(Swift.min(y0, y1) - width - 1)
        let maxY = Int(Swift.max(y0, y1) + width + 1)
        let dx = x1 - x0
        let dy = y1 - y0
        let len2 = Swift.max(dx * dx + dy * dy, 1e-6)
        for y in Swift.max(0, minY)...Swift.max(0, Swift.min(size - 1, maxY)) {
            for x in Swift.max(0, minX)...Swift.max(0, Swift.min(size - 1, maxX)) {
                let px = Float(x) + 0.5
                let py = Float(y) + 0.5
                let t = Swift.max(0, Swift.min(1, ((px - x0) * dx + (py - y0) * dy) / len2))
                let ex = x0 + t * dx - px
                let ey = y0 + t * dy - py
                let d = (ex * ex + ey * ey).squareRoot()
                blend(x, y, c, width / 2 + 0.5 - d)
            }
        }
    }

    /// Ring (annulus) between radii r - w/2 and r + w/2, optionally only an arc.
    mutating func ring(
        _ cx: Float, _ cy: Float, _ r: Float, width: Float, _ c: [Float], from a0: Float = -4, to a1: Float = 4,
        squash: Float = 1
    ) {
        for y in 0..<size {
            for x in 0..<size {
                let dx = Float(x) + 0.5 - cx
                let dy = (Float(y) + 0.5 - cy) / squash
                let d = (dx * dx + dy * dy).squareRoot()
                let cover = width / 2 + 0.5 - Swift.abs(d - r)
                guard cover > 0 else { continue }
                if a0 > -3.15 || a1 < 3.15 {
                    let a = atan2Approx(dy, dx)
                    guard a >= a0 && a <= a1 else { continue }
                }
                blend(x, y, c, cover)
            }
        }
    }

    /// Draws a gem. `unit` is the cell size the proportions refer to (default: the canvas) and
    /// `centre` the cell's centre on the canvas, so a gem can be drawn on a canvas larger than its
    /// cell (the game's ornaments reach over the borders); `bodyScale` enlarges the gem itself.
    /// Returns the gem's centre and radii.
    @discardableResult
    mutating func gem(
        _ look: GemLook, rng: inout SeededGenerator, unit: Float? = nil, centre: (x: Float, y: Float)? = nil,
        bodyScale: Float = 1
    ) -> (cx: Float, cy: Float, rx: Float, ry: Float) {
        let s = unit ?? Float(size)
        let c0 = centre ?? (s / 2, s / 2)
        let lw = s / 52  // line widths scale with the cell
        let (dark, mid, light) = GemArt.base(look.color)
        let cx = c0.x + s * (rng.nextUniform() - 0.5) * 0.12
        let cy = c0.y + s * 0.02 + s * (rng.nextUniform() - 0.5) * 0.12
        let angle = (rng.nextUniform() - 0.5) * 1.6 - 0.7
        let ca = cosApprox(angle)
        let sa = sinApprox(angle)
        let rx = s * (0.22 + rng.nextUniform() * 0.08) * bodyScale
        let ry = s * (0.32 + rng.nextUniform() * 0.06) * bodyScale
        // Facets: a few random planes that modulate brightness.
        var facets: [(Float, Float, Float)] = []
        for _ in 0..<5 { facets.append((rng.nextUniform() * 2 - 1, rng.nextUniform() * 2 - 1, rng.nextUniform())) }
        for y in 0..<size {
            for x in 0..<size {
                let dx = Float(x) + 0.5 - cx
                let dy = Float(y) + 0.5 - cy
                let u = (dx * ca + dy * sa) / rx
                let v = (-dx * sa + dy * ca) / ry
                var inside: Float
                switch look.shape {
                case .shard: inside = 1 - (Swift.abs(u) * 0.9 + u * u * 0.3 + v * v)
                case .round: inside = 1 - (u * u + v * v) * (ry / rx) * 0.75
                case .diamond: inside = 1 - (Swift.abs(u) + Swift.abs(v))
                case .hexagon: inside = 1 - Swift.max(Swift.abs(u), Swift.abs(u) * 0.5 + Swift.abs(v) * 0.87)
                case .teardrop: inside = 1 - (u * u * (1.6 - v * 0.6) + v * v)
                }
                guard inside > -0.05 else { continue }
                var shade: Float = 0.45 + 0.35 * (-u * 0.5 - v * 0.6)
                for (fx, fy, fz) in facets where u * fx + v * fy > fz - 0.5 { shade += 0.12 }
                shade = Swift.max(0, Swift.min(1, shade))
                let c: [Float] =
                    shade < 0.5
                    ? (0..<3).map { dark[$0] + (mid[$0] - dark[$0]) * shade * 2 }
                    : (0..<3).map { mid[$0] + (light[$0] - mid[$0]) * (shade - 0.5) * 2 }
                blend(x, y, c, (inside + 0.05) * 12)
            }
        }
        // Sparkles.
        for _ in 0..<3 {
            blend(
                Int(cx + (rng.nextUniform() - 0.5) * rx), Int(cy + (rng.nextUniform() - 0.5) * ry), [235, 240, 255], 0.9
            )
        }
        // Gold ornament: defeats average-colour methods.
        let g = GemArt.gold.map { $0 * (0.8 + rng.nextUniform() * 0.3) }
        switch look.ornament {
        case .ring:
            ring(cx, cy, s * 0.3, width: 2.2 * lw, g, squash: 0.45 + rng.nextUniform() * 0.3)
        case .swirl:
            ring(cx, cy, s * 0.18, width: 2 * lw, g, from: -3, to: 1.5)
            ring(cx, cy, s * 0.3, width: 2 * lw, g, from: -1, to: 3)
        case .wires:
            for k in 0..<4 {
                let o = Float(k) * s * 0.1 - s * 0.15
                line(cx - s * 0.3, cy + o - s * 0.1, cx + s * 0.3, cy + o + s * 0.05, width: 1.6 * lw, g)
            }
        case .frame:
            ring(cx, cy, s * 0.4, width: 3 * lw, g)
            ring(cx, cy, s * 0.34, width: 1.2 * lw, g.map { $0 * 0.7 })
        case .skull:
            let sx = cx + s * 0.12
            let sy = cy - s * 0.22
            ring(sx, sy, s * 0.07, width: s * 0.12, [225, 205, 160])
            blend(Int(sx) - 2, Int(sy), [20, 15, 10], 1)
            blend(Int(sx) + 2, Int(sy), [20, 15, 10], 1)
            line(cx - s * 0.3, cy + s * 0.25, cx + s * 0.25, cy - s * 0.1, width: 2 * lw, g)
        case .none:
            break
        }
        if look.vaal {
            for _ in 0..<4 {
                let x0 = cx + (rng.nextUniform() - 0.5) * s * 0.7
                let y0 = cy + (rng.nextUniform() - 0.5) * s * 0.7
                line(
                    x0, y0, x0 + (rng.nextUniform() - 0.5) * s * 0.5, y0 + (rng.nextUniform() - 0.5) * s * 0.5,
                    width: 1.5 * lw, GemArt.vaalRed)
            }
            ring(cx, cy, s * 0.25, width: 1.5 * lw, [200, 40, 20], from: 0, to: 2.5)
        }
        if look.badge {
            let bx = c0.x + s * 0.28
            let by = c0.y - s * 0.3
            ring(bx, by, s * 0.05, width: s * 0.16, [235, 220, 190])
            line(bx - s * 0.08, by, bx + s * 0.08, by, width: 2.4 * lw, [15, 10, 8])
            line(bx, by - s * 0.08, bx, by + s * 0.08, width: 2.4 * lw, [15, 10, 8])
        }
        return (cx, cy, rx, ry)
    }

    func image() -> Image {
        var img = Image(width: size, height: size, channels: 3)
        for i in 0..<px.count { img.pixels[i] = UInt8(Swift.max(0, Swift.min(255, px[i].rounded()))) }
        return img
    }
}

// Small, dependency-free trigonometry (exact enough for drawing).
@inline(__always) func sinApprox(_ x: Float) -> Float { Float(_sin(Double(x))) }
@inline(__always) func cosApprox(_ x: Float) -> Float { Float(_cos(Double(x))) }
@inline(__always) func atan2Approx(_ y: Float, _ x: Float) -> Float { Float(_atan2(Double(y), Double(x))) }
#if canImport(Glibc)
    import Glibc
    @inline(__always) private func _sin(_ x: Double) -> Double { Glibc.sin(x) }
    @inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
    @inline(__always) private func _atan2(_ y: Double, _ x: Double) -> Double { Glibc.atan2(y, x) }
#else
    import Darwin
    @inline(__always) private func _sin(_ x: Double) -> Double { Darwin.sin(x) }
    @inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
    @inline(__always) private func _atan2(_ y: Double, _ x: Double) -> Double { Darwin.atan2(y, x) }
#endif
