import Foundation

/// Captures a region at a fixed rate on a monotonic clock: frame k is due at `start + k/fps`, so
/// timing errors never accumulate (no drift). A frame that cannot be taken before the next one is
/// due is skipped and counted as late.
public final class FrameStream {
    public let source: ScreenSource
    public let rect: ScreenRect?
    public let fps: Double
    public let clock: MonotonicClock
    /// Frames skipped because capture or the handler ran past the next frame's time.
    public private(set) var lateFrames = 0
    /// Frames delivered.
    public private(set) var deliveredFrames = 0

    public init(source: ScreenSource, rect: ScreenRect?, fps: Double, clock: MonotonicClock = SystemClock.shared) {
        precondition(fps > 0, "fps must be positive")
        self.source = source
        self.rect = rect
        self.fps = fps
        self.clock = clock
    }

    /// Streams until `handler` returns false or `duration` seconds pass (nil: no limit).
    public func run(duration: Double? = nil, _ handler: (Frame) throws -> Bool) throws {
        let period = 1 / fps
        let start = clock.now()
        var k = 0
        while true {
            let due = start + Double(k) * period
            if let duration, due - start >= duration { return }
            clock.sleep(until: due)
            let frame = try source.capture(rect)
            deliveredFrames += 1
            if try !handler(frame) { return }
            // Skip frames whose time has already passed.
            let next = Int(((clock.now() - start) / period).rounded(.down)) + 1
            if next > k + 1 { lateFrames += next - (k + 1) }
            k = Swift.max(k + 1, next)
        }
    }
}
