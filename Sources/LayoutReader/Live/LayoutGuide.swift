import Imaging

/// The picture of one layout class that the overlay shows (the seed's hand-curated guides), with
/// where its entrance is, so the player's position can be drawn on it.
public struct LayoutGuide: Sendable {
    public var name: String
    public var image: Image
    /// The entrance in guide pixels.
    public var entranceX: Float, entranceY: Float
    /// Guide pixels per map pixel at the seed's half scale.
    public var pixelsPerMapPixel: Float
    /// Whether the overlay draws the player on the guide (false for a user's picture, whose
    /// entrance and scale are unknown).
    public var marksPlayer: Bool
    /// True when ``image`` is already fitted to the overlay's guide area (drawn as it is).
    var fittedToOverlay = false

    public init(name: String, image: Image, entranceX: Float, entranceY: Float, pixelsPerMapPixel: Float = 1) {
        self.name = name
        self.image = image
        self.entranceX = entranceX
        self.entranceY = entranceY
        self.pixelsPerMapPixel = pixelsPerMapPixel
        marksPlayer = true
    }

    /// A user's own picture for the layout `name` (any size, RGB or RGBA): scaled once, keeping
    /// its aspect ratio and box-filtered when it shrinks, to fit the overlay's guide area
    /// (transparent pixels show the area's background). The player is not drawn on it.
    public init(name: String, userPicture: Image) {
        precondition(userPicture.width > 0 && userPicture.height > 0, "empty guide picture")
        let box = GuideOverlayPicture.guideBox
        var rgb = userPicture.rgb()
        if userPicture.channels == 4 {
            let bg = GuideOverlayPicture.guideBackground.channels(3)
            userPicture.pixels.withUnsafeBufferPointer { src in
                rgb.pixels.withUnsafeMutableBufferPointer { dst in
                    for i in 0..<(userPicture.width * userPicture.height) {
                        let a = UInt32(src[4 * i + 3])
                        for k in 0..<3 {
                            dst[3 * i + k] = UInt8((UInt32(src[4 * i + k]) * a + UInt32(bg[k]) * (255 - a) + 127) / 255)
                        }
                    }
                }
            }
        }
        let s = min(Double(box.width) / Double(rgb.width), Double(box.height) / Double(rgb.height))
        let w = min(box.width, max(1, Int((Double(rgb.width) * s).rounded())))
        let h = min(box.height, max(1, Int((Double(rgb.height) * s).rounded())))
        let fitted =
            w == rgb.width && h == rgb.height
            ? rgb
            : rgb.sampled(
                x: 0, y: 0, width: Double(rgb.width), height: Double(rgb.height), outputWidth: w, outputHeight: h)
        self.name = name
        image = fitted
        entranceX = 0
        entranceY = 0
        pixelsPerMapPixel = 1
        marksPlayer = false
        fittedToOverlay = true
    }
}
