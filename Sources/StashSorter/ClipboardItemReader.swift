import Desktop
import Foundation

/// Reads an item's text the way the seed author's friend suggested: hover it, press Ctrl+C, and
/// read the clipboard (Path of Exile copies the item's full text there).
public final class ClipboardItemReader {
    /// How items are ordered within a colour.
    public enum Order: String, Sendable, CaseIterable {
        case colour, name, level
    }

    public let device: InputDevice
    public let clipboard: X11Clipboard
    public let grid: GridGeometry
    public let order: Order
    private let sentinel: ClipboardOwner
    private var counter = 0
    /// Cells whose text named another colour than the classifier saw.
    public private(set) var disagreements: [(GridCell, classifier: String, text: String)] = []
    /// How long to wait for the game to fill the clipboard.
    public var timeout = 1.0

    public init(device: InputDevice, connection: X11Connection, grid: GridGeometry, order: Order) throws {
        self.device = device
        self.clipboard = X11Clipboard(connection: connection)
        self.grid = grid
        self.order = order
        sentinel = try ClipboardOwner(displayName: connection.name, text: "")
    }

    /// The item text at `cell` (nil when the game put nothing new on the clipboard, twice).
    public func text(at cell: GridCell) throws -> ItemText? {
        if let t = try attempt(at: cell) { return t }
        return try attempt(at: cell)
    }

    private func attempt(at cell: GridCell) throws -> ItemText? {
        counter += 1
        let mark = "pixelpilot-sentinel-\(counter)"
        sentinel.set(mark)   // own the clipboard, so a fresh copy is recognisable
        let p = grid.center(cell)
        try device.move(x: p.x, y: p.y)
        try device.tap("ctrl+c")
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let t = try clipboard.readText(timeout: 0.2), t != mark, !t.isEmpty { return try ItemText(parsing: t) }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return nil
    }

    /// The sort key for the item at `cell` that the classifier calls `className`.
    public func key(at cell: GridCell, className: String) throws -> String {
        guard order != .colour, let item = try text(at: cell) else { return className }
        if let colour = item.colourName, colour != className { disagreements.append((cell, className, colour)) }
        let level = String(format: "%02d", item.level ?? 0)
        switch order {
        case .colour: return className
        case .name: return "\(className)|\(item.name)|\(level)"
        case .level: return "\(className)|\(level)|\(item.name)"
        }
    }
}
