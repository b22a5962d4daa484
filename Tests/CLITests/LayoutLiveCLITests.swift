import DesktopTesting
import Foundation
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
}
