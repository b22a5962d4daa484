/// Errors from screens, windows and input. Each case carries what was asked for (the window,
/// rectangle, key or extension) and what went wrong; the message is derived from them.
public enum DesktopError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Why no display could be used.
    public enum DisplayProblem: Equatable, Sendable {
        /// `DISPLAY` is not set.
        case notSet
        /// A Wayland session without XWayland.
        case waylandOnly
        /// No X server answers at this name, or access is denied.
        case cannotOpen(String)
        /// Xvfb is not installed.
        case xvfbMissing
        /// No free display number for a private Xvfb.
        case noFreeDisplayNumber
        /// Xvfb could not be started, or stopped at once.
        case xvfbFailed(display: String, reason: String)
    }

    /// Why an action was refused.
    public enum Refusal: Equatable, Sendable {
        /// The kill switch was tripped.
        case killSwitch
        /// Another window (or none) has focus.
        case notFocused(target: UInt, focused: WindowInfo?)
        /// The pointer would leave the target window.
        case outsideTarget(ScreenPoint, window: ScreenRect)
        /// The agent was stopped (step mode ended, the run was cancelled).
        case stopped(String)
    }

    /// No display could be opened or started.
    case noDisplay(DisplayProblem)
    /// A required X extension is missing.
    case missingExtension(String, neededFor: String)
    /// No window has the text in its title or class.
    case noWindowMatching(String)
    /// A window that does not exist, went away, or is not mapped.
    case noSuchWindow(id: UInt, reason: String)
    /// A capture region with nothing on screen.
    case offScreen(ScreenRect, screen: ScreenRect)
    /// An empty capture region.
    case emptyRegion(ScreenRect)
    /// A key name that maps to no key (or to no key on this keyboard map).
    case unknownKey(String)
    /// A key combination that does not parse.
    case badKeyCombo(String, reason: String)
    /// A mouse button name that is not left, middle or right.
    case unknownButton(String)
    /// An action was refused by a safety rule.
    case refused(InputAction?, Refusal)
    /// Another program already grabbed this hotkey.
    case hotkeyTaken(KeyCombo)
    /// The clipboard's owner did not answer in time.
    case clipboardTimeout(seconds: Double)
    /// The X server could not do what was asked (the request and its reason).
    case serverFailed(request: String, reason: String)
    /// The screen's pixel format is not one PixelPilot reads.
    case unsupportedVisual(bitsPerPixel: Int)
    /// The input guardian (the process that releases held input if the agent dies) could not run.
    case guardianUnavailable(String)

    public var description: String {
        switch self {
        case .noDisplay(.notSet):
            return
                "no X display: DISPLAY is not set (start an X server, or use --virtual-display to start a private Xvfb)"
        case .noDisplay(.waylandOnly):
            return
                "this is a Wayland session without XWayland (WAYLAND_DISPLAY is set, DISPLAY is not): PixelPilot needs "
                + "X11 or XWayland, which is how games under Proton and Wine run; enable XWayland, or run under "
                + "`pixelpilot --virtual-display`"
        case .noDisplay(.cannotOpen(let name)):
            return "cannot open X display '\(name)': no X server answers there, or access is denied"
        case .noDisplay(.xvfbMissing):
            return "Xvfb is not installed (Debian: apt-get install xvfb; `make deps` does it)"
        case .noDisplay(.noFreeDisplayNumber):
            return "no free X display number between :50 and :399"
        case .noDisplay(.xvfbFailed(let display, let reason)):
            return "Xvfb on \(display) \(reason)"
        case .missingExtension(let name, let purpose):
            return "the X server lacks the \(name) extension, which \(purpose) needs"
        case .noWindowMatching(let text):
            return "no window has '\(text)' in its title or class (`pixelpilot windows` lists them)"
        case .noSuchWindow(let id, let reason):
            return "window \(windowName(id)) \(reason)"
        case .offScreen(let rect, let screen):
            return "region \(rect) lies wholly outside the \(screen.width)x\(screen.height) screen"
        case .emptyRegion(let rect):
            return "region \(rect) is empty"
        case .unknownKey(let name):
            return "unknown key name '\(name)' (use letters, digits, F1-F24, Return, Escape, space, Up, ctrl, alt, "
                + "shift, ...)"
        case .badKeyCombo(let text, let reason):
            return "key combination '\(text)' is not valid: \(reason)"
        case .unknownButton(let name):
            return "unknown mouse button '\(name)' (use left, middle or right)"
        case .refused(let action, let why):
            let what = action.map { ": refused \($0)" } ?? ""
            switch why {
            case .killSwitch: return "kill switch is on\(what)"
            case .notFocused(let target, let focused):
                let f = focused.map { "'\($0.title)' \(windowName($0.id))" } ?? "none"
                return "window \(windowName(target)) does not have focus (focused: \(f))\(what)"
            case .outsideTarget(let p, let rect): return "\(p) is outside the target window \(rect)\(what)"
            case .stopped(let reason): return "\(reason)\(what)"
            }
        case .hotkeyTaken(let combo):
            return "hotkey \(combo) is already taken by another program"
        case .clipboardTimeout(let s):
            return "the clipboard owner did not answer within \(s) s"
        case .serverFailed(let request, let reason):
            return "\(request) failed: \(reason)"
        case .unsupportedVisual(let bpp):
            return "unsupported visual: \(bpp) bits per pixel (PixelPilot reads 24- and 32-bit TrueColor screens)"
        case .guardianUnavailable(let reason):
            return "the input guardian could not start: \(reason)"
        }
    }
}

/// `0x…`, as X tools write window ids.
func windowName(_ id: UInt) -> String { "0x" + String(id, radix: 16) }

/// A rectangle in screen pixels, (x, y) from the top-left.
public struct ScreenRect: Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)x\(height)+\(x)+\(y)" }

    /// The top-left corner.
    public var origin: ScreenPoint { ScreenPoint(x: x, y: y) }
    /// The centre (rounded down).
    public var center: ScreenPoint { ScreenPoint(x: x + width / 2, y: y + height / 2) }

    /// Parses `WxH+X+Y` (X11 geometry) or `X,Y,W,H`.
    public init?(parsing s: String) {
        let geo = s.split(whereSeparator: { $0 == "x" || $0 == "+" }).compactMap { Int($0) }
        if s.contains("x"), s.contains("+"), geo.count == 4 {
            self.init(x: geo[2], y: geo[3], width: geo[0], height: geo[1])
            return
        }
        let csv = s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if csv.count == 4 {
            self.init(x: csv[0], y: csv[1], width: csv[2], height: csv[3])
            return
        }
        return nil
    }

    /// The overlap with `other` (nil when none).
    public func intersection(_ other: ScreenRect) -> ScreenRect? {
        let x0 = max(x, other.x)
        let y0 = max(y, other.y)
        let x1 = min(x + width, other.x + other.width)
        let y1 = min(y + height, other.y + other.height)
        return x1 > x0 && y1 > y0 ? ScreenRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0) : nil
    }

    public func contains(_ p: ScreenPoint) -> Bool { p.x >= x && p.y >= y && p.x < x + width && p.y < y + height }

    /// The centred square of side `side` (the layout reader reads the central square of the screen).
    public func centeredSquare(side: Int) -> ScreenRect {
        ScreenRect(x: x + (width - side) / 2, y: y + (height - side) / 2, width: side, height: side)
    }
}
