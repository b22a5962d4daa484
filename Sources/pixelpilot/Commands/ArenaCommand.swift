import ArgumentParser
import Arena
import Desktop
import Foundation

struct ArenaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arena",
        abstract: "Simulated games in real X11 windows, for demos, tests and training data.",
        subcommands: [ArenaStash.self, ArenaRacer.self])
}

struct ArenaStash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stash",
        abstract: "Open a window that behaves like a Path of Exile stash tab, shuffled from a seed.",
        discussion: """
        Click an item to pick it up (it follows the pointer), click an empty cell to put it down,
        click an item while holding one to swap; Ctrl+C over an item copies its text. The grid's
        top-left cell is at (18, 128) inside the window, cells 52 px with a 1 px border.
        Example: pixelpilot arena stash --seed 7 --seconds 600
        """)

    @OptionGroup var display: DisplayOptions
    @Option(help: "Seed of the shuffled stash.") var seed: UInt64 = 1
    @Option(help: "Fraction of cells holding a gem.") var fill = 0.5
    @Option(help: "Columns (12; 24 for a quad tab).") var columns = 12
    @Option(help: "Rows (12; 5 for an inventory; 24 for a quad tab).") var rows = 12
    @Option(help: "Probability that a click is ignored (fault injection).") var dropClicks = 0.0
    @Option(help: "Seconds before a click takes effect (a slow UI).") var clickDelay = 0.0
    @Option(help: "Cell size in pixels (52 as in the game at 1080p; another value renders at another scale).") var cellSize = 52
    @Option(help: "Close after this many seconds (default: until Ctrl+C).") var seconds: Double?

    func validate() throws {
        guard (0...1).contains(fill) else { throw ValidationError("--fill must be in [0, 1], got \(fill)") }
        guard columns > 0, rows > 0, columns <= 24, rows <= 24 else { throw ValidationError("--columns and --rows must be 1...24") }
        guard (0..<1).contains(dropClicks) else { throw ValidationError("--drop-clicks must be in [0, 1)") }
        guard (16...128).contains(cellSize) else { throw ValidationError("--cell-size must be 16...128, got \(cellSize)") }
    }

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let arena = try reporting {
            try StashArena(display: connection.name, state: .random(columns: columns, rows: rows, fill: fill, seed: seed),
                           position: (0, 0), layout: StashArena.Layout(cellSize: cellSize),
                           faults: ArenaFaults(dropClickProbability: dropClicks, clickDelay: clickDelay), seed: seed)
        }
        arena.window.focus()
        print("Stash arena on \(connection.name): window 0x\(String(arena.window.window, radix: 16)) at \(arena.window.rect), grid origin \(arena.gridOrigin), \(arena.state.allItems.count) gems")
        fflush(stdout)
        if let seconds { Thread.sleep(forTimeInterval: seconds) } else { while true { Thread.sleep(forTimeInterval: 3600) } }
        arena.close()
    }
}
