import Imaging

/// One update of a live stream for the layout reader: the stitched map so far, where its entrance
/// is, at which scale, and where the player stands. Updates of one stream are numbered from 1.
public struct MapUpdate: Sendable {
    /// The stream's update number (1, 2, ...); newer updates have larger numbers.
    public var sequence: Int
    /// The stitched map (RGB).
    public var map: Image
    /// The entrance (the stream's origin) in map pixels.
    public var origin: GridPoint
    /// Map pixels per pixel of the seed's half scale (1 after ``LiveLayoutReader`` shrinks it).
    public var scale: Float
    /// The player's position in map pixels, when the stitcher knows it.
    public var player: GridPoint?

    public init(sequence: Int, map: Image, origin: GridPoint, scale: Float, player: GridPoint? = nil) {
        self.sequence = sequence
        self.map = map
        self.origin = origin
        self.scale = scale
        self.player = player
    }
}

/// What the reader made of one update.
public enum LayoutReadout: Sendable, Equatable {
    /// The classifier's probabilities (with the line pixels the extractor found).
    case prediction(LayoutPrediction, linePixels: Int)
    /// The map has no map features yet (the seed's reply 9999): nothing to classify.
    case noMapFeatures
}

/// Reads the layout of a map update: in this process (``LocalLayoutInference``) or on a server
/// (the `LayoutServer` module's client). Called from one worker thread at a time.
public protocol LayoutInferring: AnyObject {
    /// Layout class names, in the classifier's output order (empty until known, for a server
    /// that has not answered yet).
    var classNames: [String] { get }
    /// Reads `update`. Errors (a server that is down, a bad reply, a failed model) are thrown and
    /// the caller keeps its last answer.
    func read(_ update: MapUpdate) throws -> LayoutReadout
    /// A new stream starts (the extractor forgets its incremental state).
    func reset()
}
