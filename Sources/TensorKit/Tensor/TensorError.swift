/// Errors raised by TensorKit for bad shapes, files and model definitions.
///
/// Each case carries a message that names the tensor, file or argument at fault.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    /// Shapes that cannot be combined by an operation.
    case shapeMismatch(String)
    /// An argument outside its valid range.
    case invalidArgument(String)
    /// A file that cannot be read or parsed, with the path and the problem.
    case badFile(path: String, reason: String)
    /// A state dictionary that does not fit a module: missing, unexpected or mis-shaped tensors.
    case stateMismatch(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let m): return "shape mismatch: \(m)"
        case .invalidArgument(let m): return "invalid argument: \(m)"
        case .badFile(let path, let reason): return "\(path): \(reason)"
        case .stateMismatch(let m): return m
        }
    }
}
