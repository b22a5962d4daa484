/// Errors of the arenas, naming the option or file and what is wrong.
public enum ArenaError: Error, CustomStringConvertible {
    case invalidOption(String)
    case file(path: String, reason: String)
    public var description: String {
        switch self {
        case .invalidOption(let m): return m
        case .file(let path, let reason): return "\(path): \(reason)"
        }
    }
}
