import ArgumentParser
import Arena
import Desktop
import Foundation

struct ArenaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arena",
        abstract: "Simulated games in real X11 windows, for demos, tests and training data.",
        subcommands: [
            ArenaStash.self, ArenaScreenshot.self, ArenaMeasure.self, ArenaSoak.self, ArenaMap.self, ArenaRacer.self,
        ])
}

struct ArenaStash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stash",
        abstract: "Open a window that behaves like a Path of Exile stash tab, shuffled from a random seed.",
        discussion: """
            Click an item to pick it up (it follows the pointer), click an empty cell to \
            put it down, click an item while holding one to swap; Ctrl+C over an item \
            copies its text. Plain style: the grid's top-left cell is at (18, 128) inside \
            the window, cells 52 px with a 1 px border. Game style (--style game): drawn \
            like Path of Exile at --scale (1 = 1080p: pitch 52.67 px; 2 = 4K), with \
            ornate gems, the empty-slot emblem, a frame and --highlight cells.

            --truth-out writes the true contents (every cell and the cursor) as JSON \
            when the arena closes: at the end of --seconds, on Ctrl+C or SIGTERM, or \
            when its window is closed.

            Examples:
              pixelpilot arena stash --seed 7 --seconds 600
              pixelpilot arena stash --style game --scale 1.333 --truth-out truth.json
            """)

    @OptionGroup var display: DisplayOptions
    @Option(parsing: .unconditional, help: "Random seed of the shuffled stash.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Fraction of cells holding a gem.") var fill = 0.5
    @Option(parsing: .unconditional, help: "Columns (12; 24 for a quad tab).") var columns = 12
    @Option(parsing: .unconditional, help: "Rows (12; 5 for an inventory; 24 for a quad tab).") var rows = 12
    @Option(parsing: .unconditional, help: "Probability that a click is ignored (fault injection).") var dropClicks =
        0.0
    @Option(parsing: .unconditional, help: "Seconds before a click takes effect (a slow UI).") var clickDelay = 0.0
    @Option(
        parsing: .unconditional,
        help: "Cell size in pixels (52 as in the game at 1080p; another value renders at another scale).")
    var cellSize = 52
    @Option(parsing: .unconditional, help: "Close after this many seconds (default: until Ctrl+C).") var seconds:
        Double?
    @Option(help: "plain or game (drawn like Path of Exile).") var style = StashArena.Style.plain
    @Option(parsing: .unconditional, help: "Game style: UI scale (0.667 = 720p, 1 = 1080p, 1.333 = 1440p, 2 = 4K).")
    var scale = 1.0
    @Option(parsing: .unconditional, help: "Game style: fraction of cells with the search highlight.") var highlight =
        0.0
    @Option(help: "Write the true contents as JSON here when the arena closes.") var truthOut: String?

    func validate() throws {
        guard (0...1).contains(fill) else { throw ValidationError("--fill must be in [0, 1], got \(fill)") }
        guard columns > 0, rows > 0, columns <= 24, rows <= 24 else {
            throw ValidationError("--columns and --rows must be 1...24")
        }
        guard (0..<1).contains(dropClicks) else { throw ValidationError("--drop-clicks must be in [0, 1)") }
        guard (16...128).contains(cellSize) else {
            throw ValidationError("--cell-size must be 16...128, got \(cellSize)")
        }
        guard (0.5...2.5).contains(scale) else { throw ValidationError("--scale must be 0.5...2.5, got \(scale)") }
        guard (0...1).contains(highlight) else {
            throw ValidationError("--highlight must be in [0, 1], got \(highlight)")
        }
    }

    func run() throws {
        let (connection, virtual) = try display.open(virtualWhenUnset: true)
        defer { withExtendedLifetime(virtual) {} }
        var layout = StashArena.Layout(cellSize: cellSize)
        if style == .game {
            layout = .game(
                scale: scale, highlighted: GameTruth.randomCells(fraction: highlight, count: columns * rows, seed: seed)
            )
        }
        let arena = try StashArena(
            display: connection.name, state: .random(columns: columns, rows: rows, fill: fill, seed: seed),
            position: ScreenPoint(x: 0, y: 0), layout: layout,
            faults: ArenaFaults(dropClickProbability: dropClicks, clickDelay: clickDelay), seed: seed)
        arena.window.focus()
        let g = arena.screenGrid
        print(
            "Stash arena on \(connection.name): window 0x\(String(arena.window.window, radix: 16)) at \(arena.window.rect), grid origin \(arena.gridOrigin), \(arena.state.allItems.count) gems"
        )
        print(
            String(
                format: "Grid: --grid %.2f,%.2f,%.2f,%.3f,%d,%d", g.originX, g.originY, g.cellSize, g.pitch, g.columns,
                g.rows))
        fflush(stdout)
        let closer = ArenaCloser(arena: arena, truthOut: truthOut)
        closer.watchSignals()
        let windows = X11WindowSystem(connection: connection)
        let deadline = seconds.map { Date().addingTimeInterval($0) }
        while deadline.map({ Date() < $0 }) ?? true {
            Thread.sleep(forTimeInterval: 0.2)
            // Closed from outside (window manager, xkill): the window is gone.
            if (try? windows.window(id: arena.window.window)) == nil {
                closer.finish(reason: "window closed")
                throw ExitCode(0)
            }
        }
        closer.finish(reason: "end of --seconds")
    }
}

/// Writes the arena's truth once, however the arena closes.
final class ArenaCloser: @unchecked Sendable {
    let arena: StashArena
    let truthOut: String?
    private let lock = NSLock()
    private var done = false
    private var sources: [DispatchSourceSignal] = []

    init(arena: StashArena, truthOut: String?) {
        self.arena = arena
        self.truthOut = truthOut
    }

    func watchSignals() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                finish(reason: sig == SIGINT ? "Ctrl+C" : "SIGTERM")
                exit(sig == SIGINT ? 130 : 143)
            }
            source.resume()
            sources.append(source)
        }
    }

    func finish(reason: String) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        if let truthOut {
            let truth = GameTruth(grid: arena.screenGrid, state: arena.state)
            do {
                try truth.write(path: truthOut)
                print(
                    "Arena closed (\(reason)); truth written to \(truthOut): \(truth.cells.compactMap { $0 }.count) gems in cells, cursor \(truth.cursor == nil ? "empty" : "holding one")"
                )
            } catch {
                FileHandle.standardError.write(Data("pixelpilot: \(error)\n".utf8))
            }
            fflush(stdout)
        }
        arena.close()
    }
}
