import DesktopTesting
import Foundation
import Imaging
import XCTest

/// `layout live`, `layout serve` and `demo layout` refuse bad input with a message that names it.
final class LayoutLiveCLITests: XCTestCase {
    func testCorruptOrMismatchedModelFilesAndUnsafeServingAreClearErrors() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("layout-live-cli-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        // A corrupt ViT file.
        let corrupt = work.appendingPathComponent("corrupt.safetensors")
        try Data("this is not a safetensors file".utf8).write(to: corrupt)
        var r = try BuiltTool.run(
            BuiltTool.url(),
            [
                "layout", "live", "--extractor", "threshold", "--vit", corrupt.path, "--virtual-display", "--seconds",
                "1",
            ],
            in: work)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("corrupt.safetensors"), r.err)
        XCTAssertFalse(r.err.contains("Fatal error"), r.err)
        // A model of another kind where the ViT is expected (the stash sorter's cell classifier).
        let gem = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(
                "Sources/StashSorter/Resources/gem-classifier.safetensors")
        r = try BuiltTool.run(
            BuiltTool.url(), ["layout", "serve", "--extractor", "threshold", "--vit", gem.path, "--seconds", "1"],
            in: work)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("gem-classifier.safetensors") && r.err.contains("not a layout classifier"), r.err)
        // A missing UNet file.
        r = try BuiltTool.run(
            BuiltTool.url(), ["demo", "layout", "--unet", work.appendingPathComponent("nope.safetensors").path],
            in: work)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("nope.safetensors"), r.err)
        // Serving off loopback without a token.
        r = try BuiltTool.run(
            BuiltTool.url(),
            ["layout", "serve", "--extractor", "threshold", "--listen", "0.0.0.0:0", "--seconds", "1"], in: work,
            environment: ["PATH": "/usr/bin:/bin"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("needs a token"), r.err)
        r = try BuiltTool.run(BuiltTool.url(), ["layout", "live", "--server", "no-port-here"], in: work)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("HOST:PORT"), r.err)
    }

    /// `--guides DIR` on `layout live` and `demo layout`: a PNG named after no layout class, or
    /// one that cannot be read, stops the command before anything opens, naming the file; a good
    /// folder runs; `--help` documents it.
    func testUserGuideFoldersAreCheckedAndNamedInErrors() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("layout-guides-cli-\(UUID())")
        let good = work.appendingPathComponent("good")
        let badName = work.appendingPathComponent("bad-name")
        let badPNG = work.appendingPathComponent("bad-png")
        for d in [good, badName, badPNG] {
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(at: work) }
        let picture = Image(width: 120, height: 90, color: [40, 160, 90])
        try PNG.write(picture, path: good.appendingPathComponent("north-loop.png").path)
        try PNG.write(picture, path: good.appendingPathComponent("hub.png").path)
        try PNG.write(picture, path: badName.appendingPathComponent("hub.png").path)
        try PNG.write(picture, path: badName.appendingPathComponent("castle.png").path)
        try Data("not a png".utf8).write(to: badPNG.appendingPathComponent("u-turn.png"))
        for (dir, file) in [(badName, "castle.png"), (badPNG, "u-turn.png")] {
            for args in [
                [
                    "layout", "live", "--extractor", "threshold", "--guides", dir.path, "--virtual-display",
                    "--seconds", "1",
                ],
                [
                    "demo", "layout", "--extractor", "threshold", "--guides", dir.path, "--out",
                    work.appendingPathComponent("demo").path,
                ],
            ] {
                let r = try BuiltTool.run(BuiltTool.url(), args, in: work)
                XCTAssertNotEqual(r.status, 0, "\(args)")
                XCTAssertTrue(r.err.contains(dir.appendingPathComponent(file).path), r.err)
                XCTAssertFalse(r.err.contains("Fatal error"), r.err)
            }
        }
        var r = try BuiltTool.run(
            BuiltTool.url(),
            [
                "layout", "live", "--extractor", "threshold", "--guides", good.path, "--virtual-display", "--seconds",
                "1", "--start-now",
            ],
            in: work)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("Reading layouts"), r.out)
        r = try BuiltTool.run(BuiltTool.url(), ["layout", "live", "--help"], in: work)
        XCTAssertTrue(r.out.contains("--guides") && r.out.contains("north-loop.png"), r.out)
    }
}
