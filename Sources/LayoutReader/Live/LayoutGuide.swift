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

    public init(name: String, image: Image, entranceX: Float, entranceY: Float, pixelsPerMapPixel: Float = 1) {
        self.name = name
        self.image = image
        self.entranceX = entranceX
        self.entranceY = entranceY
        self.pixelsPerMapPixel = pixelsPerMapPixel
    }
}
