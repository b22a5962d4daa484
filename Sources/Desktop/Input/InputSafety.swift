import Foundation

/// Releases the held input of every live device when the process is interrupted or terminated,
/// then exits with the conventional status (130 for SIGINT, 143 for SIGTERM). A crash or SIGKILL
/// cannot be caught in-process: the X11 backend's guardian process covers those.
public enum InputSafety {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var devices: [ObjectIdentifier: Weak] = [:]
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private final class Weak {
        weak var device: InputDevice?
        init(_ d: InputDevice) { device = d }
    }

    /// Registers a backend so that interruption, termination and the kill switch release it.
    public static func register(_ d: InputDevice) {
        lock.lock()
        defer { lock.unlock() }
        devices[ObjectIdentifier(d)] = Weak(d)
        if sources.isEmpty {
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                s.setEventHandler {
                    releaseEverything()
                    exit(sig == SIGINT ? 130 : 143)
                }
                s.resume()
                sources.append(s)
            }
        }
    }

    /// Forgets a backend (when it goes away).
    public static func unregister(_ d: InputDevice) {
        lock.lock()
        defer { lock.unlock() }
        devices[ObjectIdentifier(d)] = nil
    }

    /// Releases everything every live device holds (the kill switch's last step).
    public static func releaseEverything() {
        lock.lock()
        let live = devices.values.compactMap(\.device)
        lock.unlock()
        for d in live { d.releaseAll() }
    }
}
