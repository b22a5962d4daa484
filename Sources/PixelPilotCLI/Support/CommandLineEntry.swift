import ArgumentParser
import Foundation

extension PixelPilot {
    /// Runs `pixelpilot` with the process's arguments (the executable's only call).
    ///
    /// Unlike argument-parser's own `main()`, it accepts renamed options' old spellings (with a note),
    /// suggests the nearest subcommand for a mistyped one, and names the failing command's own usage
    /// when `run()` refuses its arguments.
    public static func main() {
        let (command, notes) = parseWithRenames(Array(CommandLine.arguments.dropFirst()))
        for note in notes { FileHandle.standardError.write(Data((note + "\n").utf8)) }
        switch command {
        case .failure(let error):
            exit(withError: error)
        case .success(var command):
            do {
                try command.run()
            } catch {
                let type = Swift.type(of: command)
                if error is ValidationError {
                    let name = (["pixelpilot"] + commandNames(of: type)).joined(separator: " ")
                    let text =
                        "Error: \(PixelPilot.message(for: error))\n" + usageString(for: type)
                        + "\n  See '\(name) --help' for more information.\n"
                    FileHandle.standardError.write(Data(text.utf8))
                    Foundation.exit(ExitCode.validationFailure.rawValue)
                }
                exit(withError: error)
            }
        }
    }

    /// Parses `arguments` as the executable does: renamed spellings rewritten, a mistyped subcommand
    /// refused with the nearest one suggested.
    ///
    /// - Returns: the command or the error to report, and the notes about renamed options.
    public static func parseWithRenames(_ arguments: [String]) -> (Result<ParsableCommand, Error>, notes: [String]) {
        let (renamed, commandNotes) = RenamedOption.renamingCommand(arguments)
        let path = commandPath(of: renamed)
        let (rewritten, optionNotes) = RenamedOption.rewrite(renamed, commandPath: path.names)
        let notes = commandNotes + optionNotes
        do {
            return (.success(try parseAsRoot(rewritten)), notes)
        } catch {
            if let suggestion = subcommandSuggestion(renamed, path: path) {
                return (.failure(ValidationError(suggestion)), notes)
            }
            return (.failure(error), notes)
        }
    }

    /// The message the executable prints for `arguments`, or nil when they parse.
    public static func refusal(_ arguments: [String]) -> String? {
        switch parseWithRenames(arguments).0 {
        case .success: return nil
        case .failure(let error): return message(for: error)
        }
    }

    /// The subcommands that `arguments` name from the root (`["layout", "live"]`), with the last one's type
    /// and the index of the first word after them.
    static func commandPath(of arguments: [String]) -> (names: [String], type: ParsableCommand.Type, next: Int) {
        var type: ParsableCommand.Type = PixelPilot.self
        var names: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            guard
                let sub = type.configuration.subcommands.first(where: {
                    $0._commandName == word || $0.configuration.aliases.contains(word)
                })
            else { break }
            type = sub
            names.append(sub._commandName)
            index += 1
        }
        return (names, type, index)
    }

    /// The names from the root down to `type` (`["layout", "live"]`).
    static func commandNames(of type: ParsableCommand.Type) -> [String] {
        func search(_ node: ParsableCommand.Type, _ path: [String]) -> [String]? {
            if node == type { return path }
            for sub in node.configuration.subcommands {
                if let found = search(sub, path + [sub._commandName]) { return found }
            }
            return nil
        }
        return search(PixelPilot.self, []) ?? [type._commandName]
    }

    /// "Unknown command 'sortt' … Did you mean 'sort'?" when the word after a command group is not one of
    /// its subcommands.
    static func subcommandSuggestion(
        _ arguments: [String], path: (names: [String], type: ParsableCommand.Type, next: Int)
    ) -> String? {
        let subs = path.type.configuration.subcommands
        guard !subs.isEmpty, path.next < arguments.count else { return nil }
        let word = arguments[path.next]
        guard !word.hasPrefix("-") else { return nil }
        let group = (["pixelpilot"] + path.names).joined(separator: " ")
        let names = subs.map { $0._commandName }
        let ranked = names.map { ($0, editDistance(word.lowercased(), $0)) }.sorted { $0.1 < $1.1 }
        var text = "'\(word)' is not a \(group) command."
        if let best = ranked.first, best.1 <= max(2, word.count / 3) || best.0.hasPrefix(word.lowercased()) {
            text += " Did you mean '\(best.0)'?"
        }
        text += " The commands are: " + names.joined(separator: ", ") + " (see '\(group) --help')."
        return text
    }

    /// Levenshtein distance between two words.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
