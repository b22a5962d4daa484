import Desktop
import Foundation

/// An input device that sends nothing anywhere: it records every action with the clock's time
/// and keeps the held set, like a backend would. `onAction` lets a simulated game react.
public final class MemoryInputDevice: InputDevice, @unchecked Sendable {
    private let lock = NSLock()
    private var heldSet = Set<HeldInput>()
    private var actions: [LoggedAction] = []
    public let clock: MonotonicClock
    /// The pointer's position after the last move.
    public private(set) var pointer = ScreenPoint(x: 0, y: 0)
    /// Called after each action is applied (a simulated game hooks in here).
    public var onAction: ((InputAction) throws -> Void)?

    public init(clock: MonotonicClock = SystemClock.shared) {
        self.clock = clock
        InputSafety.register(self)
    }

    deinit { InputSafety.unregister(self) }

    /// Every action received, in order.
    public var log: [LoggedAction] { lock.withLock { actions } }

    public var held: Set<HeldInput> { lock.withLock { heldSet } }

    public func perform(_ action: InputAction) throws {
        lock.withLock {
            switch action {
            case .move(let p): pointer = p
            case .input(let e): heldSet.apply(e)
            case .scroll, .text: break
            }
            actions.append(LoggedAction(action: action, time: clock.now()))
        }
        try onAction?(action)
    }

    public func releaseAll() {
        let releases = lock.withLock { () -> [InputAction] in
            let r = heldSet.sorted().map { h -> InputAction in
                switch h {
                case .key(let k): return .input(.key(k, down: false))
                case .button(let b): return .input(.button(b, down: false))
                }
            }
            heldSet.removeAll()
            for a in r { actions.append(LoggedAction(action: a, time: clock.now())) }
            return r
        }
        for a in releases { try? onAction?(a) }
    }
}
