/// One injected action, as guards and logs see it.
public enum InputAction: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The pointer moves to a screen point.
    case move(to: ScreenPoint)
    /// A key or mouse button goes down or up.
    case input(InputEvent)
    /// The wheel turns: negative up, positive down, one step each.
    case scroll(Int)
    /// Text is typed character by character (the backend chooses Shift where its map needs it).
    case text(String)

    public var description: String {
        switch self {
        case .move(let p): return "move \(p.x) \(p.y)"
        case .input(.key(let k, let down)): return "key\(down ? "down" : "up") \(k.friendlyName)"
        case .input(.button(let b, let down)): return "\(down ? "down" : "up") \(b)"
        case .scroll(let d): return "scroll \(d < 0 ? "up" : "down") \(abs(d))"
        case .text(let t): return "type \(t.debugDescription)"
        }
    }
}
