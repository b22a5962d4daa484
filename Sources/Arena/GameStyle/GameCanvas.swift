import SeededRandom
import Imaging

/// A float RGB picture the game-style renderer paints into (values 0–255).
struct GameCanvas {
    let width: Int, height: Int
    var px: [Float]

    init(width: Int, height: Int, color: [Float]) {
        self.width = width
        self.height = height
        px = [Float](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            px[3 * i] = color[0]
            px[3 * i + 1] = color[1]
            px[3 * i + 2] = color[2]
        }
    }

    @inline(__always) mutating func blend(_ x: Int, _ y: Int, _ c: [Float], _ a: Float) {
        guard x >= 0, y >= 0, x < width, y < height, a > 0 else { return }
        let o = 3 * (y * width + x)
        let k = Swift.min(a, 1)
        px[o] += (c[0] - px[o]) * k
        px[o + 1] += (c[1] - px[o + 1]) * k
        px[o + 2] += (c[2] - px[o + 2]) * k
    }

    /// Fills a rectangle given in fractional pixels, with partial coverage at its edges.
    mutating func fillRect(x: Double, y: Double, width w: Double, height h: Double, _ c: [Float], alpha: Float = 1) {
        guard w > 0, h > 0 else { return }
        let x0 = Swift.max(0, Int(x.rounded(.down)))
        let x1 = Swift.min(width, Int((x + w).rounded(.up)))
        let y0 = Swift.max(0, Int(y.rounded(.down)))
        let y1 = Swift.min(height, Int((y + h).rounded(.up)))
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 {
            let cy = Swift.min(Double(yy + 1), y + h) - Swift.max(Double(yy), y)
            for xx in x0..<x1 {
                let cx = Swift.min(Double(xx + 1), x + w) - Swift.max(Double(xx), x)
                blend(xx, yy, c, Float(cx * cy) * alpha)
            }
        }
    }

    /// Composites a premultiplied sprite (colour and coverage) with its top-left at (x, y).
    mutating func composite(_ sprite: Sprite, atX x: Int, y: Int) {
        for sy in 0..<sprite.size {
            let ty = y + sy
            guard ty >= 0, ty < height else { continue }
            for sx in 0..<sprite.size {
                let tx = x + sx
                guard tx >= 0, tx < width else { continue }
                let a = sprite.alpha[sy * sprite.size + sx]
                guard a > 0.002 else { continue }
                let s = 3 * (sy * sprite.size + sx)
                let t = 3 * (ty * width + tx)
                px[t] = px[t] * (1 - a) + sprite.px[s]
                px[t + 1] = px[t + 1] * (1 - a) + sprite.px[s + 1]
                px[t + 2] = px[t + 2] * (1 - a) + sprite.px[s + 2]
            }
        }
    }

    /// Adds noise of about `sigma` levels (sum of two uniforms).
    mutating func addNoise(sigma: Float, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let k = sigma * 2.45
        for i in 0..<px.count { px[i] += (rng.nextUniform() + rng.nextUniform() - 1) * k }
    }

    func image() -> Image {
        var img = Image(width: width, height: height, channels: 3)
        px.withUnsafeBufferPointer { s in
            img.pixels.withUnsafeMutableBufferPointer { d in
                for i in 0..<s.count { d[i] = UInt8(Swift.max(0, Swift.min(255, s[i].rounded()))) }
            }
        }
        return img
    }
}

/// A premultiplied RGBA sprite: colour already multiplied by coverage.
struct Sprite {
    let size: Int
    var px: [Float]
    var alpha: [Float]
}

/// Small deterministic value noise for stone and scene textures.
enum ValueNoise {
    @inline(__always) static func hash(_ x: Int, _ y: Int, _ seed: UInt64) -> Float {
        var h = UInt64(bitPattern: Int64(x &* 374_761_393 &+ y &* 668_265_263)) &+ seed &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        return Float(h >> 40) / Float(1 << 24)
    }

    /// Smooth noise in [0, 1) with features about `scale` pixels apart.
    static func smooth(_ x: Double, _ y: Double, scale: Double, seed: UInt64) -> Float {
        let fx = x / scale
        let fy = y / scale
        let ix = Int(fx.rounded(.down))
        let iy = Int(fy.rounded(.down))
        let tx = Float(fx - Double(ix))
        let ty = Float(fy - Double(iy))
        let sx = tx * tx * (3 - 2 * tx)
        let sy = ty * ty * (3 - 2 * ty)
        let a = hash(ix, iy, seed)
        let b = hash(ix + 1, iy, seed)
        let c = hash(ix, iy + 1, seed)
        let d = hash(ix + 1, iy + 1, seed)
        return (a + (b - a) * sx) * (1 - sy) + (c + (d - c) * sx) * sy
    }
}
