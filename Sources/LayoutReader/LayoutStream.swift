import Desktop
import Foundation
import Imaging

/// A live minimap stream: one thread captures the square around the player at a fixed rate
/// (``FrameStream``: paced on the monotonic clock, late frames counted), the newest frame waits
/// in a one-slot mailbox, and another thread stitches it. Events report every frame.
public final class LayoutStream: @unchecked Sendable {
    /// What the stream tells its owner.
    public enum Event: Sendable {
        /// A frame was stitched (or skipped), with the stream's counters and the frame's capture
        /// time (monotonic seconds).
        case frame(StitchReport, captured: Int, late: Int, dropped: Int, timestamp: Double)
        /// Capture failed (the stream stops).
        case captureFailed(String)
        /// The stream ended.
        case ended(captured: Int, late: Int, dropped: Int)
    }

    public let region: ScreenRect
    public let fps: Double
    public let stitcher: MinimapStitcher
    private let source: ScreenSource
    private let mailbox = FrameMailbox<Frame>()
    private let lock = NSLock()
    private var stopRequested = false
    private var captured = 0, late = 0
    private let finished = DispatchGroup()

    /// Checks that `region` lies on the screen of `source`.
    public init(
        source: ScreenSource, region: ScreenRect, fps: Double, settings: StitchSettings = StitchSettings()
    ) throws {
        let screen = source.screenRect
        guard region.width > 0, region.height > 0 else {
            throw LayoutReaderError.emptyRegion(region)
        }
        guard region.x >= screen.x, region.y >= screen.y, region.x + region.width <= screen.x + screen.width,
            region.y + region.height <= screen.y + screen.height
        else {
            throw LayoutReaderError.regionOffScreen(region, screen: screen)
        }
        guard fps > 0, fps <= 30 else { throw LayoutReaderError.badFrameRate(fps) }
        self.source = source
        self.region = region
        self.fps = fps
        stitcher = MinimapStitcher(settings: settings)
    }

    /// The square the seed captures (1200×1200 around (1920, 1060) at 3840×2160), scaled to a
    /// screen of `width`×`height`.
    public static func seedRegion(screenWidth width: Int, screenHeight height: Int) -> ScreenRect {
        let side = Int((1200 * Double(height) / 2160).rounded()) & ~1
        let cx = width / 2
        let cy = Int((Double(height) * 1060 / 2160).rounded())
        return ScreenRect(x: cx - side / 2, y: cy - side / 2, width: side, height: side)
    }

    /// Starts capturing and stitching; `onEvent` runs on the stitching thread.
    public func start(onEvent: @escaping @Sendable (Event) -> Void) {
        finished.enter()
        let capture = Thread { [self] in
            defer { mailbox.close() }
            let stream = FrameStream(source: source, rect: region, fps: fps)
            do {
                try stream.run { frame in
                    lock.lock()
                    let stop = stopRequested
                    captured += 1
                    late = stream.lateFrames
                    lock.unlock()
                    if stop { return false }
                    mailbox.put(frame)
                    return true
                }
            } catch {
                onEvent(.captureFailed("\(error)"))
            }
        }
        capture.name = "pixelpilot.layout-capture"
        let stitch = Thread { [self] in
            defer { finished.leave() }
            while let frame = mailbox.take() {
                let report = stitcher.add(frame.image)
                lock.lock()
                let counts = (captured, late, mailbox.dropped)
                lock.unlock()
                onEvent(
                    .frame(report, captured: counts.0, late: counts.1, dropped: counts.2, timestamp: frame.time.seconds)
                )
            }
            lock.lock()
            let counts = (captured, late, mailbox.dropped)
            lock.unlock()
            onEvent(.ended(captured: counts.0, late: counts.1, dropped: counts.2))
        }
        stitch.name = "pixelpilot.layout-stitch"
        capture.start()
        stitch.start()
    }

    /// Asks the stream to stop after the current frame.
    public func stop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
    }

    /// Waits until both threads have finished.
    public func wait() { finished.wait() }
}
