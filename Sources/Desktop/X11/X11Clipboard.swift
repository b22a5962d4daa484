import CX11
import Foundation

/// Reads (and, for tests and the arena, owns) the CLIPBOARD selection as UTF-8 text.
public final class X11Clipboard {
    public let connection: X11Connection
    private let window: Window

    public init(connection: X11Connection) {
        self.connection = connection
        window = XCreateSimpleWindow(connection.display, connection.root, 0, 0, 1, 1, 0, 0, 0)
        connection.flush()
    }

    deinit { XDestroyWindow(connection.display, window) }

    /// The clipboard's text, or nil when nobody owns it. Waits at most `timeout` seconds.
    public func readText(timeout: Double = 1) throws -> String? {
        try connection.locked { () throws -> String? in
            let d = connection.display
            let clipboard = connection.atom("CLIPBOARD"), utf8 = connection.atom("UTF8_STRING")
            let property = connection.atom("PIXELPILOT_CLIP")
            guard XGetSelectionOwner(d, clipboard) != 0 else { return nil }
            XConvertSelection(d, clipboard, utf8, property, window, UInt(CurrentTime))
            XFlush(d)
            let deadline = Date().addingTimeInterval(timeout)
            var event = XEvent()
            while Date() < deadline {
                if XCheckTypedWindowEvent(d, window, SelectionNotify, &event) != 0 {
                    guard event.xselection.property != 0 else { return nil }
                    var actualType: Atom = 0
                    var format: Int32 = 0
                    var n: UInt = 0, after: UInt = 0
                    var data: UnsafeMutablePointer<UInt8>?
                    XGetWindowProperty(d, window, property, 0, 1 << 20, 1, Atom(AnyPropertyType), &actualType, &format, &n, &after, &data)
                    guard let data else { return "" }
                    defer { XFree(data) }
                    return String(decoding: UnsafeBufferPointer(start: data, count: Int(n)), as: UTF8.self)
                }
                usleep(2_000)
            }
            throw DesktopError.failed("the clipboard owner did not answer within \(timeout) s")
        }
    }
}

/// Owns the CLIPBOARD selection with a fixed text and serves it to readers from a background
/// thread (what Path of Exile does after Ctrl+C; the stash arena and tests use it).
public final class ClipboardOwner: @unchecked Sendable {
    private let connection: X11Connection
    private let window: Window
    private let lock = NSLock()
    private var text: String
    private var running = true
    private var thread: Thread?

    public init(displayName: String, text: String) throws {
        connection = try X11Connection(name: displayName)
        self.text = text
        window = XCreateSimpleWindow(connection.display, connection.root, 0, 0, 1, 1, 0, 0, 0)
        XSetSelectionOwner(connection.display, connection.atom("CLIPBOARD"), window, UInt(CurrentTime))
        connection.sync()
        let t = Thread { [weak self] in self?.serve() }
        thread = t
        t.start()
    }

    /// Replaces the text served.
    public func set(_ newText: String) {
        lock.lock(); text = newText; lock.unlock()
        // Synchronous: when this returns the server has made us the owner, so a later request
        // from another connection (a key press that makes the game copy) is ordered after it.
        connection.locked { XSetSelectionOwner(connection.display, connection.atom("CLIPBOARD"), window, UInt(CurrentTime)); XSync(connection.display, 0) }
    }

    public func stop() {
        lock.lock(); running = false; lock.unlock()
    }

    deinit { stop() }

    private func serve() {
        let d = connection.display
        var event = XEvent()
        while true {
            lock.lock(); let go = running; lock.unlock()
            if !go { break }
            let got: Bool = connection.locked { XCheckTypedWindowEvent(d, window, SelectionRequest, &event) != 0 }
            if !got { usleep(2_000); continue }
            connection.locked {
                let req = event.xselectionrequest
                var reply = XEvent()
                reply.xselection.type = SelectionNotify
                reply.xselection.display = d
                reply.xselection.requestor = req.requestor
                reply.xselection.selection = req.selection
                reply.xselection.target = req.target
                reply.xselection.time = req.time
                reply.xselection.property = 0
                let utf8 = connection.atom("UTF8_STRING"), targets = connection.atom("TARGETS")
                if req.target == utf8 || req.target == XA_STRING {
                    lock.lock(); let bytes = Array(text.utf8); lock.unlock()
                    bytes.withUnsafeBufferPointer { b in
                        _ = XChangeProperty(d, req.requestor, req.property, req.target, 8, PropModeReplace, b.baseAddress, Int32(b.count))
                    }
                    reply.xselection.property = req.property
                } else if req.target == targets {
                    var list: [UInt] = [targets, utf8, XA_STRING]
                    list.withUnsafeMutableBytes { raw in
                        _ = XChangeProperty(d, req.requestor, req.property, XA_ATOM, 32, PropModeReplace,
                                            raw.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(3))
                    }
                    reply.xselection.property = req.property
                }
                XSendEvent(d, req.requestor, 0, 0, &reply)
                XFlush(d)
            }
        }
    }
}
