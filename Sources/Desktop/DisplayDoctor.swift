import CX11
import Foundation

/// What a display offers PixelPilot, and what works and what does not, in words.
public enum DisplayDoctor {
    public struct Check: Sendable {
        public var name: String
        public var ok: Bool
        public var detail: String
    }

    /// Probes `connection` (or the default display) and returns one check per capability.
    public static func checks(connection: X11Connection) -> [Check] {
        var result: [Check] = []
        let d = connection.display
        result.append(
            Check(
                name: "display", ok: true,
                detail:
                    "\(connection.name): \(connection.screenWidth)x\(connection.screenHeight), vendor \(String(cString: XServerVendor(d)))"
            ))
        let depth = XDefaultDepth(d, connection.screen)
        result.append(
            Check(
                name: "visual", ok: depth == 24 || depth == 32,
                detail: "default depth \(depth) bits"
                    + (depth == 24 || depth == 32 ? "" : ": capture needs a 24- or 32-bit TrueColor visual")))
        let shm = XShmQueryExtension(d) != 0
        result.append(
            Check(
                name: "MIT-SHM", ok: shm,
                detail: shm ? "shared-memory capture available" : "missing: capture falls back to XGetImage (slower)"))
        for (ext, purpose) in [
            ("XTEST", "input injection (clicks, keys)"), ("XInputExtension", "recording the user's input"),
            ("SHAPE", "click-through overlays"), ("RECORD", "XRecord input recording (alternative)"),
        ] {
            let has = connection.hasExtension(ext)
            result.append(Check(name: ext, ok: has, detail: has ? purpose : "missing: no \(purpose)"))
        }
        let ws = X11WindowSystem(connection: connection)
        let ewmh = ws.cardinalProperty(connection.root, "_NET_SUPPORTING_WM_CHECK") != nil
        result.append(
            Check(
                name: "window manager", ok: true,
                detail: ewmh
                    ? "EWMH window manager present (_NET_ACTIVE_WINDOW tracks focus)"
                    : "no EWMH window manager: focus is read from the X input focus"))
        let wayland = ProcessInfo.processInfo.environment["WAYLAND_DISPLAY"] != nil
        if wayland {
            result.append(
                Check(
                    name: "Wayland", ok: true,
                    detail:
                        "Wayland session with XWayland: X11 games (Proton, Wine) are reachable; native Wayland windows are not"
                ))
        }
        if let source = Optional(X11ScreenSource(connection: connection)) {
            do {
                let f = try source.capture(ScreenRect(x: 0, y: 0, width: 8, height: 8))
                result.append(
                    Check(
                        name: "capture", ok: true,
                        detail:
                            "grabbed \(f.image.width)x\(f.image.height) via \(source.usesSharedMemory ? "MIT-SHM" : "XGetImage")"
                    ))
            } catch {
                result.append(Check(name: "capture", ok: false, detail: "\(error)"))
            }
        }
        return result
    }

    /// A printable report.
    public static func report(connection: X11Connection) -> String {
        checks(connection: connection).map {
            "\($0.ok ? "ok  " : "FAIL") \($0.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \($0.detail)"
        }
        .joined(separator: "\n")
    }
}
