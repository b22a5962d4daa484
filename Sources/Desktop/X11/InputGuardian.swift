import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small child process (`pixelpilot-guardian`, with its own X connection) that is told of every
/// press and release and releases whatever is still held the moment its parent goes away, for any
/// reason: the end of its socket closes when the parent exits, crashes or is killed with SIGKILL.
final class InputGuardian: @unchecked Sendable {
    private let socket: Int32
    private let pid: pid_t
    private let lock = NSLock()

    /// Where the guardian executable is: `$PIXELPILOT_GUARDIAN`, beside the running executable
    /// (the build folder holds both `pixelpilot` and `pixelpilot-guardian`), or on `PATH`.
    static func executablePath() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let p = env["PIXELPILOT_GUARDIAN"], FileManager.default.isExecutableFile(atPath: p) { return p }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let beside = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent(
                "pixelpilot-guardian"
            ).path
            if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        }
        return VirtualDisplay.findTool("pixelpilot-guardian")
    }

    init(displayName: String) throws {
        guard let path = InputGuardian.executablePath() else {
            throw DesktopError.guardianUnavailable(
                "pixelpilot-guardian was not found beside the program, on PATH or in $PIXELPILOT_GUARDIAN "
                    + "(`swift build` builds it next to pixelpilot)")
        }
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw DesktopError.guardianUnavailable("socketpair failed (errno \(errno))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 0)
        var child: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), strdup(displayName), nil]
        defer { for p in argv { free(p) } }
        let rc = posix_spawn(&child, path, &actions, nil, argv, environ)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw DesktopError.guardianUnavailable("cannot start \(path) (error \(rc))")
        }
        socket = fds[0]
        pid = child
    }

    deinit {
        close(socket)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    func tell(keycode: UInt32, down: Bool) throws { try send("k \(keycode) \(down ? 1 : 0)\n") }
    func tell(button: Int, down: Bool) throws { try send("b \(button) \(down ? 1 : 0)\n") }

    private func send(_ line: String) throws {
        let bytes = Array(line.utf8)
        let sent = lock.withLock {
            bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        guard sent == bytes.count else {
            throw DesktopError.guardianUnavailable(
                "the guardian process \(pid) stopped listening (errno \(errno)); refusing to press")
        }
    }
}
