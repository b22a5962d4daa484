import ArgumentParser
import Arena
import Foundation
import Imaging

struct ArenaScreenshot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screenshot",
        abstract: "Draw a game-like screenshot with the stash open (no X server needed).",
        discussion: """
            Draws what Path of Exile shows with a stash tab open, at any resolution: the \
            stash panel (12x12 or quad tab), the inventory, the game world between them. \
            Writes the picture and, with --truth-out, a JSON file with the exact grids \
            and every cell's contents, to try `pixelpilot sort --screenshot` against.

            Example:
              pixelpilot arena screenshot --size 2560x1440 --out shot.png \\
                  --truth-out truth.json
            """)

    @Option(help: "Screen size WxH, 640x360 to 7680x4320.") var size = ScreenSize(width: 1920, height: 1080)
    @Option(help: "The open tab: normal (12x12) or quad (24x24).") var tab = "normal"
    @Option(parsing: .unconditional, help: "Random seed of the stash contents and the drawing.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Fraction of cells holding a gem.") var fill = 0.5
    @Option(parsing: .unconditional, help: "Fraction of stash cells with the search highlight.") var highlight = 0.0
    @Option(name: .shortAndLong, help: "Output picture (.png, or .jpg/.jpeg).") var out: String
    @Option(parsing: .unconditional, help: "JPEG quality 1-100 (for .jpg output).") var quality = 90
    @Option(help: "Write the truth (grids, cell contents) as JSON here.") var truthOut: String?

    func validate() throws {
        guard (640...7680).contains(size.width), (360...4320).contains(size.height) else {
            throw ValidationError("--size must be WxH from 640x360 to 7680x4320, got '\(size)'")
        }
        guard let t = GameTab(rawValue: tab), t != .inventory else {
            throw ValidationError("--tab must be normal or quad, got '\(tab)'")
        }
        guard (0...1).contains(fill) else { throw ValidationError("--fill must be in [0, 1], got \(fill)") }
        guard (0...1).contains(highlight) else {
            throw ValidationError("--highlight must be in [0, 1], got \(highlight)")
        }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1...100, got \(quality)") }
    }

    func run() throws {
        let screen = size
        let t = GameTab(rawValue: tab)!
        let state = StashState.random(columns: t.columns, rows: t.rows, fill: fill, seed: seed)
        let shot = GameScreenshot(
            width: screen.width, height: screen.height, tab: t, stash: state,
            inventory: .random(columns: 12, rows: 5, fill: 0.3, seed: seed &+ 99),
            highlighted: GameTruth.randomCells(fraction: highlight, count: t.columns * t.rows, seed: seed), seed: seed)
        let img = shot.render()
        try ImageFile.write(img, path: out, quality: quality)
        if let truthOut {
            try GameTruth(grid: shot.stashGrid, state: state).write(path: truthOut)
        }
        print(
            "Wrote \(out) (\(screen.width)x\(screen.height), \(t.rawValue) tab, \(state.allItems.count) gems; grid origin (\(String(format: "%.2f", shot.stashGrid.originX)), \(String(format: "%.2f", shot.stashGrid.originY))), pitch \(String(format: "%.3f", shot.stashGrid.pitch)))"
        )
    }
}
