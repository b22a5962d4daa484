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
