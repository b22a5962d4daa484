import Foundation

/// Writes the racer's true state as JSON lines, one per rendered frame, after a header line.
///
/// Header: `{"type":"header","format":"pixelpilot-racer-truth","version":1,"track_seed":…,
/// "track_size":…,"seed":…,
/// "steps_per_second":…,"fps":…,"width":…,"height":…,"track_length":…,"window":[x,y]}`.
///
/// Each frame: `{"type":"frame","frame":k,"t":…,"step":…,"sim_time":…,"keys":["Up","Left"],
/// "x":…,"y":…,"heading":…,"speed":…,"slip":…,"steering":…,"s":…,"lateral":…,"on_track":true,
/// "progress":…,"laps":…,"lap_fraction":…,"off_track_time":…,"crashes":…}` where `t` is the
/// monotonic time (seconds, the clock of `X11InputRecorder` and `FrameStream`) just after the frame
/// was handed to the X server, `keys` the arrow keys the game saw held in that step, positions in
/// metres, angles in radians, speed in m/s, `s` metres along the centre line, `lateral` metres
/// from it (positive left), `progress` in laps. The renderer is a pure function of the frame's
/// fields, so a frame can be drawn again from its line (``RacerView/init(truthLine:)``).
///
/// Between frames, each key event the window receives: `{"type":"key","t":…,"event":"down",
/// "key":"Up"}` (monotonic receipt time), so the held keys are known at any instant.
public final class RacerTruthWriter {
    public let url: URL
    private let handle: FileHandle
    private let lock = NSLock()

    public init(url: URL, track: RacerTrack, options: RacerArenaOptions) throws {
        self.url = url
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
            let h = try? FileHandle(forWritingTo: url)
        else {
            throw ArenaError.file(
                path: url.path, reason: "cannot create the truth file (is the folder there and writable?)")
        }
        handle = h
        let header: [String: Any] = [
            "type": "header", "format": "pixelpilot-racer-truth", "version": 1,
            "track_seed": options.trackSeed, "track_size": options.trackSize, "seed": options.seed,
            "steps_per_second": options.stepsPerSecond, "fps": options.framesPerSecond,
            "width": options.width, "height": options.height, "track_length": track.length,
            "window": [options.position.x, options.position.y],
        ]
        try writeLine(header)
    }

    private func writeLine(_ object: [String: Any]) throws {
        var data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        data.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        do { try handle.write(contentsOf: data) } catch {
            throw ArenaError.file(path: url.path, reason: "cannot write the truth file (\(error.localizedDescription))")
        }
    }

    /// Appends one frame's line.
    public func write(view: RacerView, simulation s: RacerSimulation, keys: Set<String>, time: Double) throws {
        try writeLine([
            "type": "frame", "frame": view.frame, "t": time, "step": s.steps, "sim_time": s.metrics.time,
            "keys": RacerControls(keys: keys).keys,
            "x": view.x, "y": view.y, "heading": view.heading, "speed": view.speed, "slip": view.slip,
            "steering": view.steering, "s": s.location.s, "lateral": s.location.lateral, "on_track": s.isOnTrack,
            "progress": s.metrics.progress, "laps": s.metrics.laps, "lap_fraction": s.metrics.lapFraction,
            "off_track_time": s.metrics.offTrackTime, "crashes": s.metrics.crashes,
        ])
    }

    /// Appends a key line: the window received `key` going down or up at monotonic `time`.
    public func write(key: String, down: Bool, time: Double) throws {
        try writeLine(["type": "key", "t": time, "event": down ? "down" : "up", "key": key])
    }

    public func close() throws {
        lock.lock()
        defer { lock.unlock() }
        try handle.close()
    }
}

extension RacerView {
    /// The view of a truth file's frame line (nil for the header or a line that is not one).
    public init?(truthLine: Data) {
        guard let o = (try? JSONSerialization.jsonObject(with: truthLine)) as? [String: Any],
            o["type"] as? String == "frame",
            let frame = o["frame"] as? Int, let x = o["x"] as? Double, let y = o["y"] as? Double,
            let heading = o["heading"] as? Double, let slip = o["slip"] as? Double, let speed = o["speed"] as? Double,
            let steering = o["steering"] as? Double, let progress = o["progress"] as? Double,
            let time = o["sim_time"] as? Double, let crashes = o["crashes"] as? Int,
            let onTrack = o["on_track"] as? Bool
        else { return nil }
        self.frame = frame
        self.x = x
        self.y = y
        self.heading = heading
        self.slip = slip
        self.speed = speed
        self.steering = steering
        self.progress = progress
        self.time = time
        self.crashes = crashes
        offTrack = !onTrack
    }
}
