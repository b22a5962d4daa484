import Arena
import Autopilot
import Desktop
import Foundation
import Imaging
import Recording
import TensorKit
import TrainingReports

/// The autopilot end to end (`demo autopilot`): the expert drives the racer arena through real
/// XTest keys while the recorder captures the window, more disturbed drives are recorded in
/// simulated time, the default policy trains on them, then drives unseen tracks through real
/// capture and keys; the summary and a strip of what the policy saw are written to the folder.
public struct AutopilotDemo {
    /// What to record, train and drive.
    public struct Configuration: Sendable {
        /// Folder for recordings, model, pictures and summary.
        public var directory: URL
        public var trainTracks: [UInt64] = [1, 2, 3]
        /// Seconds the expert is recorded live on each training track.
        public var recordSeconds = 30.0
        /// Tracks on which the expert's disturbed drives are recorded in simulated time.
        public var disturbedTracks: [UInt64] = Array(4...10)
        public var disturbedSeconds = 60.0
        /// Mean seconds between disturbances of those drives (0: none).
        public var perturbEvery = 1.0
        /// Unseen tracks the policy drives.
        public var testTracks: [UInt64] = [101, 102]
        /// Seconds the policy drives each unseen track.
        public var seconds = 30.0
        public var epochs = 10
        /// A model to drive with instead of recording and training.
        public var model: URL?
        /// Drive with the thresholds calibrated on the validation recording instead of 0.5.
        public var calibratedThresholds = false

        public init(directory: URL) { self.directory = directory }
        public var modelURL: URL { directory.appendingPathComponent("policy.safetensors") }
        public var summaryURL: URL { directory.appendingPathComponent("summary.txt") }
        public var stripURL: URL { directory.appendingPathComponent("strip.png") }

        /// Nil when the configuration can run, else what is wrong.
        public var problem: String? {
            if recordSeconds < 5 || seconds < 2 || epochs <= 0 {
                return "--record-seconds must be at least 5, --seconds at least 2, --epochs positive"
            }
            if !Set(trainTracks + disturbedTracks).isDisjoint(with: testTracks) {
                return "a test track is also a training track: the policy must drive unseen tracks"
            }
            if disturbedSeconds < 5 && !disturbedTracks.isEmpty { return "--disturbed-seconds must be at least 5" }
            if testTracks.isEmpty || (trainTracks.isEmpty && model == nil) { return "no tracks to train or drive on" }
            return nil
        }
    }

    /// One unseen track: the policy's drive through real capture and keys, the expert's in the same game time.
    public struct TrackResult: Sendable {
        public var track: UInt64
        public var policy: RacerMetrics
        public var expert: RacerMetrics
        public var play: PlaySummary
        public var ratio: Double { policy.progress / Swift.max(1e-9, expert.progress) }
    }

    /// What the demo measured.
    public struct Result {
        public var tracks: [TrackResult]
        public var thresholds: [Float]
        /// The policy's progress over the expert's, all unseen tracks together.
        public var ratio: Double
        /// The lines of `summary.txt`.
        public var summary: [String]
    }

    public let configuration: Configuration
    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// Runs the demo on X display `display` (the arena's windows open there).
    /// - Parameters:
    ///   - log: a line of progress for a person.
    ///   - training: the policy training's events.
    public func run(
        display: String, log: (String) -> Void, training: (TrainingEvent) -> Void = { _ in }
    ) throws -> Result {
        let c = configuration
        if let problem = c.problem { throw WorkshopError.invalidValue(problem) }
        try FileManager.default.createDirectory(at: c.directory, withIntermediateDirectories: true)
        let connection = try X11Connection(name: display)
        var options = RacerArenaOptions()
        options.position = (20, 20)
        let policy: PolicyModel
        if let model = c.model {
            policy = try PolicyModel.read(from: model)
            log("1-2. Loaded the policy from \(model.path)")
        } else {
            let (files, names) = try record(display: display, connection: connection, options: options, log: log)
            log("2. Training the default policy")
            var t = PolicyTrainingOptions()
            t.epochs = c.epochs
            t.patience = 3
            t.optimizer = .adam
            t.flip = true
            t.validation = 0
            t.test = 0
            t.validationRecordings = [0]
            log(PolicyTrainingRecipe.headline(recordings: files, corrections: [], options: t))
            let r = try PolicyTrainingRecipe.train(
                recordings: files, options: t, output: c.modelURL, names: names, progress: training)
            log(PolicyTrainingReport.text(r, names: names))
            policy = r.model
        }
        let keys = policy.metadata.keyNames
        // 0.5, as `play` and `drive bench` drive by default: the F1-best thresholds raise Up's
        // (0.7 in one demo run) and the car then hesitates from a standstill.
        let thresholds =
            (c.calibratedThresholds ? policy.metadata.calibratedThresholds : nil)
            ?? [Float](repeating: 0.5, count: keys.count)
        log(
            "3. The policy drives \(c.testTracks.count) unseen tracks for \(Int(c.seconds)) s each (thresholds "
                + KeyThresholds.describe(thresholds, keys: keys) + ")")
        var strip = PolicyStrip()
        var rows: [TrackResult] = []
        var lines: [String] = []
        for (n, t) in c.testTracks.enumerated() {
            let (row, tiles) = try drive(
                policy, track: t, thresholds: thresholds, display: display, connection: connection,
                options: options, collectStrip: n == 0)
            if let tiles { strip = tiles }
            rows.append(row)
            let line = String(
                format:
                    "track %llu: policy %.3f laps in %.1f s of game time, off track %.1f s, %d crashes; expert %.3f laps in the same time (%.0f %%); %d frames, %d late, step %.1f ms mean, %.1f ms max",
                t, row.policy.progress, row.policy.time, row.policy.offTrackTime, row.policy.crashes,
                row.expert.progress, 100 * row.ratio, row.play.frames, row.play.lateFrames,
                row.play.meanLatency * 1000, row.play.maxLatency * 1000)
            log("   " + line)
            lines.append(line)
        }
        let policyTotal = rows.reduce(0.0) { $0 + $1.policy.progress }
        let expertTotal = rows.reduce(0.0) { $0 + $1.expert.progress }
        let ratio = policyTotal / Swift.max(1e-9, expertTotal)
        let total = String(
            format: "all unseen tracks: policy %.3f laps, expert %.3f laps: %.0f %% of the expert's progress",
            policyTotal, expertTotal, 100 * ratio)
        log("   " + total)
        lines.append(total)
        lines.append(
            "(the policy drove through real screen capture and XTest keys; the expert's reference drive is the same track and game time in the arena's simulation)"
        )
        try (lines.joined(separator: "\n") + "\n").write(to: c.summaryURL, atomically: true, encoding: .utf8)
        try PNG.write(strip.render(), path: c.stripURL.path)
        log("4. Wrote \(c.summaryURL.path) and \(c.stripURL.lastPathComponent)")
        return Result(tracks: rows, thresholds: thresholds, ratio: ratio, summary: lines)
    }

    /// Stage 1: the expert's live drives (recorded through capture) and its disturbed simulated drives.
    private func record(
        display: String, connection: X11Connection, options base: RacerArenaOptions, log: (String) -> Void
    ) throws -> ([RecordingFile], [String]) {
        let c = configuration
        var options = base
        let rect = ScreenRect(x: 20, y: 20, width: options.width, height: options.height)
        log("1. The expert drives \(c.trainTracks.count) tracks for \(Int(c.recordSeconds)) s each, recorded at 10 fps")
        var files: [RecordingFile] = []
        var names: [String] = []
        for t in c.trainTracks {
            let url = c.directory.appendingPathComponent("expert-track\(t).ppr")
            try? FileManager.default.removeItem(at: url)
            options.trackSeed = t
            let arena = try RacerArena(display: display, options: options)
            arena.window.focus()
            arena.start()
            let agent = try InputAgent.x11(
                connection: connection, target: arena.window.window, timing: .pauses(0, maxActionsPerSecond: 200))
            let loop = ExpertLoop(device: agent.device, track: arena.track, human: HumanLikeKeys(seed: t)) {
                arena.snapshot()
            }
            let seconds = c.recordSeconds
            let driving = Thread { loop.run(seconds: seconds + 5) }
            driving.start()
            let input = try X11InputRecorder(displayName: display)
            var settings = RecorderSettings(region: rect)
            settings.fps = 10
            settings.seconds = c.recordSeconds
            settings.stopKey = nil
            settings.source = "window Rally"
            let summary = try ScreenRecorder(
                connection: try X11Connection(name: display), input: input, settings: settings
            ).record(to: url)
            loop.stop()
            while driving.isExecuting { usleep(5_000) }
            agent.stop()
            input.stop()
            let m = arena.snapshot().simulation.metrics
            arena.close()
            log(
                String(
                    format: "   track %llu: %d frames (%d late), expert %.2f laps, off track %.1f s", t,
                    summary.frames, summary.lateFrames, m.progress, m.offTrackTime))
            files.append(try RecordingFile(url: url))
            names.append(url.path)
        }
        if !c.disturbedTracks.isEmpty {
            log(
                "   and on \(c.disturbedTracks.count) more tracks for \(Int(c.disturbedSeconds)) s each in simulated time, disturbed every \(rateText(c.perturbEvery)) s"
            )
        }
        for t in c.disturbedTracks {
            let url = c.directory.appendingPathComponent("expert-disturbed-track\(t).ppr")
            log(
                try DisturbedExpert.record(
                    track: t, seconds: c.disturbedSeconds, fps: 10, width: options.width, height: options.height,
                    perturbEvery: c.perturbEvery, to: url, label: " (disturbed)"
                ).1)
            files.append(try RecordingFile(url: url))
            names.append(url.path)
        }
        return (files, names)
    }

    /// Stage 3: the policy drives track `t` in a real arena window; the expert's drive for the same game time.
    private func drive(
        _ policy: PolicyModel, track t: UInt64, thresholds: [Float], display: String, connection: X11Connection,
        options base: RacerArenaOptions, collectStrip: Bool
    ) throws -> (TrackResult, PolicyStrip?) {
        let c = configuration
        var options = base
        options.trackSeed = t
        let rect = ScreenRect(x: 20, y: 20, width: options.width, height: options.height)
        let arena = try RacerArena(display: display, options: options)
        arena.window.focus()
        arena.start()
        let agent = try InputAgent.x11(
            connection: connection, target: arena.window.window, timing: .pauses(0, maxActionsPerSecond: 200))
        var m = policy
        m.metadata.regionX = rect.x
        m.metadata.regionY = rect.y
        var settings = PlaySettings(region: rect, fps: policy.metadata.fps, thresholds: thresholds)
        settings.seconds = c.seconds
        let player = try PolicyPlayer(
            model: m, source: X11ScreenSource(connection: connection), device: agent.device,
            windows: X11WindowSystem(connection: connection), target: arena.window.window, settings: settings)
        let keys = policy.metadata.keyNames
        let fps = m.metadata.fps
        var strip = PolicyStrip()
        let summary = try player.run { step in
            if collectStrip && step.frame % 15 == 5 && strip.tiles.count < 8 {
                strip.add(
                    step.image, label: String(format: "#%d  %.1fS", step.frame, Double(step.frame) / fps),
                    keys: keys, probabilities: step.probabilities, held: keys.map { step.held.contains($0) })
            }
        }
        agent.stop()
        let metrics = arena.snapshot().simulation.metrics
        arena.close()
        let expert = SimulatedRacer.driveExpert(
            track: RacerTrack(seed: t), seconds: metrics.time, human: HumanLikeKeys(seed: t)
        ).metrics
        return (TrackResult(track: t, policy: metrics, expert: expert, play: summary), collectStrip ? strip : nil)
    }
}
