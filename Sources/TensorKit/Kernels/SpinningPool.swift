import Foundation
import Synchronization

/// The worker threads behind every ``Parallel`` region, made for regions as short as a few
/// microseconds (one image through a small CNN): waking a thread through Dispatch or a condition
/// variable costs about as much as such work, so idle workers spin on an atomic for a while
/// (``spinDuration``) before they sleep.
///
/// The caller and the workers claim parts from a shared counter, so a worker that the OS has not
/// scheduled (a busy machine, another process on the other core) never holds the caller up: the
/// caller then runs every part itself, and waits only for parts a worker has already started.
///
/// A region that finds the pool busy (another thread is
/// using it, or it is called from inside a region) runs serially on the caller's thread instead of
/// waiting, so it never deadlocks and never oversubscribes the cores.
public final class SpinningPool: @unchecked Sendable {
    /// The process's pool: one worker fewer than the processors (the caller is a worker too).
    public static let shared = SpinningPool(workerCount: max(ProcessInfo.processInfo.activeProcessorCount - 1, 0))

    /// How long an idle worker spins before it sleeps until the next region.
    public static let spinDuration: Double = 0.000_2

    /// Number of threads besides the caller's.
    public let workerCount: Int

    // The counter the workers spin on, the claim counter and the completion counter live on cache
    // lines of their own.
    /// Bumped once per region; workers wake up on a change.
    private let generation = PaddedCounter()
    /// The current region's tag (its generation, 31 bits) in the high half, its part count in
    /// bits 16–31 and the next unclaimed part in bits 0–15: one compare-and-swap checks the
    /// region and the bound together, so a claim succeeds only for the region that is running.
    private let claim = PaddedCounter()
    /// Parts of the current region finished by workers.
    private let finished = PaddedCounter()
    private let busy = Atomic<Bool>(false)
    /// Bit `w` is set while worker `w` sleeps (or is about to).
    private let sleeping = Atomic<Int>(0)
    private let wakeUps: [DispatchSemaphore]
    // Written by the caller before the region's claim word is published. A worker calls `job`
    // only after a successful claim, which proves the region is still running (so it is stable).
    // (An earlier version kept the part count in a separate variable: a worker holding the last,
    // exhausted claim word of one region could read the next region's count before the new word
    // was published and claim a part of the new region twice.)
    private var job: ((Int) -> Void)?

    private static let tagShift = 32
    private static let tagMask = ~((1 << 32) - 1)
    private static let maximumParts = 0xFFFF

    @inline(__always) private static func parts(_ word: Int) -> Int { (word >> 16) & maximumParts }
    @inline(__always) private static func index(_ word: Int) -> Int { word & maximumParts }

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

    /// Calls `body(part)` once for each `part` in `0..<parts`, on the caller's thread and the
    /// workers, and returns when all have finished.
    ///
    /// Never inlined: inlined into a kernel's caller, the hand-off measured twice as slow (batch-1
    /// inference 42 µs instead of 20) for reasons of code generation, not of the protocol.
    @inline(never)
    public func run(_ parts: Int, _ body: (Int) -> Void) {
        guard parts > 1, workerCount > 0, parts <= SpinningPool.maximumParts,
            busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for p in 0..<max(parts, 0) { body(p) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            job = body
            finished.value.store(0, ordering: .relaxed)
            let gen = generation.value.load(ordering: .relaxed) &+ 1
            let tag = (gen & 0x7FFF_FFFF) << SpinningPool.tagShift
            claim.value.store(tag | parts << 16, ordering: .releasing)
            generation.value.store(gen, ordering: .sequentiallyConsistent)
            let asleep = sleeping.exchange(0, ordering: .sequentiallyConsistent)
            for w in 0..<workerCount where asleep & (1 << w) != 0 { wakeUps[w].signal() }
            // The caller claims parts like any worker; what it ran, no one else did.
            var mine = 0
            while let p = claimPart(tag: tag) {
                body(p)
                mine += 1
            }
            // Wait only for parts workers claimed; a worker that never woke up claims nothing.
            // After a while, yield the core (another thread, such as a data loader, may want it).
            var polls = 0
            while finished.value.load(ordering: .acquiring) < parts - mine {
                polls += 1
                if polls > 20_000 { sched_yield() }
            }
            job = nil
        }
    }

    /// The next unclaimed part of the region tagged `tag`, or nil when all are claimed or the
    /// region is over.
    @inline(__always)
    private func claimPart(tag: Int) -> Int? {
        var word = claim.value.load(ordering: .acquiring)
        while word & SpinningPool.tagMask == tag, SpinningPool.index(word) < SpinningPool.parts(word) {
            let (exchanged, original) = claim.value.compareExchange(
                expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
            if exchanged { return SpinningPool.index(word) }
            word = original
        }
        return nil
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
                if start == 0 {
                    start = now
                    continue
                }
                if now - start < spinNanoseconds { continue }
                // Sleep; the caller wakes a worker it finds asleep after bumping the generation.
                sleeping.bitwiseOr(1 << index, ordering: .sequentiallyConsistent)
                if generation.value.load(ordering: .sequentiallyConsistent) == seen { wakeUps[index].wait() }
                sleeping.bitwiseAnd(~(1 << index), ordering: .sequentiallyConsistent)
                start = 0
            }
            seen = generation.value.load(ordering: .acquiring)
            let tag = (seen & 0x7FFF_FFFF) << SpinningPool.tagShift
            // A successful claim proves the region is still running, so `job` is this region's;
            // a late worker's claims fail and it never touches `job`.
            while let p = claimPart(tag: tag) {
                job!(p)
                finished.value.add(1, ordering: .releasing)
            }
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
