import Foundation

/// A private Xvfb server on a free display number, for tests, CI and servers with no screen.
/// It is stopped when the object goes away (or by ``stop()``).
public final class VirtualDisplay: @unchecked Sendable {
    /// The display name, e.g. `:57`.
    public let name: String
    public let width: Int, height: Int, depth: Int
    private let process: Process

    /// Starts `Xvfb` with one screen of the given size and waits until it accepts connections.
    /// `extraArguments` go to Xvfb as they are, e.g. `["-extension", "MIT-SHM"]` to test a fallback.
    public init(
        width: Int = 1280, height: Int = 1024, depth: Int = 24, extraArguments: [String] = [], timeout: Double = 10
    ) throws {
        guard let xvfb = VirtualDisplay.find("Xvfb") else {
            throw DesktopError.noDisplay(.xvfbMissing)
        }
        var chosen: Int?
        for n in 50..<400
        where !FileManager.default.fileExists(atPath: "/tmp/.X\(n)-lock")
            && !FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(n)")
        {
            chosen = n
            break
        }
        guard let number = chosen else { throw DesktopError.noDisplay(.noFreeDisplayNumber) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: xvfb)
        p.arguments =
            [":\(number)", "-screen", "0", "\(width)x\(height)x\(depth)", "-nolisten", "tcp", "-noreset", "-ac"]
            + extraArguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch {
            throw DesktopError.noDisplay(.xvfbFailed(display: ":\(number)", reason: "could not start: \(error)"))
        }
        process = p
        name = ":\(number)"
        self.width = width
        self.height = height
        self.depth = depth
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !p.isRunning {
                throw DesktopError.noDisplay(
                    .xvfbFailed(display: name, reason: "exited at start (status \(p.terminationStatus))"))
            }
            if FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(number)"),
                (try? X11Connection(name: name)) != nil
            {
                return
            }
            usleep(20_000)
        }
        p.terminate()
        throw DesktopError.noDisplay(
            .xvfbFailed(display: name, reason: "did not accept connections within \(timeout) s"))
    }

    /// Stops the server.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    /// The path of an executable on `PATH`, if any.
    public static func findTool(_ tool: String) -> String? { find(tool) }

    static func find(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") + ["/usr/bin"] {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}
