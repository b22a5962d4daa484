import ArgumentParser
import Arena
import Foundation
import Workshop
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
        let classifier =
            try model.map { try CellClassifier(contentsOf: URL(fileURLWithPath: $0)) } ?? BuiltInModel.load().classifier
        let names = classifier.classNames
        print(
            "| screen | detection error (px) | " + names.map { "\($0) right" }.joined(separator: " | ")
                + " | unsure | classifier alone below \(minConfidence) |")
        print("|---|---|" + names.map { _ in "---|" }.joined() + "---|---|")
        for (w, h) in [(1280, 720), (1920, 1080), (2560, 1440), (3840, 2160)] {
            let r = try ScreenshotMeasure.measure(
                classifier, width: w, height: h, seeds: seeds, fill: fill, jpegQuality: jpegQuality,
                minConfidence: minConfidence)
            let acc = names.indices.map { k in
                r.accuracy(k).map { String(format: "%.1f %% (%d)", 100 * $0, r.total[k]) } ?? "-"
            }
            let cells = Double(Swift.max(1, r.cells))
            print(
                "| \(w)x\(h) | \(String(format: "%.2f", r.worstDetectionError)) | " + acc.joined(separator: " | ")
                    + " | \(String(format: "%.1f %%", 100 * Double(r.unsure) / cells)) | \(String(format: "%.1f %%", 100 * Double(r.lowConfidence) / cells)) |"
            )
            fflush(stdout)
        }
    }
}
