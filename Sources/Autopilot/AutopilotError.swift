import Desktop

/// What stops a recording or a drive before it starts. Each case carries the region or rate; the
/// message is derived.
public enum AutopilotError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The capture region has no pixels.
    case emptyRegion(ScreenRect)
    /// The capture region is not wholly on the screen (a recording needs every frame whole).
    case regionOffScreen(ScreenRect, screen: ScreenRect)
    /// The frame rate is outside (0, 240].
    case badFrameRate(Double)

    public var description: String {
        switch self {
        case .emptyRegion(let r):
            return "region \(r) is empty"
        case .regionOffScreen(let r, let screen):
            return "region \(r) lies \(r.intersection(screen) == nil ? "wholly" : "partly") outside the "
                + "\(screen.width)x\(screen.height) screen (a recording needs every frame whole)"
        case .badFrameRate(let fps):
            return "fps must be in (0, 240], got \(fps)"
        }
    }
}
