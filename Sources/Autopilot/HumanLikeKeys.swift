import Arena
import Foundation
import TensorKit

/// Makes a perfect driver's keys look like a person's: each decision reaches the keyboard after a
/// reaction delay (with jitter), and now and then a slip of the hand (a throttle lift, a late
/// release or a stray steering tap) holds for a moment. Steering slips last at most 0.1 s (a tap);
/// throttle lifts the whole ``mistakeDuration``.
public struct HumanLikeKeys: Sendable {
    /// Mean reaction delay and its jitter, seconds.
    public var reactionDelay: Double, reactionJitter: Double
    /// Slips of the hand per second, and how long one lasts, seconds.
    public var mistakesPerSecond: Double, mistakeDuration: ClosedRange<Double>
    private var rng: SeededGenerator
    private var pending: [(due: Double, keys: RacerControls)] = []
    private var current = RacerControls()
    private var mistake: (until: Double, flip: RacerControls)?
    private var lastTime: Double?

    public init(
        reactionDelay: Double = 0.08, reactionJitter: Double = 0.02, mistakesPerSecond: Double = 0.25,
        mistakeDuration: ClosedRange<Double> = 0.08...0.25, seed: UInt64 = 1
    ) {
        self.reactionDelay = reactionDelay
        self.reactionJitter = reactionJitter
        self.mistakesPerSecond = mistakesPerSecond
        self.mistakeDuration = mistakeDuration
        rng = SeededGenerator(seed: seed ^ 0x4E01)
    }

    /// A perfect driver's decision `keys` at `time` (seconds) in; the keys held at `time` out.
    public mutating func filter(_ keys: RacerControls, at time: Double) -> RacerControls {
        let jitter = (Double(rng.nextUniform()) * 2 - 1) * reactionJitter
        let due = time + Swift.max(0, reactionDelay + jitter)
        // A later decision never overtakes an earlier one.
        pending.append((Swift.max(due, pending.last?.due ?? due), keys))
        while let first = pending.first, first.due <= time {
            current = first.keys
            pending.removeFirst()
        }
        let dt = lastTime.map { Swift.max(0, time - $0) } ?? 0
        lastTime = time
        if let m = mistake, time >= m.until { mistake = nil }
        if mistake == nil && mistakesPerSecond > 0 && Double(rng.nextUniform()) < mistakesPerSecond * dt {
            var length =
                mistakeDuration.lowerBound + Double(rng.nextUniform())
                * (mistakeDuration.upperBound - mistakeDuration.lowerBound)
            let flips: [RacerControls] = [.up, .up, .left, .right]
            let flip = flips[Int(rng.next() % 4)]
            if flip != .up { length = Swift.min(length, 0.1) }
            mistake = (time + length, flip)
        }
        guard let m = mistake else { return current }
        var held = current.symmetricDifference(m.flip)
        if held.contains(.left) && held.contains(.right) { held.subtract(current.intersection([.left, .right])) }
        return held
    }
}
