import Desktop
import Foundation
import TensorKit
import Imaging
import Datasets

/// What one cell shows: a class (nil = empty), the confidence, and whether it is trusted.
public struct CellReading: Equatable, Sendable {
    public var className: String?
    /// The classifier's probability of what the reading says (for an empty cell, of `empty`).
    public var confidence: Float
    public var isConfident: Bool
    /// What the background check (independent of the classifier) saw: nil when it was not used.
    public var background: EmptyCellCheck.Verdict?

    public init(className: String?, confidence: Float, isConfident: Bool, background: EmptyCellCheck.Verdict? = nil) {
        self.className = className
        self.confidence = confidence
        self.isConfident = isConfident
        self.background = background
    }
}

/// Sees the stash: one screen capture, every cell cropped and classified in one batch.
///
/// Crops are sampled at the grid's exact (fractional) cell positions and resized to the model's
/// input. Whether a cell is empty is decided by ``EmptyCellCheck`` (the empty-slot background),
/// not by the classifier's confidence, so an empty cell is never "unsure"; the classifier names
/// the item in a cell that holds one.
public final class StashPerception {
    public let source: ScreenSource
    public let classifier: CellClassifying
    public let grid: GridGeometry
    /// Below this softmax confidence an item cell is "unrecognised": it stays where it is.
    public var confidenceThreshold: Float
    public let emptyClass: String
    /// The classifier-independent empty check (used when the model has the empty class).
    public var emptyCheck = EmptyCellCheck()
    /// Turn off to trust the classifier alone for empty cells.
    public var usesEmptyCheck = true
    /// The cell crops of the last ``read(_:)`` at the model's input size (for pictures and reports).
    public private(set) var lastCrops: [Image] = []

    public init(
        source: ScreenSource, classifier: CellClassifying, grid: GridGeometry, confidenceThreshold: Float = 0.6,
        emptyClass: String = "empty"
    ) {
        self.source = source
        self.classifier = classifier
        self.grid = grid
        self.confidenceThreshold = confidenceThreshold
        self.emptyClass = emptyClass
    }

    /// Classifies the given cells from one capture of the region that holds them.
    public func read(_ cells: [GridCell]) throws -> [CellReading] {
        guard !cells.isEmpty else { return [] }
        let rects = cells.map(grid.rect)
        let x0 = rects.map(\.x).min()!
        let y0 = rects.map(\.y).min()!
        let x1 = rects.map { $0.x + $0.width }.max()!
        let y1 = rects.map { $0.y + $0.height }.max()!
        let frame = try source.capture(ScreenRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0))
        guard !frame.clipped else { throw StashSorterError.gridOffScreen(grid.bounds, screen: source.screenRect) }
        let size = classifier.inputSize
        let image = frame.image.rgb()
        let crops = cells.map { c -> Image in
            let o = grid.cellOrigin(c)
            return image.sampled(
                x: o.x - Double(x0), y: o.y - Double(y0), width: grid.cellSize, height: grid.cellSize,
                outputWidth: size, outputHeight: size)
        }
        lastCrops = crops
        let predictions = try classifier.predict(crops)
        guard usesEmptyCheck, let emptyIndex = classifier.classNames.firstIndex(of: emptyClass) else {
            return predictions.map { p in
                CellReading(
                    className: p.className == emptyClass ? nil : p.className, confidence: p.confidence,
                    isConfident: p.confidence >= confidenceThreshold)
            }
        }
        let features = crops.map(EmptyCellCheck.features(of:))
        // Learn the empty look from a whole grid (or most of it); single-cell reads reuse it.
        if cells.count >= Swift.max(4, grid.columns * grid.rows / 2) { emptyCheck.learn(features) }
        return zip(predictions, features).map { p, f in
            let pEmpty = p.probabilities[emptyIndex]
            if emptyCheck.verdict(f) == .empty {
                return CellReading(className: nil, confidence: pEmpty, isConfident: true, background: .empty)
            }
            // Something is there: the best item class. When the classifier did not call it empty,
            // its item probabilities are renormalised without the empty class.
            var best = -1
            for k in p.probabilities.indices
            where k != emptyIndex && (best < 0 || p.probabilities[k] > p.probabilities[best]) { best = k }
            guard best >= 0 else {
                return CellReading(className: nil, confidence: pEmpty, isConfident: false, background: .item)
            }
            let q = pEmpty < 0.5 ? p.probabilities[best] / Swift.max(1e-6, 1 - pEmpty) : p.probabilities[best]
            return CellReading(
                className: classifier.classNames[best], confidence: q, isConfident: q >= confidenceThreshold,
                background: .item)
        }
    }

    /// Every cell, row-major.
    public func readAll() throws -> [CellReading] {
        try read((0..<(grid.columns * grid.rows)).map { GridCell(column: $0 % grid.columns, row: $0 / grid.columns) })
    }

    /// What is behind the pointer's resting place when it holds nothing (learnt by
    /// ``learnCursorBackground(at:away:move:)``); nil: a plain patch counts as empty.
    public var cursorBackground: Image?

    /// The cell-sized patch centred on `point`.
    func cursorPatch(at point: ScreenPoint) throws -> Image {
        let s = Int(grid.cellSize.rounded())
        return try source.capture(ScreenRect(x: point.x - s / 2, y: point.y - s / 2, width: s, height: s)).image.rgb()
    }

    static func meanDifference(_ a: Image, _ b: Image) -> Double {
        guard a.pixels.count == b.pixels.count, !a.pixels.isEmpty else { return .infinity }
        var d = 0
        for i in a.pixels.indices { d += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
        return Double(d) / Double(a.pixels.count)
    }

    /// Learns what the resting place shows without a held item, for games that draw the world
    /// there (not a plain background): the patch is captured with the pointer moved `away`, where
    /// a held item goes with it. Returns true when the patch changed, i.e. something was held.
    @discardableResult
    public func learnCursorBackground(
        at point: ScreenPoint, away: ScreenPoint, move: (ScreenPoint) throws -> Void
    ) throws -> Bool {
        try move(point)
        Thread.sleep(forTimeInterval: 0.05)
        let here = try cursorPatch(at: point)
        try move(away)
        Thread.sleep(forTimeInterval: 0.05)
        var without = try cursorPatch(at: point)
        // Let a redraw settle: the same picture twice.
        for _ in 0..<10 {
            Thread.sleep(forTimeInterval: 0.02)
            let again = try cursorPatch(at: point)
            if StashPerception.meanDifference(again, without) < 1 { break }
            without = again
        }
        cursorBackground = without
        try move(point)
        return StashPerception.meanDifference(here, without) > 4
    }

    /// What the cursor holds, judged from a cell-sized patch centred on the pointer at `point`:
    /// nil when the patch shows the learnt background (or, before any was learnt, is plain),
    /// else the classified item.
    public func readCursor(at point: ScreenPoint) throws -> CellReading? {
        let img = try cursorPatch(at: point)
        if let bg = cursorBackground {
            if StashPerception.meanDifference(img, bg) < 4 { return nil }
        } else {
            // Plain background: every pixel within a few levels of the patch's first pixel.
            let p0 = Array(img.pixels.prefix(3))
            var spread = 0
            for i in stride(from: 0, to: img.pixels.count, by: 3) {
                for c in 0..<3 { spread = Swift.max(spread, abs(Int(img.pixels[i + c]) - Int(p0[c]))) }
            }
            if spread <= 6 { return nil }
        }
        let size = classifier.inputSize
        let input = img.width == size ? img : img.resized(width: size, height: size)
        guard let p = try classifier.predict([input]).first else { return nil }
        return CellReading(
            className: p.className == emptyClass ? nil : p.className, confidence: p.confidence,
            isConfident: p.confidence >= confidenceThreshold)
    }
}
