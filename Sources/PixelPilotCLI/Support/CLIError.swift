import ArgumentParser

/// A user-facing failure: printed as `error: <message>` with exit code 1 (argument-parser's
/// ValidationError is used for bad arguments, exit code 64).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
