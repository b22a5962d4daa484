import Arena
import Autopilot
import Desktop
import DesktopTesting
import Foundation
import Imaging
import Recording
import TensorKit
import XCTest

/// `play` on a real X server: the keys the racer arena receives are the ones the model
/// predicted, a person's takeover is recorded, and every way it can stop leaves no key held
/// (read from the X server's keymap, not from the program's own state).
final class PlayUnderXvfbTests: XvfbTestCase {
    override var screenSize: (width: Int, height: Int) { (800, 600) }
    var work: URL!
    override func setUpWithError() throws {
        try super.setUpWithError()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("play-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }
    override func tearDown() {
        try? FileManager.default.removeItem(at: work)
        super.tearDown()
    }

    static let arenaRect = ScreenRect(x: 40, y: 30, width: 320, height: 240)

    func openArena(track: UInt64 = 21, truth: URL? = nil) throws -> RacerArena {
        var options = RacerArenaOptions()
        options.trackSeed = track
        options.trackSize = 0.6
        options.width = Self.arenaRect.width
        options.height = Self.arenaRect.height
        options.position = (Self.arenaRect.x, Self.arenaRect.y)
        options.truthURL = truth
        let arena = try RacerArena(display: xvfb.name, options: options)
        arena.window.focus()
        arena.start()
        return arena
    }

    /// A tiny untrained policy for the arena's window at 10 fps (for the exit paths: with a
    /// threshold of 0.01 it holds every key).
    func randomModel() throws -> URL {
        let p = FramePreprocessing(width: 32, height: 24, scale: 1 / 127.5, offset: -1, windowLength: 4)
        let net = SmallPolicy(
            preprocessing: p, keyNames: RecordingFingerprint.seedKeys,
            configuration: .init(channels: [8, 8], featureCount: 16, hiddenSize: 8), seed: 9)
        let fp = RecordingFingerprint(
            regionX: Self.arenaRect.x, regionY: Self.arenaRect.y, width: 320, height: 240, fps: 10,
            keys: RecordingFingerprint.seedKeys, screenWidth: 800, screenHeight: 600, pixelPilotVersion: "0.1.0",
            source: "window Rally")
        let url = work.appendingPathComponent("random.safetensors")
        try PolicyModel(
            network: net, metadata: PolicyMetadata(fingerprint: fp, preprocessing: p, trainedOn: []),
            architecture: .small
        ).write(to: url)
        return url
    }

    /// Trains a tiny policy on simulated expert drives of the arena's look (320x240).
    func trainedModel() throws -> PolicyModel {
        var files: [RecordingFile] = []
        for seed in [UInt64(31), 32] {
            let url = work.appendingPathComponent("train\(seed).ppr")
            try SimulatedRacer.recordExpert(
                track: RacerTrack(seed: seed, size: 0.6), seconds: 25, width: 320, height: 240,
                human: HumanLikeKeys(mistakesPerSecond: 0, seed: seed), encoding: .raw, to: url)
            files.append(try RecordingFile(url: url))
        }
        var options = PolicyTrainingOptions()
        options.preprocessing = FramePreprocessing(width: 48, height: 36, scale: 1 / 127.5, offset: -1, windowLength: 4)
        options.network = .init(channels: [8, 16, 16, 16], featureCount: 32, hiddenSize: 16)
        options.epochs = 4
        options.optimizer = .adam
        options.learningRate = 3e-3
        options.validation = 0
        options.test = 0
        var model = try PolicyTraining(recordings: files, options: options).run().model
        // It plays the arena's window at its place on this screen.
        model.metadata.regionX = Self.arenaRect.x
        model.metadata.regionY = Self.arenaRect.y
        return model
    }

    /// The play loop drives the arena through real XTest keys: the key events the arena's window
    /// received are exactly the presses and releases the player sent, and those are what the
    /// model predicts on the frames it saw (re-run offline on the recorded frames). A person's
    /// keys (another XTest client) are a takeover: the policy sends nothing meanwhile and the
    /// stretch is marked in the corrections file.
    func testPlayPressesThePredictedKeysAndRecordsATakeover() throws {
        let model = try trainedModel()
        let truth = work.appendingPathComponent("truth.jsonl")
        let arena = try openArena(truth: truth)
        let agent = try InputAgent.x11(
            connection: connection, target: arena.window.window, timing: .pauses(0, maxActionsPerSecond: 400))
        defer { agent.stop() }
        // Thresholds at each key's median probability on a simulated drive of this track, so the
        // keys change often (the test is about which keys reach the game, not how well it drives).
        var seen: [[Float]] = []
        _ = SimulatedRacer.drivePolicy(model, track: arena.track, seconds: 8) { _, _, p, _ in seen.append(p) }
        let medians = (0..<4).map { k in seen.map { $0[k] }.sorted()[seen.count / 2] }
        var settings = PlaySettings(region: Self.arenaRect, fps: 10, thresholds: medians)
        settings.seconds = 7
        settings.takeoverIdle = 0.6
        let player = try PolicyPlayer(
            model: model, source: X11ScreenSource(connection: try X11Connection(name: xvfb.name)),
            device: agent.device, windows: X11WindowSystem(connection: try X11Connection(name: xvfb.name)),
            target: arena.window.window, settings: settings)
        let recorder = try X11InputRecorder(displayName: xvfb.name)
        defer { recorder.stop() }
        let corrections = work.appendingPathComponent("fix.ppr")
        let steps = LockedList<PlayStep>()
        let personTimes = LockedList<Double>()
        // A person takes over after 3.5 s: holds Right for 0.8 s.
        let person = Thread { [xvfbName = xvfb.name] in
            Thread.sleep(forTimeInterval: 3.5)
            guard let c = try? X11Connection(name: xvfbName), let hand = try? X11InputDevice(connection: c) else {
                return
            }
            personTimes.append(MonotonicTime.now.seconds)
            try? hand.press(Key(canonicalName: "Right"))
            Thread.sleep(forTimeInterval: 0.8)
            personTimes.append(MonotonicTime.now.seconds)
            try? hand.release(Key(canonicalName: "Right"))
            Thread.sleep(forTimeInterval: 0.2)
        }
        person.start()
        let summary = try player.run(corrections: corrections, recorder: recorder) { steps.append($0) }
        Thread.sleep(forTimeInterval: 0.3)
        arena.close()
        XCTAssertEqual(summary.stop, .timeLimit)
        XCTAssertFalse(serverHoldsInput(), "nothing held after play")
        let all = steps.items
        XCTAssertGreaterThanOrEqual(all.count, 60)
        XCTAssertGreaterThan(summary.keyEvents, 3, "the policy pressed and released keys")

        // 1. What the arena received equals what the player sent, in order (the person's Right aside).
        let lines = try String(contentsOf: truth, encoding: .utf8).split(separator: "\n")
        var received: [String] = []
        var down = Set<String>()
        for line in lines {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                o["type"] as? String == "key", let key = o["key"] as? String, let event = o["event"] as? String
            else { continue }
            // The person's own press and release (sent just after the times noted) are not the policy's.
            let t = o["t"] as? Double ?? 0
            let person = personTimes.items
            if key == "Right", person.count == 2,
                (event == "down" ? person[0] : person[1]) <= t + 0.001,
                t < (event == "down" ? person[0] : person[1]) + 0.15
            {
                // They change the key's state for everyone (the person's release lets go of
                // the key whoever pressed it), but are not compared.
                if event == "down" { down.insert(key) } else { down.remove(key) }
                continue
            }
            // The X server repeats the press of a held key (autorepeat): changes only.
            if event == "down" {
                if down.insert(key).inserted { received.append("+\(key)") }
            } else if down.remove(key) != nil {
                received.append("-\(key)")
            }
        }
        var sent: [String] = []
        for s in all { sent += s.released.map { "-\($0)" } + s.pressed.map { "+\($0)" } }
        let takeovers = all.filter(\.takenOver)
        // Right held 0.8 s, then 0.6 s idle before the policy drives again: about 14 frames.
        XCTAssertGreaterThanOrEqual(takeovers.count, 8, "the person's stretch was noticed")
        XCTAssertLessThanOrEqual(takeovers.count, 22, "and it ended")
        XCTAssertEqual(summary.takenOverFrames, takeovers.count)
        let personal = received
        let releasesAtEnd = personal.count - sent.count
        XCTAssertGreaterThanOrEqual(releasesAtEnd, 0, "arena \(received) vs sent \(sent)")
        XCTAssertEqual(Array(personal.prefix(sent.count)), sent, "the arena got exactly the policy's keys")
        XCTAssertTrue(personal.dropFirst(sent.count).allSatisfy { $0.hasPrefix("-") }, "only releases after the end")

        // 2. Those keys are the model's predictions on the frames it saw (recorded in the
        // corrections file): the held set after each policy step is the thresholded output.
        let r = try RecordingFile(url: corrections)
        XCTAssertEqual(r.count, all.count)
        let spans = PolicyTraining.takeovers(r)
        XCTAssertEqual(spans.count, 1, "one takeover: \(spans)")
        let offline = PolicyStepper(network: model.network)
        var agree = 0
        var compared = 0
        for i in 0..<r.count {
            let p = offline.step(try r.image(i))
            guard !all[i].takenOver else { continue }
            let predicted = model.metadata.keyNames.indices.filter { p[$0] > medians[$0] }.map {
                model.metadata.keyNames[$0]
            }
            compared += 1
            if predicted == all[i].held { agree += 1 }
        }
        print(
            "play: \(all.count) steps, \(summary.keyEvents) key events, takeover frames \(takeovers.count), offline agreement \(agree)/\(compared), mean step \(summary.meanLatency * 1000) ms"
        )
        XCTAssertGreaterThanOrEqual(Double(agree), 0.97 * Double(compared))
        // The person's Right is in the labels of the takeover stretch.
        let right = try XCTUnwrap(r.fingerprint.keys.firstIndex(of: "Right"))
        let span = try XCTUnwrap(spans.first)
        XCTAssertTrue(span.contains { r.frames[$0].keyMask & (1 << right) != 0 }, "the person's key is recorded")
    }

    func startPlay(_ model: URL, extra: [String] = []) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = BuiltTool.url()
        p.arguments = ["play", "--model", model.path, "--display", xvfb.name, "--threshold", "0.01"] + extra
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(15)
        while !serverHoldsInput() && Date() < deadline && p.isRunning { usleep(20_000) }
        return (p, out, err)
    }

    func finish(_ p: Process, _ out: Pipe, _ err: Pipe) -> (Int32, String, String) {
        let deadline = Date().addingTimeInterval(10)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (p.terminationStatus, o, e)
    }

    /// SIGTERM, SIGINT, the kill switch, the window losing the focus and the window vanishing:
    /// each time every key `play` held is released (the X server's keymap is empty), and the
    /// exit status says how it ended.
    func testEveryExitPathReleasesEveryKey() throws {
        let model = try randomModel()
        let arena = try openArena()
        defer { arena.close() }
        for (sig, status) in [(SIGTERM, Int32(143)), (SIGINT, Int32(130))] {
            arena.window.focus()
            let (p, out, err) = try startPlay(model)
            XCTAssertTrue(serverHoldsInput(), "play holds keys before the signal")
            let deadline = Date().addingTimeInterval(3)
            while arena.snapshot().keys.count < 4 && Date() < deadline { usleep(10_000) }
            XCTAssertEqual(arena.snapshot().keys, ["Up", "Left", "Right", "Down"], "the game sees every key held")
            kill(p.processIdentifier, sig)
            let (s, _, e) = finish(p, out, err)
            XCTAssertEqual(s, status, e)
            XCTAssertFalse(serverHoldsInput(), "signal \(sig): no key held")
        }
        // The kill switch, pressed by another client.
        arena.window.focus()
        var (p, out, err) = try startPlay(model)
        XCTAssertTrue(serverHoldsInput())
        let hand = try X11InputDevice(connection: try X11Connection(name: xvfb.name))
        try hand.tap(KillSwitch.defaultCombo)
        var (s, o, e) = finish(p, out, err)
        XCTAssertEqual(s, 0, e)
        XCTAssertTrue(o.contains("Stopped (kill switch)"), o)
        XCTAssertFalse(serverHoldsInput(), "kill switch: no key held")
        // Another window takes the focus.
        arena.window.focus()
        (p, out, err) = try startPlay(model)
        XCTAssertTrue(serverHoldsInput())
        let other = try X11PictureWindow(
            display: xvfb.name, rect: ScreenRect(x: 500, y: 300, width: 100, height: 100),
            picture: Image(width: 100, height: 100), title: "Notes")
        other.focus()
        (s, o, e) = finish(p, out, err)
        other.close()
        XCTAssertEqual(s, 1)
        XCTAssertTrue(e.contains("lost the focus to \"Notes\""), e)
        XCTAssertFalse(serverHoldsInput(), "focus lost: no key held")
        // The window disappears mid-drive.
        arena.window.focus()
        (p, out, err) = try startPlay(model)
        XCTAssertTrue(serverHoldsInput())
        arena.close()
        (s, o, e) = finish(p, out, err)
        XCTAssertEqual(s, 1)
        XCTAssertTrue(e.contains("disappeared while the policy was driving (keys released)"), e)
        XCTAssertFalse(serverHoldsInput(), "window gone: no key held")
    }

    /// Bad input to the command: a corrupt model file, a model made for another region or fps,
    /// and a dry run that presses nothing but says what it would press.
    func testBadModelsMismatchesAndDryRun() throws {
        let model = try randomModel()
        let arena = try openArena()
        defer { arena.close() }
        try Data("definitely not safetensors".utf8).write(to: work.appendingPathComponent("bad.safetensors"))
        var r = try BuiltTool.run(
            BuiltTool.url(), ["play", "--model", "bad.safetensors", "--display", xvfb.name], in: work)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("bad.safetensors: not a readable model file"), r.err)
        r = try BuiltTool.run(
            BuiltTool.url(), ["play", "--model", model.path, "--display", xvfb.name, "--region", "640x480+0+0"],
            in: work)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("the region is 640x480, the model was trained on 320x240"), r.err)
        r = try BuiltTool.run(
            BuiltTool.url(), ["play", "--model", model.path, "--display", xvfb.name, "--fps", "30"], in: work)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("capturing at 30 fps, the model was trained at 10 fps"), r.err)
        arena.window.focus()
        r = try BuiltTool.run(
            BuiltTool.url(),
            [
                "play", "--model", model.path, "--display", xvfb.name, "--threshold", "0.01", "--dry-run", "--seconds",
                "1.5",
            ],
            in: work)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("frame 0: press Up, press Left, press Right, press Down"), r.out)
        XCTAssertTrue(arena.snapshot().keys.isEmpty, "a dry run presses nothing")
        XCTAssertFalse(serverHoldsInput())
    }
}

/// A list appended from one thread and read from another.
final class LockedList<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [T] = []
    func append(_ x: T) { lock.withLock { list.append(x) } }
    var items: [T] { lock.withLock { list } }
}
