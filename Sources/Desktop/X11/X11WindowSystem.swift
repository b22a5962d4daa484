import CX11
import Foundation

/// Windows, their titles, classes and geometry, and the focused one, through Xlib and EWMH.
public final class X11WindowSystem: WindowSystem {
    public let connection: X11Connection

    public init(connection: X11Connection) { self.connection = connection }

    public func windows() throws -> [WindowInfo] {
        try connection.locked {
            var rootRet: Window = 0
            var parent: Window = 0
            var children: UnsafeMutablePointer<Window>?
            var count: UInt32 = 0
            guard XQueryTree(connection.display, connection.root, &rootRet, &parent, &children, &count) != 0 else {
                throw DesktopError.serverFailed(
                    request: "XQueryTree on the root window", reason: "the server refused it")
            }
            defer { if let children { XFree(children) } }
            var result: [WindowInfo] = []
            for i in 0..<Int(count) {
                if let info = try? describe(children![i]) { result.append(info) }
            }
            return result
        }
    }

    public func window(id: UInt) throws -> WindowInfo {
        try connection.locked { try describe(id) }
    }

    public func activeWindow() throws -> WindowInfo? {
        try connection.locked {
            if let id = cardinalProperty(connection.root, "_NET_ACTIVE_WINDOW"), id != 0,
                let w = try? describe(UInt(id))
            {
                return w
            }
            var focus: Window = 0
            var revert: Int32 = 0
            XGetInputFocus(connection.display, &focus, &revert)
            guard focus > 1 else { return nil }  // None or PointerRoot
            return try? describe(topLevel(of: focus))
        }
    }

    /// The child of the root that contains `window`.
    func topLevel(of window: UInt) -> UInt {
        var w = window
        while true {
            var rootRet: Window = 0
            var parent: Window = 0
            var children: UnsafeMutablePointer<Window>?
            var count: UInt32 = 0
            guard XQueryTree(connection.display, w, &rootRet, &parent, &children, &count) != 0 else { return w }
            if let children { XFree(children) }
            if parent == rootRet || parent == 0 { return w }
            w = parent
        }
    }

    func describe(_ id: UInt) throws -> WindowInfo {
        var attrs = XWindowAttributes()
        let err = connection.checked { _ = XGetWindowAttributes(connection.display, id, &attrs) }
        guard err == 0 else { throw DesktopError.noSuchWindow(id: id, reason: "does not exist") }
        var rx: Int32 = 0
        var ry: Int32 = 0
        var child: Window = 0
        XTranslateCoordinates(connection.display, id, connection.root, 0, 0, &rx, &ry, &child)
        return WindowInfo(
            id: id, title: title(id), className: className(id),
            rect: ScreenRect(x: Int(rx), y: Int(ry), width: Int(attrs.width), height: Int(attrs.height)),
            isViewable: attrs.map_state == IsViewable)
    }

    func title(_ id: UInt) -> String {
        if let s = stringProperty(id, "_NET_WM_NAME", type: "UTF8_STRING") { return s }
        var name: UnsafeMutablePointer<CChar>?
        if XFetchName(connection.display, id, &name) != 0, let name {
            defer { XFree(name) }
            return String(cString: name)
        }
        return ""
    }

    func className(_ id: UInt) -> String {
        var hint = XClassHint()
        guard XGetClassHint(connection.display, id, &hint) != 0 else { return "" }
        defer {
            if let n = hint.res_name { XFree(n) }
            if let c = hint.res_class { XFree(c) }
        }
        return hint.res_class.map { String(cString: $0) } ?? ""
    }

    func stringProperty(_ id: UInt, _ name: String, type: String) -> String? {
        var actualType: Atom = 0
        var format: Int32 = 0
        var n: UInt = 0
        var after: UInt = 0
        var data: UnsafeMutablePointer<UInt8>?
        let status = XGetWindowProperty(
            connection.display, id, connection.atom(name), 0, 1 << 16, 0, connection.atom(type),
            &actualType, &format, &n, &after, &data)
        guard status == Success, let data else { return nil }
        defer { XFree(data) }
        guard n > 0, format == 8 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(n)), as: UTF8.self)
    }

    func cardinalProperty(_ id: UInt, _ name: String) -> UInt? {
        var actualType: Atom = 0
        var format: Int32 = 0
        var n: UInt = 0
        var after: UInt = 0
        var data: UnsafeMutablePointer<UInt8>?
        let status = XGetWindowProperty(
            connection.display, id, connection.atom(name), 0, 1, 0, Atom(AnyPropertyType),
            &actualType, &format, &n, &after, &data)
        guard status == Success, let data else { return nil }
        defer { XFree(data) }
        guard n >= 1, format == 32 else { return nil }
        return data.withMemoryRebound(to: UInt.self, capacity: 1) { $0.pointee }
    }
}
