import ArgumentParser
import Desktop
import Foundation

/// Which X display a command uses.
struct DisplayOptions: ParsableArguments {
    @Option(name: .customLong("display"), help: "X display to use (default: $DISPLAY).")
    var displayName: String?

    @Flag(help: "Start a private virtual display (Xvfb) for this command.")
    var virtualDisplay = false

    /// Opens the display; starts a private Xvfb when asked, or when none is set and the command is one
    /// that needs no game (`virtualWhenUnset`: the arenas and demos). A command aimed at the game stops
    /// instead, saying how to name the display (Wayland without XWayland gets a clear error from the
    /// connection).
    ///
    /// - Parameter size: the screen a full-screen window needs: the private display's size, and the
    ///   least a named display must have.
    func open(
        virtualWhenUnset: Bool = false, size: ScreenSize? = nil
    ) throws -> (
        connection: X11Connection, virtual: VirtualDisplay?
    ) {
        let env = ProcessInfo.processInfo.environment
        let noDisplay = displayName == nil && (env["DISPLAY"] ?? "").isEmpty && env["WAYLAND_DISPLAY"] == nil
        if noDisplay && !virtualDisplay && !virtualWhenUnset {
            throw CLIError(
                "no X display is set (DISPLAY is empty), so there is no game window to reach: run this inside "
                    + "your desktop session, or give --display :0 (the display your game is on); "
                    + "--virtual-display starts an empty private one")
        }
        if virtualDisplay || noDisplay {
            let v = try size.map { try VirtualDisplay(width: $0.width, height: $0.height) } ?? VirtualDisplay()
            if noDisplay && !virtualDisplay {
                FileHandle.standardError.write(
                    Data("pixelpilot: no DISPLAY set; using a private virtual display \(v.name)\n".utf8))
            }
            return (try X11Connection(name: v.name), v)
        }
        let connection = try X11Connection(name: displayName)
        if let size, connection.screenWidth < size.width || connection.screenHeight < size.height {
            throw CLIError(
                "display \(connection.name) is \(connection.screenWidth)x\(connection.screenHeight), smaller than "
                    + "--size \(size)")
        }
        return (connection, nil)
    }
}
