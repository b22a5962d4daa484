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
        let want = rect ?? screenRect
        let x0 = Swift.max(want.x, origin.x)
        let y0 = Swift.max(want.y, origin.y)
        let x1 = Swift.min(want.x + want.width, origin.x + image.width)
        let y1 = Swift.min(want.y + want.height, origin.y + image.height)
        guard x1 > x0, y1 > y0 else {
            throw DesktopError.offScreen(want, screen: screenRect)
        }
        let crop = try image.cropped(x: x0 - origin.x, y: y0 - origin.y, width: x1 - x0, height: y1 - y0)
        let got = ScreenRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
        return Frame(image: crop, rect: got, clipped: got != want, time: .now)
    }

    public func capture(window: UInt) throws -> Frame { try capture(nil) }
}
