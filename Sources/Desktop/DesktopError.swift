/// Errors from screens, windows and input, each naming what was asked for and what went wrong.
public enum DesktopError: Error, CustomStringConvertible, Equatable {
    /// No display could be opened (no X server, wrong `DISPLAY`, Wayland without XWayland).
    case noDisplay(String)
    /// A required X extension is missing.
    case missingExtension(String)
    /// A window that does not exist or went away.
    case noSuchWindow(String)
    /// A rectangle with nothing on screen.
    case offScreen(String)
    /// A key name that maps to no key.
    case unknownKey(String)
    /// Input was refused by a safety rule (focus binding, target rectangle, kill switch).
    case refused(String)
    /// Anything else the display reported.
    case failed(String)

    public var description: String {
        switch self {
        case .noDisplay(let m), .missingExtension(let m), .noSuchWindow(let m), .offScreen(let m),
             .unknownKey(let m), .refused(let m), .failed(let m):
            return m
        }
    }
}

/// A rectangle in screen pixels, (x, y) from the top-left.
public struct ScreenRect: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = width; self.height = height }

    public var description: String { "\(width)x\(height)+\(x)+\(y)" }

    /// Parses `WxH+X+Y` (X11 geometry) or `X,Y,W,H`.
    public init?(parsing s: String) {
        let geo = s.split(whereSeparator: { $0 == "x" || $0 == "+" }).compactMap { Int($0) }
        if s.contains("x"), s.contains("+"), geo.count == 4 { self.init(x: geo[2], y: geo[3], width: geo[0], height: geo[1]); return }
        let csv = s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if csv.count == 4 { self.init(x: csv[0], y: csv[1], width: csv[2], height: csv[3]); return }
        return nil
    }

    /// The overlap with `other` (nil when none).
    public func intersection(_ other: ScreenRect) -> ScreenRect? {
        let x0 = max(x, other.x), y0 = max(y, other.y)
        let x1 = min(x + width, other.x + other.width), y1 = min(y + height, other.y + other.height)
        return x1 > x0 && y1 > y0 ? ScreenRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0) : nil
    }

    public func contains(x px: Int, y py: Int) -> Bool { px >= x && py >= y && px < x + width && py < y + height }

    /// The centred square of side `side` (the layout reader reads the central square of the screen).
    public func centeredSquare(side: Int) -> ScreenRect {
        ScreenRect(x: x + (width - side) / 2, y: y + (height - side) / 2, width: side, height: side)
    }
}

import Foundation
