import DesktopTesting
import XCTest
import Foundation
import Imaging
import TensorKit
import Desktop
import Arena

/// Runs the real `pixelpilot` binary (built beside the test bundle) as a user would.
final class CLITests: XCTestCase {
    var work: URL!

    static var binary: URL { BuiltTool.url() }

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        guard FileManager.default.isExecutableFile(atPath: CLITests.binary.path) else {
            throw CocoaError(
                .fileNoSuchFile,
                userInfo: [
                    NSFilePathErrorKey: CLITests.binary.path,
                    NSLocalizedDescriptionKey:
                        "pixelpilot binary not built at \(CLITests.binary.path): run `swift build --build-tests` first",
                ])
        }
    }

    override func tearDown() { try? FileManager.default.removeItem(at: work) }

    /// Runs the binary; returns exit status, stdout and stderr.
    @discardableResult
    func run(_ args: [String], environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String)
    {
        try BuiltTool.run(CLITests.binary, args, in: work, environment: environment)
    }

    func testHelpTeaches() throws {
        let r = try run(["--help"])
        XCTAssertEqual(r.status, 0)
        for word in ["demo", "train", "classify", "eval", "dataset"] {
            XCTAssertTrue(r.out.contains(word), "help lacks \(word)")
        }
        let t = try run(["train", "classifier", "--help"])
        XCTAssertTrue(t.out.contains("--epochs"))
        XCTAssertTrue(t.out.contains("Example:"))
    }

    func testTrainClassifyEvalEndToEnd() throws {
        XCTAssertEqual(try run(["dataset", "gems", "--out", "gems", "--per-class", "8", "--seed", "3"]).status, 0)
        let t = try run(["train", "classifier", "gems", "--out", "m.safetensors", "--epochs", "3", "--seed", "1"])
        XCTAssertEqual(t.status, 0, t.err)
        XCTAssertTrue(t.out.contains("Epoch 3/3"), t.out)
        XCTAssertTrue(t.out.contains("val_accuracy"), t.out)
        for f in ["m.safetensors", "m.safetensors.history.csv", "m.safetensors.curves.png", "m.safetensors.split.txt"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent(f).path), f)
        }
        let csv = try String(contentsOf: work.appendingPathComponent("m.safetensors.history.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 4, csv)
        let curves = try PNG.read(contentsOf: work.appendingPathComponent("m.safetensors.curves.png"))
        XCTAssertEqual(curves.width, 1120)
        let c = try run(["classify", "m.safetensors", "gems/red/1.png", "gems/empty/2.png"])
        XCTAssertEqual(c.status, 0, c.err)
        XCTAssertEqual(c.out.split(separator: "\n").count, 2)
        XCTAssertTrue(c.out.contains("%"))
        let e = try run(["eval", "m.safetensors", "gems"])
        XCTAssertEqual(e.status, 0, e.err)
        XCTAssertTrue(e.out.contains("Accuracy: "), e.out)
        XCTAssertTrue(e.out.contains("true\\pred"), e.out)
    }

    func testBadInputGivesClearErrorsAndNonZeroExit() throws {
        // Missing and corrupt model files.
        var r = try run(["classify", "nope.safetensors", "x.png"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("nope.safetensors"), r.err)
        try Data("not a model".utf8).write(to: work.appendingPathComponent("bad.safetensors"))
        r = try run(["classify", "bad.safetensors", "x.png"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("bad.safetensors"), r.err)
        // A one-class folder cannot train a classifier.
        try FileManager.default.createDirectory(
            at: work.appendingPathComponent("one/red"), withIntermediateDirectories: true)
        try PNG.write(Image(width: 52, height: 52, color: [9, 9, 9]), to: work.appendingPathComponent("one/red/1.png"))
        r = try run(["train", "classifier", "one", "--out", "o.safetensors", "--epochs", "1"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("found 1 class folder"), r.err)
        // Bad arguments.
        r = try run(["train", "classifier", "one", "--out", "o.safetensors", "--epochs", "0"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("--epochs must be positive"), r.err)
        // A truncated PNG and an image of the wrong size.
        XCTAssertEqual(try run(["dataset", "gems", "--out", "g", "--per-class", "2"]).status, 0)
        XCTAssertEqual(
            try run(["train", "classifier", "g", "--out", "m.safetensors", "--epochs", "1", "--validation-split", "0"])
                .status, 0)
        let png = try Data(contentsOf: work.appendingPathComponent("g/red/1.png"))
        try png.prefix(png.count / 2).write(to: work.appendingPathComponent("half.png"))
        r = try run(["classify", "m.safetensors", "half.png"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("half.png"), r.err)
        try PNG.write(Image(width: 40, height: 52, color: [1, 2, 3]), to: work.appendingPathComponent("small.png"))
        r = try run(["classify", "m.safetensors", "small.png"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("small.png: image is 40x52, the model takes 52x52"), r.err)
        // A model file whose tensors do not fit the architecture.
        var contents = try SafeTensors.read(contentsOf: work.appendingPathComponent("m.safetensors"))
        let victim = contents.tensors.keys.sorted().last!
        contents.tensors[victim] = Tensor(zeros: [3, 3])
        try SafeTensors.write(contents, to: work.appendingPathComponent("misfit.safetensors"))
        r = try run(["classify", "misfit.safetensors", "g/red/1.png"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("misfit.safetensors") && r.err.contains("'\(victim)'"), r.err)
        // Benchmark options that are not numbers.
        r = try run(["bench", "--only", "infer", "--infer-batches", "1,x"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("--infer-batches") && r.err.contains("'1,x'"), r.err)
    }

    func testBenchTimesInferenceAtTheAskedBatchSizes() throws {
        let r = try run(["bench", "--only", "infer", "--infer-batches", "1,3", "--infer-repeats", "5"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").filter { $0.contains("\"suite\": \"infer\"") }
        XCTAssertEqual(lines.count, 2, r.out)
        XCTAssertTrue(lines[0].contains("\"batch 1\"") && lines[1].contains("\"batch 3\""), r.out)
        XCTAssertTrue(r.err.contains("TensorKit kernels: "), r.err)
    }

    func testDesktopCommandsOnAPrivateDisplay() throws {
        var r = try run(["doctor", "--virtual-display"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("ok   XTEST"), r.out)
        XCTAssertTrue(r.out.contains("Compute: TensorKit's convolution kernels use "), r.out)
        let env = ProcessInfo.processInfo.environment.merging(["PIXELPILOT_NO_AVX512": "1"]) { $1 }
        XCTAssertTrue(try run(["doctor", "--virtual-display"], environment: env).out.contains("kernels use AVX2"))
        r = try run(["capture", "--virtual-display", "--region", "64x32+10+20", "--out", "shot.png"])
        XCTAssertEqual(r.status, 0, r.err)
        let img = try PNG.read(contentsOf: work.appendingPathComponent("shot.png"))
        XCTAssertEqual(img.width, 64)
        XCTAssertEqual(img.height, 32)
        r = try run(["capture", "--virtual-display", "--region", "10x10+5000+5000"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("wholly outside"), r.err)
        r = try run(["capture", "--virtual-display", "--region", "nonsense"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("--region 'nonsense' is not WxH+X+Y"), r.err)
        r = try run(["click", "5", "6", "--virtual-display", "--dry-run"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("would move 5 6, down left, up left"), r.out)
        r = try run(["key", "nokey", "--virtual-display"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("unknown key name 'nokey'"), r.err)
        r = try run(["windows", "--display", ":987"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("cannot open X display ':987'"), r.err)
    }

    func testSortSuggestsThenSortsTheArena() throws {
        XCTAssertEqual(try run(["dataset", "gems", "--out", "gems", "--per-class", "40", "--seed", "5"]).status, 0)
        let t = try run(["train", "classifier", "gems", "--out", "m.safetensors", "--epochs", "12", "--seed", "2"])
        XCTAssertEqual(t.status, 0, t.err)
        let xvfb = try VirtualDisplay(width: 1024, height: 900)
        defer { xvfb.stop() }
        let arena = try StashArena(
            display: xvfb.name, state: .random(fill: 0.4, seed: 9), position: ScreenPoint(x: 0, y: 0), seed: 9)
        defer { arena.close() }
        arena.window.focus()
        let before = arena.state
        var r = try run([
            "sort", "--display", xvfb.name, "--model", "m.safetensors", "--window", "PixelPilotArena", "--mode",
            "suggest", "--plan-out", "plan.png",
        ])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("Plan: "), r.out)
        XCTAssertEqual(arena.state, before, "suggest mode clicks nothing")
        XCTAssertEqual(
            try PNG.read(contentsOf: work.appendingPathComponent("plan.png")).width, arena.layout.pitch * 11 + 52)
        r = try run([
            "sort", "--display", xvfb.name, "--model", "m.safetensors", "--window", "PixelPilotArena", "--mode", "auto",
            "--click-pause-ms", "1",
        ])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("Sorted; the cursor is empty."), r.out)
        XCTAssertEqual(arena.state.allItems.map(\.id), before.allItems.map(\.id))
        XCTAssertNil(arena.state.cursor)
        r = try run(["sort", "--display", xvfb.name, "--model", "m.safetensors", "--window", "no such window"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("no window has 'no such window'"), r.err)
    }

    func testWaylandWithoutXWaylandIsRefusedClearly() throws {
        let r = try run(["windows"], environment: ["WAYLAND_DISPLAY": "wayland-0", "PATH": "/usr/bin:/bin"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("Wayland session without XWayland"), r.err)
    }

    /// Starts `pixelpilot key … --hold` on `display` and waits until it says it holds.
    func startHolding(_ args: [String], display: String) throws -> Process {
        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = ["key"] + args + ["--display", display]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        var line = Data()
        while !String(decoding: line, as: UTF8.self).contains("holding") {
            let d = out.fileHandleForReading.availableData
            if d.isEmpty { break }
            line.append(d)
        }
        return p
    }

    func testSIGTERMReleasesAHeldKey() throws {
        let xvfb = try VirtualDisplay(width: 200, height: 100)
        defer { xvfb.stop() }
        let probe = try X11Connection(name: xvfb.name)
        let p = try startHolding(["shift", "--hold", "30"], display: xvfb.name)
        probe.sync()
        XCTAssertFalse(probe.pressedKeycodes().isEmpty, "shift is held")
        p.terminate()  // SIGTERM
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 143)
        probe.sync()
        XCTAssertTrue(probe.pressedKeycodes().isEmpty, "released on SIGTERM")
    }

    /// SIGKILL cannot be caught: the agent's guardian process releases what it held. The probe
    /// connection stays open throughout, so the server (started with -noreset anyway) does not
    /// reset and clear the keyboard by itself, as a real desktop never does.
    func testSIGKILLReleasesAHeldKeyAndButton() throws {
        let xvfb = try VirtualDisplay(width: 200, height: 100)
        defer { xvfb.stop() }
        let probe = try X11Connection(name: xvfb.name)
        let up = try XCTUnwrap(probe.keycode(of: .up))
        let p = try startHolding(["Up", "--hold", "30", "--button", "left"], display: xvfb.name)
        probe.sync()
        XCTAssertTrue(probe.pressedKeycodes().contains(up), "Up is held")
        XCTAssertEqual(probe.pressedButtons(), [.left], "the left button is held")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline && (!probe.pressedKeycodes().isEmpty || !probe.pressedButtons().isEmpty) {
            usleep(5_000)
            probe.sync()
        }
        XCTAssertFalse(probe.pressedKeycodes().contains(up), "Up released after SIGKILL")
        XCTAssertEqual(probe.pressedButtons(), [], "button released after SIGKILL")
    }
}
