import Imaging

/// Turns a stitched minimap into its line mask (the seed's UNet stage, or a colour threshold).
///
/// An extractor may keep state between calls on the same growing map so that a live update only
/// recomputes what changed (see the conforming type's documentation for how exact that is);
/// ``reset()`` forgets it, for a new stream.
public protocol LineExtracting: AnyObject {
    /// A short name for reports ("unet-small", "colour-threshold").
    var name: String { get }
    /// The line mask of `map` (RGB or RGBA), whose entrance is at `origin` in map pixels and whose
    /// scale is `scale` map pixels per pixel of the seed's half scale.
    func lines(of map: Image, origin: GridPoint, scale: Float) throws -> LineMask
    /// Forgets what earlier calls computed.
    func reset()
}
