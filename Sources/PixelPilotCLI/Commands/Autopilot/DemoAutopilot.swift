import ArgumentParser
import Arena
import Autopilot
import Desktop
import Foundation
import Imaging
import Recording

struct DemoAutopilot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autopilot",
        abstract: "The autopilot end to end: the expert drives and is recorded, a policy learns, then drives alone.",
        discussion: """
            On a private virtual display (or --display):
              1. opens the racer arena on each training track; the expert drives it through
                 real XTest keys while `record`'s recorder captures the window at 10 fps;
                 then records the expert's disturbed drives on more tracks in simulated
                 time (frames as the window shows them; every --perturb-every s a moment of
                 coasting, a stop or a swerve drives the car while the frames keep the
                 keys the expert wants, so the policy sees how to start and recover: the
                 recipe of `drive bench`, without which the policy does not get going);
              2. trains the default policy on all the recordings (a few minutes on two
                 cores), validating on the first live recording;
              3. lets the policy drive tracks it never saw, through real capture and keys,
                 with thresholds 0.5 (--calibrated-thresholds: the validation recording's);
              4. writes <out>/summary.txt (progress against the expert's on the same tracks
                 and time, off-track time, step time, late frames) and <out>/strip.png
                 (frames the policy saw with the keys it predicted).
            Example: pixelpilot demo autopilot --out demo-autopilot
            """)

    @Option(name: .shortAndLong, help: "Folder for recordings, model, pictures and summary.") var out = "demo-autopilot"
    @Option(help: "Training tracks, by random seed.", transform: parseTrackList) var trainTracks: [UInt64] = [1, 2, 3]
    @Option(parsing: .unconditional, help: "Seconds the expert is recorded on each training track.") var recordSeconds =
        30.0
    @Option(
        help: "Tracks on which the expert's disturbed drives are recorded in simulated time.",
        transform: parseTrackList) var disturbedTracks: [UInt64] = Array(4...10)
    @Option(parsing: .unconditional, help: "Seconds of each disturbed drive.") var disturbedSeconds = 60.0
    @Option(parsing: .unconditional, help: "Mean seconds between disturbances of those drives (0: none).")
    var perturbEvery = 1.0
    @Option(help: "Unseen tracks the policy drives, by random seed.", transform: parseTrackList) var testTracks:
        [UInt64] = [
            101, 102,
        ]
    @Option(parsing: .unconditional, help: "Seconds the policy drives each unseen track.") var seconds = 30.0
    @Option(parsing: .unconditional, help: "Training epochs.") var epochs = 10
    @Option(help: "Use this model instead of recording and training.") var model: String?
    @Option(help: "X display to use (default: a private Xvfb).") var display: String?
    @Flag(
        help:
            "Drive with the thresholds calibrated on the validation recording (best F1) instead of 0.5, play's default."
    )
    var calibratedThresholds = false

    func validate() throws {
        guard recordSeconds >= 5, seconds >= 2, epochs > 0 else {
            throw ValidationError("--record-seconds must be at least 5, --seconds at least 2, --epochs positive")
        }
        guard Set(trainTracks + disturbedTracks).isDisjoint(with: testTracks) else {
            throw ValidationError("a test track is also a training track: the policy must drive unseen tracks")
        }
        guard disturbedSeconds >= 5 || disturbedTracks.isEmpty else {
            throw ValidationError("--disturbed-seconds must be at least 5")
        }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var virtual: VirtualDisplay?
        let displayName: String
        if let display {
            displayName = display
        } else {
            virtual = try VirtualDisplay(width: 680, height: 520)
            displayName = virtual!.name
        }
        defer { virtual?.stop() }
        let connection = try X11Connection(name: displayName)
        var options = RacerArenaOptions()
        options.position = (20, 20)
        let rect = ScreenRect(x: 20, y: 20, width: options.width, height: options.height)

        let policy: PolicyModel
        if let model {
            policy = try PolicyModel.read(from: URL(fileURLWithPath: model))
            print("1-2. Loaded the policy from \(model)")
        } else {
            print(
                "1. The expert drives \(trainTracks.count) tracks for \(Int(recordSeconds)) s each, recorded at 10 fps")
            var files: [RecordingFile] = []
            var names: [String] = []
            for t in trainTracks {
                let url = dir.appendingPathComponent("expert-track\(t).ppr")
                try? FileManager.default.removeItem(at: url)
                options.trackSeed = t
                let arena = try RacerArena(display: displayName, options: options)
                arena.window.focus()
                arena.start()
                let agent = try InputAgent.x11(
                    connection: connection, target: arena.window.window, timing: .pauses(0, maxActionsPerSecond: 200))
                let loop = ExpertLoop(device: agent.device, track: arena.track, human: HumanLikeKeys(seed: t)) {
                    arena.snapshot()
                }
                let driving = Thread { loop.run(seconds: recordSeconds + 5) }
                driving.start()
                let input = try X11InputRecorder(displayName: displayName)
                var settings = RecorderSettings(region: rect)
                settings.fps = 10
                settings.seconds = recordSeconds
                settings.stopKey = nil
                settings.source = "window Rally"
                let summary = try ScreenRecorder(
                    connection: try X11Connection(name: displayName), input: input, settings: settings
                ).record(to: url)
                loop.stop()
                while driving.isExecuting { usleep(5_000) }
                agent.stop()
                input.stop()
                let m = arena.snapshot().simulation.metrics
                arena.close()
                print(
                    String(
                        format: "   track %llu: %d frames (%d late), expert %.2f laps, off track %.1f s", t,
                        summary.frames, summary.lateFrames, m.progress, m.offTrackTime))
                files.append(try RecordingFile(url: url))
                names.append(url.path)
            }
            if !disturbedTracks.isEmpty {
                print(
                    "   and on \(disturbedTracks.count) more tracks for \(Int(disturbedSeconds)) s each in simulated time, disturbed every \(PixelPilot.formatRate(perturbEvery)) s"
                )
            }
            for t in disturbedTracks {
                let url = dir.appendingPathComponent("expert-disturbed-track\(t).ppr")
                try? FileManager.default.removeItem(at: url)
                let o = try SimulatedRacer.recordExpert(
                    track: RacerTrack(seed: t), seconds: disturbedSeconds, fps: 10, width: options.width,
                    height: options.height, human: HumanLikeKeys(seed: t),
                    perturbation: ExpertPerturbation(interval: perturbEvery, seed: t), to: url)
                print(
                    String(
                        format: "   track %llu (disturbed): %.2f laps, off track %.1f s", t, o.metrics.progress,
                        o.metrics.offTrackTime))
                files.append(try RecordingFile(url: url))
                names.append(url.path)
            }
            print("2. Training the default policy")
            var training = PolicyTrainingOptions()
            training.epochs = epochs
            training.patience = 3
            training.optimizer = .adam
            training.flip = true
            training.validation = 0
            training.test = 0
            training.validationRecordings = [0]
            policy = try PolicyReporter.train(
                recordings: files, corrections: [], options: training,
                output: dir.appendingPathComponent("policy.safetensors"), names: names
            ).model
        }
        let keys = policy.metadata.keyNames
        // 0.5, as `play` and `drive bench` drive by default: the F1-best thresholds raise Up's
        // (0.7 in one demo run) and the car then hesitates from a standstill.
        let thresholds =
            (calibratedThresholds ? policy.metadata.calibratedThresholds : nil)
            ?? [Float](repeating: 0.5, count: keys.count)
        print(
            "3. The policy drives \(testTracks.count) unseen tracks for \(Int(seconds)) s each (thresholds "
                + zip(keys, thresholds).map { "\($0.0)=\(String(format: "%.2f", $0.1))" }.joined(separator: ",") + ")")
        var lines: [String] = []
        var strip = PolicyStrip()
        var policyTotal = 0.0
        var expertTotal = 0.0
        for (n, t) in testTracks.enumerated() {
            options.trackSeed = t
            let arena = try RacerArena(display: displayName, options: options)
            arena.window.focus()
            arena.start()
            let agent = try InputAgent.x11(
                connection: connection, target: arena.window.window, timing: .pauses(0, maxActionsPerSecond: 200))
            var m = policy
            m.metadata.regionX = rect.x
            m.metadata.regionY = rect.y
            var settings = PlaySettings(region: rect, fps: policy.metadata.fps, thresholds: thresholds)
            settings.seconds = seconds
            let player = try PolicyPlayer(
                model: m, source: X11ScreenSource(connection: connection), device: agent.device,
                windows: X11WindowSystem(connection: connection), target: arena.window.window, settings: settings)
            let summary = try player.run { step in
                if n == 0 && step.frame % 15 == 5 && strip.tiles.count < 8 {
                    strip.add(
                        step.image,
                        label: String(format: "#%d  %.1fS", step.frame, Double(step.frame) / m.metadata.fps),
                        keys: keys, probabilities: step.probabilities, held: keys.map { step.held.contains($0) })
                }
            }
            agent.stop()
            let metrics = arena.snapshot().simulation.metrics
            arena.close()
            let expert = SimulatedRacer.driveExpert(
                track: RacerTrack(seed: t), seconds: metrics.time, human: HumanLikeKeys(seed: t)
            ).metrics
            policyTotal += metrics.progress
            expertTotal += expert.progress
            let line = String(
                format:
                    "track %llu: policy %.3f laps in %.1f s of game time, off track %.1f s, %d crashes; expert %.3f laps in the same time (%.0f %%); %d frames, %d late, step %.1f ms mean, %.1f ms max",
                t, metrics.progress, metrics.time, metrics.offTrackTime, metrics.crashes, expert.progress,
                100 * metrics.progress / max(1e-9, expert.progress), summary.frames, summary.lateFrames,
                summary.meanLatency * 1000, summary.maxLatency * 1000)
            print("   " + line)
            lines.append(line)
        }
        let total = String(
            format: "all unseen tracks: policy %.3f laps, expert %.3f laps: %.0f %% of the expert's progress",
            policyTotal, expertTotal, 100 * policyTotal / max(1e-9, expertTotal))
        print("   " + total)
        lines.append(total)
        lines.append(
            "(the policy drove through real screen capture and XTest keys; the expert's reference drive is the same track and game time in the arena's simulation)"
        )
        try (lines.joined(separator: "\n") + "\n").write(
            to: dir.appendingPathComponent("summary.txt"), atomically: true, encoding: .utf8)
        try PNG.write(strip.render(), path: dir.appendingPathComponent("strip.png").path)
        print("4. Wrote \(dir.path)/summary.txt and strip.png")
    }
}
