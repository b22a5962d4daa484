import CX11
import Foundation
import Imaging

/// A window with its own X connection and event thread that shows a picture and records the
/// input it receives, with receipt times: the test target, the benchmarks' receiver, and the
/// base of the arena's game windows.
public final class X11PictureWindow: @unchecked Sendable {
    /// An input event in window coordinates.
    public enum Event: Sendable {
        case buttonPress(button: Int, x: Int, y: Int)
        case buttonRelease(button: Int, x: Int, y: Int)
        case keyPress(key: Key, control: Bool)
        case keyRelease(key: Key)
        case motion(x: Int, y: Int)
    }

    /// Called on the window's event thread for every event.
    public var onEvent: (@Sendable (Event) -> Void)?
    public let connection: X11Connection
    public let window: UInt
    public let rect: ScreenRect
    private let lock = NSLock()
    private var received: [String] = []
    private var receivedTimes: [Double] = []
    private let loop: X11EventLoop

    /// Opens a window at `rect` showing `picture` (same size), on its own connection to `display`.
    public init(
        display: String, rect: ScreenRect, picture: Image, title: String = "pixelpilot-test",
        className: String = "PixelPilotTest"
    ) throws {
        connection = try X11Connection(name: display)
        self.rect = rect
        loop = X11EventLoop(connection: connection, name: "pixelpilot.window")
        let d = connection.display
        // A held key sends one press and one release (no auto-repeat pairs), as games expect.
        XkbSetDetectableAutoRepeat(d, 1, nil)
        var attrs = XSetWindowAttributes()
        attrs.override_redirect = 1
        attrs.event_mask = Int(
            ButtonPressMask | ButtonReleaseMask | KeyPressMask | KeyReleaseMask | StructureNotifyMask
                | PointerMotionMask)
        window = XCreateWindow(
            d, connection.root, Int32(rect.x), Int32(rect.y), UInt32(rect.width), UInt32(rect.height), 0,
            Int32(CopyFromParent), UInt32(InputOutput), nil, UInt(CWOverrideRedirect | CWEventMask), &attrs)
        XStoreName(d, window, title)
        var hint = XClassHint()
        className.withCString { cls in
            title.withCString { name in
                hint.res_class = UnsafeMutablePointer(mutating: cls)
                hint.res_name = UnsafeMutablePointer(mutating: name)
                XSetClassHint(d, window, &hint)
            }
        }
        setPictureLocked(picture)
        XMapRaised(d, window)
        XSync(d, 0)
        // Wait until mapped.
        var attrs2 = XWindowAttributes()
        for _ in 0..<200 {
            XGetWindowAttributes(d, window, &attrs2)
            if attrs2.map_state == IsViewable { break }
            usleep(5_000)
        }
        XClearWindow(d, window)
        XSync(d, 0)
        loop.start { [weak self] event in self?.handle(&event) }
    }

    /// Replaces the picture shown (same size as the window).
    public func setPicture(_ picture: Image) {
        connection.locked {
            setPictureLocked(picture)
            XClearWindow(connection.display, window)
            XFlush(connection.display)
        }
    }

    /// The picture becomes the window's background pixmap, so the server redraws it by itself.
    private func setPictureLocked(_ picture: Image) {
        let d = connection.display
        let depth = UInt32(XDefaultDepth(d, connection.screen))
        let pixmap = XCreatePixmap(d, window, UInt32(rect.width), UInt32(rect.height), depth)
        let gc = XCreateGC(d, pixmap, 0, nil)
        let count = rect.width * rect.height
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: count * 4)  // freed by destroy_image
        picture.pixels.withUnsafeBufferPointer { px in
            let c = picture.channels
            for i in 0..<Swift.min(count, picture.width * picture.height) {
                bytes[4 * i] = px[c * i + 2]
                bytes[4 * i + 1] = px[c * i + 1]
                bytes[4 * i + 2] = px[c * i]
                bytes[4 * i + 3] = 0
            }
        }
        let image = XCreateImage(
            d, XDefaultVisual(d, connection.screen), depth, ZPixmap, 0,
            UnsafeMutableRawPointer(bytes).assumingMemoryBound(to: CChar.self),
            UInt32(rect.width), UInt32(rect.height), 32, 0)!
        XPutImage(d, pixmap, gc, image, 0, 0, 0, 0, UInt32(rect.width), UInt32(rect.height))
        _ = image.pointee.f.destroy_image(image)
        XFreeGC(d, gc)
        XSetWindowBackgroundPixmap(d, window, pixmap)
        XFreePixmap(d, pixmap)
    }

    /// Gives this window the input focus and marks it active (as a window manager would).
    public func focus() {
        connection.locked {
            let d = connection.display
            XRaiseWindow(d, window)
            XSetInputFocus(d, window, RevertToParent, UInt(CurrentTime))
            var w = window
            withUnsafeBytes(of: &w) { raw in
                _ = XChangeProperty(
                    d, connection.root, connection.atom("_NET_ACTIVE_WINDOW"), XA_WINDOW, 32, PropModeReplace,
                    raw.baseAddress!.assumingMemoryBound(to: UInt8.self), 1)
            }
            XSync(d, 0)
        }
    }

    /// Destroys the window and stops its event thread.
    public func close() {
        loop.stop()
        guard connection.isAlive else { return }
        connection.locked {
            XDestroyWindow(connection.display, window)
            XSync(connection.display, 0)
        }
    }

    /// Events received so far: "press 1 at x,y", "release 1 at x,y", "keydown a", "keyup a".
    public var events: [String] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Monotonic receipt time of each event.
    public var eventTimes: [Double] {
        lock.lock()
        defer { lock.unlock() }
        return receivedTimes
    }

    /// Waits until at least `count` events arrived (or `timeout`), and returns them.
    public func waitForEvents(_ count: Int, timeout: Double = 3) -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && events.count < count { usleep(2_000) }
        return events
    }

    public func clearEvents() {
        lock.lock()
        received.removeAll()
        receivedTimes.removeAll()
        lock.unlock()
    }

    private func handle(_ event: inout XEvent) {
        var text: String?
        var structured: Event?
        switch event.type {
        case ButtonPress:
            text = "press \(event.xbutton.button) at \(event.xbutton.x),\(event.xbutton.y)"
            structured = .buttonPress(
                button: Int(event.xbutton.button), x: Int(event.xbutton.x), y: Int(event.xbutton.y))
        case ButtonRelease:
            text = "release \(event.xbutton.button) at \(event.xbutton.x),\(event.xbutton.y)"
            structured = .buttonRelease(
                button: Int(event.xbutton.button), x: Int(event.xbutton.x), y: Int(event.xbutton.y))
        case KeyPress, KeyRelease:
            let sym = connection.locked { XLookupKeysym(&event.xkey, 0) }
            let key = Key(canonicalName: XKeysymToString(sym).map { String(cString: $0) } ?? "?")
            text = "\(event.type == KeyPress ? "keydown" : "keyup") \(key.name)"
            structured =
                event.type == KeyPress
                ? .keyPress(key: key, control: event.xkey.state & UInt32(ControlMask) != 0) : .keyRelease(key: key)
        case MotionNotify:
            structured = .motion(x: Int(event.xmotion.x), y: Int(event.xmotion.y))
        default:
            break
        }
        if let structured { onEvent?(structured) }
        if let text {
            let t = MonotonicTime.now.seconds
            lock.withLock {
                received.append(text)
                receivedTimes.append(t)
            }
        }
    }
}
