import Desktop
import Foundation

/// What stops a policy from training or playing. Each case names the file, window or option and
/// what is wrong; the message is derived.
public enum PolicyError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The model file cannot be used (missing, corrupt, not a policy, incomplete metadata).
    case badModel(path: String, reason: String)
    /// What `play` would see does not match what the model was trained on.
    case mismatch(path: String, problems: [String])
    /// The target window went away while driving.
    case windowGone(UInt)
    /// Training was given nothing to learn from, or inconsistent recordings.
    case badData(String)

    public var description: String {
        switch self {
        case .badModel(let path, let reason): return "\(path): \(reason)"
        case .mismatch(let path, let problems):
            return "\(path): the model does not fit what it would play on: " + problems.joined(separator: "; ")
        case .windowGone(let id):
            return "window 0x\(String(id, radix: 16)) disappeared while the policy was driving (keys released)"
        case .badData(let why): return why
        }
    }
}
