import Foundation

/// The safety set-up every agent that injects input shares, made one way: a backend wrapped in a
/// ``SafeInputDevice`` (pauses, rate limit, log, dry run), bound to one target window by a
/// ``FocusBinding``, stopped by a ``KillSwitch`` that no agent can disable, and released however
/// it stops (``stop()``, deinit, SIGINT/SIGTERM through ``InputSafety``, and the X11 backend's
/// guardian for crashes and SIGKILL).
public final class InputAgent {
    /// The device the agent acts through.
    public let device: SafeInputDevice
    /// The focus binding, when the agent has a target window.
    public let binding: FocusBinding?
    /// The kill switch, when hotkeys were given.
    public let killSwitch: KillSwitch?

    /// - Parameters:
    ///   - backend: what sends the input (X11 or in-memory).
    ///   - windows: where focus is read from.
    ///   - target: the window input is bound to (nil: no focus binding; the kill switch still guards).
    ///   - hotkeys: for the kill switch (nil: none, e.g. a one-shot `pixelpilot click`).
    public init(
        backend: InputDevice, windows: WindowSystem, target: UInt?, hotkeys: HotkeyCenter?,
        killCombo: KeyCombo = KillSwitch.defaultCombo, timing: InputTiming = InputTiming(), dryRun: Bool = false,
        clock: MonotonicClock = SystemClock.shared
    ) throws {
        device = SafeInputDevice(wrapping: backend, timing: timing, dryRun: dryRun, clock: clock)
        killSwitch = try hotkeys.map { try KillSwitch(hotkeys: $0, combo: killCombo) }
        if let target {
            let b = FocusBinding(windows: windows, target: target)
            b.bind(device)
            killSwitch?.watch(b)
            binding = b
        } else {
            binding = nil
            device.inputGuard = killSwitch
        }
    }

    /// An agent on an X display: XTest input (with its guardian) and the display's hotkeys.
    public static func x11(
        connection: X11Connection, target: UInt?, killSwitch: Bool = true, timing: InputTiming = InputTiming(),
        dryRun: Bool = false
    ) throws -> InputAgent {
        try InputAgent(
            backend: try X11InputDevice(connection: connection), windows: X11WindowSystem(connection: connection),
            target: target, hotkeys: killSwitch ? try X11SharedHotkeys(displayName: connection.name) : nil,
            timing: timing, dryRun: dryRun)
    }

    /// Releases everything held and stops listening for the kill switch.
    public func stop() {
        device.releaseAll()
        killSwitch?.stop()
    }

    deinit { stop() }
}
