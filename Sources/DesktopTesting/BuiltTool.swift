import Foundation

/// A program built beside the test bundle (`pixelpilot`, `pixelpilot-guardian`), run as a user
/// would run it.
public enum BuiltTool {
    /// The executable `name` in the build folder that holds the running test bundle.
    public static func url(_ name: String = "pixelpilot") -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Runs `executable` with `arguments` in `directory` and waits for it; returns its exit status,
    /// standard output and standard error.
    public static func run(
        _ executable: URL = url(), _ arguments: [String], in directory: URL,
        environment: [String: String]? = nil
    ) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        if let environment { p.environment = environment }
        p.currentDirectoryURL = directory
        let o = Pipe()
        let e = Pipe()
        p.standardOutput = o
        p.standardError = e
        try p.run()
        let out = o.fileHandleForReading.readDataToEndOfFile()
        let err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
