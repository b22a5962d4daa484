/// Why a frame was not pasted.
public enum SkipReason: Equatable, Sendable, CustomStringConvertible {
    /// The frame has no pixels.
    case empty
    /// The frame's size differs from the stream's.
    case wrongSize(width: Int, height: Int, expectedWidth: Int, expectedHeight: Int)
    /// Too few map-line pixels: a flash, a loading screen, the map toggled off, a black frame.
    case noLines(linePixels: Int, needed: Int)
    /// The best match was not good enough to trust (an unknown place, heavy noise).
    case lowConfidence(Float)

    public var description: String {
        switch self {
        case .empty: return "empty frame"
        case .wrongSize(let w, let h, let ew, let eh): return "frame is \(w)x\(h), the stream's frames are \(ew)x\(eh)"
        case .noLines(let n, let need):
            return "only \(n) map-line pixels (needs \(need)): flash, loading screen or map hidden?"
        case .lowConfidence(let c): return "match confidence \(String(format: "%.2f", c)) is too low to paste"
        }
    }
}

/// What happened to a frame.
public enum StitchOutcome: Equatable, Sendable {
    /// The first frame: its centre is the origin.
    case origin
    /// Matched near the predicted place and pasted.
    case pasted
    /// Matched against the whole canvas after a jump (a teleport) or a loss, and pasted.
    case relocalised
    /// Not pasted.
    case skipped(SkipReason)

    public var isPasted: Bool {
        if case .skipped = self { return false }
        return true
    }
}

/// The stitcher's account of one frame.
public struct StitchReport: Sendable {
    /// Frames given to the stitcher so far, this one included, minus one.
    public var index: Int
    public var outcome: StitchOutcome
    /// The frame centre's position relative to the origin (canvas pixels), when matched.
    public var x: Float?, y: Float?
    /// Overlap over union of frame and canvas line energy at the match (0...1); lines only in the
    /// frame near the path since the last pasted frame (newly revealed) do not count against it.
    public var confidence: Float
    public var linePixels: Int
    public var milliseconds: Double
}
