import ArgumentParser
import Arena
import Autopilot
import Desktop
import Foundation
import Imaging
import Recording
import Workshop

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

    var configuration: AutopilotDemo.Configuration {
        var c = AutopilotDemo.Configuration(directory: URL(fileURLWithPath: out))
        c.trainTracks = trainTracks
        c.recordSeconds = recordSeconds
        c.disturbedTracks = disturbedTracks
        c.disturbedSeconds = disturbedSeconds
        c.perturbEvery = perturbEvery
        c.testTracks = testTracks
        c.seconds = seconds
        c.epochs = epochs
        c.model = model.map { URL(fileURLWithPath: $0) }
        c.calibratedThresholds = calibratedThresholds
        return c
    }

    func validate() throws {
        if let problem = configuration.problem { throw ValidationError(problem) }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        let c = configuration
        var virtual: VirtualDisplay?
        if display == nil { virtual = try VirtualDisplay(width: 680, height: 520) }
        defer { virtual?.stop() }
        _ = try AutopilotDemo(c).run(
            display: display ?? virtual!.name, log: { print($0) },
            training: PolicyReporter.progress(epochs: epochs, output: c.modelURL))
    }
}
