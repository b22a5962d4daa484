import XCTest
import Foundation
import TensorKit

final class RandomTests: XCTestCase {
    /// The vectorised Gaussian fill has a standard normal's moments and tails.
    func testAddNormalIsStandardNormal() {
        var rng = SeededGenerator(seed: 3)
        let n = 1 << 20
        let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { p.deallocate() }
        p.update(repeating: 0, count: n)
        rng.addNormal(scale: 1, to: p, count: n)
        var sum = 0.0
        var sq = 0.0
        var quart = 0.0
        var within1 = 0
        var beyond3 = 0
        var histogram = [Int](repeating: 0, count: 8)  // bins of 0.5 over [0, 4)
        for i in 0..<n {
            let v = Double(p[i])
            XCTAssertTrue(v.isFinite)
            sum += v
            sq += v * v
            quart += v * v * v * v
            if abs(v) < 1 { within1 += 1 }
            if abs(v) > 3 { beyond3 += 1 }
            if abs(v) < 4 { histogram[Int(abs(v) * 2)] += 1 }
        }
        let mean = sum / Double(n)
        let variance = sq / Double(n) - mean * mean
        XCTAssertEqual(mean, 0, accuracy: 0.004)
        XCTAssertEqual(variance, 1, accuracy: 0.006)
        XCTAssertEqual(quart / Double(n), 3, accuracy: 0.05, "kurtosis")
        XCTAssertEqual(Double(within1) / Double(n), 0.682_69, accuracy: 0.002)
        XCTAssertEqual(Double(beyond3) / Double(n), 0.002_70, accuracy: 0.0003)
        // Each half-sigma bin against the normal CDF.
        func cdf(_ x: Double) -> Double { 0.5 * (1 + erf(x / 2.0.squareRoot())) }
        for b in 0..<8 {
            let expected = 2 * (cdf(Double(b + 1) * 0.5) - cdf(Double(b) * 0.5))
            XCTAssertEqual(Double(histogram[b]) / Double(n), expected, accuracy: 0.002, "bin \(b)")
        }
    }

    /// It adds (does not overwrite), scales, touches exactly `count` values and repeats from a seed.
    func testAddNormalAddsScaledValuesInPlace() {
        for count in [1, 7, 8, 15, 16, 17, 33] {
            var a = SeededGenerator(seed: 9)
            var b = SeededGenerator(seed: 9)
            var x = [Float](repeating: 100, count: count + 1)
            var y = [Float](repeating: 0, count: count + 1)
            x.withUnsafeMutableBufferPointer { a.addNormal(scale: 0.5, to: $0.baseAddress!, count: count) }
            y.withUnsafeMutableBufferPointer { b.addNormal(scale: 1, to: $0.baseAddress!, count: count) }
            for i in 0..<count { XCTAssertEqual(x[i] - 100, 0.5 * y[i], accuracy: 1e-4, "count \(count) index \(i)") }
            XCTAssertEqual(x[count], 100, "value past count \(count) changed")
            XCTAssertEqual(y[count], 0)
            XCTAssertEqual(Set(y[0..<count]).count, count, "count \(count): values repeat")
        }
    }
}
