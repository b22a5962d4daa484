import XCTest
import Foundation
import Imaging

/// The FFT and phase correlation under the stitcher.
final class RegistrationTests: XCTestCase {
    func testFFTMatchesADirectDFT() throws {
        let n = 16
        var rng = SystemRandomNumberGenerator()
        var re = (0..<(n * n)).map { _ in Float.random(in: -1...1, using: &rng) }
        var im = (0..<(n * n)).map { _ in Float.random(in: -1...1, using: &rng) }
        let (r0, i0) = (re, im)
        let fft = try FFT2D(size: n)
        re.withUnsafeMutableBufferPointer { r in
            im.withUnsafeMutableBufferPointer { i in fft.transform(re: r.baseAddress!, im: i.baseAddress!) }
        }
        var worst: Double = 0
        for ky in 0..<n {
            for kx in 0..<n {
                var sr = 0.0
                var si = 0.0
                for y in 0..<n {
                    for x in 0..<n {
                        let a = -2 * Double.pi * Double(kx * x + ky * y) / Double(n)
                        let vr = Double(r0[y * n + x])
                        let vi = Double(i0[y * n + x])
                        sr += vr * cos(a) - vi * sin(a)
                        si += vr * sin(a) + vi * cos(a)
                    }
                }
                worst = max(worst, abs(sr - Double(re[ky * n + kx])), abs(si - Double(im[ky * n + kx])))
            }
        }
        XCTAssertLessThan(worst, 1e-3)
        // Inverse (unscaled) brings the input back times N².
        re.withUnsafeMutableBufferPointer { r in
            im.withUnsafeMutableBufferPointer { i in
                fft.transform(re: r.baseAddress!, im: i.baseAddress!, inverse: true)
            }
        }
        for j in 0..<(n * n) { XCTAssertEqual(re[j] / Float(n * n), r0[j], accuracy: 1e-4) }
        XCTAssertThrowsError(try FFT2D(size: 100))
    }

    func testPhaseCorrelationFindsSubpixelShiftsOfSparseLines() throws {
        // Random thin soft lines (like map lines), shifted by fractional amounts.
        let n = 256
        func scene(_ dx: Float, _ dy: Float) -> [Float] {
            var p = [Float](repeating: 0, count: n * n)
            var g = SystemRandomNumberGenerator()
            _ = g
            for k in 0..<40 {
                let a = Float(k) * 2.39996
                let cx = 128 + 90 * cos(Float(k) * 1.7)
                let cy = 128 + 90 * sin(Float(k) * 0.9)
                for t in stride(from: Float(-30), through: 30, by: 0.25) {
                    let x = cx + t * cos(a) + dx
                    let y = cy + t * sin(a) + dy
                    for yy in Int(y) - 2...Int(y) + 2 {
                        for xx in Int(x) - 2...Int(x) + 2 where xx >= 0 && yy >= 0 && xx < n && yy < n {
                            let d2 = (Float(xx) - x) * (Float(xx) - x) + (Float(yy) - y) * (Float(yy) - y)
                            p[yy * n + xx] = max(p[yy * n + xx], exp(-d2 / 1.5))
                        }
                    }
                }
            }
            return p
        }
        let a = scene(0, 0)
        let pc = try PhaseCorrelator(size: n)
        for (dx, dy) in [(Float(13.3), Float(-7.6)), (-40.5, 22.25), (0.4, 0.7)] {
            let b = scene(dx, dy)
            let peak = a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in pc.correlate(ap.baseAddress!, bp.baseAddress!) }
            }[0]
            XCTAssertEqual(peak.dx, dx, accuracy: 0.35, "dx")
            XCTAssertEqual(peak.dy, dy, accuracy: 0.35, "dy")
            XCTAssertGreaterThan(peak.height, 0.1)
        }
    }
}
