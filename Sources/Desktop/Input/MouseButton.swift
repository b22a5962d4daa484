/// Mouse buttons.
public enum MouseButton: Int, Hashable, Comparable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case left = 1
    case middle = 2
    case right = 3

    /// A button from its name (`left`, `middle`, `right`) or X button number (1–3).
    ///
    /// - Throws: ``DesktopError/unknownButton(_:)`` naming the spelling.
    public init(_ spelling: String) throws {
        switch spelling.lowercased() {
        case "left", "1": self = .left
        case "middle", "2": self = .middle
        case "right", "3": self = .right
        default: throw DesktopError.unknownButton(spelling)
        }
    }

    public var description: String {
        switch self {
        case .left: return "left"
        case .middle: return "middle"
        case .right: return "right"
        }
    }

    public static func < (a: MouseButton, b: MouseButton) -> Bool { a.rawValue < b.rawValue }
}
