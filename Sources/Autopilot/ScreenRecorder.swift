import Desktop
import Foundation
import Recording
import Imaging

/// What a ``ScreenRecorder`` records.
public struct RecorderSettings: Sendable {
    /// Screen region captured; it must lie wholly on the screen.
    public var region: ScreenRect
    /// Frames per second (any rate; paced on the monotonic clock without drift).
    public var fps: Double = 10
    /// Keys stored per frame as a bit mask (all held keys and buttons are stored too).
    public var keys: [String] = RecordingFingerprint.seedKeys
    public var encoding: FrameEncoding = .png
    /// A key whose press (anywhere) ends the recording; the seed's is Escape. nil: none.
    public var stopKey: String? = "Escape"
    /// Ends after this many seconds (nil: no limit).
    public var seconds: Double?
    /// What is recorded, for the fingerprint ("region", "window NAME", "click").
    public var source = "region"
    public var pixelPilotVersion = "0.1.0"
    public init(region: ScreenRect) { self.region = region }
}

/// How a recording went.
public struct RecordingSummary: Sendable {
    public var frames: Int
    public var lateFrames: Int
    public var bytes: Int
    public var seconds: Double
    public var reason: String
}

/// Records a screen region at a fixed rate with the keys and buttons held at each frame's capture
/// instant, into one crash-safe ``RecordingWriter`` file.
///
/// The held keys come from the Desktop recorder's timeline (``X11InputRecorder``: XInput2 raw
/// events, whichever window has focus), sampled at each frame's capture time; the raw events are
/// stored as well. Pacing is ``FrameStream``'s (frame k due at start + k/fps; late frames
/// skipped and counted).
public final class ScreenRecorder: @unchecked Sendable {
    public let settings: RecorderSettings
    public let input: X11InputRecorder
    private let source: X11ScreenSource
    private let lock = NSLock()
    private var stopReason: String?

    /// `input` must already be running (so keys held before the first frame are known).
    public init(connection: X11Connection, input: X11InputRecorder, settings: RecorderSettings) throws {
        self.settings = settings
        self.input = input
        source = X11ScreenSource(connection: connection)
        let screen = source.screenRect
        let r = settings.region
        guard r.width > 0, r.height > 0 else { throw AutopilotError.emptyRegion(r) }
        guard r.x >= 0, r.y >= 0, r.x + r.width <= screen.width, r.y + r.height <= screen.height else {
            throw AutopilotError.regionOffScreen(r, screen: screen)
        }
        guard settings.fps > 0, settings.fps <= 240 else { throw AutopilotError.badFrameRate(settings.fps) }
    }

    /// Asks a running ``record(to:)`` to end (from any thread: hotkey, kill switch, signal).
    public func stop(reason: String) {
        lock.lock()
        if stopReason == nil { stopReason = reason }
        lock.unlock()
    }

    private var requestedStop: String? {
        lock.lock()
        defer { lock.unlock() }
        return stopReason
    }

    /// Records into a new file at `url` until the stop key, ``stop(reason:)`` or the time limit.
    public func record(to url: URL, onFrame: ((Int) -> Void)? = nil) throws -> RecordingSummary {
        let screen = source.screenRect
        let fingerprint = RecordingFingerprint(
            regionX: settings.region.x, regionY: settings.region.y, width: settings.region.width,
            height: settings.region.height, fps: settings.fps, keys: settings.keys,
            screenWidth: screen.width, screenHeight: screen.height,
            pixelPilotVersion: settings.pixelPilotVersion, encoding: settings.encoding, source: settings.source)
        let input = self.input
        let start = MonotonicTime.now.seconds
        let cursor = EventCursor()
        let writer = try RecordingWriter(
            url: url, fingerprint: fingerprint, startTime: start,
            label: { t in Set(input.recorded.held(at: MonotonicTime(seconds: t)).map(\.description)) },
            events: { cursor.take(from: input.recorded) })
        let stream = FrameStream(source: source, rect: settings.region, fps: settings.fps)
        var first: Double?
        var reason = "time limit"
        var failure: Error?
        do {
            try stream.run(duration: settings.seconds) { frame in
                let t0 = first ?? frame.time.seconds
                first = t0
                let slot = Int(((frame.time.seconds - t0) * settings.fps).rounded())
                try writer.append(frame.image, slot: slot, time: frame.time.seconds)
                onFrame?(stream.deliveredFrames)
                if let r = requestedStop {
                    reason = r
                    return false
                }
                // The kill switch's keys seen held (also when another program holds its grab).
                let held = Set(input.recorded.held(at: .now).map(\.description))
                if held.contains("k") && (held.contains("Control_L") || held.contains("Control_R"))
                    && (held.contains("Alt_L") || held.contains("Alt_R"))
                {
                    reason = "kill switch"
                    return false
                }
                if let key = settings.stopKey.map({ (try? Key($0)) ?? Key(canonicalName: $0) }),
                    input.recorded.events.last(where: { $0.time.seconds >= start && $0.event == .key(key, down: true) })
                        != nil
                {
                    reason = "\(key) pressed"
                    return false
                }
                return true
            }
        } catch { failure = error }
        let stopTime = MonotonicTime.now.seconds
        // Events up to the stop are in before the writer's last commit.
        Thread.sleep(forTimeInterval: 0.06)
        try writer.finish(
            reason: failure.map { "error: \($0)" } ?? reason, lateFrames: stream.lateFrames, stopTime: stopTime)
        if let failure { throw failure }
        return RecordingSummary(
            frames: writer.storedFrames, lateFrames: stream.lateFrames, bytes: writer.storedBytes,
            seconds: stopTime - start, reason: reason)
    }
}

/// Hands out each timeline event once.
final class EventCursor: @unchecked Sendable {
    private let lock = NSLock()
    private var taken = 0
    func take(from timeline: InputTimeline) -> [RecordedInputEvent] {
        lock.lock()
        defer { lock.unlock() }
        let events = timeline.events
        guard events.count > taken else { return [] }
        let new = events[taken...].map { e -> RecordedInputEvent in
            // Stored under the one canonical name (the key's, or `button left`).
            let kind: RecordedInputEvent.Kind
            switch e.event {
            case .key(_, let down): kind = down ? .keyDown : .keyUp
            case .button(_, let down): kind = down ? .buttonDown : .buttonUp
            }
            return RecordedInputEvent(time: e.time.seconds, kind: kind, name: e.event.input.description)
        }
        taken = events.count
        return new
    }
}
