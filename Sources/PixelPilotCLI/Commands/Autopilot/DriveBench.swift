import ArgumentParser
import Arena
import Autopilot
import Desktop
import Foundation
import Imaging
import Recording
import TensorKit
import Workshop

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
        guard parsedChannels?.isEmpty == false else {
            throw ValidationError("--channels must be positive whole numbers separated by commas, got '\(channels)'")
        }
    }

    var parsedChannels: [Int]? {
        let c = channels.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return c.allSatisfy { ($0 ?? 0) > 0 } ? c.compactMap { $0 } : nil
    }

    var configuration: DriveBenchmark.Configuration {
        var c = DriveBenchmark.Configuration(directory: URL(fileURLWithPath: out))
        c.trainTracks = trainTracks
        c.testTracks = testTracks
        c.recordSeconds = recordSeconds
        c.seconds = seconds
        c.perturbEvery = perturbEvery
        (c.width, c.height) = (size.width, size.height)
        c.trackSize = trackSize
        c.fps = fps
        (c.frameWidth, c.frameHeight) = (frameSize.width, frameSize.height)
        c.framesPerExample = framesPerExample
        c.channels = parsedChannels ?? []
        c.features = features
        c.hidden = hidden
        c.epochs = epochs
        c.patience = patience > 0 ? patience : nil
        c.optimizer = optimizer
        c.learningRate = learningRate
        c.flip = flip
        c.seed = seed
        c.dagger = dagger
        c.playSeconds = playSeconds
        c.reuse = reuse
        c.trace = trace
        c.noTrain = noTrain
        c.threshold = threshold
        return c
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        let c = configuration
        let report = try DriveBenchmark(c).run(
            log: { print($0) }, training: PolicyReporter.progress(epochs: epochs, output: c.modelURL),
            trace: { frame, p, keys in
                print(
                    "   frame \(frame): " + p.map { String(format: "%.2f", $0) }.joined(separator: " ") + " -> \(keys)")
            })
        print("\n" + report.markdown)
    }
}
