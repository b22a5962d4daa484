import Desktop
import Foundation
import Imaging
import Recording

/// How a policy plays.
public struct PlaySettings: Sendable {
    /// The screen region fed to the policy.
    public var region: ScreenRect
    /// Frames (and inferences) per second; the model's own rate unless told otherwise.
    public var fps: Double
    /// Per-key probability above which the key is held (the seed's 0.5).
    public var thresholds: [Float]
    public var mode: PolicyStepper.Mode = .cachedFeatures
    /// Ends after this many seconds (nil: until stopped).
    public var seconds: Double?
    /// Check each frame that the target window still exists and has focus.
    public var requireFocus = true
    /// Seconds without a person's key event after which the policy takes the wheel back.
    public var takeoverIdle = 1.0
    public init(region: ScreenRect, fps: Double, thresholds: [Float]) {
        self.region = region
        self.fps = fps
        self.thresholds = thresholds
    }
}

/// One step of play, for a status line or a log.
public struct PlayStep: Sendable {
    public var frame: Int
    public var probabilities: [Float]
    /// Keys pressed and released this step (by the policy).
    public var pressed: [String], released: [String]
    /// Keys the policy holds after the step.
    public var held: [String]
    /// Seconds from the frame's capture to its keys being sent.
    public var latency: Double
    public var lateFrames: Int
    /// True while a person has taken over (the policy sends nothing).
    public var takenOver: Bool
    /// The frame as captured.
    public var image: Image
}

/// Why play ended.
public enum PlayStop: Sendable, Equatable, CustomStringConvertible {
    case timeLimit
    /// ``PolicyPlayer/stop(reason:)`` (a hotkey, the kill switch, a signal).
    case requested(String)
    /// Another window took the focus.
    case focusLost(String)
    /// The target window went away.
    case windowGone(UInt)
    /// An action was refused or failed.
    case inputRefused(String)

    /// True for the stops a user did not ask for (the command exits non-zero).
    public var isFailure: Bool {
        switch self {
        case .timeLimit, .requested: return false
        default: return true
        }
    }

    public var description: String {
        switch self {
        case .timeLimit: return "time limit"
        case .requested(let why): return why
        case .focusLost(let what): return "the target window lost the focus to \(what) (keys released)"
        case .windowGone(let id): return PolicyError.windowGone(id).description
        case .inputRefused(let why): return "input refused: \(why) (keys released)"
        }
    }
}

/// How a drive went.
public struct PlaySummary: Sendable {
    public var stop: PlayStop
    public var frames: Int
    public var lateFrames: Int
    /// Mean and worst step time (capture to keys sent), seconds.
    public var meanLatency: Double, maxLatency: Double
    /// Key presses and releases sent.
    public var keyEvents: Int
    /// Frames during which a person had taken over.
    public var takenOverFrames: Int
    /// Where the corrections went, when recorded.
    public var corrections: URL?
}

/// Drives a game with a policy: captures the region at the model's rate, one inference per
/// frame (``PolicyStepper``), thresholds each key and presses or releases only the keys whose
/// state changes, through an ``InputDevice`` (an ``InputAgent``'s: focus-bound, kill switch,
/// released however it stops). Each frame it checks that the target window still exists and has
/// the focus; if not, it releases every key and stops.
///
/// With a corrections file it also records every frame with the keys held, and watches the
/// keyboard: a key event the policy did not send means a person took over; the policy then
/// sends nothing until the person has been idle for ``PlaySettings/takeoverIdle``. The
/// stretches a person drove are stored in the file's meta (`takeovers`), for `train policy
/// --corrections` (the DAgger idea).
public final class PolicyPlayer: @unchecked Sendable {
    public let model: PolicyModel
    public let settings: PlaySettings
    let source: ScreenSource
    let device: InputDevice
    let windows: WindowSystem?
    let target: UInt?
    let keys: [Key]
    private let lock = NSLock()
    private var stopReason: String?

    public init(
        model: PolicyModel, source: ScreenSource, device: InputDevice, windows: WindowSystem?, target: UInt?,
        settings: PlaySettings
    ) throws {
        self.model = model
        self.settings = settings
        self.source = source
        self.device = device
        self.windows = windows
        self.target = target
        // Recordings and model files store the canonical (X keysym) names.
        keys = model.metadata.keyNames.map { Key(canonicalName: $0) }
        guard settings.thresholds.count == keys.count else {
            throw PolicyError.badData("\(keys.count) keys but \(settings.thresholds.count) thresholds")
        }
        guard settings.fps > 0, settings.fps <= 240 else { throw AutopilotError.badFrameRate(settings.fps) }
        let screen = source.screenRect
        let r = settings.region
        guard r.width > 0, r.height > 0 else { throw AutopilotError.emptyRegion(r) }
        guard r.x >= 0, r.y >= 0, r.x + r.width <= screen.width, r.y + r.height <= screen.height else {
            throw AutopilotError.regionOffScreen(r, screen: screen)
        }
    }

    /// Asks a running ``run(corrections:recorder:onStep:)`` to end (from any thread).
    public func stop(reason: String) {
        lock.withLock { if stopReason == nil { stopReason = reason } }
    }

    private var requestedStop: String? { lock.withLock { stopReason } }

    /// Plays until the time limit, ``stop(reason:)``, a lost focus, a vanished window or a
    /// refused action; releases every key before returning, however it ends.
    ///
    /// - Parameters:
    ///   - corrections: a new recording file for the frames and a person's takeovers (needs `recorder`).
    ///   - recorder: the keyboard as the X server sees it (XInput2), running.
    public func run(
        corrections: URL? = nil, recorder: InputRecorder? = nil, onStep: ((PlayStep) -> Void)? = nil
    ) throws -> PlaySummary {
        defer { device.releaseAll() }
        let stepper = PolicyStepper(network: model.network, mode: settings.mode)
        let stream = FrameStream(source: source, rect: settings.region, fps: settings.fps)
        var writer: RecordingWriter?
        var takeovers: [[Int]] = []
        var own: [(key: Key, down: Bool, time: Double)] = []
        var seenEvents = 0
        var lastHuman = -Double.infinity
        var humanHeld = Set<Key>()
        var takenOver = false
        let start = MonotonicTime.now.seconds
        if let corrections {
            guard let recorder else { throw PolicyError.badData("recording corrections needs the keyboard recorder") }
            let screen = source.screenRect
            let m = model.metadata
            let fp = RecordingFingerprint(
                regionX: settings.region.x, regionY: settings.region.y, width: settings.region.width,
                height: settings.region.height, fps: settings.fps, keys: m.keyNames, screenWidth: screen.width,
                screenHeight: screen.height, pixelPilotVersion: "0.1.0", encoding: .png, source: "play corrections")
            seenEvents = recorder.recorded.events.count
            writer = try RecordingWriter(
                url: corrections, fingerprint: fp, startTime: start,
                label: { t in Set(recorder.recorded.held(at: MonotonicTime(seconds: t)).map(\.description)) },
                events: { [] })
        }
        var held = Set<Int>()
        var frames = 0
        var latencySum = 0.0
        var latencyMax = 0.0
        var keyEvents = 0
        var takenOverFrames = 0
        var stop = PlayStop.timeLimit
        var failure: Error?
        do {
            try stream.run(duration: settings.seconds) { frame in
                if let r = requestedStop {
                    stop = .requested(r)
                    return false
                }
                if settings.requireFocus, let windows, let target {
                    guard (try? windows.window(id: target)) != nil else {
                        stop = .windowGone(target)
                        return false
                    }
                    let active = try? windows.activeWindow()
                    guard active?.id == target else {
                        stop = .focusLost(
                            active.map { "\"\($0.title)\" (0x\(String($0.id, radix: 16)))" } ?? "no window")
                        return false
                    }
                }
                let index = frames
                frames += 1
                try writer?.append(frame.image, slot: index, time: frame.time.seconds)
                var takeoverReleases: [String] = []
                let p = stepper.step(frame.image)
                // A person's key events (not the policy's own) mean a takeover.
                if let recorder {
                    let events = recorder.recorded.events
                    if events.count > seenEvents {
                        for e in events[seenEvents...] {
                            guard case .key(let k, let down) = e.event, keys.contains(k) else { continue }
                            if let i = own.firstIndex(where: {
                                $0.key == k && $0.down == down && abs($0.time - e.time.seconds) < 0.5
                            }) {
                                own.remove(at: i)
                            } else {
                                lastHuman = e.time.seconds
                                if down { humanHeld.insert(k) } else { humanHeld.remove(k) }
                                if !takenOver {
                                    takenOver = true
                                    takeovers.append([index, index])
                                    // The person drives: let go of what the policy held that they do not.
                                    let t = MonotonicTime.now.seconds
                                    for k in keys.indices where held.contains(k) && !humanHeld.contains(keys[k]) {
                                        try? device.release(keys[k])
                                        own.append((keys[k], false, t))
                                        takeoverReleases.append(keys[k].name)
                                        keyEvents += 1
                                    }
                                    held.removeAll()
                                }
                            }
                        }
                        seenEvents = events.count
                        own.removeAll { MonotonicTime.now.seconds - $0.time > 1 }
                    }
                    if takenOver {
                        if MonotonicTime.now.seconds - lastHuman > settings.takeoverIdle && humanHeld.isEmpty {
                            takenOver = false
                        } else {
                            takeovers[takeovers.count - 1][1] = index
                        }
                    }
                }
                var pressed: [String] = []
                var released: [String] = takeoverReleases
                takeoverReleases = []
                if takenOver {
                    takenOverFrames += 1
                } else {
                    let t = MonotonicTime.now.seconds
                    for k in keys.indices where held.contains(k) && p[k] <= settings.thresholds[k] {
                        try device.release(keys[k])
                        held.remove(k)
                        released.append(keys[k].name)
                        own.append((keys[k], false, t))
                        keyEvents += 1
                    }
                    for k in keys.indices where !held.contains(k) && p[k] > settings.thresholds[k] {
                        try device.press(keys[k])
                        held.insert(k)
                        pressed.append(keys[k].name)
                        own.append((keys[k], true, t))
                        keyEvents += 1
                    }
                }
                let latency = MonotonicTime.now.seconds - frame.time.seconds
                latencySum += latency
                latencyMax = Swift.max(latencyMax, latency)
                onStep?(
                    PlayStep(
                        frame: index, probabilities: p, pressed: pressed, released: released,
                        held: keys.indices.filter { held.contains($0) }.map { keys[$0].name }, latency: latency,
                        lateFrames: stream.lateFrames, takenOver: takenOver, image: frame.image))
                return true
            }
        } catch let e as DesktopError {
            if case .refused(_, let why) = e {
                switch why {
                case .killSwitch: stop = .requested("kill switch")
                case .notFocused(_, let focused):
                    if let windows, let target, (try? windows.window(id: target)) == nil {
                        stop = .windowGone(target)
                    } else {
                        stop = .focusLost(
                            focused.map { "\"\($0.title)\" (0x\(String($0.id, radix: 16)))" } ?? "no window")
                    }
                default: stop = .inputRefused("\(e)")
                }
            } else {
                failure = e
            }
        } catch { failure = error }
        device.releaseAll()
        if let r = requestedStop, stop == .timeLimit || stop.isFailure, r == "kill switch" { stop = .requested(r) }
        if let writer {
            let json = String(decoding: (try? JSONEncoder().encode(takeovers)) ?? Data("[]".utf8), as: UTF8.self)
            try writer.finish(
                reason: failure.map { "error: \($0)" } ?? stop.description, lateFrames: stream.lateFrames,
                stopTime: MonotonicTime.now.seconds, extraMeta: ["takeovers": json])
        }
        if let failure { throw failure }
        return PlaySummary(
            stop: stop, frames: frames, lateFrames: stream.lateFrames,
            meanLatency: frames > 0 ? latencySum / Double(frames) : 0, maxLatency: latencyMax, keyEvents: keyEvents,
            takenOverFrames: takenOverFrames, corrections: corrections)
    }
}
