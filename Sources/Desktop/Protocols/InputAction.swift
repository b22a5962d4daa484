/// One injected action, as guards and logs see it.
public enum InputAction: Equatable, Sendable, CustomStringConvertible {
    case move(x: Int, y: Int)
    case buttonDown(MouseButton)
    case buttonUp(MouseButton)
    case scroll(Int)
    case keyDown(String)
    case keyUp(String)

    public var description: String {
        switch self {
        case .move(let x, let y): return "move \(x) \(y)"
        case .buttonDown(let b): return "down \(b)"
        case .buttonUp(let b): return "up \(b)"
        case .scroll(let d): return "scroll \(d < 0 ? "up" : "down")"
        case .keyDown(let k): return "keydown \(k)"
        case .keyUp(let k): return "keyup \(k)"
        }
    }
}
