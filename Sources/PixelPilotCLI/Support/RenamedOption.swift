import Foundation

/// An option spelling that a release renamed: still accepted for one release, with a note naming the new
/// one, and not shown in `--help` (docs/cli.md lists them).
struct RenamedOption: Sendable {
    /// The command's path below `pixelpilot`, e.g. `["train", "policy"]`.
    let command: [String]
    let old: String
    let new: String
    /// Turns the old option's value into the new one's (`--minutes 10` becomes `--seconds 600`).
    var convert: (@Sendable (String) -> String)? = nil

    /// Every renamed spelling, by command.
    static let all: [RenamedOption] = [
        RenamedOption(command: ["train", "policy"], old: "--window", new: "--frames-per-example"),
        RenamedOption(command: ["train", "policy"], old: "--val", new: "--validation-split"),
        RenamedOption(command: ["train", "policy"], old: "--test", new: "--test-split"),
        RenamedOption(command: ["dataset", "windows"], old: "--window", new: "--frames-per-example"),
        RenamedOption(command: ["dataset", "windows"], old: "--val", new: "--validation-split"),
        RenamedOption(command: ["dataset", "windows"], old: "--test", new: "--test-split"),
        RenamedOption(command: ["dataset", "windows"], old: "--size", new: "--frame-size"),
        RenamedOption(command: ["drive", "bench"], old: "--window", new: "--frames-per-example"),
        RenamedOption(command: ["train", "classifier"], old: "--size", new: "--cell-size"),
        RenamedOption(command: ["dataset", "gems"], old: "--size", new: "--cell-size"),
        RenamedOption(
            command: ["train", "layout"], old: "--minutes", new: "--seconds",
            convert: { Double($0).map { String($0 * 60) } ?? $0 }),
        RenamedOption(command: ["layout", "label"], old: "--window", new: "--choose"),
        RenamedOption(command: ["record"], old: "--size", new: "--region-size"),
        RenamedOption(command: ["recording", "verify"], old: "--size", new: "--frame-size"),
        RenamedOption(command: ["arena", "screenshot"], old: "--resolution", new: "--size"),
        RenamedOption(command: ["sort"], old: "--click-pause", new: "--click-pause-ms"),
        RenamedOption(command: ["demo"], old: "--click-pause", new: "--click-pause-ms"),
        RenamedOption(command: ["demo", "layout"], old: "--output", new: "--out"),
    ]

    /// Subcommands that a release renamed: the old path and the new name of its last word.
    static let renamedCommands: [(old: [String], new: String)] = [(["recording", "import-seed"], "import-pickle")]

    /// The arguments with a renamed subcommand's old name replaced, and a note.
    static func renamingCommand(_ arguments: [String]) -> (arguments: [String], notes: [String]) {
        for rename in renamedCommands where arguments.starts(with: rename.old) {
            var out = arguments
            out[rename.old.count - 1] = rename.new
            let old = rename.old.joined(separator: " ")
            let new = (rename.old.dropLast() + [rename.new]).joined(separator: " ")
            return (out, ["note: pixelpilot \(old) is now pixelpilot \(new)"])
        }
        return (arguments, [])
    }

    /// The arguments with every old spelling of the command they name replaced by the new one, and a note for each.
    ///
    /// - Parameters:
    ///   - arguments: the words after `pixelpilot`.
    ///   - commandPath: the names of the subcommands the arguments start with (see `PixelPilot.commandPath(of:)`).
    static func rewrite(_ arguments: [String], commandPath: [String]) -> (arguments: [String], notes: [String]) {
        let renames = all.filter { $0.command == commandPath }
        guard !renames.isEmpty else { return (arguments, []) }
        var out: [String] = []
        var notes: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" {
                out += arguments[index...]
                break
            }
            let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
            guard let rename = renames.first(where: { $0.old == name }) else {
                out.append(word)
                index += 1
                continue
            }
            notes.append("note: \(rename.old) is now \(rename.new)")
            if let convert = rename.convert {
                if let equals = word.firstIndex(of: "=") {
                    out.append(rename.new + "=" + convert(String(word[word.index(after: equals)...])))
                } else {
                    out.append(rename.new)
                    if index + 1 < arguments.count {
                        out.append(convert(arguments[index + 1]))
                        index += 1
                    }
                }
            } else {
                out.append(rename.new + word.dropFirst(name.count))
            }
            index += 1
        }
        return (out, notes)
    }
}
