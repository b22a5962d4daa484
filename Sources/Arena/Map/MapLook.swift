import Foundation
import Imaging
import SeededRandom

/// Which look the map game's frames have: the arena's own, or a new random one per frame.
public enum MapAppearance: String, CaseIterable, Sendable, Codable {
    /// The arena's fixed colours, widths and ground (``MapLook/arena``).
    case arena
    /// A look drawn per frame around the real game's measured minimap (``MapLook/varied(seed:)``).
    case varied
}

/// How the minimap and the ground under it look in a frame: line colours, opacity and width, the
/// ground's contrast and tint, effects drawn over the lines, the minimap's zoom, and what the
/// capture and its file do to the picture (noise, blur, JPEG).
///
/// ``arena`` is the map arena's own look. ``varied(seed:)`` draws one around the values measured
/// on a real in-game crop (reference `layout-prediction.md` §19: lavender-grey walls of mean RGB
/// about 132, 133, 176 over a blue-grey ground of about 42, 48, 62, lines 4-5 px with their glow,
/// cyan water edges) and the arena's, wide enough that a line extractor trained on them does not
/// learn one look: dark clean grounds and busy textured ones, faint and solid lines, greyer and
/// bluer walls, UI zoom, compression.
public struct MapLook: Sendable, Equatable, Codable {
    /// Wall-line colour at full opacity, RGB 0-255.
    public var wall: [Float]
    /// Water-edge colour at full opacity, RGB 0-255.
    public var water: [Float]
    /// The lines' opacity at their centre (the arena: 0.8).
    public var opacity: Float
    /// Multiplies the lines' glow before it is clamped to 1: above 1 the glow turns solid (wider
    /// lines), below 1 the lines are fainter and thinner.
    public var lineGain: Float
    /// The ground's contrast around its mean (1: the arena's texture; 0.2: nearly flat).
    public var groundContrast: Float
    /// Added to the ground, RGB.
    public var groundShift: [Float]
    /// Bright effects (skills, fires, glints) drawn over the lines.
    public var glints: Int
    /// The minimap's zoom (``MapView/minimapScale``).
    public var minimapScale: Float
    /// Standard deviation of per-pixel noise added to the captured frame, 0-255 units.
    public var noise: Float
    /// Box-blur radius applied to the captured frame (0: none).
    public var blur: Int
    /// The frame saved as JPEG of this quality and read back (nil: lossless).
    public var jpegQuality: Int?

    public init(
        wall: [Float], water: [Float], opacity: Float, lineGain: Float, groundContrast: Float,
        groundShift: [Float], glints: Int, minimapScale: Float, noise: Float, blur: Int, jpegQuality: Int?
    ) {
        self.wall = wall
        self.water = water
        self.opacity = opacity
        self.lineGain = lineGain
        self.groundContrast = groundContrast
        self.groundShift = groundShift
        self.glints = glints
        self.minimapScale = minimapScale
        self.noise = noise
        self.blur = blur
        self.jpegQuality = jpegQuality
    }

    /// The map arena's own look.
    public static let arena = MapLook(
        wall: [150, 150, 208], water: [62, 144, 188], opacity: 0.8, lineGain: 1, groundContrast: 1,
        groundShift: [0, 0, 0], glints: 0, minimapScale: 1, noise: 0, blur: 0, jpegQuality: nil)

    /// The ground texture's mean, about which ``groundContrast`` scales.
    static let groundMean: [Float] = [46, 52, 66]

    /// A look drawn from `seed`: the same seed, the same look.
    public static func varied(seed: UInt64) -> MapLook {
        var rng = SeededGenerator(seed: seed ^ 0x4C4F_4F4B)
        func u(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * rng.nextUniform() }
        // Walls: from grey-lavender to the arena's bluer lavender; the blue always leads.
        let red = u(118, 178)
        let wall = [red, red + u(-22, 6), min(250, red + u(38, 70))]
        let water = [u(40, 95), u(120, 160), u(160, 205)]
        // Ground: a dark clean floor, the arena's texture, or a busier brighter one.
        let style = rng.nextUniform()
        let contrast = style < 0.3 ? u(0.15, 0.5) : style < 0.75 ? u(0.7, 1.3) : u(1.3, 2)
        let shift = u(-14, 16)
        let groundShift = [shift + u(-6, 6), shift + u(-6, 6), shift + u(-8, 8)]
        return MapLook(
            wall: wall, water: water, opacity: u(0.55, 0.95), lineGain: u(0.75, 2.6), groundContrast: contrast,
            groundShift: groundShift, glints: Int(u(0, 4.99)), minimapScale: u(0.85, 1.25),
            noise: rng.nextUniform() < 0.5 ? u(1, 7) : 0, blur: rng.nextUniform() < 0.3 ? 1 : 0,
            jpegQuality: rng.nextUniform() < 0.6 ? Int(u(40, 95)) : nil)
    }

    /// What the capture and its file do to a rendered frame: noise, blur, JPEG (in that order).
    public func degrade(_ image: Image, seed: UInt64) -> Image {
        var img = image.rgb()
        if noise > 0 {
            var rng = SeededGenerator(seed: seed ^ 0x4E4F_4953)
            img.pixels.withUnsafeMutableBufferPointer { px in
                for i in px.indices {
                    px[i] = UInt8(max(0, min(255, Float(px[i]) + noise * rng.nextNormal())).rounded())
                }
            }
        }
        if blur > 0 { img = MapLook.boxBlur(img, radius: blur) }
        if let q = jpegQuality, let data = try? JPEG.encode(img, quality: q), let back = try? JPEG.decode(data) {
            img = back
        }
        return img
    }

    /// A separable box blur of `radius` (edges clamp).
    static func boxBlur(_ img: Image, radius r: Int) -> Image {
        let w = img.width
        let h = img.height
        var tmp = img.pixels
        var out = img.pixels
        let n = Float(2 * r + 1)
        img.pixels.withUnsafeBufferPointer { src in
            tmp.withUnsafeMutableBufferPointer { t in
                for y in 0..<h {
                    for x in 0..<w {
                        for c in 0..<3 {
                            var s: Float = 0
                            for k in -r...r { s += Float(src[3 * (y * w + min(w - 1, max(0, x + k))) + c]) }
                            t[3 * (y * w + x) + c] = UInt8((s / n).rounded())
                        }
                    }
                }
            }
        }
        tmp.withUnsafeBufferPointer { t in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<h {
                    for x in 0..<w {
                        for c in 0..<3 {
                            var s: Float = 0
                            for k in -r...r { s += Float(t[3 * (min(h - 1, max(0, y + k)) * w + x) + c]) }
                            o[3 * (y * w + x) + c] = UInt8((s / n).rounded())
                        }
                    }
                }
            }
        }
        return (try? Image(width: w, height: h, channels: 3, pixels: out)) ?? img
    }
}
