import ArgumentParser
import Desktop
import Foundation

/// Which X display a command uses.
struct DisplayOptions: ParsableArguments {
    @Option(name: .customLong("display"), help: "X display to use (default: $DISPLAY).")
    var displayName: String?

    @Flag(help: "Start a private Xvfb for this command (automatic when no display is set).")
    var virtualDisplay = false

    /// Opens the display; starts a private Xvfb when asked or when none is set (not on Wayland
    /// without XWayland, which gets a clear error instead).
    func open() throws -> (connection: X11Connection, virtual: VirtualDisplay?) {
        let env = ProcessInfo.processInfo.environment
        let noDisplay = displayName == nil && (env["DISPLAY"] ?? "").isEmpty && env["WAYLAND_DISPLAY"] == nil
        if virtualDisplay || noDisplay {
            let v = try VirtualDisplay()
            if noDisplay && !virtualDisplay {
                FileHandle.standardError.write(
                    Data("pixelpilot: no DISPLAY set; using a private virtual display \(v.name)\n".utf8))
            }
            return (try X11Connection(name: v.name), v)
        }
        return (try X11Connection(name: displayName), nil)
    }
}
