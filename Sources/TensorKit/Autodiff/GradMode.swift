import Foundation

/// Whether operations record the autodiff graph.
///
/// Recording is on by default. Inference should run inside ``GradMode/withoutGrad(_:)``, which
/// records nothing, so intermediate buffers return to the pool as soon as they are dead.
public enum GradMode {
    nonisolated(unsafe) private static var depth = 0

    /// True when new operations record how to compute gradients.
    public static var isEnabled: Bool { depth == 0 }

    /// Runs `body` with recording off.
    public static func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
        depth += 1
        defer { depth -= 1 }
        return try body()
    }
}
