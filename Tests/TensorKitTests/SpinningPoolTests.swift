import XCTest
import Foundation
import TensorKit

final class SpinningPoolTests: XCTestCase {
    /// Every part runs exactly once per region, across many back-to-back regions and regions
    /// posted after the workers have gone to sleep.
    func testEveryPartRunsOncePerRegion() {
        let pool = SpinningPool.shared
        let lock = NSLock()
        for round in 0..<20000 {
            let parts = 1 + round % 5
            var counts = [Int](repeating: 0, count: parts)
            pool.run(parts) { p in
                lock.lock()
                counts[p] += 1
                lock.unlock()
            }
            XCTAssertEqual(counts, [Int](repeating: 1, count: parts), "round \(round)")
            if round % 2000 == 0 { Thread.sleep(forTimeInterval: SpinningPool.spinDuration * 5) }
        }
    }

    /// A second caller while the pool is busy (another thread, or a region inside a region) runs
    /// its parts itself instead of waiting.
    func testBusyPoolRunsRegionsSerially() {
        let pool = SpinningPool.shared
        var inner = [Int](repeating: 0, count: 4)
        let lock = NSLock()
        pool.run(2) { p in
            if p == 0 {
                pool.run(4) { q in
                    lock.lock()
                    inner[q] += 1
                    lock.unlock()
                }
            }
        }
        XCTAssertEqual(inner, [1, 1, 1, 1])

        let threads = 4
        let rounds = 400
        var totals = [Int](repeating: 0, count: threads)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for _ in 0..<rounds {
                var sum = 0
                let sumLock = NSLock()
                pool.run(3) { p in
                    sumLock.lock()
                    sum += p + 1
                    sumLock.unlock()
                }
                lock.lock()
                totals[t] += sum
                lock.unlock()
            }
        }
        XCTAssertEqual(totals, [Int](repeating: 6 * rounds, count: threads))
    }

    /// `Parallel.forEachChunk` (on the pool) hands out disjoint ranges that cover the count once.
    func testForEachChunkCoversTheRangeOnce() {
        let lock = NSLock()
        for count in [0, 1, 5, 6, 13, 26, 1000] {
            for grain in [1, 4, 32] {
                var ranges: [Range<Int>] = []
                Parallel.forEachChunk(count, grain: grain) { r in
                    lock.lock()
                    ranges.append(r)
                    lock.unlock()
                }
                ranges.sort { $0.lowerBound < $1.lowerBound }
                XCTAssertEqual(ranges.map(\.count).reduce(0, +), count, "count \(count) grain \(grain)")
                if count > 0 { XCTAssertEqual(ranges.first?.lowerBound, 0) }
                for (a, b) in zip(ranges, ranges.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
            }
        }
    }
}
