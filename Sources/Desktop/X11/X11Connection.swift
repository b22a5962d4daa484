import CX11
import Foundation

/// The last X protocol error seen by the process-wide error handler (0: none). Xlib's default
/// handler exits the process on errors such as BadWindow; ours records them instead.
nonisolated(unsafe) var x11LastErrorCode: UInt8 = 0
nonisolated(unsafe) var x11LastErrorRequest: UInt8 = 0
private let x11ErrorLock = NSLock()

private let x11Setup: Void = {
    XInitThreads()
    _ = XSetIOErrorHandler { _ in 0 }
    _ = XSetErrorHandler { _, event in
        if let e = event?.pointee {
            x11LastErrorCode = e.error_code
            x11LastErrorRequest = e.request_code
        }
        return 0
    }
}()

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
                throw DesktopError.noDisplay("this is a Wayland session without XWayland (WAYLAND_DISPLAY is set, DISPLAY is not): PixelPilot needs X11 or XWayland, which is how games under Proton and Wine run; enable XWayland, or run under `pixelpilot --virtual-display`")
            }
            throw DesktopError.noDisplay("no X display: DISPLAY is not set (start an X server, or use --virtual-display to start a private Xvfb)")
        }
        guard let d = XOpenDisplay(target) else {
            throw DesktopError.noDisplay("cannot open X display '\(target)': no X server answers there, or access is denied")
        }
        display = d
        self.name = target
        // Losing the server (it stopped, the user logged out) must not end the process: the
        // exit handler returns, Xlib marks the display dead, and later calls fail.
        XSetIOErrorExitHandler(d, { _, _ in }, nil)
    }

    deinit { XCloseDisplay(display) }

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
        var op: Int32 = 0, ev: Int32 = 0, err: Int32 = 0
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

/// The server's keyboard state: 32 bytes, one bit per keycode (for tests and the doctor).
public func XQueryKeymapShim(_ connection: X11Connection, _ keys: inout [CChar]) {
    connection.locked { keys.withUnsafeMutableBufferPointer { _ = XQueryKeymap(connection.display, $0.baseAddress) } }
}
