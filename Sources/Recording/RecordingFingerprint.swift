import Foundation

/// How frames are stored in a recording. Both are RGB, 8 bits a channel, rows top to bottom.
public enum FrameEncoding: String, Codable, Sendable, CaseIterable {
    /// Lossless PNG (RGB, no alpha): about 3-6x smaller than raw for game frames.
    case png
    /// The bytes as they are: width × height × 3, R then G then B.
    case raw
}

/// What a recording is: enough to tell whether two recordings can be mixed in one data set and
/// whether a model can play from what it sees.
public struct RecordingFingerprint: Codable, Sendable, Equatable {
    /// Captured screen region, pixels (x, y of the top-left corner; width, height).
    public var regionX: Int, regionY: Int, width: Int, height: Int
    /// Nominal frames per second.
    public var fps: Double
    /// The keys whose state is stored per frame as a bit mask, in this order (bit 0 first).
    /// The seed's order is [Up, Left, Right, Down]. All held keys and buttons are stored as well.
    public var keys: [String]
    /// The whole screen's size, pixels.
    public var screenWidth: Int, screenHeight: Int
    /// The PixelPilot version that wrote it.
    public var pixelPilotVersion: String
    /// Frame storage, always RGB.
    public var encoding: FrameEncoding
    /// Always "RGB" (the seed stored B, G, R silently; PixelPilot says which it is).
    public var channelOrder: String
    /// What was recorded: "region", "window NAME" or "click".
    public var source: String

    public init(
        regionX: Int, regionY: Int, width: Int, height: Int, fps: Double, keys: [String], screenWidth: Int,
        screenHeight: Int,
        pixelPilotVersion: String, encoding: FrameEncoding = .png, source: String = "region"
    ) {
        self.regionX = regionX
        self.regionY = regionY
        self.width = width
        self.height = height
        self.fps = fps
        self.keys = keys
        self.screenWidth = screenWidth
        self.screenHeight = screenHeight
        self.pixelPilotVersion = pixelPilotVersion
        self.encoding = encoding
        channelOrder = "RGB"
        self.source = source
    }

    /// The seed's key columns, as stored: the racer's arrow keys (`RacerControls.arrows` in Arena, which this
    /// module does not import; a test holds the two to the same names).
    public static let seedKeys = ["Up", "Left", "Right", "Down"]

    /// What differs from the expected values (empty when all given ones match).
    public func mismatches(
        fps expectedFPS: Double? = nil, width expectedWidth: Int? = nil, height expectedHeight: Int? = nil,
        keys expectedKeys: [String]? = nil
    ) -> [String] {
        var out: [String] = []
        if let f = expectedFPS, abs(f - fps) > 1e-6 {
            out.append("recorded at \(Self.format(fps)) fps, expected \(Self.format(f)) fps")
        }
        if let w = expectedWidth, let h = expectedHeight, w != width || h != height {
            out.append("frames are \(width)x\(height), expected \(w)x\(h)")
        }
        if let k = expectedKeys, k != keys {
            out.append("key set is [\(keys.joined(separator: ", "))], expected [\(k.joined(separator: ", "))]")
        }
        return out
    }

    static func format(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.3g", v) }
}
