import CX11
import Foundation

/// The CLIPBOARD selection as UTF-8 text: read through one connection, and owned (served to
/// readers from its own event thread) when ``own(_:)`` is called — as Path of Exile does after
/// Ctrl+C, and as the stash arena and the item reader's sentinel do.
public final class X11Clipboard: Clipboard, @unchecked Sendable {
    public let connection: X11Connection
    private let window: Window
    private let lock = NSLock()
    private var owner: Owner?

    /// Reads through `connection` (the caller's; reads are short and hold its lock).
    public init(connection: X11Connection) {
        self.connection = connection
        window = connection.locked {
            let w = XCreateSimpleWindow(connection.display, connection.root, 0, 0, 1, 1, 0, 0, 0)
            XFlush(connection.display)
            return w
        }
    }

    /// Opens its own connection to `displayName`.
    public convenience init(displayName: String?) throws {
        self.init(connection: try X11Connection(name: displayName))
    }

    deinit {
        owner?.stop()
        if connection.isAlive { connection.locked { _ = XDestroyWindow(connection.display, window) } }
    }

    public func readText(timeout: Double = 1) throws -> String? {
        try connection.locked { () throws -> String? in
            let d = connection.display
            let clipboard = connection.atom("CLIPBOARD")
            let utf8 = connection.atom("UTF8_STRING")
            let property = connection.atom("PIXELPILOT_CLIP")
            guard XGetSelectionOwner(d, clipboard) != 0 else { return nil }
            XConvertSelection(d, clipboard, utf8, property, window, UInt(CurrentTime))
            XFlush(d)
            let deadline = MonotonicTime.now + timeout
            var event = XEvent()
            while MonotonicTime.now < deadline {
                if XCheckTypedWindowEvent(d, window, SelectionNotify, &event) != 0 {
                    guard event.xselection.property != 0 else { return nil }
                    var actualType: Atom = 0
                    var format: Int32 = 0
                    var n: UInt = 0
                    var after: UInt = 0
                    var data: UnsafeMutablePointer<UInt8>?
                    XGetWindowProperty(
                        d, window, property, 0, 1 << 20, 1, Atom(AnyPropertyType), &actualType, &format, &n, &after,
                        &data)
                    guard let data else { return "" }
                    defer { XFree(data) }
                    return String(decoding: UnsafeBufferPointer(start: data, count: Int(n)), as: UTF8.self)
                }
                _ = connection.waitForEvents(timeout: 0.002)
            }
            throw DesktopError.clipboardTimeout(seconds: timeout)
        }
    }

    public func own(_ text: String) throws {
        let o = try lock.withLock { () throws -> Owner in
            if let owner { return owner }
            let o = try Owner(displayName: connection.name)
            owner = o
            return o
        }
        o.set(text)
    }

    /// Stops serving the clipboard.
    public func stopOwning() {
        let o = lock.withLock { () -> Owner? in
            defer { owner = nil }
            return owner
        }
        o?.stop()
    }

    /// Owns the selection on its own connection and answers requests on its event thread.
    private final class Owner: @unchecked Sendable {
        private let connection: X11Connection
        private let window: Window
        private let lock = NSLock()
        private var text = ""
        private let loop: X11EventLoop

        init(displayName: String) throws {
            connection = try X11Connection(name: displayName)
            window = XCreateSimpleWindow(connection.display, connection.root, 0, 0, 1, 1, 0, 0, 0)
            loop = X11EventLoop(connection: connection, name: "pixelpilot.clipboard")
            loop.start { [weak self] event in
                if event.type == SelectionRequest { self?.answer(event.xselectionrequest) }
            }
        }

        func set(_ newText: String) {
            lock.withLock { text = newText }
            // Synchronous: when this returns the server has made us the owner, so a later request
            // from another connection (a key press that makes the game copy) is ordered after it.
            connection.locked {
                XSetSelectionOwner(connection.display, connection.atom("CLIPBOARD"), window, UInt(CurrentTime))
                XSync(connection.display, 0)
            }
        }

        func stop() { loop.stop() }

        deinit {
            loop.stop()
            if connection.isAlive { connection.locked { _ = XDestroyWindow(connection.display, window) } }
        }

        private func answer(_ req: XSelectionRequestEvent) {
            connection.locked {
                let d = connection.display
                var reply = XEvent()
                reply.xselection.type = SelectionNotify
                reply.xselection.display = d
                reply.xselection.requestor = req.requestor
                reply.xselection.selection = req.selection
                reply.xselection.target = req.target
                reply.xselection.time = req.time
                reply.xselection.property = 0
                let utf8 = connection.atom("UTF8_STRING")
                let targets = connection.atom("TARGETS")
                if req.target == utf8 || req.target == XA_STRING {
                    let bytes = lock.withLock { Array(text.utf8) }
                    bytes.withUnsafeBufferPointer { b in
                        _ = XChangeProperty(
                            d, req.requestor, req.property, req.target, 8, PropModeReplace, b.baseAddress,
                            Int32(b.count))
                    }
                    reply.xselection.property = req.property
                } else if req.target == targets {
                    let list: [UInt] = [targets, utf8, XA_STRING]
                    list.withUnsafeBytes { raw in
                        guard let base = raw.baseAddress else { return }
                        _ = XChangeProperty(
                            d, req.requestor, req.property, XA_ATOM, 32, PropModeReplace,
                            base.assumingMemoryBound(to: UInt8.self), Int32(list.count))
                    }
                    reply.xselection.property = req.property
                }
                XSendEvent(d, req.requestor, 0, 0, &reply)
                XFlush(d)
            }
        }
    }
}
