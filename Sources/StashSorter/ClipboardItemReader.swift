import Desktop
import Foundation

/// Reads an item's text the way the seed author's friend suggested: hover it, press Ctrl+C, and
/// read the clipboard (Path of Exile copies the item's full text there).
public final class ClipboardItemReader {
    /// How items are ordered within a colour.
    public enum Order: String, Sendable, CaseIterable {
        case color, name, level
    }

    public let device: InputDevice
    public let clipboard: Clipboard
    public let grid: GridGeometry
    public let order: Order
    private var counter = 0
    /// Cells whose text named another colour than the classifier saw.
    public private(set) var disagreements: [(GridCell, classifier: String, text: String)] = []
    /// How long to wait for the game to fill the clipboard.
    public var timeout = 1.0

    /// Reads through `clipboard`, which it also takes to put a sentinel there before each copy.
    public init(device: InputDevice, clipboard: Clipboard, grid: GridGeometry, order: Order) {
        self.device = device
        self.clipboard = clipboard
        self.grid = grid
        self.order = order
    }

    static let copy = KeyCombo(modifiers: [.control], key: Key(canonicalName: "c"))

    /// The item text at `cell` (nil when the game put nothing new on the clipboard, twice).
    public func text(at cell: GridCell) throws -> ItemText? {
        if let t = try attempt(at: cell) { return t }
        return try attempt(at: cell)
    }

    private func attempt(at cell: GridCell) throws -> ItemText? {
        counter += 1
        let mark = "pixelpilot-sentinel-\(counter)"
        try clipboard.own(mark)  // a fresh copy is then recognisable
        try device.move(to: grid.center(cell))
        try device.tap(ClipboardItemReader.copy)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let t = try clipboard.readText(timeout: 0.2), t != mark, !t.isEmpty { return try ItemText(parsing: t) }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return nil
    }

    /// The sort key for the item at `cell` that the classifier calls `className`.
    public func key(at cell: GridCell, className: String) throws -> String {
        guard order != .color, let item = try text(at: cell) else { return className }
        if let color = item.colorName, color != className { disagreements.append((cell, className, color)) }
        let level = String(format: "%02d", item.level ?? 0)
        switch order {
        case .color: return className
        case .name: return "\(className)|\(item.name)|\(level)"
        case .level: return "\(className)|\(level)|\(item.name)"
        }
    }
}
