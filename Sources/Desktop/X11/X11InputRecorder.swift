import CX11
import Foundation

/// Records the user's keyboard and mouse buttons through XInput2 raw events on the root window
/// (they arrive whichever window has focus, and include XTest-injected events under Xvfb).
public final class X11InputRecorder: @unchecked Sendable {
    private let connection: X11Connection
    private var opcode: Int32 = 0
    private let lock = NSLock()
    private var timeline = InputTimeline()
    private var running = true
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    /// Called on the recorder's thread for every event.
    public var onEvent: (@Sendable (InputEvent) -> Void)?

    /// Opens its own connection and starts recording at once.
    public init(displayName: String?) throws {
        connection = try X11Connection(name: displayName)
        let d = connection.display
        var event: Int32 = 0, error: Int32 = 0
        guard XQueryExtension(d, "XInputExtension", &opcode, &event, &error) != 0 else {
            throw DesktopError.missingExtension("the X server lacks XInputExtension (XInput2), which recording input needs")
        }
        var major: Int32 = 2, minor: Int32 = 1
        guard XIQueryVersion(d, &major, &minor) == Success else {
            throw DesktopError.missingExtension("the X server's XInput is older than 2.1 (raw events need 2.1)")
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
        let t = Thread { [unowned self] in self.listen() }
        t.name = "pixelpilot.recorder"
        thread = t
        t.start()
    }

    deinit { stop() }

    /// Stops recording (the events stay available).
    public func stop() {
        lock.lock()
        let was = running
        running = false
        lock.unlock()
        if was { done.wait() }
    }

    /// Everything recorded so far.
    public var recorded: InputTimeline { lock.lock(); defer { lock.unlock() }; return timeline }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// The recorder's clock (monotonic seconds), to compare with event timestamps.
    public static func monotonicNow() -> Double { now() }

    private func listen() {
        defer { done.signal() }
        let d = connection.display
        var event = XEvent()
        while true {
            lock.lock(); let go = running; lock.unlock()
            if !go { return }
            let got: Bool = connection.locked { XPending(d) > 0 && { XNextEvent(d, &event); return true }() }
            if !got { _ = connection.waitForEvents(timeout: 0.02); continue }
            let stamp = X11InputRecorder.now()
            var recordedEvent: InputEvent?
            connection.locked {
                guard event.type == GenericEvent, event.xcookie.extension == opcode, XGetEventData(d, &event.xcookie) != 0 else { return }
                defer { XFreeEventData(d, &event.xcookie) }
                guard let data = event.xcookie.data else { return }
                let raw = data.assumingMemoryBound(to: XIRawEvent.self).pointee
                switch raw.evtype {
                case XI_RawKeyPress, XI_RawKeyRelease:
                    let sym = XkbKeycodeToKeysym(d, KeyCode(raw.detail), 0, 0)
                    let name = XKeysymToString(sym).map { String(cString: $0) } ?? "keycode \(raw.detail)"
                    recordedEvent = InputEvent(kind: raw.evtype == XI_RawKeyPress ? .keyDown : .keyUp, name: name, timestamp: stamp)
                case XI_RawButtonPress, XI_RawButtonRelease:
                    recordedEvent = InputEvent(kind: raw.evtype == XI_RawButtonPress ? .buttonDown : .buttonUp, name: "button \(raw.detail)", timestamp: stamp)
                default: break
                }
            }
            if let e = recordedEvent {
                lock.lock(); timeline.append(e); lock.unlock()
                onEvent?(e)
            }
        }
    }
}
