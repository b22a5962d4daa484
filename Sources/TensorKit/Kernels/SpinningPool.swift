import Foundation
import Synchronization

/// Worker threads for parallel regions of a few microseconds, such as one image through a small
/// CNN: waking a thread through Dispatch or a condition variable costs about as much as the work,
/// so idle workers spin on an atomic for a while (``spinDuration``) before they sleep.
///
/// ``run(_:_:)`` is for short, balanced work. A region that finds the pool busy (another thread is
/// using it, or it is called from inside a region) runs serially on the caller's thread instead of
/// waiting, so it never deadlocks and never oversubscribes the cores.
public final class SpinningPool: @unchecked Sendable {
    /// The process's pool: one worker fewer than the processors (the caller is a worker too).
    public static let shared = SpinningPool(workerCount: max(ProcessInfo.processInfo.activeProcessorCount - 1, 0))

    /// How long an idle worker spins before it sleeps until the next region.
    public static let spinDuration: Double = 0.000_2

    /// Number of threads besides the caller's.
    public let workerCount: Int

    // The counter the workers spin on and the one the caller spins on live on cache lines of their
    // own, so neither spin slows the other side's writes.
    private let generation = PaddedCounter()
    private let pending = PaddedCounter()
    private let busy = Atomic<Bool>(false)
    /// Bit `w` is set while worker `w` sleeps (or is about to).
    private let sleeping = Atomic<Int>(0)
    private let wakeUps: [DispatchSemaphore]
    // Written by the caller before `generation` is bumped (release) and read by the workers after
    // they see the bump (acquire).
    private var job: ((Int) -> Void)?
    private var partCount = 0
    private var participants = 0

    init(workerCount: Int) {
        self.workerCount = workerCount
        precondition(workerCount < Int.bitWidth, "SpinningPool supports up to \(Int.bitWidth - 1) workers")
        wakeUps = (0..<workerCount).map { _ in DispatchSemaphore(value: 0) }
        for w in 0..<workerCount {
            let thread = Thread { [unowned self] in self.workerLoop(w) }
            thread.name = "TensorKit spinning worker \(w + 1)"
            thread.qualityOfService = .userInitiated
            thread.start()
        }
    }

    /// Calls `body(part)` for `part` in `0..<parts` on up to `parts` threads (the caller runs part 0)
    /// and returns when all have finished. `parts` above `workerCount + 1` run in turn.
    ///
    /// Never inlined: inlined into a kernel's caller, the hand-off measured twice as slow (batch-1
    /// inference 42 µs instead of 20) for reasons of code generation, not of the protocol.
    @inline(never)
    public func run(_ parts: Int, _ body: (Int) -> Void) {
        guard parts > 1, workerCount > 0,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for p in 0..<max(parts, 0) { body(p) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        let threads = min(parts, workerCount + 1)
        withoutActuallyEscaping(body) { body in
            // Part p runs on thread p % threads.
            job = body
            partCount = parts
            participants = threads
            pending.value.store(workerCount, ordering: .relaxed)
            generation.value.add(1, ordering: .sequentiallyConsistent)
            let asleep = sleeping.exchange(0, ordering: .sequentiallyConsistent)
            for w in 0..<workerCount where asleep & (1 << w) != 0 { wakeUps[w].signal() }
            var p = 0
            while p < parts { body(p); p += threads }
            while pending.value.load(ordering: .acquiring) > 0 {}
            job = nil
        }
    }

    private func workerLoop(_ index: Int) {
        // The generation at construction: a region may be posted before this thread first runs.
        var seen = 0
        let spinNanoseconds = UInt64(SpinningPool.spinDuration * 1e9)
        while true {
            var start: UInt64 = 0
            var polls = 0
            while generation.value.load(ordering: .acquiring) == seen {
                polls += 1
                if polls & 1023 != 0 { continue }
                let now = DispatchTime.now().uptimeNanoseconds
                if start == 0 { start = now; continue }
                if now - start < spinNanoseconds { continue }
                // Sleep; the caller wakes a worker it finds asleep after bumping the generation.
                sleeping.bitwiseOr(1 << index, ordering: .sequentiallyConsistent)
                if generation.value.load(ordering: .sequentiallyConsistent) == seen { wakeUps[index].wait() }
                sleeping.bitwiseAnd(~(1 << index), ordering: .sequentiallyConsistent)
                start = 0
            }
            seen = generation.value.load(ordering: .acquiring)
            let threads = participants, parts = partCount
            if index + 1 < threads, let job {
                var p = index + 1
                while p < parts { job(p); p += threads }
            }
            pending.value.subtract(1, ordering: .releasing)
        }
    }
}

/// An atomic counter alone on its cache lines (padding on both sides of the 128-byte pair that
/// adjacent-line prefetchers fetch together).
final class PaddedCounter: @unchecked Sendable {
    private let before: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    let value = Atomic<Int>(0)
    private let after: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}
