import Foundation

/// A translation found by phase correlation: `b(x) ≈ a(x − shift)`, with the height of the
/// correlation peak (0…1, the share of the two images' phase that agrees on this shift).
public struct CorrelationPeak: Sendable, Equatable {
    public var dx: Float, dy: Float
    public var height: Float
}

/// Phase correlation of two real N×N planes with one complex FFT (the two planes packed as real
/// and imaginary parts) and one inverse, sub-pixel peaks by a 3-point parabola per axis.
/// Buffers are allocated once; `correlate` allocates nothing but its small result array.
public final class PhaseCorrelator {
    public let size: Int
    private let fft: FFT2D
    private var re: [Float], im: [Float], outRe: [Float], outIm: [Float]

    public init(size: Int) throws {
        fft = try FFT2D(size: size)
        self.size = size
        re = [Float](repeating: 0, count: size * size)
        im = re
        outRe = re
        outIm = re
    }

    /// Correlates `a` with `b` (each N×N, row-major) and returns up to `peaks` peaks, highest
    /// first, at least `separation` pixels apart.
    public func correlate(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, peaks: Int = 1, separation: Int = 6
    ) -> [CorrelationPeak] {
        let n = size
        let count = n * n
        return re.withUnsafeMutableBufferPointer { reB in
            im.withUnsafeMutableBufferPointer { imB in
                outRe.withUnsafeMutableBufferPointer { oR in
                    outIm.withUnsafeMutableBufferPointer { oI in
                        let zr = reB.baseAddress!
                        let zi = imB.baseAddress!
                        zr.update(from: a, count: count)
                        zi.update(from: b, count: count)
                        fft.transform(re: zr, im: zi)
                        // Separate the two spectra, cross power, normalised to unit magnitude.
                        for ky in 0..<n {
                            let my = (n - ky) & (n - 1)
                            let row = ky * n
                            let mrow = my * n
                            for kx in 0..<n {
                                let mx = (n - kx) & (n - 1)
                                let pr = zr[row + kx]
                                let pi = zi[row + kx]
                                let qr = zr[mrow + mx]
                                let qi = zi[mrow + mx]
                                let ar = (pr + qr) * 0.5
                                let ai = (pi - qi) * 0.5
                                let br = (pi + qi) * 0.5
                                let bi = (qr - pr) * 0.5
                                let cr = ar * br + ai * bi
                                let ci = ar * bi - ai * br
                                let mag = (cr * cr + ci * ci).squareRoot() + 1e-12
                                oR[row + kx] = cr / mag
                                oI[row + kx] = ci / mag
                            }
                        }
                        oR[0] = 0
                        oI[0] = 0  // no DC: the mean carries no shift
                        fft.transform(re: oR.baseAddress!, im: oI.baseAddress!, inverse: true)
                        let scale = 1 / Float(count)
                        return PhaseCorrelator.peaks(
                            in: oR.baseAddress!, size: n, scale: scale, count: peaks, separation: separation)
                    }
                }
            }
        }
    }

    static func peaks(
        in p: UnsafeMutablePointer<Float>, size n: Int, scale: Float, count: Int, separation: Int
    ) -> [CorrelationPeak] {
        var found: [CorrelationPeak] = []
        var taken: [(Int, Int)] = []
        for _ in 0..<max(1, count) {
            var best: Float = -.infinity
            var bx = 0
            var by = 0
            for y in 0..<n {
                let row = p + y * n
                for x in 0..<n where row[x] > best {
                    var near = false
                    for (tx, ty) in taken {
                        let ddx = min(abs(x - tx), n - abs(x - tx))
                        let ddy = min(abs(y - ty), n - abs(y - ty))
                        if ddx <= separation && ddy <= separation {
                            near = true
                            break
                        }
                    }
                    if !near {
                        best = row[x]
                        bx = x
                        by = y
                    }
                }
            }
            guard best > -.infinity else { break }
            taken.append((bx, by))
            func at(_ x: Int, _ y: Int) -> Float { p[((y + n) & (n - 1)) * n + ((x + n) & (n - 1))] }
            let c = at(bx, by)
            let l = at(bx - 1, by)
            let r = at(bx + 1, by)
            let u = at(bx, by - 1)
            let d = at(bx, by + 1)
            let denX = l - 2 * c + r
            let denY = u - 2 * c + d
            let ox = denX < 0 ? max(-0.5, min(0.5, 0.5 * (l - r) / denX)) : 0
            let oy = denY < 0 ? max(-0.5, min(0.5, 0.5 * (u - d) / denY)) : 0
            let sx = bx > n / 2 ? bx - n : bx
            let sy = by > n / 2 ? by - n : by
            found.append(CorrelationPeak(dx: Float(sx) + ox, dy: Float(sy) + oy, height: c * scale))
        }
        return found
    }
}
