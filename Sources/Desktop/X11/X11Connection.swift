import CX11
import Foundation

/// The last X protocol error seen by the process-wide error handler (0: none). Xlib's default
/// handler exits the process on errors such as BadWindow; ours records them instead.
nonisolated(unsafe) var x11LastErrorCode: UInt8 = 0
nonisolated(unsafe) var x11LastErrorRequest: UInt8 = 0
private let x11ErrorLock = NSLock()

private let x11Setup: Void = {
    XInitThreads()
    // Xlib writes to the server's socket without MSG_NOSIGNAL: when the server has gone away
    // (stopped, killed, logged out) the write would raise SIGPIPE and end the process before the
    // IO error handlers below could mark the display lost. Ignored, the write fails with EPIPE.
    signal(SIGPIPE, SIG_IGN)
    _ = XSetIOErrorHandler { _ in 0 }
    _ = XSetErrorHandler { _, event in
        if let e = event?.pointee {
            x11LastErrorCode = e.error_code
            x11LastErrorRequest = e.request_code
        }
        return 0
    }
}()

private let x11LostLock = NSLock()
nonisolated(unsafe) private var x11LostDisplays = Set<OpaquePointer>()
private func x11MarkLost(_ d: OpaquePointer) { x11LostLock.withLock { _ = x11LostDisplays.insert(d) } }
private func x11IsLost(_ d: OpaquePointer) -> Bool { x11LostLock.withLock { x11LostDisplays.contains(d) } }

/// One connection to an X server. Each long-running component opens its own.
public final class X11Connection: @unchecked Sendable {
    /// The Xlib `Display*`.
    public let display: OpaquePointer
    /// The display name used, e.g. `:99`.
    public let name: String
    private let lock = NSRecursiveLock()

    /// Opens `name` (default: `$DISPLAY`). Fails with a clear message when there is no X server
    /// or when the session is Wayland without XWayland.
    public init(name: String? = nil) throws {
        _ = x11Setup
        let target = name ?? ProcessInfo.processInfo.environment["DISPLAY"] ?? ""
        if target.isEmpty {
            let env = ProcessInfo.processInfo.environment
            if env["WAYLAND_DISPLAY"] != nil {
                throw DesktopError.noDisplay(.waylandOnly)
            }
            throw DesktopError.noDisplay(.notSet)
        }
        guard let d = XOpenDisplay(target) else {
            throw DesktopError.noDisplay(.cannotOpen(target))
        }
        display = d
        self.name = target
        // Losing the server (it stopped, the user logged out) must not end the process: the
        // exit handler returns, Xlib marks the display dead, and later calls fail.
        XSetIOErrorExitHandler(
            d,
            { display, _ in
                if let display { x11MarkLost(display) }
            }, nil)
    }

    /// False once the server has gone away (it stopped, or the connection broke): components then
    /// skip their goodbye requests (ungrabbing keys, destroying windows), which would wait forever.
    public var isAlive: Bool {
        if x11IsLost(display) { return false }
        var byte: UInt8 = 0
        let n = recv(XConnectionNumber(display), &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if n == 0 { return false }
        if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK { return false }
        return true
    }

    deinit {
        // Xlib calls on a connection whose server went away can block for ever; its memory and
        // socket are then left to the process's end.
        if isAlive { XCloseDisplay(display) }
        x11LostLock.withLock { _ = x11LostDisplays.remove(display) }
    }

    /// Runs `body` holding this connection's lock (Xlib calls on one connection from several threads).
    public func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Runs `body`, then syncs and returns the X error code it caused (0: none).
    func checked(_ body: () -> Void) -> UInt8 {
        x11ErrorLock.lock()
        defer { x11ErrorLock.unlock() }
        XSync(display, 0)
        x11LastErrorCode = 0
        body()
        XSync(display, 0)
        return x11LastErrorCode
    }

    public var screen: Int32 { XDefaultScreen(display) }
    public var root: UInt { XDefaultRootWindow(display) }
    public var screenWidth: Int { Int(XDisplayWidth(display, screen)) }
    public var screenHeight: Int { Int(XDisplayHeight(display, screen)) }

    /// Whether the server has the named extension (e.g. `MIT-SHM`, `XTEST`, `XInputExtension`, `SHAPE`).
    public func hasExtension(_ name: String) -> Bool {
        var op: Int32 = 0
        var ev: Int32 = 0
        var err: Int32 = 0
        return XQueryExtension(display, name, &op, &ev, &err) != 0
    }

    /// Interns an atom.
    public func atom(_ name: String) -> UInt { XInternAtom(display, name, 0) }

    /// Flushes requests to the server.
    public func flush() { XFlush(display) }

    /// Blocks until events are queued or the connection's socket is readable, at most `timeout`
    /// seconds. Event threads use it instead of polling with sleeps, so they wake at once.
    public func waitForEvents(timeout: Double) -> Bool {
        if locked({ XPending(display) }) > 0 { return true }
        var fds = pollfd(fd: XConnectionNumber(display), events: Int16(POLLIN), revents: 0)
        return poll(&fds, 1, Int32(timeout * 1000)) > 0
    }

    /// Waits until the server has processed every request.
    public func sync() { XSync(display, 0) }
}

extension X11Connection {
    /// The keycodes the server holds down now (`XQueryKeymap`): what really is pressed, whatever
    /// any client believes (the doctor and the release tests read it).
    public func pressedKeycodes() -> Set<UInt8> {
        var keys = [CChar](repeating: 0, count: 32)
        locked { keys.withUnsafeMutableBufferPointer { _ = XQueryKeymap(display, $0.baseAddress) } }
        var out = Set<UInt8>()
        for (i, byte) in keys.enumerated() where byte != 0 {
            for bit in 0..<8 where UInt8(bitPattern: byte) & (1 << bit) != 0 { out.insert(UInt8(i * 8 + bit)) }
        }
        return out
    }

    /// The keycode of `key` on this server's keyboard map (nil when it has none).
    public func keycode(of key: Key) -> UInt8? {
        let sym = XStringToKeysym(key.name)
        guard sym != 0 else { return nil }
        let code = locked { XKeysymToKeycode(display, sym) }
        return code == 0 ? nil : UInt8(code)
    }
}
