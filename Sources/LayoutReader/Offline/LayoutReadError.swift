import Imaging

/// Why a picture cannot be read offline by ``MapPicture`` and ``OfflineLayoutReader``. Each case
/// names the file and what is wrong with it.
public enum LayoutReadError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The origin (the entrance) is not inside the picture.
    case originOutside(path: String, origin: GridPoint, width: Int, height: Int)
    /// A picture without an origin is read as a screenshot, and this one is not screen-sized.
    case notAScreenshot(path: String, width: Int, height: Int)
    /// The scale is out of range or makes the map too small to hold a token.
    case wrongScale(path: String, scale: Float, reason: String)
    /// The line extractor found no map in the picture (fewer line pixels than
    /// ``OfflineLayoutReader/fewestLinePixels``).
    case noLines(path: String, extractor: String, linePixels: Int)

    public var description: String {
        switch self {
        case .originOutside(let path, let o, let w, let h):
            return "\(path): the origin \(o.x),\(o.y) is outside the \(w)x\(h) picture (--origin X,Y is the "
                + "entrance in the picture's pixels, 0 ≤ X < \(w), 0 ≤ Y < \(h))"
        case .notAScreenshot(let path, let w, let h):
            return "\(path): a \(w)x\(h) picture is not a game screenshot (1080p to 4K, wider than tall, e.g. "
                + "1920x1080 or 3840x2160); for a stitched map give its entrance with --origin X,Y"
        case .wrongScale(let path, let scale, let reason):
            return "\(path): scale \(scale) is wrong: \(reason)"
        case .noLines(let path, let extractor, let count):
            return "\(path): the \(extractor) line extractor found no map line in the picture ("
                + (count == 0 ? "none" : "only \(count) line pixels")
                + "; is the minimap overlay on, and is this the game's centre minimap?)"
        }
    }
}
