/// A point in screen pixels, (x, y) from the top-left of the screen.
public struct ScreenPoint: Hashable, Sendable, Codable, CustomStringConvertible {
    public var x: Int
    public var y: Int

    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }

    public var description: String { "(\(x), \(y))" }

    /// This point moved by (dx, dy).
    public func offset(dx: Int, dy: Int) -> ScreenPoint { ScreenPoint(x: x + dx, y: y + dy) }
}
