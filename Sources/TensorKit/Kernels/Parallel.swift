import Foundation

/// Splits loops across the machine's cores.
public enum Parallel {
    /// Number of worker threads TensorKit's own kernels use (defaults to the active processor count).
    nonisolated(unsafe) public static var threadCount = ProcessInfo.processInfo.activeProcessorCount

    /// Calls `body` on disjoint sub-ranges covering `0..<count`, concurrently when the work is
    /// large enough. `grain` is the smallest range worth a thread.
    @inlinable
    public static func forEachChunk(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        let workers = Swift.min(threadCount, Swift.max(1, count / Swift.max(grain, 1)))
        if workers <= 1 || count <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let chunk = (count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = w * chunk
            let hi = Swift.min(count, lo + chunk)
            if lo < hi { body(lo..<hi) }
        }
    }
}
