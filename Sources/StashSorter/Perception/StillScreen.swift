import Desktop
import Foundation
import Imaging

/// A saved screenshot seen as a screen: captures crop it (for `sort --screenshot`, which reads a
/// picture taken on another machine instead of a live window).
public final class StillScreen: ScreenSource {
    public let image: Image
    /// Where the picture's top-left pixel sits on the (imagined) screen.
    public let origin: ScreenPoint

    public init(image: Image, origin: ScreenPoint = ScreenPoint(x: 0, y: 0)) {
        self.image = image.rgba()
        self.origin = origin
    }

    public var screenRect: ScreenRect { ScreenRect(x: origin.x, y: origin.y, width: image.width, height: image.height) }

    public func capture(_ rect: ScreenRect?) throws -> Frame {
        try Frame(capturing: rect, of: image, at: origin, time: .now)
    }

    public func capture(window: UInt) throws -> Frame { try capture(nil) }
}
