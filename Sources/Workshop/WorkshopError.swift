/// A recipe, evaluation or benchmark that cannot run as asked: the message names what is wrong.
public enum WorkshopError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A value the caller gave is out of range or inconsistent.
    case invalidValue(String)
    /// A file or helper program could not be read or run; the message names it.
    case failed(String)

    public var description: String {
        switch self {
        case .invalidValue(let message), .failed(let message): return message
        }
    }
}
