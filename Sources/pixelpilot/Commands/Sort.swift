import ArgumentParser
import Desktop
import Foundation
import StashSorter
import Vision

struct Sort: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sort a stash tab by gem colour with the fewest clicks, checking every click.",
        discussion: """
        Modes:
          suggest  draw the plan as numbered arrows (--plan-out); click nothing.
                   For games whose rules forbid automation that reads the screen.
          step     one click per press of ctrl+alt+s: one action per key press.
          auto     the whole plan; after every click the cell and the cursor are
                   re-read, and the plan is re-made on any surprise. Use only
                   where the game's rules allow automation.

        Safety: input goes only to --window while it has focus and only inside
        it; ctrl+alt+k is a kill switch; every held key and button is released
        however the sorter stops.

        Grid: --grid X,Y[,CELL,PITCH,COLUMNS,ROWS] in screen pixels (the seed
        measured 18,128,52,53,12,12 at 1920x1080), or --detect; without either
        the grid is at (18,128) inside the window.

        Example:
          pixelpilot sort --model gem.safetensors --window "Path of Exile" \\
              --mode suggest --plan-out plan.png
        """)

    @OptionGroup var display: DisplayOptions
    @Option(help: "The cell classifier (.safetensors).") var model: String
    @Option(help: "The game window: id (0x…) or text in its title or class.") var window = "Path of Exile"
    @Option(help: "Grid as X,Y[,CELL,PITCH,COLUMNS,ROWS] in screen pixels.") var grid: String?
    @Flag(help: "Find the grid in a screenshot of the window instead (give --columns/--rows if not 12x12).") var detect = false
    @Option(help: "Columns of the grid (with --detect).") var columns = 12
    @Option(help: "Rows of the grid (with --detect).") var rows = 12
    @Option(help: "vertical (columns, the seed's default) or horizontal (rows).") var layout = "vertical"
    @Flag(help: "No empty column/row between colour groups.") var noGap = false
    @Option(help: "suggest, step or auto.") var mode = "suggest"
    @Option(help: "Order within a colour: colour (classifier only), name or level (reads each item's text with Ctrl+C).") var by = "colour"
    @Option(help: "Where suggest mode writes the plan picture.") var planOut = "plan.png"
    @Option(help: "Milliseconds after each pointer move and between button down and up (the seed used 50).") var clickPause = 50.0
    @Option(help: "Cells below this classifier confidence stay where they are.") var minConfidence: Float = 0.6

    func validate() throws {
        guard SortMode(rawValue: mode) != nil else { throw ValidationError("--mode must be suggest, step or auto, got '\(mode)'") }
        guard SortLayout.Direction(rawValue: layout) != nil else { throw ValidationError("--layout must be vertical or horizontal, got '\(layout)'") }
        if let grid, GridGeometry(parsing: grid) == nil { throw ValidationError("--grid '\(grid)' is not X,Y[,CELL,PITCH,COLUMNS,ROWS]") }
        if grid != nil && detect { throw ValidationError("give --grid or --detect, not both") }
        guard clickPause >= 0 else { throw ValidationError("--click-pause must not be negative") }
        guard ClipboardItemReader.Order(rawValue: by) != nil else { throw ValidationError("--by must be colour, name or level, got '\(by)'") }
    }

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let classifier = try reporting { try CellClassifier(contentsOf: URL(fileURLWithPath: model)) }
        let windows = X11WindowSystem(connection: connection)
        let target = try reporting { try windows.window(id: try resolveWindow(window, connection: connection)) }
        var geometry = grid.flatMap(GridGeometry.init(parsing:)) ?? GridGeometry(originX: target.rect.x + 18, originY: target.rect.y + 128)
        if detect {
            let shot = try reporting { try X11ScreenSource(connection: connection).capture(window: target.id) }
            geometry = try reporting { try GridDetector.detect(in: shot.image, originX: shot.rect.x, originY: shot.rect.y, columns: columns, rows: rows) }
            print("Detected grid: origin (\(geometry.originX), \(geometry.originY)), cells \(geometry.cellSize) px, pitch \(geometry.pitch)")
        }
        let perception = StashPerception(source: X11ScreenSource(connection: connection), classifier: classifier, grid: geometry,
                                         confidenceThreshold: minConfidence)
        let device = try reporting { try X11InputDevice(connection: connection) }
        let pause = clickPause / 1000
        device.timing = InputTiming(afterMove: pause, holdDown: pause, afterRelease: pause, maxActionsPerSecond: 100)
        let binding = FocusBinding(windows: windows, target: target.id)
        binding.bind(device)
        let kill = try reporting { try KillSwitch(displayName: connection.name) }
        kill.watch(binding)
        defer { kill.stop() }
        let bounds = geometry.bounds
        let parking = (x: Swift.min(bounds.x + bounds.width + 75, target.rect.x + target.rect.width - 30), y: bounds.y + Int(geometry.cellSize / 2))
        let executor = SortExecutor(perception: perception, device: device,
                                    layout: SortLayout(direction: SortLayout.Direction(rawValue: layout)!, gapBetweenGroups: !noGap), parking: parking)
        var reader: ClipboardItemReader?
        if by != "colour" {
            let r = try reporting { try ClipboardItemReader(device: device, connection: connection, grid: geometry, order: ClipboardItemReader.Order(rawValue: by)!) }
            executor.itemKey = { cell, cls in try r.key(at: cell, className: cls) }
            reader = r
        }
        defer {
            if let reader, !reader.disagreements.isEmpty {
                print("Item text and classifier disagree on \(reader.disagreements.count) cell(s): " + reader.disagreements.map { "\($0.0): classifier \($0.classifier), text \($0.text)" }.joined(separator: "; "))
            }
        }
        switch SortMode(rawValue: mode)! {
        case .suggest:
            let (plan, g, unrecognised) = try reporting { try executor.currentPlan() }
            let shot = try reporting { try X11ScreenSource(connection: connection).capture(bounds) }
            try reporting { try PNG.write(PlanPicture.render(plan, over: shot.image, grid: geometry, imageOriginX: bounds.x, imageOriginY: bounds.y), path: planOut) }
            let seed = (try? SeedSorter.clicks(for: g, direction: executor.layout.direction).count) ?? 0
            print("Plan: \(plan.clicks.count) clicks (lower bound \(plan.lowerBound); the seed's algorithm: \(seed)); \(plan.misplacedCount) items move; picture: \(planOut)")
            if !unrecognised.isEmpty { print("Left in place (classifier unsure): \(unrecognised.sorted().map { g.cell(at: $0).description }.joined(separator: " "))") }
        case .step, .auto:
            if mode == "step" {
                let gate = try reporting { try StepGate(displayName: connection.name) }
                kill.onTrip { gate.stop() }
                print("Step mode: press \(gate.combo) for each click; ctrl+alt+k stops.")
                executor.beforeClick = { click in
                    print("next: click \(click.cell)")
                    fflush(stdout)
                    try gate.wait()
                }
            }
            let report = try reporting { try executor.run() }
            print(SortSummary.text(report))
            if !report.completed { throw ExitCode(2) }
        }
    }
}

/// A printable summary of a sort.
enum SortSummary {
    static func text(_ r: SortReport) -> String {
        let lost = r.itemsBefore.reduce(0) { $0 + $1.value } - r.itemsAfter.reduce(0) { $0 + $1.value }
        var s = """
        Clicks: \(r.clicks) (lower bound \(r.lowerBound); the seed's algorithm: \(r.seedClicks), \(String(format: "%.0f", SeedTiming.seconds(forClicks: r.seedClicks))) s with its fixed sleeps)
        Time: \(String(format: "%.1f", r.seconds)) s; re-plans after a surprise: \(r.replans); items lost: \(lost)
        """
        if !r.unrecognised.isEmpty { s += "\nLeft in place (classifier unsure): " + r.unrecognised.map(\.description).joined(separator: " ") }
        s += r.completed ? "\nSorted; the cursor is empty." : "\nStopped: \(r.stopReason ?? "not sorted")"
        return s
    }
}
