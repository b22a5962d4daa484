import Imaging

/// A captured frame: the pixels (RGBA), where they came from, and when (monotonic seconds).
public struct Frame: Sendable {
    public var image: Image
    /// The screen rectangle actually captured (after clipping to the screen).
    public var rect: ScreenRect
    /// True when the requested rectangle was partly off-screen and was clipped.
    public var clipped: Bool
    /// When it was captured.
    public var time: MonotonicTime

    public init(image: Image, rect: ScreenRect, clipped: Bool = false, time: MonotonicTime) {
        self.image = image
        self.rect = rect
        self.clipped = clipped
        self.time = time
    }
}

/// Something that can grab the screen.
public protocol ScreenSource: AnyObject {
    /// The whole screen's size.
    var screenRect: ScreenRect { get }
    /// Captures `rect` (nil: the whole screen). A rectangle partly off-screen is clipped (the
    /// frame says so); one wholly off-screen is an error.
    func capture(_ rect: ScreenRect?) throws -> Frame
    /// Captures one window's current contents by id.
    func capture(window: UInt) throws -> Frame
}

extension ScreenRect {
    /// What a capture of `request` (nil: all of this screen) gets from a screen this rectangle covers, by a real
    /// screen's rules: the part of `request` on the screen, beside the request itself (the frame is clipped when
    /// the two differ).
    ///
    /// - Throws: ``DesktopError/emptyRegion(_:)`` for a request without area, ``DesktopError/offScreen(_:screen:)``
    ///   for one wholly outside the screen.
    public func captureRegion(_ request: ScreenRect?) throws -> (requested: ScreenRect, captured: ScreenRect) {
        let want = request ?? self
        guard want.width > 0, want.height > 0 else { throw DesktopError.emptyRegion(want) }
        guard let r = want.intersection(self) else { throw DesktopError.offScreen(want, screen: self) }
        return (want, r)
    }
}

extension Frame {
    /// A capture of `request` (nil: the whole screen) from a screen in memory that shows `picture` with its
    /// top-left at `origin`, black wherever the picture does not reach, clipped as a real screen clips
    /// (``ScreenRect/captureRegion(_:)``): the one crop behind in-memory screens, saved screenshots and simulated
    /// games.
    ///
    /// - Parameters:
    ///   - screen: the whole screen; nil: the picture's own rectangle.
    ///   - time: when the frame counts as captured.
    /// - Throws: ``DesktopError/emptyRegion(_:)`` or ``DesktopError/offScreen(_:screen:)``, as a real screen does.
    public init(
        capturing request: ScreenRect?, of picture: Image, at origin: ScreenPoint = ScreenPoint(x: 0, y: 0),
        screen: ScreenRect? = nil, time: MonotonicTime
    ) throws {
        let shown = ScreenRect(x: origin.x, y: origin.y, width: picture.width, height: picture.height)
        let (want, r) = try (screen ?? shown).captureRegion(request)
        let image: Image
        if shown.intersection(r) == r {
            image = try picture.cropped(x: r.x - origin.x, y: r.y - origin.y, width: r.width, height: r.height)
        } else {
            var canvas = Image(width: r.width, height: r.height, channels: picture.channels, color: .black)
            canvas.draw(picture, atX: origin.x - r.x, y: origin.y - r.y)
            image = canvas
        }
        self.init(image: image, rect: r, clipped: r != want, time: time)
    }
}
