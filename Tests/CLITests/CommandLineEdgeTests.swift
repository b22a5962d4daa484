import DesktopTesting
import Foundation
import PixelPilotCLI
import XCTest

/// The command line's edge as a user meets it: renamed options, mistyped commands, negative numbers,
/// usage errors that name their own command, and commands aimed at the game with no display.
final class CommandLineEdgeTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("edge-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: work) }

    func run(_ args: [String], environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String)
    {
        try BuiltTool.run(BuiltTool.url(), args, in: work, environment: environment)
    }

    /// The environment of a user with no X display (and no Wayland).
    var noDisplay: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["DISPLAY"] = nil
        env["WAYLAND_DISPLAY"] = nil
        return env
    }

    func testRenamedOptionsStillWorkWithANote() throws {
        let (parsed, notes) = PixelPilot.parseWithRenames([
            "train", "policy", "a.ppr", "--out", "p.safetensors", "--val", "0.2", "--test=0.1", "--window", "12",
        ])
        XCTAssertNoThrow(try parsed.get())
        XCTAssertEqual(
            notes,
            [
                "note: --val is now --validation-split", "note: --test is now --test-split",
                "note: --window is now --frames-per-example",
            ])
        // The same spelling in another command is not renamed: --window is the target window in `sort`.
        XCTAssertEqual(PixelPilot.parseWithRenames(["sort", "--window", "Game"]).notes, [])
        // A value converted: --minutes 0.5 is --seconds 30.
        let (layout, layoutNotes) = PixelPilot.parseWithRenames(["train", "layout", "--minutes", "0.5"])
        XCTAssertNoThrow(try layout.get())
        XCTAssertEqual(layoutNotes, ["note: --minutes is now --seconds"])
        XCTAssertNil(PixelPilot.refusal(["train", "classifier", "gems", "--out", "m.safetensors", "--size", "52"]))
        // A renamed subcommand.
        let (pickle, pickleNotes) = PixelPilot.parseWithRenames(["recording", "import-seed", "r.pickle", "-o", "r.ppr"])
        XCTAssertNoThrow(try pickle.get())
        XCTAssertEqual(
            pickleNotes, ["note: pixelpilot recording import-seed is now pixelpilot recording import-pickle"])
        // Not shown in help.
        let help = PixelPilot.helpMessage(for: PixelPilot.self, columns: 80)
        XCTAssertFalse(help.contains("--val "), help)
    }

    func testAMistypedCommandGetsTheNearestOne() throws {
        let sort = try XCTUnwrap(PixelPilot.refusal(["sortt"]))
        XCTAssertTrue(
            sort.contains("'sortt' is not a pixelpilot command") && sort.contains("Did you mean 'sort'?"), sort)
        let live = try XCTUnwrap(PixelPilot.refusal(["layout", "lvie", "--fps", "2"]))
        XCTAssertTrue(live.contains("not a pixelpilot layout command") && live.contains("'live'"), live)
        let none = try XCTUnwrap(PixelPilot.refusal(["zzzzzzzzz"]))
        XCTAssertFalse(none.contains("Did you mean"), none)
        XCTAssertTrue(none.contains("The commands are: demo, sort"), none)
        let r = try run(["sortt"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.err.contains("Did you mean 'sort'?"), r.err)
    }

    func testNegativeNumbersReachTheirCheck() throws {
        XCTAssertNil(PixelPilot.refusal(["sort", "--grid", "-5,128,52,52.67,12,12", "--mode", "suggest"]))
        let fps = try XCTUnwrap(PixelPilot.refusal(["record", "--out", "a.ppr", "--fps", "-1"]))
        XCTAssertFalse(fps.contains("Missing value"), fps)
        XCTAssertTrue(fps.contains("--fps"), fps)
        XCTAssertNil(PixelPilot.refusal(["arena", "racer", "--position", "-10,-20"]))
    }

    func testListOptionsNameTheirChoices() throws {
        let looks = try XCTUnwrap(
            PixelPilot.refusal(["train", "unet", "--out", "u.safetensors", "--appearance", "arena,shiny"]))
        XCTAssertTrue(looks.contains("--appearance must list arena or varied") && looks.contains("shiny"), looks)
        let effects = try XCTUnwrap(
            PixelPilot.refusal(["train", "unet", "--out", "u.safetensors", "--effects", "loud"]))
        XCTAssertTrue(effects.contains("--effects must list none, normal or heavy"), effects)
        XCTAssertNil(PixelPilot.refusal(["train", "unet", "--out", "u.safetensors", "--appearance", "varied"]))
    }

    func testAUsageErrorFromRunNamesItsOwnCommand() throws {
        let bad = work.appendingPathComponent("bad.safetensors")
        try Data("not a model".utf8).write(to: bad)
        let r = try run(["layout", "bench-vit", "--model", bad.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("bad.safetensors"), r.err)
        XCTAssertFalse(r.err.contains("USAGE: pixelpilot <subcommand>"), r.err)
        // A check in run() that refuses an argument shows that command's usage, not the root's.
        let eval = try run(["layout", "evaluate", "--test-instances", "0"])
        XCTAssertEqual(eval.status, 64, eval.err)
        XCTAssertTrue(eval.err.contains("pixelpilot layout evaluate"), eval.err)
        XCTAssertFalse(eval.err.contains("<subcommand>"), eval.err)
    }

    func testCommandsForTheGameNeedADisplay() throws {
        for args in [["sort"], ["doctor"], ["windows"], ["capture"], ["record", "--out", "a.ppr"]] {
            let r = try run(args, environment: noDisplay)
            XCTAssertEqual(r.status, 1, "\(args): \(r.err)")
            XCTAssertTrue(r.err.contains("no X display is set") && r.err.contains("--display :0"), "\(args): \(r.err)")
            XCTAssertFalse(r.err.contains("private virtual display :"), "\(args) started an Xvfb: \(r.err)")
        }
        // The arenas need no game: they start their own display.
        let arena = try run(["arena", "stash", "--seconds", "0.5"], environment: noDisplay)
        XCTAssertEqual(arena.status, 0, arena.err)
        XCTAssertTrue(arena.err.contains("using a private virtual display"), arena.err)
    }
}
