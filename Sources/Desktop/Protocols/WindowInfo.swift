/// A top-level window: id, title, class and geometry on screen.
public struct WindowInfo: Equatable, Hashable, Sendable, Codable {
    public var id: UInt
    public var title: String
    public var className: String
    public var rect: ScreenRect
    public var isViewable: Bool
    public init(id: UInt, title: String, className: String, rect: ScreenRect, isViewable: Bool) {
        self.id = id
        self.title = title
        self.className = className
        self.rect = rect
        self.isViewable = isViewable
    }
}

/// Finds windows and tells which one has focus.
public protocol WindowSystem: AnyObject {
    /// Top-level windows, bottom to top.
    func windows() throws -> [WindowInfo]
    /// The focused window (`_NET_ACTIVE_WINDOW`, else the input focus's top-level window).
    func activeWindow() throws -> WindowInfo?
    /// One window by id.
    func window(id: UInt) throws -> WindowInfo
}

extension WindowSystem {
    /// The first window whose title or class contains `text` (case-insensitive).
    public func findWindow(matching text: String) throws -> WindowInfo {
        let t = text.lowercased()
        guard
            let w = try windows().last(where: {
                $0.title.lowercased().contains(t) || $0.className.lowercased().contains(t)
            })
        else {
            throw DesktopError.noWindowMatching(text)
        }
        return w
    }
}
