import Desktop
import Foundation

/// A clock that moves only when told (or when something sleeps on it: sleeping moves it to the
/// deadline at once), so timing logic — timeouts, pacing, slow UIs — runs in microseconds and
/// gives the same result every time.
public final class ManualClock: MonotonicClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: MonotonicTime

    public init(start: MonotonicTime = MonotonicTime(seconds: 1000)) { current = start }

    public func now() -> MonotonicTime { lock.withLock { current } }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: Double) { lock.withLock { current = current + max(0, seconds) } }

    /// Moves the clock to `deadline` (never backwards).
    public func sleep(until deadline: MonotonicTime) { lock.withLock { current = max(current, deadline) } }
}
