import Foundation
import Imaging

/// Turns a minimap frame into a "line" plane: how much each pixel looks like a thin lavender wall
/// line and not like the scene under it. Lavender-ness `(B − G) − 2|G − R|`, damped on dark
/// pixels, minus its local mean (a box of `radius`), so wide things (flashes, glows) and the
/// ground's texture fade and thin lines stay. Like the seed's colour-filtered masks it keeps the
/// walls and drops the cyan water edges (whose colour the scene's bluish water shares). A disc around the player (its icon, aura and
/// skills, which move with the camera) is zeroed.
public struct LineFeatures: Sendable {
    public let width: Int, height: Int
    /// Half-size of the local-mean box.
    public let radius: Int
    /// Radius of the zeroed disc around the frame's centre (0: none).
    public let playerMask: Int
    /// 1 outside the player disc.
    public let valid: [UInt8]

    public init(width: Int, height: Int, playerMaskFraction: Float = 0.04) {
        self.width = width
        self.height = height
        radius = max(2, Int((Float(min(width, height)) / 160).rounded()))
        playerMask = Int(Float(min(width, height)) * playerMaskFraction)
        var v = [UInt8](repeating: 1, count: width * height)
        if playerMask > 0 {
            let cx = width / 2
            let cy = height / 2
            let r2 = playerMask * playerMask
            for y in max(0, cy - playerMask)..<min(height, cy + playerMask + 1) {
                for x in max(0, cx - playerMask)..<min(width, cx + playerMask + 1)
                where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r2 {
                    v[y * width + x] = 0
                }
            }
        }
        valid = v
    }

    /// Writes the line plane of `image` (RGB or RGBA, `width`×`height`) into `out`, and returns
    /// how many pixels are clearly line (value above 12).
    @discardableResult
    public func extract(
        _ image: Image, into out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) -> Int {
        let w = width
        let h = height
        let c = image.channels
        precondition(image.width == w && image.height == h, "frame size checked by the caller")
        image.pixels.withUnsafeBufferPointer { px in
            let halves = h >= 64 ? 2 : 1
            DispatchQueue.concurrentPerform(iterations: halves) { part in
                for y in (h * part / halves)..<(h * (part + 1) / halves) {
                    var o = y * w * c
                    let row = out + y * w
                    for x in 0..<w {
                        let r = Float(px[o])
                        let g = Float(px[o + 1])
                        let b = Float(px[o + 2])
                        // Lavender: blue well above green, green close to red (walls are about
                        // 132, 133, 176). Bluish-green water, pools, skills and the aura fail it.
                        let lavender = (b - g) - 2 * abs(g - r) - 10
                        row[x] = lavender > 0 ? lavender * min(1, b * (1 / 150)) : 0
                        o += c
                    }
                }
            }
        }
        // Local mean by two running sums (rows into scratch, then columns), subtracted.
        let r = radius
        let n = Float((2 * r + 1) * (2 * r + 1))
        for y in 0..<h {
            let src = out + y * w
            let dst = scratch + y * w
            var sum: Float = 0
            for x in 0..<min(w, r) { sum += src[x] }
            for x in 0..<w {
                if x + r < w { sum += src[x + r] }
                if x - r - 1 >= 0 { sum -= src[x - r - 1] }
                dst[x] = sum
            }
        }
        var lines = 0
        valid.withUnsafeBufferPointer { valid in
            // Column sums, a row at a time: colSum[x] holds the sum of scratch rows y-r...y+r.
            let colSum = UnsafeMutablePointer<Float>.allocate(capacity: w)
            defer { colSum.deallocate() }
            colSum.initialize(repeating: 0, count: w)
            for y in 0..<min(h, r) {
                let s = scratch + y * w
                for x in 0..<w { colSum[x] += s[x] }
            }
            for y in 0..<h {
                if y + r < h {
                    let s = scratch + (y + r) * w
                    for x in 0..<w { colSum[x] += s[x] }
                }
                if y - r - 1 >= 0 {
                    let s = scratch + (y - r - 1) * w
                    for x in 0..<w { colSum[x] -= s[x] }
                }
                let row = out + y * w
                let vrow = y * w
                for x in 0..<w {
                    let v = valid[vrow + x] != 0 ? max(0, row[x] - colSum[x] / n) : 0
                    // Reuse `row` only after its column contributions are gone: the column sums
                    // read `scratch`, never `out`, so overwriting `out` here is safe.
                    row[x] = v
                    if v > 12 { lines += 1 }
                }
            }
        }
        return lines
    }
}
