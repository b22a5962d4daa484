import CX11
import Foundation

/// Records the user's keyboard and mouse buttons through XInput2 raw events on the root window
/// (they arrive whichever window has focus, and include XTest-injected events under Xvfb).
/// Keys are named by their unshifted keysym (`Control_L`, `a`, `Up`), the canonical ``Key`` names.
public final class X11InputRecorder: InputRecorder, @unchecked Sendable {
    private let connection: X11Connection
    private var opcode: Int32 = 0
    private let lock = NSLock()
    private var timeline = InputTimeline()
    private let loop: X11EventLoop
    private let clock: MonotonicClock
    private var handler: (@Sendable (TimedInputEvent) -> Void)?

    /// Opens its own connection and starts recording at once.
    public init(displayName: String?, clock: MonotonicClock = SystemClock.shared) throws {
        connection = try X11Connection(name: displayName)
        self.clock = clock
        loop = X11EventLoop(connection: connection, name: "pixelpilot.recorder")
        let d = connection.display
        var event: Int32 = 0
        var error: Int32 = 0
        guard XQueryExtension(d, "XInputExtension", &opcode, &event, &error) != 0 else {
            throw DesktopError.missingExtension("XInputExtension (XInput2)", neededFor: "recording input")
        }
        var major: Int32 = 2
        var minor: Int32 = 1
        guard XIQueryVersion(d, &major, &minor) == Success else {
            throw DesktopError.missingExtension("XInput 2.1", neededFor: "recording raw input events")
        }
        var maskBytes = [UInt8](repeating: 0, count: 4)
        for ev in [XI_RawKeyPress, XI_RawKeyRelease, XI_RawButtonPress, XI_RawButtonRelease] {
            maskBytes[Int(ev) >> 3] |= UInt8(1 << (Int(ev) & 7))
        }
        maskBytes.withUnsafeMutableBufferPointer { buf in
            var mask = XIEventMask(deviceid: XIAllMasterDevices, mask_len: Int32(buf.count), mask: buf.baseAddress)
            XISelectEvents(d, connection.root, &mask, 1)
        }
        XSync(d, 0)
        loop.start { [weak self] event in self?.handle(&event) }
    }

    deinit { stop() }

    /// Stops recording (the events stay available).
    public func stop() { loop.stop() }

    public var recorded: InputTimeline { lock.withLock { timeline } }

    public var onEvent: (@Sendable (TimedInputEvent) -> Void)? {
        get { lock.withLock { handler } }
        set { lock.withLock { handler = newValue } }
    }

    private func handle(_ event: inout XEvent) {
        let stamp = clock.now()
        let d = connection.display
        let opcode = self.opcode
        let recordedEvent: InputEvent? = connection.locked {
            guard event.type == GenericEvent, event.xcookie.extension == opcode, XGetEventData(d, &event.xcookie) != 0
            else {
                return nil
            }
            defer { XFreeEventData(d, &event.xcookie) }
            guard let data = event.xcookie.data else { return nil }
            let raw = data.assumingMemoryBound(to: XIRawEvent.self).pointee
            switch raw.evtype {
            case XI_RawKeyPress, XI_RawKeyRelease:
                let sym = XkbKeycodeToKeysym(d, KeyCode(raw.detail), 0, 0)
                let name = XKeysymToString(sym).map { String(cString: $0) } ?? "keycode_\(raw.detail)"
                return .key(Key(canonicalName: name), down: raw.evtype == XI_RawKeyPress)
            case XI_RawButtonPress, XI_RawButtonRelease:
                // Buttons 4-7 are wheel steps, not held state.
                guard let b = MouseButton(rawValue: Int(raw.detail)) else { return nil }
                return .button(b, down: raw.evtype == XI_RawButtonPress)
            default:
                return nil
            }
        }
        guard let recordedEvent else { return }
        let timed = TimedInputEvent(recordedEvent, at: stamp)
        let h = lock.withLock { () -> (@Sendable (TimedInputEvent) -> Void)? in
            timeline.append(timed)
            return handler
        }
        h?(timed)
    }
}
