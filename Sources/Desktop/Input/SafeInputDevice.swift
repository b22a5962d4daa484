import Foundation

/// An injected action and when it was performed (or, in a dry run, would have been).
public struct LoggedAction: Hashable, Sendable, Codable, CustomStringConvertible {
    public var action: InputAction
    public var time: MonotonicTime

    public init(action: InputAction, time: MonotonicTime) {
        self.action = action
        self.time = time
    }

    public var description: String { action.description }
}

/// The safety and pacing decorator over any ``InputDevice`` backend: every action is checked by
/// the guard (focus binding, kill switch), paced by ``InputTiming`` (pauses and a rate limit),
/// logged, and, in a dry run, not sent at all. ``releaseAll()`` always reaches the backend.
public final class SafeInputDevice: InputDevice, @unchecked Sendable {
    /// The backend that sends the actions.
    public let backend: InputDevice
    public var timing: InputTiming
    /// Asked before every action; throwing refuses it.
    public var inputGuard: InputGuard?
    /// When true nothing is sent: actions are checked, paced (without pauses) and logged.
    public let dryRun: Bool
    public let clock: MonotonicClock
    private let lock = NSRecursiveLock()
    private var lastAction: MonotonicTime?
    private var dryHeld = Set<HeldInput>()
    private var entries: [LoggedAction] = []

    public init(
        wrapping backend: InputDevice, timing: InputTiming = InputTiming(), guard inputGuard: InputGuard? = nil,
        dryRun: Bool = false, clock: MonotonicClock = SystemClock.shared
    ) {
        self.backend = backend
        self.timing = timing
        self.inputGuard = inputGuard
        self.dryRun = dryRun
        self.clock = clock
    }

    /// Every action performed (or, in a dry run, that would have been), in order.
    public var log: [LoggedAction] { lock.withLock { entries } }

    public var held: Set<HeldInput> { lock.withLock { dryRun ? dryHeld : backend.held } }

    public func perform(_ action: InputAction) throws {
        try lock.withLock {
            try inputGuard?.check(action)
            pace()
            if dryRun {
                if case .input(let e) = action { dryHeld.apply(e) }
            } else {
                try backend.perform(action)
            }
            entries.append(LoggedAction(action: action, time: clock.now()))
        }
        if !dryRun { clock.sleep(for: timing.pause(after: action)) }
    }

    private func pace() {
        let rate = timing.maxActionsPerSecond
        guard rate.isFinite, rate > 0 else { return }
        if let last = lastAction, !dryRun { clock.sleep(until: last + 1 / rate) }
        lastAction = clock.now()
    }

    public func releaseAll() {
        lock.withLock {
            dryHeld.removeAll()
            backend.releaseAll()
        }
    }
}
