import ArgumentParser
import Arena
import Autopilot
import Desktop
import Foundation
import Imaging
import Recording
import TensorKit

/// Track seeds written as `1-6` or `1,4,9`.
func parseTrackList(_ text: String) throws -> [UInt64] {
    var out: [UInt64] = []
    for part in text.split(separator: ",") {
        let r = part.split(separator: "-").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        if r.count == 1 {
            out.append(r[0])
        } else if r.count == 2, r[0] <= r[1], r[1] - r[0] < 1000 {
            out += Array(r[0]...r[1])
        } else {
            throw ValidationError("'\(part)' is not a track seed or a range A-B")
        }
    }
    guard !out.isEmpty else { throw ValidationError("no tracks in '\(text)'") }
    return out
}

struct DriveBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Driving quality of the default policy on unseen tracks against the expert, and play speed.",
        discussion: """
            1. Records the expert on the training tracks (the arena's simulation and
               renderer in simulated time: frames exactly as the window shows them; a
               person's reaction delay and slips), --record-seconds each, into --out.
               Every --perturb-every s on average a disturbance drives the car for a
               moment (coast, brake to a stop, swerve) while the frames keep the
               expert's keys as labels, so the data show how to start and recover.
            2. Trains the default policy on them (validation: the first training track);
               with --dagger N, N rounds in which the policy drives the training tracks,
               the expert takes over where it strays, and the policy is trained again
               with those corrections.
            3. Drives each test track (never trained on) for --seconds with the policy
               and, on the same track, with the expert: progress in laps, off-track
               time, crashes.
            4. With --play-seconds, plays the first test track on a private X display
               through real capture and XTest keys: step time and late frames.
            Writes <out>/drive-bench.md and prints it.

            Example:
              pixelpilot drive bench --train-tracks 1-8 --test-tracks 101-105 --dagger 2
            """)

    @Option(name: .shortAndLong, help: "Folder for recordings, model and report.") var out = "bench-drive"
    @Option(help: "Training tracks, by random seed (e.g. 1-8).", transform: parseTrackList) var trainTracks: [UInt64] =
        Array(
            1...8)
    @Option(help: "Test tracks, by random seed, never trained on.", transform: parseTrackList) var testTracks:
        [UInt64] = Array(
            101...105)
    @Option(parsing: .unconditional, help: "Seconds of expert driving recorded per training track.") var recordSeconds =
        60.0
    @Option(parsing: .unconditional, help: "Seconds each test drive lasts.") var seconds = 60.0
    @Option(
        parsing: .unconditional,
        help:
            "Mean seconds between disturbances of the expert's recorded drives (coast, brake to a stop, swerve; labels stay the expert's keys; 0: none)."
    )
    var perturbEvery = 1.0
    @Option(help: "The arena window's size WxH.") var size = ScreenSize(width: 640, height: 480)
    @Option(parsing: .unconditional, help: "Scale of the tracks.") var trackSize = 1.0
    @Option(parsing: .unconditional, help: "Frames per second of recording and play.") var fps = 10.0
    @Option(help: "Policy input size WxH.") var frameSize = ScreenSize(width: 64, height: 48)
    @Option(parsing: .unconditional, help: "Frames per example.") var framesPerExample = 10
    @Option(help: "Encoder channels.") var channels = "16,32,32,32"
    @Option(parsing: .unconditional, help: "Features per frame.") var features = 64
    @Option(parsing: .unconditional, help: "LSTM size.") var hidden = 32
    @Option(parsing: .unconditional, help: "Epochs.") var epochs = 15
    @Option(parsing: .unconditional, help: "Early-stopping patience (0: none).") var patience = 3
    @Option(help: "rmsprop or adam.") var optimizer = PolicyOptimizer.adam
    @Option(parsing: .unconditional, help: "Learning rate.") var learningRate: Float = 0.001
    @Flag(help: "Add mirrored windows.") var flip = false
    @Option(
        parsing: .unconditional,
        help: "Random seed of the policy's initial weights and batch order (repeat with others to see the spread).")
    var seed: UInt64 = 0
    @Option(
        parsing: .unconditional,
        help:
            "Rounds of expert corrections (DAgger): the policy drives the training tracks, the expert takes over where it errs, and the stretches are trained on."
    )
    var dagger = 0
    @Option(parsing: .unconditional, help: "Seconds of real play on a private X display (0: none).") var playSeconds =
        0.0
    @Flag(help: "Reuse recordings already in --out.") var reuse = false
    @Option(parsing: .unconditional, help: "Print the first N frames of the first test drive (probabilities and keys).")
    var trace = 0
    @Flag(help: "Skip training: drive with the model already in --out.") var noTrain = false
    @Option(
        help:
            "Key thresholds while driving: a probability (0.5, as `play` uses by default), KEY=P pairs, or calibrated (the model's, best F1 on validation windows)."
    )
    var threshold = "0.5"

    func validate() throws {
        guard recordSeconds > 1, seconds > 1, fps > 0, framesPerExample > 0, epochs > 0 else {
            throw ValidationError(
                "--record-seconds, --seconds, --fps, --frames-per-example and --epochs must be positive")
        }
        guard Set(trainTracks).isDisjoint(with: testTracks) else {
            throw ValidationError("a test track is also a training track")
        }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let (w, h) = (size.width, size.height)
        let (fw, fh) = (frameSize.width, frameSize.height)
        var files: [RecordingFile] = []
        var names: [String] = []
        let started = Date()
        print(
            "1. Recording the expert on \(trainTracks.count) training tracks, \(Int(recordSeconds)) s each (\(w)x\(h) at \(PixelPilot.formatRate(fps)) fps)"
        )
        for t in trainTracks {
            let url = dir.appendingPathComponent("expert-track\(t).ppr")
            if !(reuse && FileManager.default.fileExists(atPath: url.path)) {
                try? FileManager.default.removeItem(at: url)
                let o = try SimulatedRacer.recordExpert(
                    track: RacerTrack(seed: t, size: trackSize), seconds: recordSeconds, fps: fps, width: w, height: h,
                    human: HumanLikeKeys(seed: t),
                    perturbation: ExpertPerturbation(interval: perturbEvery, seed: t), to: url)
                print(
                    String(
                        format: "   track %llu: %.2f laps, off track %.1f s", t, o.metrics.progress,
                        o.metrics.offTrackTime))
            }
            files.append(try RecordingFile(url: url))
            names.append(url.path)
        }
        print(String(format: "   %.0f s", Date().timeIntervalSince(started)))
        var options = PolicyTrainingOptions()
        options.epochs = epochs
        options.patience = patience > 0 ? patience : nil
        options.optimizer = optimizer
        options.learningRate = learningRate
        options.seed = seed
        options.flip = flip
        options.validation = 1 / Double(files.count)
        options.test = 0
        options.preprocessing = FramePreprocessing(
            width: fw, height: fh, scale: 1 / 127.5, offset: -1, windowLength: framesPerExample)
        options.network = SmallPolicy.Configuration(
            channels: channels.split(separator: ",").compactMap { Int($0) }, featureCount: features, hiddenSize: hidden)
        let modelURL = dir.appendingPathComponent("policy.safetensors")
        print("2. Training the default policy")
        let trainStart = Date()
        var result: PolicyTrainingResult
        if noTrain {
            let m = try PolicyModel.read(from: modelURL)
            result = PolicyTrainingResult(
                model: m, history: History(), parts: [:], windowCounts: [:], balance: [:], correctionWindows: 0)
        } else {
            result = try PolicyReporter.train(
                recordings: files, corrections: [], options: options, output: modelURL, names: names)
        }
        var trainSeconds = Date().timeIntervalSince(trainStart)
        var corrections: [RecordingFile] = []
        for round in 0..<dagger {
            print("   DAgger round \(round + 1): the policy drives the training tracks, the expert corrects")
            for t in trainTracks {
                let url = dir.appendingPathComponent("corrections-r\(round + 1)-track\(t).ppr")
                try? FileManager.default.removeItem(at: url)
                let o = try SimulatedRacer.recordCorrections(
                    result.model, track: RacerTrack(seed: t, size: trackSize), seconds: recordSeconds,
                    human: HumanLikeKeys(seed: t &+ 1000), to: url)
                print(String(format: "   track %llu: policy drove %.0f %% of the frames", t, 100 * o.policyShare))
                corrections.append(try RecordingFile(url: url))
            }
            let s = Date()
            result = try PolicyReporter.train(
                recordings: files, corrections: corrections, options: options, output: modelURL, names: names)
            trainSeconds += Date().timeIntervalSince(s)
        }
        let model = result.model
        let thresholds = try Play.thresholds(
            threshold, keys: model.metadata.keyNames, calibrated: model.metadata.calibratedThresholds)
        print("3. Driving \(testTracks.count) unseen tracks for \(Int(seconds)) s each")
        var rows: [(UInt64, SimulatedRacer.Outcome, SimulatedRacer.Outcome)] = []
        for t in testTracks {
            let track = RacerTrack(seed: t, size: trackSize)
            let expert = SimulatedRacer.driveExpert(track: track, seconds: seconds, human: HumanLikeKeys(seed: t))
            let policy = SimulatedRacer.drivePolicy(model, track: track, seconds: seconds, thresholds: thresholds) {
                frame, _, p, keys in
                if t == testTracks[0] && frame < trace {
                    print(
                        "   frame \(frame): " + p.map { String(format: "%.2f", $0) }.joined(separator: " ")
                            + " -> \(keys)")
                }
            }
            rows.append((t, expert, policy))
            print(
                String(
                    format:
                        "   track %llu: expert %.3f laps (off %.1f s), policy %.3f laps (off %.1f s, %d crashes): %.1f %%",
                    t,
                    expert.metrics.progress, expert.metrics.offTrackTime, policy.metrics.progress,
                    policy.metrics.offTrackTime, policy.metrics.crashes,
                    100 * policy.metrics.progress / expert.metrics.progress))
        }
        let ratio = rows.map { $0.2.metrics.progress }.reduce(0, +) / rows.map { $0.1.metrics.progress }.reduce(0, +)
        var report = "# Driving benchmark (`pixelpilot drive bench`)\n\n"
        report +=
            "Training: \(trainTracks.count) tracks (\(trainTracks.map(String.init).joined(separator: ","))) x \(Int(recordSeconds)) s of expert driving at \(PixelPilot.formatRate(fps)) fps, \(w)x\(h); "
        report +=
            "\(result.history.epochs.count) epochs in \(String(format: "%.0f", trainSeconds)) s; network \(fw)x\(fh), frames per example \(framesPerExample), channels \(channels), features \(features), LSTM \(hidden) (\(model.network.parameterCount) parameters), random seed \(seed)"
        report +=
            "; thresholds "
            + zip(model.metadata.keyNames, thresholds).map { "\($0.0)=\(String(format: "%.2f", $0.1))" }.joined(
                separator: ",")
        report += dagger > 0 ? "; \(dagger) DAgger round(s) of expert corrections.\n\n" : ".\n\n"
        report +=
            "| test track | expert laps in \(Int(seconds)) s | policy laps | policy / expert | policy off track | crashes |\n|---|---|---|---|---|---|\n"
        for (t, e, p) in rows {
            report += String(
                format: "| %llu | %.3f | %.3f | %.1f %% | %.1f s | %d |\n", t, e.metrics.progress, p.metrics.progress,
                100 * p.metrics.progress / e.metrics.progress, p.metrics.offTrackTime, p.metrics.crashes)
        }
        report += String(
            format: "| **all** | %.3f | %.3f | **%.1f %%** | %.1f s | %d |\n",
            rows.map { $0.1.metrics.progress }.reduce(0, +),
            rows.map { $0.2.metrics.progress }.reduce(0, +), 100 * ratio,
            rows.map { $0.2.metrics.offTrackTime }.reduce(0, +),
            rows.map { $0.2.metrics.crashes }.reduce(0, +))
        if playSeconds > 0 {
            print(
                "4. Playing track \(testTracks[0]) on a private X display for \(Int(playSeconds)) s (real capture and keys)"
            )
            report += try realPlay(model: model, track: testTracks[0], width: w, height: h, thresholds: thresholds)
        }
        try report.write(to: dir.appendingPathComponent("drive-bench.md"), atomically: true, encoding: .utf8)
        print("\n" + report)
    }

    /// Plays one track in the arena window through capture and XTest; the step times and late frames.
    func realPlay(model: PolicyModel, track: UInt64, width: Int, height: Int, thresholds: [Float]) throws -> String {
        let display = try VirtualDisplay(width: width + 100, height: height + 100)
        defer { display.stop() }
        var options = RacerArenaOptions()
        options.trackSeed = track
        options.trackSize = trackSize
        options.width = width
        options.height = height
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
        settings.seconds = playSeconds
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
            "\nReal play on a private Xvfb (track \(track), \(Int(playSeconds)) s at \(PixelPilot.formatRate(model.metadata.fps)) fps, capture + policy step + keys through XTest): "
        s += String(
            format:
                "%d frames, **%d late**, step (capture to keys sent) median %.2f ms, 99th percentile %.2f ms, max %.2f ms; progress %.3f laps, off track %.1f s, %d crashes (stopped: %@).\n",
            summary.frames, summary.lateFrames, median * 1000, p99 * 1000, summary.maxLatency * 1000, metrics.progress,
            metrics.offTrackTime, metrics.crashes, summary.stop.description)
        return s
    }
}
