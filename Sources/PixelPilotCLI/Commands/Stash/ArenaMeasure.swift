import ArgumentParser
import Arena
import Foundation
import StashSorter
import Imaging
import Datasets

struct ArenaMeasure: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Measure grid detection and cell reading on game-like screenshots.",
        discussion: """
            Draws game-like screenshots (12x12 tab, inventory beside it, highlighted \
            cells) at 1280x720, 1920x1080, 2560x1440 and 3840x2160, finds the grid in \
            each, reads every cell with the model, and compares with the truth:

            detection error (largest distance between found and true cell centres), \
            per-class accuracy, the share of cells left unsure, and the share of cells \
            whose classifier confidence alone is below the threshold.

            Example:
              pixelpilot arena measure --seeds 3 --jpeg-quality 70
            """)

    @Option(help: "The cell classifier (default: the built-in one).") var model: String?
    @Option(parsing: .unconditional, help: "Screenshots per resolution.") var seeds = 3
    @Option(parsing: .unconditional, help: "Fraction of cells holding a gem.") var fill = 0.5
    @Option(parsing: .unconditional, help: "Save each screenshot as JPEG of this quality first (0: lossless).")
    var jpegQuality = 0
    @Option(parsing: .unconditional, help: "The confidence threshold.") var minConfidence: Float = 0.6

    func validate() throws {
        guard (1...50).contains(seeds) else { throw ValidationError("--seeds must be 1...50") }
        guard jpegQuality == 0 || (1...100).contains(jpegQuality) else {
            throw ValidationError("--jpeg-quality must be 0 or 1...100")
        }
    }

    func run() throws {
        let classifier: CellClassifier
        if let model {
            classifier = try CellClassifier(contentsOf: URL(fileURLWithPath: model))
        } else {
            classifier = try BuiltInModel.load().classifier
        }
        let names = classifier.classNames
        print(
            "| screen | detection error (px) | " + names.map { "\($0) right" }.joined(separator: " | ")
                + " | unsure | classifier alone below \(minConfidence) |")
        print("|---|---|" + names.map { _ in "---|" }.joined() + "---|---|")
        for (w, h) in [(1280, 720), (1920, 1080), (2560, 1440), (3840, 2160)] {
            var right = [Int](repeating: 0, count: names.count)
            var total = [Int](repeating: 0, count: names.count)
            var unsure = 0
            var low = 0
            var cells = 0
            var worst = 0.0
            for seed in 1...UInt64(seeds) {
                let state = StashState.random(fill: fill, seed: seed &* 31 &+ UInt64(h))
                let shot = GameScreenshot(
                    width: w, height: h, stash: state, inventory: .random(columns: 12, rows: 5, fill: 0.3, seed: seed),
                    highlighted: GameTruth.randomCells(fraction: 0.05, count: 144, seed: seed), seed: seed)
                var picture = shot.render()
                if jpegQuality > 0 { picture = try JPEG.decode(try JPEG.encode(picture, quality: jpegQuality)) }
                let grid = try GridDetector.detect(in: picture)
                let truth = shot.stashGrid
                for (c, r) in [(0, 0), (11, 0), (0, 11), (11, 11)] {
                    let a = grid.exactCenter(GridCell(column: c, row: r))
                    let b = truth.center(column: c, row: r)
                    worst = max(worst, abs(a.x - b.x), abs(a.y - b.y))
                }
                let perception = StashPerception(
                    source: StillScreen(image: picture), classifier: classifier, grid: grid,
                    confidenceThreshold: minConfidence)
                let readings = try perception.readAll()
                let raw = classifier.predict(batch: try LabeledImages.batch(perception.lastCrops))
                for (i, r) in readings.enumerated() {
                    let t = state.cells[i]?.color.rawValue ?? "empty"
                    guard let k = names.firstIndex(of: t) else { continue }
                    total[k] += 1
                    if r.isConfident, (r.className ?? "empty") == t { right[k] += 1 }
                    if !r.isConfident { unsure += 1 }
                    if raw[i].confidence < minConfidence { low += 1 }
                    cells += 1
                }
            }
            let acc = names.indices.map {
                total[$0] > 0
                    ? String(format: "%.1f %% (%d)", 100 * Double(right[$0]) / Double(total[$0]), total[$0]) : "-"
            }
            print(
                "| \(w)x\(h) | \(String(format: "%.2f", worst)) | " + acc.joined(separator: " | ")
                    + " | \(String(format: "%.1f %%", 100 * Double(unsure) / Double(cells))) | \(String(format: "%.1f %%", 100 * Double(low) / Double(cells))) |"
            )
            fflush(stdout)
        }
    }
}
