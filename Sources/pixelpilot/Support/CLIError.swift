import ArgumentParser

/// A user-facing failure: printed as `error: <message>` with exit code 1 (argument-parser's
/// ValidationError is used for bad arguments, exit code 64).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Runs `body`, turning library errors (which name the file, argument or window) into CLI errors.
func reporting<T>(_ body: () throws -> T) throws -> T {
    do { return try body() }
    catch let e as CLIError { throw e }
    catch let e as ValidationError { throw e }
    catch let e as ExitCode { throw e }
    catch { throw CLIError("\(error)") }
}
