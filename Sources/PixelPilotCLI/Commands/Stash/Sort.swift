import ArgumentParser
import Desktop
import Foundation
import StashSorter
import Imaging

struct Sort: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sort a stash tab by gem color with the fewest clicks, checking every click.",
        discussion: """
            Modes:
              suggest  work out the plan and show it; click nothing. For games whose
                       rules forbid automation that reads the screen.
              step     one click per press of ctrl+alt+s: one action per key press.
              auto     the whole plan; after every click the cell and the cursor are
                       re-read, and the plan is re-made on any surprise. Use only
                       where the game's rules allow automation.

            Model: the built-in cell classifier (trained on PixelPilot's drawn gems) \
            unless --model names another.

            Grid: found in a screenshot of the window (or in --screenshot) unless
            --grid X,Y[,CELL,PITCH,COLUMNS,ROWS] gives it in screen pixels, fractional \
            allowed (a 1080p 12x12 tab: 18,128,52,52.67,12,12). Give --columns/--rows \
            for a quad tab (24x24) or the inventory (12x5).

            Suggest mode shows: the moves as a numbered list; with --pictures DIR, \
            perception.png (cells outlined in their predicted color, unsure cells \
            crossed), preview.png (before and after) and moves-01.png... (a few \
            numbered moves per page); with --report FILE.json, the grid, every \
            cell's class and confidence, and the clicks and moves in order.

            Safety: input goes only to --window while it has focus and only inside \
            it; ctrl+alt+k is a kill switch; every held key and button is released \
            however the sorter stops.

            Examples:
              pixelpilot sort --window "Path of Exile" --detect --pictures plan/
              pixelpilot sort --screenshot shot.png --report plan.json
              pixelpilot sort --window "Path of Exile" --grid 18,128,52,52.67 \\
                  --mode step
            """)

    @OptionGroup var display: DisplayOptions
    @Option(help: "The cell classifier (.safetensors; default: the built-in one).") var model: String?
    @Option(help: "The game window: id (0x…) or text in its title or class.") var window = WindowSpec(
        argument: "Path of Exile")!
    @Option(help: "Read this saved screenshot (PNG or JPEG) instead of a window (suggest mode).") var screenshot:
        String?
    @Option(
        parsing: .unconditional, help: "Grid as X,Y[,CELL,PITCH,COLUMNS,ROWS] in screen pixels (fractional allowed).",
        transform: parseGrid)
    var grid: GridGeometry?
    @Flag(help: "Find the grid in a screenshot of the window (the default without --grid).") var detect = false
    @Option(parsing: .unconditional, help: "Columns of the grid to find (24 for a quad tab).") var columns = 12
    @Option(parsing: .unconditional, help: "Rows of the grid to find (5 for the inventory, 24 for a quad tab).")
    var rows = 12
    @Option(help: "vertical (columns, the original gem sorter's default) or horizontal (rows).") var layout = SortLayout
        .Direction
        .vertical
    @Flag(help: "No empty column/row between color groups.") var noGap = false
    @Option(help: "How to act (see above).") var mode = SortMode.suggest
    @Option(help: "Order within a color: color (classifier only), name or level (reads each item's text with Ctrl+C).")
    var by = ClipboardItemReader.Order.color
    @Option(help: "Where suggest mode writes the plan as one picture of numbered arrows.") var planOut = "plan.png"
    @Option(help: "Folder for the suggestion pictures (perception, preview, move pages).") var pictures: String?
    @Option(help: "Write the grid, every cell's reading and the moves as JSON here.") var report: String?
    @Option(parsing: .unconditional, help: "Milliseconds after each pointer move and between button down and up.")
    var clickPauseMs = 50.0
    @Option(parsing: .unconditional, help: "Item cells below this classifier confidence stay where they are.")
    var minConfidence: Float = 0.6

    func validate() throws {
        if grid != nil && detect { throw ValidationError("give --grid or --detect, not both") }
        guard clickPauseMs >= 0 else { throw ValidationError("--click-pause-ms must not be negative") }
        guard (1...100).contains(columns), (1...100).contains(rows) else {
            throw ValidationError("--columns and --rows must be 1...100")
        }
        guard (0...1).contains(minConfidence) else {
            throw ValidationError("--min-confidence must be in [0, 1], got \(minConfidence)")
        }
        if screenshot != nil {
            guard mode == .suggest else {
                throw ValidationError(
                    "--screenshot reads a saved picture: only --mode suggest can use it (nothing can be clicked)")
            }
            guard by == .color else {
                throw ValidationError("--by \(by) reads item text from the game's clipboard; a screenshot has none")
            }
        }
    }

    func run() throws {
        let (classifier, modelName) = try loadModel()
        print("Model: \(modelName)")
        let sortLayout = SortLayout(direction: layout, gapBetweenGroups: !noGap)
        if let screenshot {
            let image = try ImageFile.read(path: screenshot)
            let source = StillScreen(image: image)
            let (geometry, gridSource) = try findGrid(in: image, at: (0, 0))
            let perception = StashPerception(
                source: source, classifier: classifier, grid: geometry, confidenceThreshold: minConfidence)
            try suggest(
                perception: perception, layout: sortLayout, shot: image, shotOrigin: (0, 0), source: screenshot,
                model: modelName, gridSource: gridSource)
            return
        }
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let windows = X11WindowSystem(connection: connection)
        let target = try windows.window(id: try window.resolve(in: windows))
        var geometry: GridGeometry
        var gridSource: String
        if let grid {
            (geometry, gridSource) = (grid, "given")
        } else {
            let shot = try X11ScreenSource(connection: connection).capture(window: target.id)
            (geometry, gridSource) = try findGrid(in: shot.image, at: (shot.rect.x, shot.rect.y))
        }
        let source = X11ScreenSource(connection: connection)
        let perception = StashPerception(
            source: source, classifier: classifier, grid: geometry, confidenceThreshold: minConfidence)
        if mode == .suggest {
            let bounds = geometry.bounds
            let margin = 16
            let shot = try source.capture(
                ScreenRect(
                    x: bounds.x - margin, y: bounds.y - margin, width: bounds.width + 2 * margin,
                    height: bounds.height + 2 * margin))
            try suggest(
                perception: perception, layout: sortLayout, shot: shot.image, shotOrigin: (shot.rect.x, shot.rect.y),
                source: "window \(target.title.isEmpty ? String(target.id, radix: 16) : target.title)",
                model: modelName, gridSource: gridSource)
            return
        }
        try sortLive(
            connection: connection, target: target, perception: perception, geometry: geometry, gridSource: gridSource,
            classifier: classifier, modelName: modelName, layout: sortLayout)
    }

    /// Sorts in --mode auto or step on the target window (after writing --report of the first look).
    func sortLive(
        connection: X11Connection, target: WindowInfo, perception: StashPerception, geometry: GridGeometry,
        gridSource: String, classifier: CellClassifier, modelName: String, layout sortLayout: SortLayout
    ) throws {
        let source = X11ScreenSource(connection: connection)
        if let report {
            let s = try SortSuggestion.make(perception: perception, layout: sortLayout)
            try SortReportFile(
                source: "window \(target.title)", model: modelName, geometry: geometry, gridSource: gridSource,
                suggestion: s
            )
            .write(to: URL(fileURLWithPath: report))
            print("Report of the first look: \(report)")
        }
        let agent = try InputAgent.x11(
            connection: connection, target: target.id,
            timing: .pauses(clickPauseMs.millisecondsAsSeconds, maxActionsPerSecond: 100))
        defer { agent.stop() }
        let options = SortSession.Options(
            grid: geometry, layout: sortLayout, confidenceThreshold: minConfidence, order: by)
        let session = SortSession(
            source: source, classifier: classifier, agent: agent, window: target.rect, options: options,
            clipboard: by == .color ? nil : X11Clipboard(connection: connection))
        defer {
            if let reader = session.reader, !reader.disagreements.isEmpty {
                print(
                    "Item text and classifier disagree on \(reader.disagreements.count) cell(s): "
                        + reader.disagreements.map { "\($0.0): classifier \($0.classifier), text \($0.text)" }.joined(
                            separator: "; "))
            }
        }
        if mode == .step {
            let gate = try StepGate(hotkeys: try X11Hotkeys(displayName: connection.name))
            print("Step mode: press \(gate.combo) for each click; \(KillSwitch.defaultCombo) stops.")
            session.useStepGate(gate) { click in
                print("next: click \(click.cell)")
                fflush(stdout)
            }
        }
        let result = try session.executor.run()
        print(result.summary)
        if !result.completed { throw ExitCode(2) }
    }

    func loadModel() throws -> (CellClassifier, String) {
        if let model { return (try CellClassifier(contentsOf: URL(fileURLWithPath: model)), model) }
        let (c, url) = try BuiltInModel.load()
        return (c, "built-in (\(url.path))")
    }

    /// The grid: --grid as given (in screen pixels), else detected in `image` (whose top-left is
    /// at screen `at`). A failed detection saves the picture it looked at and says where.
    func findGrid(in image: Image, at: (x: Int, y: Int)) throws -> (GridGeometry, String) {
        if let grid { return (grid, "given") }
        do {
            let g = try GridDetector.detect(in: image, originX: at.x, originY: at.y, columns: columns, rows: rows)
            print("Detected grid: --grid \(g.argument)")
            return (g, "detected")
        } catch let f as GridDetector.Failure {
            let dir = pictures ?? "."
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let path = (dir as NSString).appendingPathComponent("detect-failed.png")
            let saved = (try? PNG.write(f.picture, path: path)) != nil
            throw CLIError(
                "\(f.description)" + (saved ? ". The picture it looked at (best candidate lines in red): \(path)" : "")
                    + ". Give the grid by hand with --grid X,Y,CELL,PITCH,COLUMNS,ROWS, or --columns/--rows if the tab is not 12x12."
            )
        }
    }

    func suggest(
        perception: StashPerception, layout: SortLayout, shot: Image, shotOrigin: (x: Int, y: Int), source: String,
        model: String, gridSource: String
    ) throws {
        let s = try SortSuggestion.make(perception: perception, layout: layout)
        let g = perception.grid
        let items = s.grid.cells.compactMap { $0 }.count
        let seed = (try? SeedSorter.clicks(for: s.grid, direction: layout.direction).count) ?? 0
        print(
            "Read \(items) items (\(s.unrecognised.count) unsure, left in place) and \(g.columns * g.rows - items) empty cells."
        )
        print(
            "Plan: \(s.plan.clicks.count) clicks (lower bound \(s.plan.lowerBound); the original gem sorter's algorithm: \(seed)); \(s.moves.count) moves:"
        )
        for line in SuggestionPictures.moveList(s) { print("  " + line) }
        try PNG.write(
            PlanPicture.render(s.plan, over: shot, grid: g, imageOriginX: shotOrigin.x, imageOriginY: shotOrigin.y)
                .cropped(to: g, imageOrigin: shotOrigin), path: planOut)
        var wrote = [planOut]
        if let pictures {
            wrote += try SuggestionPictures.write(
                s, crops: perception.lastCrops, screenshot: shot, grid: g, imageX: shotOrigin.x, imageY: shotOrigin.y,
                to: pictures)
        }
        if let report {
            try SortReportFile(source: source, model: model, geometry: g, gridSource: gridSource, suggestion: s)
                .write(to: URL(fileURLWithPath: report))
            wrote.append(report)
        }
        print("Wrote " + wrote.joined(separator: ", "))
        if !s.unrecognised.isEmpty {
            print(
                "Left in place (classifier unsure): \(s.unrecognised.sorted().map { s.grid.cell(at: $0).description }.joined(separator: " "))"
            )
        }
    }
}

extension Image {
    /// The grid's bounds cut out of a picture whose top-left is at screen `imageOrigin` (the
    /// whole picture when they do not fit).
    func cropped(to grid: GridGeometry, imageOrigin: (x: Int, y: Int)) -> Image {
        let b = grid.bounds
        return (try? cropped(x: b.x - imageOrigin.x, y: b.y - imageOrigin.y, width: b.width, height: b.height)) ?? self
    }
}

/// `--grid` values, with a message that names the option and its form.
func parseGrid(_ text: String) throws -> GridGeometry {
    guard let g = GridGeometry(argument: text) else {
        throw ValidationError(
            "--grid '\(text)' is not X,Y[,CELL,PITCH,COLUMNS,ROWS] (numbers; PITCH >= CELL; e.g. 18,128,52,52.67,12,12)"
        )
    }
    return g
}
