import Foundation
import TensorKit
import XCTest

final class ShippedModelTests: XCTestCase {
    let model = ShippedModel(
        fileName: "m.safetensors", environmentVariable: "PIXELPILOT_TEST_MODEL",
        resourceFolder: "PixelPilot_Test.resources", sourceTreeURL: URL(fileURLWithPath: "/src/Resources/m.safetensors")
    )

    func testLooksAtTheVariableTheResourcesTheInstalledCopyThenTheSourceTree() {
        let paths = model.candidates(
            environment: ["PIXELPILOT_TEST_MODEL": "/tmp/mine.safetensors"],
            executable: URL(fileURLWithPath: "/opt/pp/bin/pixelpilot")
        ).map(\.path)
        XCTAssertEqual(
            paths,
            [
                "/tmp/mine.safetensors", "/opt/pp/bin/PixelPilot_Test.resources/m.safetensors",
                "/opt/pp/share/pixelpilot/m.safetensors", "/src/Resources/m.safetensors",
            ])
        XCTAssertEqual(
            model.candidates(environment: ["PIXELPILOT_TEST_MODEL": ""], executable: nil).map(\.path),
            ["/src/Resources/m.safetensors"], "an empty variable is unset")
    }

    func testLocatesTheFirstThatExists() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shipped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var m = model
        m.sourceTreeURL = dir.appendingPathComponent("m.safetensors")
        XCTAssertNil(m.locate())
        try Data([1]).write(to: m.sourceTreeURL)
        XCTAssertEqual(m.locate(), m.sourceTreeURL)
    }
}
