import ArgumentParser
import Desktop
import PixelPilotCLI
import XCTest

/// The commands parsed in-process, as the executable parses them: typed options are refused at
/// the argument with the list or form of valid values.
final class CommandParsingTests: XCTestCase {
    /// The message the executable prints for `args`, or nil when they parse.
    func refusal(_ args: [String]) -> String? {
        do {
            _ = try PixelPilot.parseAsRoot(args)
            return nil
        } catch {
            return PixelPilot.message(for: error)
        }
    }

    func testABadModeIsRefusedWithTheValidValues() throws {
        let m = try XCTUnwrap(refusal(["sort", "--model", "m.safetensors", "--mode", "bogus"]))
        XCTAssertTrue(m.contains("'bogus'") && m.contains("--mode"), m)
        XCTAssertTrue(m.contains("'suggest', 'step' or 'auto'"), m)
    }

    func testEnumOptionsListTheirValues() throws {
        let layout = try XCTUnwrap(refusal(["sort", "--model", "m", "--layout", "diagonal"]))
        XCTAssertTrue(layout.contains("'vertical'") && layout.contains("'horizontal'"), layout)
        let by = try XCTUnwrap(refusal(["sort", "--model", "m", "--by", "hue"]))
        XCTAssertTrue(by.contains("'color', 'name' or 'level'"), by)
        XCTAssertNil(refusal(["sort", "--model", "m", "--by", "col" + "our"]), "the British spelling is accepted too")
        let button = try XCTUnwrap(refusal(["click", "1", "2", "--button", "fourth"]))
        XCTAssertTrue(button.contains("'left', 'middle' or 'right'"), button)
        let suite = try XCTUnwrap(refusal(["bench", "--only", "sgemm,nope"]))
        XCTAssertTrue(suite.contains("'nope'") || suite.contains("sgemm,nope"), suite)
    }

    func testStructuredValuesAreParsedOnceAndNamedWhenWrong() throws {
        XCTAssertNil(refusal(["sort", "--model", "m", "--grid", "18,128,52,53,12,12", "--mode", "step"]))
        let grid = try XCTUnwrap(refusal(["sort", "--model", "m", "--grid", "18,x"]))
        XCTAssertTrue(grid.contains("--grid '18,x' is not X,Y[,CELL,PITCH,COLUMNS,ROWS]"), grid)
        let region = try XCTUnwrap(refusal(["capture", "--region", "0x0+1+1"]))
        XCTAssertTrue(region.contains("--region '0x0+1+1'"), region)
        let key = try XCTUnwrap(refusal(["key", "ctrl+nokey"]))
        XCTAssertTrue(key.contains("key combination 'ctrl+nokey' is not valid: unknown key name 'nokey'"), key)
        XCTAssertNil(refusal(["key", "ctrl+alt+Delete", "--dry-run"]))
        let both = try XCTUnwrap(refusal(["sort", "--model", "m", "--grid", "1,2", "--detect"]))
        XCTAssertTrue(both.contains("give --grid or --detect, not both"), both)
        let button = try XCTUnwrap(refusal(["key", "a", "--button", "left"]))
        XCTAssertTrue(button.contains("--button goes with --hold"), button)
    }

    func testKeysHaveOneCanonicalName() throws {
        XCTAssertEqual(try Key("ctrl"), Key.control)
        XCTAssertEqual(try Key("Control_L"), Key.control)
        XCTAssertEqual(try Key("A"), try Key("a"))
        XCTAssertEqual(try Key("f5").name, "F5")
        XCTAssertEqual(try Key("esc"), Key.escape)
        XCTAssertEqual(try Key(",").name, "comma")
        XCTAssertThrowsError(try Key("nokey")) { XCTAssertEqual($0 as? DesktopError, .unknownKey("nokey")) }
        let combo = try KeyCombo(parsing: "ctrl+alt+q")
        XCTAssertEqual(combo.modifiers, [.control, .alt])
        XCTAssertEqual(combo.key.name, "q")
        XCTAssertEqual(combo.description, "ctrl+alt+q")
        XCTAssertEqual(
            try KeyCombo(parsing: "Control_L+Alt_L+Q"), combo, "every spelling of a combination is the same value")
        XCTAssertThrowsError(try KeyCombo(parsing: "a+b"))
        XCTAssertThrowsError(try KeyCombo(parsing: "ctrl+"))
        // Stored as canonical text and read back to the same value.
        let data = try JSONEncoder().encode([combo])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"["ctrl+alt+q"]"#)
        XCTAssertEqual(try JSONDecoder().decode([KeyCombo].self, from: data), [combo])
    }
}
