import TensorKit

/// Random image augmentation applied to float NHWC batches, with Keras's semantics.
public struct Augmentation: Sendable {
    /// Largest shift as a fraction of the height (Keras `RandomTranslation` height_factor).
    public var translateHeight: Float
    /// Largest shift as a fraction of the width.
    public var translateWidth: Float
    /// Standard deviation of Gaussian noise added to raw pixel values (Keras `GaussianNoise`).
    public var noiseStddev: Float

    public init(translateHeight: Float = 0, translateWidth: Float = 0, noiseStddev: Float = 0) {
        self.translateHeight = translateHeight
        self.translateWidth = translateWidth
        self.noiseStddev = noiseStddev
    }

    /// No augmentation.
    public static let none = Augmentation()

    /// The gem seed's augmentation: translation ±10 % both ways, noise σ 0.1.
    public static let gemSeed = Augmentation(translateHeight: 0.1, translateWidth: 0.1, noiseStddev: 0.1)

    public var isIdentity: Bool { translateHeight == 0 && translateWidth == 0 && noiseStddev == 0 }

    /// Augments every image of `batch` ([N, H, W, C]) in place.
    public func apply(to batch: Tensor, using rng: inout SeededGenerator) {
        guard !isIdentity else { return }
        let n = batch.shape[0]
        let h = batch.shape[1]
        let w = batch.shape[2]
        let c = batch.shape[3]
        let per = h * w * c
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: per)
        defer { scratch.deallocate() }
        for i in 0..<n {
            let img = batch.pointer + i * per
            if translateHeight != 0 || translateWidth != 0 {
                let dy = (rng.nextUniform() * 2 - 1) * translateHeight * Float(h)
                let dx = (rng.nextUniform() * 2 - 1) * translateWidth * Float(w)
                scratch.update(from: img, count: per)
                Augmentation.translate(scratch, into: img, h: h, w: w, c: c, dx: dx, dy: dy)
            }
            if noiseStddev != 0 {
                rng.addNormal(scale: noiseStddev, to: img, count: per)
            }
        }
    }

    /// Shifts an image by (dx, dy) pixels with bilinear sampling and reflect fill, as
    /// TensorFlow's `ImageProjectiveTransform` does for Keras `RandomTranslation`.
    ///
    /// Columns whose four source pixels need no reflection share one horizontal weight and a
    /// constant offset, so each row's interior is one contiguous 8-wide loop; only the border
    /// columns take the per-pixel path. `vectorized: false` runs every column per pixel (tests
    /// compare the two).
    static func translate(
        _ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, h: Int, w: Int, c: Int,
        dx: Float, dy: Float, vectorized: Bool = true
    ) {
        // Interior columns x: x0 = x + k with 0 <= x0 and x0 + 1 <= w - 1.
        let shift = -dx
        let k = Int(shift.rounded(.down))
        let fxInterior = shift - Float(k)
        let xa = vectorized ? Swift.min(w, Swift.max(0, -k)) : w
        let xb = vectorized ? Swift.max(xa, Swift.min(w, w - 1 - k)) : w
        for y in 0..<h {
            let sy = reflect(Float(y) - dy, h)
            let y0 = Int(sy.rounded(.down))
            let y1 = Swift.min(y0 + 1, h - 1)
            let fy = sy - Float(y0)
            func pixel(_ x: Int) {
                let sx = reflect(Float(x) - dx, w)
                let x0 = Int(sx.rounded(.down))
                let x1 = Swift.min(x0 + 1, w - 1)
                let fx = sx - Float(x0)
                let o = (y * w + x) * c
                let a = (y0 * w + x0) * c
                let b = (y0 * w + x1) * c
                let d = (y1 * w + x0) * c
                let e = (y1 * w + x1) * c
                for ch in 0..<c {
                    dst[o + ch] =
                        (src[a + ch] * (1 - fx) + src[b + ch] * fx) * (1 - fy)
                        + (src[d + ch] * (1 - fx) + src[e + ch] * fx) * fy
                }
            }
            for x in 0..<xa { pixel(x) }
            if xa < xb {
                // out[i] = (s0[i + k·c]·(1-fx) + s0[i + (k+1)·c]·fx)·(1-fy) + (same on row y1)·fy
                typealias V = SIMD8<Float>
                let w00 = (1 - fxInterior) * (1 - fy)
                let w01 = fxInterior * (1 - fy)
                let w10 = (1 - fxInterior) * fy
                let w11 = fxInterior * fy
                let out = dst + (y * w + xa) * c
                let s0 = src + (y0 * w + xa + k) * c
                let s1 = src + (y1 * w + xa + k) * c
                let count = (xb - xa) * c
                let v00 = V(repeating: w00)
                let v01 = V(repeating: w01)
                let v10 = V(repeating: w10)
                let v11 = V(repeating: w11)
                var i = 0
                while i + 8 <= count {
                    func at(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
                    let r = at(s0 + i) * v00 + at(s0 + i + c) * v01 + at(s1 + i) * v10 + at(s1 + i + c) * v11
                    UnsafeMutableRawPointer(out + i).storeBytes(of: r, as: V.self)
                    i += 8
                }
                while i < count {
                    out[i] = s0[i] * w00 + s0[i + c] * w01 + s1[i] * w10 + s1[i + c] * w11
                    i += 1
                }
            }
            for x in xb..<w { pixel(x) }
        }
    }

    /// ``translate(_:into:h:w:c:dx:dy:)`` for tests.
    public static func translateForTesting(
        _ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, h: Int, w: Int, c: Int,
        dx: Float, dy: Float, vectorized: Bool = true
    ) {
        translate(src, into: dst, h: h, w: w, c: c, dx: dx, dy: dy, vectorized: vectorized)
    }

    /// TensorFlow's REFLECT fill mode (d c b a | a b c d | d c b a) for a float coordinate.
    @inline(__always) static func reflect(_ v: Float, _ len: Int) -> Float {
        var x = v
        let size = Float(len)
        if x < 0 {
            if len <= 1 {
                x = 0
            } else {
                let sz2 = 2 * size
                if x < -sz2 { x = sz2 * Float(Int(-x / sz2)) + x }
                x = x < -size ? x + sz2 : -x - 1
            }
        } else if x > size - 1 {
            if len <= 1 {
                x = 0
            } else {
                let sz2 = 2 * size
                x -= sz2 * Float(Int(x / sz2))
                if x >= size { x = sz2 - x - 1 }
            }
        }
        return Swift.min(Swift.max(x, 0), size - 1)
    }
}
