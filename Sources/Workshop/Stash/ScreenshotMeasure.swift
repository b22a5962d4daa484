import Arena
import Datasets
import Desktop
import Foundation
import Imaging
import StashSorter

/// The stash sorter's perception on rendered game screenshots (`arena measure`): grid detection
/// against the true grid, and each class's cells read right, at one screen size.
public enum ScreenshotMeasure {
    /// The figures at one screen size.
    public struct Row: Sendable {
        public var width: Int
        public var height: Int
        /// The largest corner-cell centre error of the detected grid, in pixels.
        public var worstDetectionError = 0.0
        /// Per class (in the classifier's order): cells read right, and cells.
        public var right: [Int]
        public var total: [Int]
        /// Cells left unsure, cells whose classifier confidence alone is below the threshold, and cells.
        public var unsure = 0
        public var lowConfidence = 0
        public var cells = 0

        /// The share of class `k`'s cells read right (nil without any).
        public func accuracy(_ k: Int) -> Double? { total[k] > 0 ? Double(right[k]) / Double(total[k]) : nil }
    }

    /// Renders `seeds` screenshots of `width`x`height` (JPEG-compressed at `jpegQuality` when above 0),
    /// detects the grid and reads every cell.
    public static func measure(
        _ classifier: CellClassifier, width w: Int, height h: Int, seeds: Int, fill: Double, jpegQuality: Int,
        minConfidence: Float
    ) throws -> Row {
        let names = classifier.classNames
        var row = Row(
            width: w, height: h, right: [Int](repeating: 0, count: names.count),
            total: [Int](repeating: 0, count: names.count))
        for seed in 1...UInt64(Swift.max(1, seeds)) {
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
                row.worstDetectionError = Swift.max(row.worstDetectionError, abs(a.x - b.x), abs(a.y - b.y))
            }
            let perception = StashPerception(
                source: StillScreen(image: picture), classifier: classifier, grid: grid,
                confidenceThreshold: minConfidence)
            let readings = try perception.readAll()
            let raw = classifier.predict(batch: try LabeledImages.batch(perception.lastCrops))
            for (i, r) in readings.enumerated() {
                let t = state.cells[i]?.color.rawValue ?? "empty"
                guard let k = names.firstIndex(of: t) else { continue }
                row.total[k] += 1
                if r.isConfident, (r.className ?? "empty") == t { row.right[k] += 1 }
                if !r.isConfident { row.unsure += 1 }
                if raw[i].confidence < minConfidence { row.lowConfidence += 1 }
                row.cells += 1
            }
        }
        return row
    }
}
