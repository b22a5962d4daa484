import Arena
import Autopilot
import Desktop
import Foundation
import Recording
import TensorKit
import TrainingReports

/// The driving benchmark (`drive bench`): the expert recorded on training tracks in simulated time,
/// the default policy trained on them (optionally with DAgger rounds of expert corrections), then both
/// driving unseen tracks; optionally real play through capture and XTest on a private X display.
public struct DriveBenchmark {
    /// What to record, train and drive.
    public struct Configuration: Sendable {
        /// Folder for recordings, model and report.
        public var directory: URL
        public var trainTracks: [UInt64] = Array(1...8)
        public var testTracks: [UInt64] = Array(101...105)
        /// Seconds of expert driving recorded per training track.
        public var recordSeconds = 60.0
        /// Seconds each test drive lasts.
        public var seconds = 60.0
        /// Mean seconds between disturbances of the expert's recorded drives (0: none).
        public var perturbEvery = 1.0
        /// The arena window's size.
        public var width = 640
        public var height = 480
        public var trackSize = 1.0
        public var fps = 10.0
        /// The policy's input frame size and frames per example.
        public var frameWidth = 64
        public var frameHeight = 48
        public var framesPerExample = 10
        public var channels = [16, 32, 32, 32]
        public var features = 64
        public var hidden = 32
        public var epochs = 15
        /// Early-stopping patience (nil: none).
        public var patience: Int? = 3
        public var optimizer = PolicyOptimizer.adam
        public var learningRate: Float = 0.001
        public var flip = false
        /// Random seed of the initial weights and batch order.
        public var seed: UInt64 = 0
        /// Rounds of expert corrections (DAgger).
        public var dagger = 0
        /// Seconds of real play on a private X display (0: none).
        public var playSeconds = 0.0
        /// Reuse recordings already in the folder.
        public var reuse = false
        /// Report the first N frames of the first test drive through `trace`.
        public var trace = 0
        /// Skip training: drive with the model already in the folder.
        public var noTrain = false
        /// Key thresholds, as `play --threshold` reads them.
        public var threshold = "0.5"

        public init(directory: URL) { self.directory = directory }

        /// The recordings' file for training track `t`.
        public func expertRecording(track t: UInt64) -> URL {
            directory.appendingPathComponent("expert-track\(t).ppr")
        }
        public var modelURL: URL { directory.appendingPathComponent("policy.safetensors") }
        public var reportURL: URL { directory.appendingPathComponent("drive-bench.md") }
    }

    /// One unseen track driven by the expert and by the policy for the same time.
    public struct TrackResult: Sendable {
        public var track: UInt64
        public var expert: RacerMetrics
        public var policy: RacerMetrics
        /// The policy's progress over the expert's.
        public var ratio: Double { policy.progress / Swift.max(1e-9, expert.progress) }
    }

    /// What the benchmark measured.
    public struct Report {
        public var tracks: [TrackResult]
        public var model: PolicyModel
        public var thresholds: [Float]
        /// The policy's progress over the expert's, all test tracks together.
        public var ratio: Double
        /// The report as `drive-bench.md` holds it.
        public var markdown: String
    }

    public let configuration: Configuration
    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// Runs every stage and writes `drive-bench.md`.
    /// - Parameters:
    ///   - log: a line of progress for a person (stages, per-track results).
    ///   - training: the policy training's events.
    ///   - trace: the first `trace` frames of the first test drive (frame, probabilities, keys held).
    public func run(
        log: (String) -> Void, training: (TrainingEvent) -> Void = { _ in },
        trace: @escaping (Int, [Float], RacerControls) -> Void = { _, _, _ in }
    ) throws -> Report {
        let c = configuration
        guard c.recordSeconds > 1, c.seconds > 1, c.fps > 0, c.framesPerExample > 0, c.epochs > 0 else {
            throw WorkshopError.invalidValue(
                "--record-seconds, --seconds, --fps, --frames-per-example and --epochs must be positive")
        }
        guard Set(c.trainTracks).isDisjoint(with: c.testTracks), !c.trainTracks.isEmpty, !c.testTracks.isEmpty
        else { throw WorkshopError.invalidValue("the training and test tracks must be given and must differ") }
        try FileManager.default.createDirectory(at: c.directory, withIntermediateDirectories: true)
        let (files, names) = try recordExpert(log: log)
        let (result, trainSeconds) = try trainPolicy(files: files, names: names, log: log, training: training)
        let model = result.model
        let thresholds = try KeyThresholds.parse(
            c.threshold, keys: model.metadata.keyNames, calibrated: model.metadata.calibratedThresholds)
        log("3. Driving \(c.testTracks.count) unseen tracks for \(Int(c.seconds)) s each")
        var rows: [TrackResult] = []
        for t in c.testTracks {
            let track = RacerTrack(seed: t, size: c.trackSize)
            let expert = SimulatedRacer.driveExpert(track: track, seconds: c.seconds, human: HumanLikeKeys(seed: t))
            let policy = SimulatedRacer.drivePolicy(model, track: track, seconds: c.seconds, thresholds: thresholds) {
                frame, _, p, keys in
                if t == c.testTracks[0] && frame < c.trace { trace(frame, p, keys) }
            }
            let row = TrackResult(track: t, expert: expert.metrics, policy: policy.metrics)
            rows.append(row)
            log(
                String(
                    format:
                        "   track %llu: expert %.3f laps (off %.1f s), policy %.3f laps (off %.1f s, %d crashes): %.1f %%",
                    t, row.expert.progress, row.expert.offTrackTime, row.policy.progress, row.policy.offTrackTime,
                    row.policy.crashes, 100 * row.ratio))
        }
        let ratio = rows.map(\.policy.progress).reduce(0, +) / rows.map(\.expert.progress).reduce(0, +)
        var report = markdown(
            rows: rows, ratio: ratio, model: model, thresholds: thresholds, epochs: result.history.epochs.count,
            trainSeconds: trainSeconds)
        if c.playSeconds > 0 {
            log(
                "4. Playing track \(c.testTracks[0]) on a private X display for \(Int(c.playSeconds)) s (real capture and keys)"
            )
            report += try realPlay(model: model, track: c.testTracks[0], thresholds: thresholds)
        }
        try report.write(to: c.reportURL, atomically: true, encoding: .utf8)
        return Report(tracks: rows, model: model, thresholds: thresholds, ratio: ratio, markdown: report)
    }

    /// Stage 1: the expert's disturbed drives on the training tracks, in simulated time.
    private func recordExpert(log: (String) -> Void) throws -> ([RecordingFile], [String]) {
        let c = configuration
        log(
            "1. Recording the expert on \(c.trainTracks.count) training tracks, \(Int(c.recordSeconds)) s each (\(c.width)x\(c.height) at \(rateText(c.fps)) fps)"
        )
        let started = Date()
        var files: [RecordingFile] = []
        var names: [String] = []
        for t in c.trainTracks {
            let url = c.expertRecording(track: t)
            if !(c.reuse && FileManager.default.fileExists(atPath: url.path)) {
                log(
                    try DisturbedExpert.record(
                        track: t, trackSize: c.trackSize, seconds: c.recordSeconds, fps: c.fps, width: c.width,
                        height: c.height, perturbEvery: c.perturbEvery, to: url
                    ).1)
            }
            files.append(try RecordingFile(url: url))
            names.append(url.path)
        }
        log(String(format: "   %.0f s", Date().timeIntervalSince(started)))
        return (files, names)
    }

    /// The training options of stage 2 (validation: the first training track).
    public func trainingOptions(recordings: Int) -> PolicyTrainingOptions {
        let c = configuration
        var options = PolicyTrainingOptions()
        options.epochs = c.epochs
        options.patience = c.patience
        options.optimizer = c.optimizer
        options.learningRate = c.learningRate
        options.seed = c.seed
        options.flip = c.flip
        options.validation = 1 / Double(Swift.max(1, recordings))
        options.test = 0
        options.preprocessing = FramePreprocessing(
            width: c.frameWidth, height: c.frameHeight, scale: 1 / 127.5, offset: -1,
            windowLength: c.framesPerExample)
        options.network = SmallPolicy.Configuration(
            channels: c.channels, featureCount: c.features, hiddenSize: c.hidden)
        return options
    }

    /// Stage 2: trains the policy, then the DAgger rounds; the result and the seconds spent training.
    private func trainPolicy(
        files: [RecordingFile], names: [String], log: (String) -> Void, training: (TrainingEvent) -> Void
    ) throws -> (PolicyTrainingResult, Double) {
        let c = configuration
        let options = trainingOptions(recordings: files.count)
        log("2. Training the default policy")
        func train(_ corrections: [RecordingFile]) throws -> PolicyTrainingResult {
            log(PolicyTrainingRecipe.headline(recordings: files, corrections: corrections, options: options))
            let r = try PolicyTrainingRecipe.train(
                recordings: files, corrections: corrections, options: options, output: c.modelURL, names: names,
                progress: training)
            log(PolicyTrainingReport.text(r, names: names))
            return r
        }
        let trainStart = Date()
        var result: PolicyTrainingResult
        if c.noTrain {
            let m = try PolicyModel.read(from: c.modelURL)
            result = PolicyTrainingResult(
                model: m, history: History(), parts: [:], windowCounts: [:], balance: [:], correctionWindows: 0)
        } else {
            result = try train([])
        }
        var trainSeconds = Date().timeIntervalSince(trainStart)
        var corrections: [RecordingFile] = []
        for round in 0..<c.dagger {
            log("   DAgger round \(round + 1): the policy drives the training tracks, the expert corrects")
            for t in c.trainTracks {
                let url = c.directory.appendingPathComponent("corrections-r\(round + 1)-track\(t).ppr")
                try? FileManager.default.removeItem(at: url)
                let o = try SimulatedRacer.recordCorrections(
                    result.model, track: RacerTrack(seed: t, size: c.trackSize), seconds: c.recordSeconds,
                    human: HumanLikeKeys(seed: t &+ 1000), to: url)
                log(String(format: "   track %llu: policy drove %.0f %% of the frames", t, 100 * o.policyShare))
                corrections.append(try RecordingFile(url: url))
            }
            let s = Date()
            result = try train(corrections)
            trainSeconds += Date().timeIntervalSince(s)
        }
        return (result, trainSeconds)
    }

    private func markdown(
        rows: [TrackResult], ratio: Double, model: PolicyModel, thresholds: [Float], epochs: Int, trainSeconds: Double
    ) -> String {
        let c = configuration
        var report = "# Driving benchmark (`pixelpilot drive bench`)\n\n"
        report +=
            "Training: \(c.trainTracks.count) tracks (\(c.trainTracks.map(String.init).joined(separator: ","))) x \(Int(c.recordSeconds)) s of expert driving at \(rateText(c.fps)) fps, \(c.width)x\(c.height); "
        report +=
            "\(epochs) epochs in \(String(format: "%.0f", trainSeconds)) s; network \(c.frameWidth)x\(c.frameHeight), frames per example \(c.framesPerExample), channels \(c.channels.map(String.init).joined(separator: ",")), features \(c.features), LSTM \(c.hidden) (\(model.network.parameterCount) parameters), random seed \(c.seed)"
        report += "; thresholds " + KeyThresholds.describe(thresholds, keys: model.metadata.keyNames)
        report += c.dagger > 0 ? "; \(c.dagger) DAgger round(s) of expert corrections.\n\n" : ".\n\n"
        report +=
            "| test track | expert laps in \(Int(c.seconds)) s | policy laps | policy / expert | policy off track | crashes |\n|---|---|---|---|---|---|\n"
        for r in rows {
            report += String(
                format: "| %llu | %.3f | %.3f | %.1f %% | %.1f s | %d |\n", r.track, r.expert.progress,
                r.policy.progress, 100 * r.ratio, r.policy.offTrackTime, r.policy.crashes)
        }
        report += String(
            format: "| **all** | %.3f | %.3f | **%.1f %%** | %.1f s | %d |\n",
            rows.map(\.expert.progress).reduce(0, +), rows.map(\.policy.progress).reduce(0, +), 100 * ratio,
            rows.map(\.policy.offTrackTime).reduce(0, +), rows.map(\.policy.crashes).reduce(0, +))
        return report
    }

    /// Plays one track in the arena window through capture and XTest; the step times and late frames.
    private func realPlay(model: PolicyModel, track: UInt64, thresholds: [Float]) throws -> String {
        let c = configuration
        let display = try VirtualDisplay(width: c.width + 100, height: c.height + 100)
        defer { display.stop() }
        var options = RacerArenaOptions()
        options.trackSeed = track
        options.trackSize = c.trackSize
        options.width = c.width
        options.height = c.height
        options.position = (20, 20)
        let arena = try RacerArena(display: display.name, options: options)
        defer { arena.close() }
        arena.window.focus()
        arena.start()
        let connection = try X11Connection(name: display.name)
        let agent = try InputAgent.x11(
            connection: connection, target: arena.window.window, timing: .pauses(0, maxActionsPerSecond: 200))
        defer { agent.stop() }
        var m = model
        m.metadata.regionX = 20
        m.metadata.regionY = 20
        var settings = PlaySettings(region: arena.window.rect, fps: model.metadata.fps, thresholds: thresholds)
        settings.seconds = c.playSeconds
        let player = try PolicyPlayer(
            model: m, source: X11ScreenSource(connection: connection), device: agent.device,
            windows: X11WindowSystem(connection: connection), target: arena.window.window, settings: settings)
        var latencies: [Double] = []
        let summary = try player.run { latencies.append($0.latency) }
        let metrics = arena.snapshot().simulation.metrics
        latencies.sort()
        let median = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
        let p99 = latencies.isEmpty ? 0 : latencies[Swift.min(latencies.count - 1, latencies.count * 99 / 100)]
        var s =
            "\nReal play on a private Xvfb (track \(track), \(Int(c.playSeconds)) s at \(rateText(model.metadata.fps)) fps, capture + policy step + keys through XTest): "
        s += String(
            format:
                "%d frames, **%d late**, step (capture to keys sent) median %.2f ms, 99th percentile %.2f ms, max %.2f ms; progress %.3f laps, off track %.1f s, %d crashes (stopped: %@).\n",
            summary.frames, summary.lateFrames, median * 1000, p99 * 1000, summary.maxLatency * 1000, metrics.progress,
            metrics.offTrackTime, metrics.crashes, summary.stop.description)
        return s
    }
}
