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
            The sprites carry what defeats average-color methods: gold ornaments, red Vaal accents on \
            blue and green gems, red backgrounds for gems the character cannot use, a "+" badge, many \
            shapes. --style game cuts the cells out of the game-like rendering (random UI scales, \
            sub-pixel positions, neighbours' filigree reaching in, highlights), the way the sorter cuts \
            them from a screenshot. Example: pixelpilot dataset gems --out gems/ --per-class 200
            """)

    @Option(name: .shortAndLong, help: "Folder to write into (created if missing).")
    var out: String

    @Option(parsing: .unconditional, help: "Images per class.")
    var perClass = 100

    @Option(parsing: .unconditional, help: "Cell size in pixels.")
    var cellSize = 52

    @Option(parsing: .unconditional, help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "plain (flat cells), game (cut from the game-like rendering at random scales) or mixed (half each).")
    var style = DatasetStyle.plain

    func validate() throws {
        guard perClass > 0 else { throw ValidationError("--per-class must be positive, got \(perClass)") }
        guard cellSize >= 16 else { throw ValidationError("--cell-size must be at least 16, got \(cellSize)") }
    }

    func run() throws {
        let bar = ProgressBar()
        let start = Date()
        let url = URL(fileURLWithPath: out)
        let game = style == .game ? perClass : style == .mixed ? perClass / 2 : 0
        let plain = perClass - game
        let n = try { () throws -> Int in
            var n = 0
            if plain > 0 {
                n += try GemDataset.write(to: url, perClass: plain, size: cellSize, seed: seed) { done, total in
                    bar.update(
                        done: done, total: total + game * 4, elapsed: Date().timeIntervalSince(start), suffix: "images")
                }
            }
            if game > 0 {
                n += try GameDataset.write(to: url, perClass: game, size: cellSize, seed: seed) { done, total in
                    bar.update(
                        done: plain * 4 + done, total: plain * 4 + total, elapsed: Date().timeIntervalSince(start),
                        suffix: "images")
                }
            }
            return n
        }()
        bar.finish("Wrote \(n) images to \(out)")
    }
}

/// How `dataset gems` draws its cells.
enum DatasetStyle: String, CaseIterable, ExpressibleByArgument {
    /// Flat cells.
    case plain
    /// Cut from the game-like rendering at random UI scales.
    case game
    /// Half each.
    case mixed
}
