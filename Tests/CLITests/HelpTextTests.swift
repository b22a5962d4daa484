import ArgumentParser
import PixelPilotCLI
import XCTest

/// Every command's `--help` as a user reads it in an 80-column terminal: no hand-wrapped line that
/// the terminal wraps again, no default printed as a Swift value, no word from the project's
/// internals.
final class HelpTextTests: XCTestCase {
    /// Every command below `pixelpilot`, with its path (`["layout", "live"]`).
    func allCommands() -> [(path: [String], type: ParsableCommand.Type)] {
        var found: [(path: [String], type: ParsableCommand.Type)] = []
        func walk(_ type: ParsableCommand.Type, _ path: [String]) {
            found.append((path, type))
            for sub in type.configuration.subcommands { walk(sub, path + [sub._commandName]) }
        }
        walk(PixelPilot.self, [])
        return found
    }

    func testEveryCommandIsWalked() {
        let paths = allCommands().map { $0.path.joined(separator: " ") }
        XCTAssertGreaterThan(paths.count, 50)
        for expected in ["sort", "layout live", "train policy", "arena map", "recording verify", "bench"] {
            XCTAssertTrue(paths.contains(expected), expected)
        }
    }

    /// A hand-wrapped line longer than 80 columns comes out of the terminal as a long line and a
    /// fragment. Text is either a paragraph on one line (argument-parser wraps it to the terminal)
    /// or lines that each fit.
    func testNoHandWrappedLineIsWrappedAgain() {
        var problems: [String] = []
        for (path, type) in allCommands() {
            let name = (["pixelpilot"] + path).joined(separator: " ")
            // The overview and discussion come before USAGE; the tables after it are laid out by argument-parser.
            let wide = PixelPilot.helpMessage(for: type, columns: 10_000).components(separatedBy: "\n")
                .prefix { !$0.hasPrefix("USAGE:") }.map { $0 }
            for (i, line) in wide.enumerated() where line.count > 80 {
                let next = i + 1 < wide.count ? wide[i + 1] : ""
                if !next.trimmingCharacters(in: .whitespaces).isEmpty {
                    problems.append("\(name): hand-wrapped line of \(line.count) columns: \(line)")
                }
            }
        }
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
    }

    func testDefaultsReadAsAUserWritesThem() throws {
        let swiftValue = try NSRegularExpression(pattern: #"default: ([A-Za-z]+\(|Optional|\[)"#)
        var problems: [String] = []
        for (path, type) in allCommands() {
            let help = PixelPilot.helpMessage(for: type, columns: 10_000)
            for line in help.components(separatedBy: "\n") {
                let range = NSRange(line.startIndex..., in: line)
                if swiftValue.firstMatch(in: line, range: range) != nil {
                    problems.append("\(path.joined(separator: " ")): \(line)")
                }
            }
        }
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
        let click = PixelPilot.helpMessage(
            for: PixelPilot.self.configuration.subcommands.first {
                $0._commandName == "click"
            }!, columns: 10_000)
        XCTAssertTrue(click.contains("default: left)") && !click.contains("default: 1"), click)
    }

    /// Words that mean something only inside the project: "the seed" for an original project, notes'
    /// section marks, issue numbers, training stages. A random seed is called so.
    func testNoInternalWords() throws {
        let patterns = [
            #"(?<!random )(?<!random-)\bseed('s)?\b"#, #"\bissue \d+"#, #"\bpart [12]\b"#, "§",
            #"\b(first|second|third|fourth|fifth|sixth|seventh|\d+(st|nd|rd|th)) (training )?stage\b"#,
        ]
        let regexes = try patterns.map { try NSRegularExpression(pattern: $0, options: [.caseInsensitive]) }
        // Option names and value placeholders are names, not words: --seed, --split-seed, <seed>.
        let names = try NSRegularExpression(pattern: #"(--|<)[a-z0-9-]+>?"#)
        var problems: [String] = []
        for (path, type) in allCommands() {
            let help = PixelPilot.helpMessage(for: type, columns: 10_000)
            for line in help.components(separatedBy: "\n") {
                let stripped = names.stringByReplacingMatches(
                    in: line, range: NSRange(line.startIndex..., in: line), withTemplate: "")
                let range = NSRange(stripped.startIndex..., in: stripped)
                if regexes.contains(where: { $0.firstMatch(in: stripped, range: range) != nil }) {
                    problems.append("\(path.joined(separator: " ")): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
    }
}
