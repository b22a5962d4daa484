import Desktop
import Foundation

/// Windows held in memory: add them, focus one, close one.
public final class MemoryWindowSystem: WindowSystem, @unchecked Sendable {
    private let lock = NSLock()
    private var list: [WindowInfo] = []
    private var focused: UInt?
    private var nextID: UInt = 0x40_0001

    public init() {}

    /// Adds a viewable window and returns it.
    @discardableResult
    public func add(title: String, className: String = "MemoryWindow", rect: ScreenRect) -> WindowInfo {
        lock.withLock {
            let w = WindowInfo(id: nextID, title: title, className: className, rect: rect, isViewable: true)
            nextID += 1
            list.append(w)
            return w
        }
    }

    /// Gives `id` the focus (nil: no window has it).
    public func focus(_ id: UInt?) { lock.withLock { focused = id } }

    /// Removes a window (it went away).
    public func close(_ id: UInt) {
        lock.withLock {
            list.removeAll { $0.id == id }
            if focused == id { focused = nil }
        }
    }

    public func windows() throws -> [WindowInfo] { lock.withLock { list } }

    public func activeWindow() throws -> WindowInfo? { lock.withLock { list.first { $0.id == focused } } }

    public func window(id: UInt) throws -> WindowInfo {
        guard let w = lock.withLock({ list.first { $0.id == id } }) else {
            throw DesktopError.noSuchWindow(id: id, reason: "does not exist")
        }
        return w
    }
}
