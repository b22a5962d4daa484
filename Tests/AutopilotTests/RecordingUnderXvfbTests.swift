import DesktopTesting
import XCTest
import Foundation
import Arena
import Autopilot
import Desktop
import Recording
import Imaging

final class RecordingUnderXvfbTests: XCTestCase {
    var work: URL!
    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("autopilot-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: work) }

    static var binary: URL { BuiltTool.url() }

    /// A recording of the expert driving: every frame is a picture the arena drew at about that
    /// instant (drawn again from the truth file, pixel for pixel), and the keys recorded are the
    /// keys the game saw held.
    func testRecordingOfTheExpertAgreesWithTheArenasTruth() throws {
        let xvfb = try VirtualDisplay(width: 800, height: 600)
        defer { xvfb.stop() }
        let truthURL = work.appendingPathComponent("truth.jsonl")
        var options = RacerArenaOptions()
        options.trackSeed = 77
        options.width = 320
        options.height = 240
        options.position = (40, 30)
        options.truthURL = truthURL
        let arena = try RacerArena(display: xvfb.name, options: options)
        arena.window.focus()
        arena.start()
        let connection = try X11Connection(name: xvfb.name)
        let agent = try InputAgent.x11(
            connection: connection, target: arena.window.window, timing: .pauses(0, maxActionsPerSecond: 400))
        defer { agent.stop() }
        let device = agent.device
        // More slips than usual, so the keys change often.
        let loop = ExpertLoop(device: device, track: arena.track, human: HumanLikeKeys(mistakesPerSecond: 2, seed: 5)) {
            arena.snapshot()
        }
        let driving = Thread { loop.run(seconds: 30) }
        driving.start()
        let input = try X11InputRecorder(displayName: xvfb.name)
        var settings = RecorderSettings(region: arena.window.rect)
        settings.fps = 10
        settings.encoding = .raw
        settings.seconds = 5
        let recorder = try ScreenRecorder(
            connection: try X11Connection(name: xvfb.name), input: input, settings: settings)
        let url = work.appendingPathComponent("expert.ppr")
        let summary = try recorder.record(to: url)
        loop.stop()
        while driving.isExecuting { usleep(5_000) }
        arena.close()
        input.stop()

        let r = try RecordingFile(url: url)
        XCTAssertEqual(r.count, summary.frames)
        XCTAssertGreaterThanOrEqual(r.count, 48)
        XCTAssertEqual(r.lateFrames, 0, "no late frames at 10 fps")
        XCTAssertEqual(try r.verify(), [])
        let lines = try String(contentsOf: truthURL, encoding: .utf8).split(separator: "\n").dropFirst()
        var truth: [(t: Double, view: RacerView)] = []
        var keyLines: [(t: Double, key: String, down: Bool)] = []
        for line in lines {
            let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if o["type"] as? String == "key" {
                keyLines.append((o["t"] as! Double, o["key"] as! String, o["event"] as! String == "down"))
            } else {
                truth.append((o["t"] as! Double, try XCTUnwrap(RacerView(truthLine: Data(line.utf8)))))
            }
        }
        /// The arrow keys the game held at `t`, from its key lines.
        func gameKeys(at t: Double) -> [String] {
            var held = Set<String>()
            for e in keyLines where e.t <= t { if e.down { held.insert(e.key) } else { held.remove(e.key) } }
            return RacerControls(keys: held).keys
        }
        var keyMatches = 0
        var pixelMatches = 0
        var keyed = 0
        var explained = 0
        for i in 0..<r.count {
            let f = r.frames[i]
            let recorded = KeyMask.keys(f.keyMask, keys: r.fingerprint.keys)
            if !recorded.isEmpty { keyed += 1 }
            if recorded == gameKeys(at: f.time) {
                keyMatches += 1
            } else if keyLines.contains(where: { abs($0.t - f.time) < 0.02 }) {
                explained += 1
            }  // a key changed within 20 ms
            let image = try r.image(i)
            let candidates = truth.indices.filter { truth[$0].t > f.time - 0.25 && truth[$0].t < f.time + 0.05 }
            if candidates.contains(where: { arena.renderer.render(truth[$0].view) == image }) { pixelMatches += 1 }
        }
        print(
            "recording vs truth: \(r.count) frames, keys equal \(keyMatches), differing within 20 ms of a key event \(explained), pixels equal \(pixelMatches), frames with keys \(keyed)"
        )
        XCTAssertGreaterThan(keyed, r.count / 2, "the expert held keys")
        XCTAssertEqual(
            keyMatches + explained, r.count, "every recorded key state is the game's, but within 20 ms of a key change")
        XCTAssertGreaterThanOrEqual(Double(keyMatches), 0.9 * Double(r.count))
        XCTAssertGreaterThanOrEqual(Double(pixelMatches), 0.95 * Double(r.count), "frames are the arena's pictures")
    }

    /// `pixelpilot record` killed with SIGKILL: the file opens as it is and keeps every frame
    /// captured more than a second before the kill.
    func testSIGKILLKeepsEveryFrameOlderThanASecond() throws {
        let xvfb = try VirtualDisplay(width: 640, height: 480)
        defer { xvfb.stop() }
        let url = work.appendingPathComponent("killed.ppr")
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = [
            "record", "--display", xvfb.name, "--region", "256x256+10+10", "--fps", "10", "--stop-key", "none", "--out",
            url.path,
        ]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Let it record about 3 s, then kill it without warning.
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: url.path) && Date() < deadline { usleep(10_000) }
        Thread.sleep(forTimeInterval: 3)
        kill(p.processIdentifier, SIGKILL)
        let killedAt = MonotonicTime.now.seconds
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        let r = try RecordingFile(url: url)
        XCTAssertFalse(r.finished, "no summary: it was killed")
        XCTAssertEqual(try r.verify(), [], "the file is sound without repair")
        let first = try XCTUnwrap(r.frames.first)
        let older = Int(((killedAt - 1 - first.time) * 10).rounded(.down)) + 1
        print("SIGKILL: \(r.count) frames kept, \(older) were older than 1 s at the kill")
        XCTAssertGreaterThanOrEqual(older, 15)
        // Frames the stream skipped as late (a loaded machine) were never captured: they show as
        // gaps in the slots. Everything captured up to a second before the kill is there.
        let last = try XCTUnwrap(r.frames.last)
        let skipped = last.slot + 1 - r.count
        XCTAssertLessThanOrEqual(skipped, 3, "only a few late frames")
        XCTAssertGreaterThanOrEqual(last.time, killedAt - 1, "nothing older than a second is missing at the end")
        XCTAssertGreaterThanOrEqual(r.count + skipped, older, "every frame older than a second is kept")
    }

    @discardableResult
    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try BuiltTool.run(Self.binary, args, in: work)
    }

    /// The commands a user runs, with good and bad input.
    func testRecordingCommandsAndBadInput() throws {
        // The seed's pickles (protocols 2 and 5) import with RGB frames and the seed's key columns.
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let helper = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("tools/seed_pickle_to_raw.py").path
        for protocolVersion in [2, 5] {
            let out = "seed\(protocolVersion).ppr"
            let imp = try run([
                "recording", "import-pickle",
                fixtures.appendingPathComponent("seed_recording_p\(protocolVersion).pickle").path, "--out", out,
                "--helper", helper,
            ])
            XCTAssertEqual(imp.status, 0, imp.err)
            let r = try RecordingFile(url: work.appendingPathComponent(out))
            XCTAssertEqual(r.count, 6)
            let keys = [[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [1, 0, 1, 0]]
            for k in 0..<6 {
                XCTAssertEqual(r.seedKeys(k), keys[k].map { $0 == 1 })
                let img = try r.image(k)
                XCTAssertEqual(
                    img.pixel(x: 3, y: 2), [UInt8(40 * k), 20, 30], "stored B,G,R = 10x,10y,40k becomes R,G,B")
            }
        }
        let info = try run(["recording", "info", "seed5.ppr"])
        XCTAssertEqual(info.status, 0, info.err)
        XCTAssertTrue(info.out.contains("forwards 3, left 1, right 2, backwards 1, coast 1"), info.out)
        XCTAssertTrue(info.out.contains("Up 50.0%"), info.out)
        let export = try run(["recording", "export", "seed5.ppr", "--out", "frames"])
        XCTAssertEqual(export.status, 0, export.err)
        let jsonl = try String(contentsOf: work.appendingPathComponent("frames/keys.jsonl"), encoding: .utf8).split(
            separator: "\n")
        XCTAssertEqual(jsonl.count, 6)
        XCTAssertTrue(jsonl[1].contains("\"keys\":[\"Up\",\"Left\"]"), String(jsonl[1]))
        XCTAssertEqual(
            try PNG.read(path: work.appendingPathComponent("frames/frame_000003.png").path),
            try RecordingFile(url: work.appendingPathComponent("seed5.ppr")).image(3))
        XCTAssertEqual(try run(["recording", "verify", "seed5.ppr", "--fps", "10", "--frame-size", "16x12"]).status, 0)

        // Fingerprint mismatch.
        let mismatch = try run(["recording", "verify", "seed5.ppr", "--fps", "30", "--keys", "Up,Down"])
        XCTAssertNotEqual(mismatch.status, 0)
        XCTAssertTrue(mismatch.err.contains("seed5.ppr"), mismatch.err)
        XCTAssertTrue(mismatch.err.contains("recorded at 10 fps, expected 30 fps"), mismatch.err)
        XCTAssertTrue(mismatch.err.contains("key set is [Up, Left, Right, Down], expected [Up, Down]"), mismatch.err)
        // Foreign and truncated files.
        try Data("hello, not a database at all".utf8).write(to: work.appendingPathComponent("notes.ppr"))
        let foreign = try run(["recording", "info", "notes.ppr"])
        XCTAssertNotEqual(foreign.status, 0)
        XCTAssertTrue(
            foreign.err.contains("notes.ppr: not a recording: the file is not an SQLite database"), foreign.err)
        let whole = try Data(contentsOf: work.appendingPathComponent("seed5.ppr"))
        try whole.prefix(whole.count / 2).write(to: work.appendingPathComponent("half.ppr"))
        let half = try run(["recording", "verify", "half.ppr"])
        XCTAssertNotEqual(half.status, 0)
        XCTAssertTrue(half.err.contains("half.ppr"), half.err)
        // Truncated pickle.
        let pickle = try Data(contentsOf: fixtures.appendingPathComponent("seed_recording_p5.pickle"))
        try pickle.prefix(500).write(to: work.appendingPathComponent("cut.pickle"))
        let cut = try run(["recording", "import-pickle", "cut.pickle", "--out", "cut.ppr", "--helper", helper])
        XCTAssertNotEqual(cut.status, 0)
        XCTAssertTrue(cut.err.contains("cut.pickle"), cut.err)
        // Empty recording: a recorder stopped before its first frame.
        let fp = RecordingFingerprint(
            regionX: 0, regionY: 0, width: 8, height: 8, fps: 10, keys: RecordingFingerprint.seedKeys,
            screenWidth: 8, screenHeight: 8, pixelPilotVersion: "test")
        let w = try RecordingWriter(
            url: work.appendingPathComponent("empty.ppr"), fingerprint: fp, startTime: 0, label: { _ in [] },
            events: { [] })
        try w.finish(reason: "stopped at once", lateFrames: 0, stopTime: 0)
        for cmd in [["info"], ["verify"], ["export", "--out", "e"]] {
            let e = try run(["recording"] + [cmd[0], "empty.ppr"] + cmd.dropFirst())
            XCTAssertNotEqual(e.status, 0, cmd[0])
            XCTAssertTrue(e.err.contains("empty.ppr: empty recording"), e.err)
        }
        // Region outside the screen.
        let xvfb = try VirtualDisplay(width: 320, height: 240)
        defer { xvfb.stop() }
        let off = try run([
            "record", "--display", xvfb.name, "--region", "256x256+200+100", "--out", "off.ppr", "--seconds", "1",
        ])
        XCTAssertNotEqual(off.status, 0)
        XCTAssertTrue(off.err.contains("region 256x256+200+100 lies partly outside the 320x240 screen"), off.err)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: work.appendingPathComponent("off.ppr").path),
            "no file for a refused region")
    }
}
