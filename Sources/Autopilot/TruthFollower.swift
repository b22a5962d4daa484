import Arena
import Foundation

/// Follows a racer arena's truth file as it grows (`pixelpilot arena racer --truth-out FILE` in
/// another process) and gives the latest frame's state as a ``RacerSnapshot``, so the expert can
/// drive an arena it does not own. The state is as old as the last drawn frame (at 30 frames/s,
/// up to 33 ms).
public final class TruthFollower: @unchecked Sendable {
    public let url: URL
    public let track: RacerTrack
    public let stepsPerSecond: Double
    private let handle: FileHandle
    private var pending = Data()
    private var latest: RacerSnapshot?
    private let lock = NSLock()

    /// Opens `url` and reads its header (waiting up to `timeout` seconds for it to appear).
    public init(url: URL, timeout: Double = 5) throws {
        self.url = url
        let deadline = Date().addingTimeInterval(timeout)
        var header: [String: Any]?
        var handle: FileHandle?
        var buffer = Data()
        while Date() < deadline && header == nil {
            if handle == nil { handle = try? FileHandle(forReadingFrom: url) }
            if let h = handle, let more = try? h.readToEnd(), !more.isEmpty { buffer.append(more) }
            if let nl = buffer.firstIndex(of: 0x0A) {
                header = (try? JSONSerialization.jsonObject(with: buffer[buffer.startIndex..<nl])) as? [String: Any]
                buffer = Data(buffer[(nl + 1)...])
                if header == nil { break }
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        guard let handle else {
            throw ArenaError.file(
                path: url.path, reason: "no such truth file (start `pixelpilot arena racer --truth-out` first)")
        }
        guard let header, header["format"] as? String == "pixelpilot-racer-truth",
            let seed = (header["track_seed"] as? NSNumber)?.uint64Value, let sps = header["steps_per_second"] as? Double
        else {
            throw ArenaError.file(path: url.path, reason: "not a racer truth file (no pixelpilot-racer-truth header)")
        }
        self.handle = handle
        track = RacerTrack(seed: seed, size: header["track_size"] as? Double ?? 1)
        stepsPerSecond = sps
        pending = buffer
    }

    /// The latest frame's state (nil until the first frame line).
    public func snapshot() -> RacerSnapshot? {
        lock.lock()
        defer { lock.unlock() }
        if let more = try? handle.readToEnd(), !more.isEmpty { pending.append(more) }
        // Only complete lines; the last frame line wins.
        guard let lastNewline = pending.lastIndex(of: 0x0A) else { return latest }
        let complete = pending[pending.startIndex..<lastNewline]
        pending = Data(pending[(lastNewline + 1)...])
        for line in complete.split(separator: 0x0A).reversed() {
            guard let o = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any],
                o["type"] as? String == "frame",
                let x = o["x"] as? Double, let y = o["y"] as? Double, let heading = o["heading"] as? Double,
                let speed = o["speed"] as? Double, let slip = o["slip"] as? Double,
                let steering = o["steering"] as? Double,
                let time = o["sim_time"] as? Double, let progress = o["progress"] as? Double,
                let frame = o["frame"] as? Int
            else { continue }
            let forward = SIMD2(cos(heading), sin(heading))
            let normal = SIMD2(-sin(heading), cos(heading))
            let car = RacerCarState(
                position: SIMD2(x, y), heading: heading,
                velocity: forward * (speed * cos(slip)) + normal * (speed * sin(slip)), steering: steering)
            let sim = RacerSimulation(
                track: track, stepsPerSecond: stepsPerSecond, car: car, time: time, progress: progress,
                crashes: o["crashes"] as? Int ?? 0, offTrackTime: o["off_track_time"] as? Double ?? 0)
            latest = RacerSnapshot(simulation: sim, keys: Set(o["keys"] as? [String] ?? []), frames: frame)
            break
        }
        return latest
    }
}
