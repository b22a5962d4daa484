import Desktop

/// What can go wrong in the layout reader's stream. Each case carries the region or rate; the
/// message is derived.
public enum LayoutReaderError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The capture region has no pixels.
    case emptyRegion(ScreenRect)
    /// The capture region is not wholly on the screen.
    case regionOffScreen(ScreenRect, screen: ScreenRect)
    /// The frame rate is outside what the stream supports.
    case badFrameRate(Double)
    /// The map has no map features: no line pixels, so no tokens for the classifier.
    case noMapFeatures

    public var description: String {
        switch self {
        case .emptyRegion(let r): return "capture region \(r) is empty"
        case .regionOffScreen(let r, let screen): return "capture region \(r) is not inside the screen \(screen)"
        case .badFrameRate(let fps): return "frame rate \(fps) must be in (0, 30] frames per second"
        case .noMapFeatures: return "the map has no map features yet (no line pixels): nothing to classify"
        }
    }
}
