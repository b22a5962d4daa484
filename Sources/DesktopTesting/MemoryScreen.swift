import Desktop
import Foundation
import Imaging

/// A screen held in memory: a picture (or a function that draws one at each capture, for a
/// simulated game), captured with the same clipping rules as a real screen.
public final class MemoryScreen: ScreenSource, @unchecked Sendable {
    private let lock = NSLock()
    private var picture: Image
    public let clock: MonotonicClock
    /// When set, draws the screen afresh for every capture.
    public var draw: (() -> Image)?
    /// Captures taken so far.
    public private(set) var captures = 0

    public init(width: Int, height: Int, clock: MonotonicClock = SystemClock.shared) {
        picture = Image(width: width, height: height)
        self.clock = clock
    }

    public init(picture: Image, clock: MonotonicClock = SystemClock.shared) {
        self.picture = picture.rgb()
        self.clock = clock
    }

    /// Replaces what the screen shows.
    public func show(_ image: Image) { lock.withLock { picture = image.rgb() } }

    public var screenRect: ScreenRect {
        lock.withLock { ScreenRect(x: 0, y: 0, width: picture.width, height: picture.height) }
    }

    public func capture(_ rect: ScreenRect?) throws -> Frame {
        let screen = lock.withLock { () -> Image in
            captures += 1
            if let draw { picture = draw().rgb() }
            return picture
        }
        return try Frame(capturing: rect, of: screen, time: clock.now())
    }

    public func capture(window: UInt) throws -> Frame {
        throw DesktopError.noSuchWindow(id: window, reason: "is not on a memory screen (capture a region instead)")
    }
}
