import Desktop
import Foundation

/// An input recorder fed by hand (or by a ``MemoryInputDevice``'s actions): what a test says the
/// user did, stamped with the clock.
public final class MemoryInputRecorder: InputRecorder, @unchecked Sendable {
    private let lock = NSLock()
    private var timeline = InputTimeline()
    private var handler: (@Sendable (TimedInputEvent) -> Void)?
    private var stopped = false
    public let clock: MonotonicClock

    public init(clock: MonotonicClock = SystemClock.shared) { self.clock = clock }

    /// Records `event` now (ignored once stopped).
    public func record(_ event: InputEvent) {
        let timed = TimedInputEvent(event, at: clock.now())
        let h = lock.withLock { () -> (@Sendable (TimedInputEvent) -> Void)? in
            guard !stopped else { return nil }
            timeline.append(timed)
            return handler
        }
        h?(timed)
    }

    /// Records the key and button events of a device's actions as they happen.
    public func listen(to device: MemoryInputDevice) {
        device.onAction = { [weak self] action in
            if case .input(let e) = action { self?.record(e) }
        }
    }

    public var recorded: InputTimeline { lock.withLock { timeline } }

    public var onEvent: (@Sendable (TimedInputEvent) -> Void)? {
        get { lock.withLock { handler } }
        set { lock.withLock { handler = newValue } }
    }

    public func stop() { lock.withLock { stopped = true } }
}
