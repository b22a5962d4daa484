import Foundation

/// A square 2-D complex FFT of size N×N (N a power of two), radix-2, on split real and imaginary
/// planes. Both passes run butterflies between whole rows, so every inner loop is a contiguous,
/// vectorisable sweep over N values with no allocation; the row pass transposes first and back.
public final class FFT2D {
    public let size: Int
    private let log2n: Int
    private let cosTable: [Float], sinTable: [Float]
    private let reversed: [Int]
    private var scratch: [Float]

    /// `size` must be a power of two from 2 to 8192.
    public init(size: Int) throws {
        guard size >= 2, size <= 8192, size & (size - 1) == 0 else {
            throw ImagingError.invalidArgument("FFT size must be a power of two in 2...8192, got \(size)")
        }
        self.size = size
        log2n = size.trailingZeroBitCount
        var c = [Float](repeating: 0, count: size / 2)
        var s = c
        for k in 0..<(size / 2) {
            let a = -2 * Double.pi * Double(k) / Double(size)
            c[k] = Float(cos(a))
            s[k] = Float(sin(a))
        }
        cosTable = c
        sinTable = s
        var rev = [Int](repeating: 0, count: size)
        for i in 0..<size {
            var r = 0
            var x = i
            for _ in 0..<log2n {
                r = (r << 1) | (x & 1)
                x >>= 1
            }
            rev[i] = r
        }
        reversed = rev
        scratch = [Float](repeating: 0, count: size * size)
    }

    /// Transforms `re`/`im` (N×N, row-major) in place. `inverse` uses the conjugate twiddles and
    /// does not scale (divide by N² yourself when you need the true inverse).
    public func transform(re: UnsafeMutablePointer<Float>, im: UnsafeMutablePointer<Float>, inverse: Bool = false) {
        columnPass(re, im, inverse: inverse)
        transpose(re)
        transpose(im)
        columnPass(re, im, inverse: inverse)
        transpose(re)
        transpose(im)
    }

    /// FFT along the vertical axis: row i and row j of each butterfly combine element by element.
    private func columnPass(_ re: UnsafeMutablePointer<Float>, _ im: UnsafeMutablePointer<Float>, inverse: Bool) {
        let n = size
        // Bit-reversal permutation of rows.
        for i in 0..<n {
            let j = reversed[i]
            if j > i {
                swapRows(re, i, j)
                swapRows(im, i, j)
            }
        }
        let sign: Float = inverse ? -1 : 1
        cosTable.withUnsafeBufferPointer { ct in
            sinTable.withUnsafeBufferPointer { st in
                var half = 1
                while half < n {
                    let stride = n / (2 * half)
                    let blocks = n / (2 * half)
                    let work = { (b: Int) in
                        let base = b * 2 * half
                        for k in 0..<half {
                            let wr = ct[k * stride]
                            let wi = sign * st[k * stride]
                            let ar = re + (base + k) * n
                            let ai = im + (base + k) * n
                            let br = re + (base + k + half) * n
                            let bi = im + (base + k + half) * n
                            for c in 0..<n {
                                let xr = br[c]
                                let xi = bi[c]
                                let tr = wr * xr - wi * xi
                                let ti = wr * xi + wi * xr
                                let yr = ar[c]
                                let yi = ai[c]
                                br[c] = yr - tr
                                bi[c] = yi - ti
                                ar[c] = yr + tr
                                ai[c] = yi + ti
                            }
                        }
                    }
                    if blocks >= 2 && n >= 128 {
                        DispatchQueue.concurrentPerform(iterations: 2) { part in
                            for b in (blocks * part / 2)..<(blocks * (part + 1) / 2) { work(b) }
                        }
                    } else if n >= 128 && half >= 2 {
                        // One block: split its butterflies' columns between the two cores.
                        let base = 0
                        DispatchQueue.concurrentPerform(iterations: 2) { part in
                            let c0 = n * part / 2
                            let c1 = n * (part + 1) / 2
                            for k in 0..<half {
                                let wr = ct[k * stride]
                                let wi = sign * st[k * stride]
                                let ar = re + (base + k) * n
                                let ai = im + (base + k) * n
                                let br = re + (base + k + half) * n
                                let bi = im + (base + k + half) * n
                                for c in c0..<c1 {
                                    let xr = br[c]
                                    let xi = bi[c]
                                    let tr = wr * xr - wi * xi
                                    let ti = wr * xi + wi * xr
                                    let yr = ar[c]
                                    let yi = ai[c]
                                    br[c] = yr - tr
                                    bi[c] = yi - ti
                                    ar[c] = yr + tr
                                    ai[c] = yi + ti
                                }
                            }
                        }
                    } else {
                        for b in 0..<blocks { work(b) }
                    }
                    half *= 2
                }
            }
        }
    }

    private func swapRows(_ p: UnsafeMutablePointer<Float>, _ i: Int, _ j: Int) {
        let a = p + i * size
        let b = p + j * size
        for c in 0..<size {
            let t = a[c]
            a[c] = b[c]
            b[c] = t
        }
    }

    /// In-place transpose through the scratch plane, in 32×32 blocks.
    private func transpose(_ p: UnsafeMutablePointer<Float>) {
        let n = size
        scratch.withUnsafeMutableBufferPointer { s in
            let t = s.baseAddress!
            let block = min(32, n)
            for by in stride(from: 0, to: n, by: block) {
                for bx in stride(from: 0, to: n, by: block) {
                    for y in by..<(by + block) {
                        for x in bx..<(bx + block) { t[x * n + y] = p[y * n + x] }
                    }
                }
            }
            p.update(from: t, count: n * n)
        }
    }
}
