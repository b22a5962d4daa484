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
    @Option(help: "The game window: id (0x…) or text in its title or class.") var window = WindowSpec(argument: "Path of Exile")!
    @Option(help: "Grid as X,Y[,CELL,PITCH,COLUMNS,ROWS] in screen pixels.", transform: parseGrid) var grid: GridGeometry?
    @Flag(help: "Find the grid in a screenshot of the window instead (give --columns/--rows if not 12x12).") var detect = false
    @Option(help: "Columns of the grid (with --detect).") var columns = 12
    @Option(help: "Rows of the grid (with --detect).") var rows = 12
    @Option(help: "vertical (columns, the seed's default) or horizontal (rows).") var layout = SortLayout.Direction.vertical
    @Flag(help: "No empty column/row between colour groups.") var noGap = false
    @Option(help: "How to act (see above).") var mode = SortMode.suggest
    @Option(help: "Order within a colour: color (classifier only), name or level (reads each item's text with Ctrl+C).")
    var by = ClipboardItemReader.Order.color
    @Option(help: "Where suggest mode writes the plan picture.") var planOut = "plan.png"
    @Option(help: "Milliseconds after each pointer move and between button down and up (the seed used 50).") var clickPause = 50.0
    @Option(help: "Cells below this classifier confidence stay where they are.") var minConfidence: Float = 0.6

    func validate() throws {
        if grid != nil && detect { throw ValidationError("give --grid or --detect, not both") }
        guard clickPause >= 0 else { throw ValidationError("--click-pause must not be negative") }
        guard (0...1).contains(minConfidence) else { throw ValidationError("--min-confidence must be in [0, 1], got \(minConfidence)") }
    }

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let classifier = try CellClassifier(contentsOf: URL(fileURLWithPath: model))
        let windows = X11WindowSystem(connection: connection)
        let target = try windows.window(id: try window.resolve(in: windows))
        let source = X11ScreenSource(connection: connection)
        var geometry = grid ?? GridGeometry(originX: target.rect.x + 18, originY: target.rect.y + 128)
        if detect {
            let shot = try source.capture(window: target.id)
            geometry = try GridDetector.detect(in: shot.image, originX: shot.rect.x, originY: shot.rect.y, columns: columns, rows: rows)
            print("Detected grid: origin (\(geometry.originX), \(geometry.originY)), cells \(geometry.cellSize) px, pitch \(geometry.pitch)")
        }
        let pause = clickPause.millisecondsAsSeconds
        let agent = try InputAgent.x11(connection: connection, target: target.id,
                                       timing: .pauses(pause, maxActionsPerSecond: 100))
        defer { agent.stop() }
        let options = SortSession.Options(grid: geometry, layout: SortLayout(direction: layout, gapBetweenGroups: !noGap),
                                          confidenceThreshold: minConfidence, order: by)
        let session = SortSession(source: source, classifier: classifier, agent: agent, window: target.rect, options: options,
                                  clipboard: by == .color ? nil : X11Clipboard(connection: connection))
        let executor = session.executor
        defer {
            if let reader = session.reader, !reader.disagreements.isEmpty {
                print("Item text and classifier disagree on \(reader.disagreements.count) cell(s): "
                    + reader.disagreements.map { "\($0.0): classifier \($0.classifier), text \($0.text)" }.joined(separator: "; "))
            }
        }
        switch mode {
        case .suggest:
            let (plan, g, unrecognised) = try executor.currentPlan()
            let bounds = geometry.bounds
            let shot = try source.capture(bounds)
            try PNG.write(PlanPicture.render(plan, over: shot.image, grid: geometry, imageOriginX: bounds.x, imageOriginY: bounds.y),
                          path: planOut)
            let seed = (try? SeedSorter.clicks(for: g, direction: executor.layout.direction).count) ?? 0
            print("Plan: \(plan.clicks.count) clicks (lower bound \(plan.lowerBound); the seed's algorithm: \(seed)); "
                + "\(plan.misplacedCount) items move; picture: \(planOut)")
            if !unrecognised.isEmpty {
                print("Left in place (classifier unsure): \(unrecognised.sorted().map { g.cell(at: $0).description }.joined(separator: " "))")
            }
        case .step, .auto:
            if mode == .step {
                let gate = try StepGate(hotkeys: try X11Hotkeys(displayName: connection.name))
                print("Step mode: press \(gate.combo) for each click; \(KillSwitch.defaultCombo) stops.")
                session.useStepGate(gate) { click in
                    print("next: click \(click.cell)")
                    fflush(stdout)
                }
            }
            let report = try executor.run()
            print(SortSummary.text(report))
            if !report.completed { throw ExitCode(2) }
        }
    }
}

/// `--grid` values, with a message that names the option and its form.
func parseGrid(_ text: String) throws -> GridGeometry {
    guard let g = GridGeometry(argument: text) else {
        throw ValidationError("--grid '\(text)' is not X,Y[,CELL,PITCH,COLUMNS,ROWS] (e.g. 18,128,52,53,12,12)")
    }
    return g
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
