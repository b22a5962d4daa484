import Foundation

/// Binds an agent's input to one target window: nothing is injected while another window has
/// focus, no pointer move leaves the target's rectangle, and a kill switch stops everything.
public final class FocusBinding: @unchecked Sendable {
    public let windows: WindowSystem
    public let target: UInt
    private let lock = NSLock()
    private var killed = false
    /// Actions refused so far (for reports and tests).
    public private(set) var refusals: [String] = []

    public init(windows: WindowSystem, target: UInt) {
        self.windows = windows
        self.target = target
    }

    /// Trips the kill switch: every later action is refused.
    public func kill() { lock.lock(); killed = true; lock.unlock() }
    public var isKilled: Bool { lock.lock(); defer { lock.unlock() }; return killed }

    /// Throws ``DesktopError/refused(_:)`` when `action` must not be injected now.
    public func check(_ action: InputAction) throws {
        if isKilled { throw refuse("kill switch is on: refused \(action)") }
        let active = try windows.activeWindow()
        guard let active, active.id == target else {
            throw refuse("window 0x\(String(target, radix: 16)) does not have focus (focused: \(active.map { "'\($0.title)' 0x\(String($0.id, radix: 16))" } ?? "none")): refused \(action)")
        }
        if case .move(let x, let y) = action, !active.rect.contains(x: x, y: y) {
            throw refuse("(\(x), \(y)) is outside the target window \(active.rect): refused \(action)")
        }
    }

    private func refuse(_ message: String) -> DesktopError {
        lock.lock(); refusals.append(message); lock.unlock()
        return .refused(message)
    }

    /// Installs this binding as `device`'s guard. The device keeps the binding alive (a binding
    /// made and dropped in one expression still guards every action).
    public func bind(_ device: X11InputDevice) {
        device.guardAction = { action in try self.check(action) }
    }
}
