import ArgumentParser
import Foundation
import Arena

struct Dataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make training data.",
        subcommands: [DatasetGems.self, DatasetWindows.self])
}

struct DatasetGems: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gems",
        abstract: "Draw a labelled set of stash cells (blue/, empty/, green/, red/) with our own procedural gem art.",
        discussion: """
        The sprites carry what defeats average-colour methods: gold ornaments, red Vaal accents on \
        blue and green gems, red backgrounds for gems the character cannot use, a "+" badge, many \
        shapes. Example: pixelpilot dataset gems --out gems/ --per-class 200
        """)

    @Option(name: .shortAndLong, help: "Folder to write into (created if missing).")
    var out: String

    @Option(help: "Images per class.")
    var perClass = 100

    @Option(help: "Cell size in pixels.")
    var size = 52

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    func validate() throws {
        guard perClass > 0 else { throw ValidationError("--per-class must be positive, got \(perClass)") }
        guard size >= 16 else { throw ValidationError("--size must be at least 16, got \(size)") }
    }

    func run() throws {
        let bar = ProgressBar()
        let start = Date()
        let n = try reporting {
            try GemDataset.write(to: URL(fileURLWithPath: out), perClass: perClass, size: size, seed: seed) { done, total in
                bar.update(done: done, total: total, elapsed: Date().timeIntervalSince(start), suffix: "images")
            }
        }
        bar.finish("Wrote \(n) images to \(out)")
    }
}
