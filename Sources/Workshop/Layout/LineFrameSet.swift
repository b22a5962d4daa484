import Arena
import Foundation
import LayoutReader

/// Arena frames with their exact wall masks, for UNet training and the line benchmark.
public enum LineFrameSet {
    /// Seeds of the training, validation and test instances: disjoint ranges, so the test
    /// instances are never trained on.
    public static func seeds(_ split: Split, count: Int) -> [UInt64] {
        (0..<count).map { split.base + UInt64($0) }
    }

    public enum Split {
        case training, validation, test
        public var base: UInt64 {
            switch self {
            case .training: return 1000
            case .validation: return 5000
            case .test: return 9000
            }
        }
    }

    /// The looks of the held-out test frames are drawn from this seed, which training never uses.
    public static let testLookSeed: UInt64 = 0x7E57

    /// `frames` frames of each (class, seed, effects, appearance) walk, rendered on both cores; a
    /// varied appearance draws each frame's look from the frame and `lookSeed`.
    public static func make(
        seeds: [UInt64], effects: [MapEffects], frames: Int, classes: [LayoutClass] = LayoutClass.allCases,
        appearances: [MapAppearance] = [.arena], lookSeed: UInt64 = 0
    ) throws -> [MapLineFrame] {
        var jobs: [(LayoutClass, UInt64, MapEffects, MapAppearance)] = []
        for s in seeds {
            for c in classes {
                for e in effects {
                    for a in appearances { jobs.append((c, s &+ UInt64(c.rawValue) * 100, e, a)) }
                }
            }
        }
        let results = LockedResults(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
            let (c, s, e, a) = jobs[i]
            results.set(
                i,
                Result {
                    try MapLineFrames.generate(
                        layoutClass: c, seed: s, effects: e, count: frames, appearance: a, lookSeed: lookSeed)
                })
        }
        return try results.values.flatMap { try $0?.get() ?? [] }
    }

    final class LockedResults: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [Result<[MapLineFrame], Error>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ r: Result<[MapLineFrame], Error>) {
            lock.lock()
            values[i] = r
            lock.unlock()
        }
    }
}
