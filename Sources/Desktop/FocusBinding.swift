import Foundation

/// Binds an agent's input to one target window: nothing is injected while another window has
/// focus, no pointer move leaves the target's rectangle, and a kill switch stops everything.
public final class FocusBinding: InputGuard, @unchecked Sendable {
    public let windows: WindowSystem
    public let target: UInt
    private let lock = NSLock()
    private var killed = false
    private var refused: [DesktopError] = []

    public init(windows: WindowSystem, target: UInt) {
        self.windows = windows
        self.target = target
    }

    /// Actions refused so far (for reports and tests).
    public var refusals: [DesktopError] { lock.withLock { refused } }

    /// Trips the kill switch: every later action is refused.
    public func kill() { lock.withLock { killed = true } }
    public var isKilled: Bool { lock.withLock { killed } }

    public func check(_ action: InputAction) throws {
        if isKilled { throw refuse(action, .killSwitch) }
        let active = try windows.activeWindow()
        guard let active, active.id == target else {
            throw refuse(action, .notFocused(target: target, focused: active))
        }
        if case .move(let p) = action, !active.rect.contains(p) {
            throw refuse(action, .outsideTarget(p, window: active.rect))
        }
    }

    private func refuse(_ action: InputAction, _ why: DesktopError.Refusal) -> DesktopError {
        let e = DesktopError.refused(action, why)
        lock.withLock { refused.append(e) }
        return e
    }

    /// Installs this binding as `device`'s guard. The device keeps the binding alive (a binding
    /// made and dropped in one expression still guards every action).
    public func bind(_ device: SafeInputDevice) {
        device.inputGuard = self
    }
}
