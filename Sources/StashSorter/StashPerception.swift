import Desktop
import Foundation
import TensorKit
import Vision
import Datasets

/// What one cell shows: a class (nil = empty), the confidence, and whether it is trusted.
public struct CellReading: Equatable, Sendable {
    public var className: String?
    public var confidence: Float
    public var isConfident: Bool
}

/// Sees the stash: one screen capture, every cell cropped and classified in one batch.
public final class StashPerception {
    public let source: ScreenSource
    public let classifier: CellClassifying
    public let grid: GridGeometry
    /// Below this softmax confidence a cell is "unrecognised": it stays where it is.
    public var confidenceThreshold: Float
    public let emptyClass: String

    public init(source: ScreenSource, classifier: CellClassifying, grid: GridGeometry, confidenceThreshold: Float = 0.6, emptyClass: String = "empty") {
        self.source = source; self.classifier = classifier; self.grid = grid
        self.confidenceThreshold = confidenceThreshold; self.emptyClass = emptyClass
    }

    /// Classifies the given cells from one capture of the region that holds them.
    public func read(_ cells: [GridCell]) throws -> [CellReading] {
        guard !cells.isEmpty else { return [] }
        let rects = cells.map(grid.rect)
        let x0 = rects.map(\.x).min()!, y0 = rects.map(\.y).min()!
        let x1 = rects.map { $0.x + $0.width }.max()!, y1 = rects.map { $0.y + $0.height }.max()!
        let frame = try source.capture(ScreenRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0))
        guard !frame.clipped else { throw StashSorterError.gridOffScreen(grid.bounds) }
        let size = classifier.inputSize
        let crops = try rects.map { r -> Image in
            let crop = try frame.image.cropped(x: r.x - x0, y: r.y - y0, width: r.width, height: r.height).rgb()
            return crop.width == size ? crop : crop.resized(width: size, height: size)
        }
        return try classifier.predict(crops).map { p in
            CellReading(className: p.className == emptyClass ? nil : p.className, confidence: p.confidence,
                        isConfident: p.confidence >= confidenceThreshold)
        }
    }

    /// Every cell, row-major.
    public func readAll() throws -> [CellReading] {
        try read((0..<(grid.columns * grid.rows)).map { GridCell(column: $0 % grid.columns, row: $0 / grid.columns) })
    }

    /// What the cursor holds, judged from a cell-sized patch centred on the pointer at `point`:
    /// nil when the patch is plain background, else the classified item.
    public func readCursor(at point: ScreenPoint) throws -> CellReading? {
        let s = grid.cellSize
        let frame = try source.capture(ScreenRect(x: point.x - s / 2, y: point.y - s / 2, width: s, height: s))
        let img = frame.image.rgb()
        // Plain background: every pixel within a few levels of the patch's first pixel.
        let p0 = Array(img.pixels.prefix(3))
        var spread = 0
        for i in stride(from: 0, to: img.pixels.count, by: 3) {
            for c in 0..<3 { spread = Swift.max(spread, abs(Int(img.pixels[i + c]) - Int(p0[c]))) }
        }
        if spread <= 6 { return nil }
        let size = classifier.inputSize
        let input = img.width == size ? img : img.resized(width: size, height: size)
        guard let p = try classifier.predict([input]).first else { return nil }
        return CellReading(className: p.className == emptyClass ? nil : p.className, confidence: p.confidence,
                           isConfident: p.confidence >= confidenceThreshold)
    }
}
