import Foundation
import Imaging

/// The map tokens of a line mask (reference §9): every non-empty 32×32 patch of a grid anchored so
/// that the origin is the top-left corner of patch (0, 0), nearest the origin first.
///
/// Patch coordinates are integers and may be negative: a mask pixel at (y, x) belongs to the patch
/// `(row, column) = (⌊(y − oy) / 32⌋, ⌊(x − ox) / 32⌋)`, which is the seed's pad-then-divide rule
/// (`up = ⌈oy / 32⌉` patches above the origin, and so on). Tokens are sorted by the squared
/// distance `row² + column²` in patch units; ties keep the scan order (rows top to bottom, then
/// columns left to right), the order the seed's unstable sort usually gives and the one it
/// recommends for a port.
public struct LayoutTokens: Sendable, Equatable {
    /// The patch side in pixels at the seed's half scale.
    public static let patchSize = 32
    /// Pixels per token (32 × 32).
    public static let pixelsPerToken = patchSize * patchSize

    /// How many non-empty patches the mask has (before any truncation).
    public var totalCount: Int
    /// The kept tokens' patch rows (vertical offset from the origin patch), nearest first.
    public var rows: [Int]
    /// The kept tokens' patch columns (horizontal offset).
    public var columns: [Int]
    /// The kept tokens' pixels, 0 or 1, `count × 1024`, each patch row-major.
    public var pixels: [UInt8]

    /// How many tokens are kept.
    public var count: Int { rows.count }

    public init(totalCount: Int, rows: [Int], columns: [Int], pixels: [UInt8]) {
        precondition(rows.count == columns.count && pixels.count == rows.count * LayoutTokens.pixelsPerToken)
        self.totalCount = totalCount
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
    }

    /// The tokens of `mask`, resampled to the seed's half scale first when `mask.scale` is not 1
    /// (a pixel there is set when any mask pixel it covers is), keeping at most `limit` (the
    /// nearest ones; `nil` keeps all).
    public init(mask: LineMask, limit: Int? = nil) {
        if mask.scale == 1 {
            self.init(values: mask.values, width: mask.width, height: mask.height, origin: mask.origin, limit: limit)
            return
        }
        let (values, width, height, origin) = LayoutTokens.resampled(mask)
        self.init(values: values, width: width, height: height, origin: origin, limit: limit)
    }

    /// The tokens of a `width × height` mask (non-zero = line) with its origin at `origin`.
    public init(values: [UInt8], width: Int, height: Int, origin: GridPoint, limit: Int? = nil) {
        precondition(values.count == width * height, "a mask needs width × height values")
        let p = LayoutTokens.patchSize
        func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
        guard width > 0, height > 0 else {
            self.init(totalCount: 0, rows: [], columns: [], pixels: [])
            return
        }
        let row0 = floorDiv(-origin.y, p)
        let col0 = floorDiv(-origin.x, p)
        let gridRows = floorDiv(height - 1 - origin.y, p) - row0 + 1
        let gridCols = floorDiv(width - 1 - origin.x, p) - col0 + 1
        // Which patches hold a line pixel.
        var occupied = [Bool](repeating: false, count: gridRows * gridCols)
        values.withUnsafeBufferPointer { v in
            for y in 0..<height {
                let gr = floorDiv(y - origin.y, p) - row0
                let base = y * width
                var x = 0
                while x < width {
                    let gc = floorDiv(x - origin.x, p) - col0
                    // The last pixel of this patch column within the row.
                    let end = min(width, (gc + col0 + 1) * p + origin.x)
                    if !occupied[gr * gridCols + gc] {
                        for i in x..<end where v[base + i] != 0 {
                            occupied[gr * gridCols + gc] = true
                            break
                        }
                    }
                    x = end
                }
            }
        }
        // Scan order, then a stable sort by squared distance.
        var keys: [(key: Int, scan: Int)] = []
        for g in occupied.indices where occupied[g] {
            let r = g / gridCols + row0
            let c = g % gridCols + col0
            keys.append((r * r + c * c, g))
        }
        keys.sort { $0.key < $1.key || ($0.key == $1.key && $0.scan < $1.scan) }
        let kept = limit.map { min($0, keys.count) } ?? keys.count
        var rows = [Int](repeating: 0, count: kept)
        var cols = rows
        var pixels = [UInt8](repeating: 0, count: kept * p * p)
        values.withUnsafeBufferPointer { v in
            pixels.withUnsafeMutableBufferPointer { out in
                for t in 0..<kept {
                    let g = keys[t].scan
                    let r = g / gridCols + row0
                    let c = g % gridCols + col0
                    rows[t] = r
                    cols[t] = c
                    let top = r * p + origin.y
                    let left = c * p + origin.x
                    for dy in 0..<p {
                        let y = top + dy
                        guard y >= 0, y < height else { continue }
                        for dx in 0..<p {
                            let x = left + dx
                            guard x >= 0, x < width else { continue }
                            if v[y * width + x] != 0 { out[t * p * p + dy * p + dx] = 1 }
                        }
                    }
                }
            }
        }
        self.init(totalCount: keys.count, rows: rows, columns: cols, pixels: pixels)
    }

    /// The mask at the seed's half scale: pixel (Y, X) is set when any mask pixel in
    /// `[Y·s, (Y+1)·s) × [X·s, (X+1)·s)` is (at least the one at `⌊Y·s⌋`), s = `mask.scale`; the
    /// origin becomes `⌊o / s⌋`.
    static func resampled(_ mask: LineMask) -> (values: [UInt8], width: Int, height: Int, origin: GridPoint) {
        let s = Double(mask.scale)
        let w = max(1, Int((Double(mask.width) / s).rounded(.up)))
        let h = max(1, Int((Double(mask.height) / s).rounded(.up)))
        func span(_ i: Int, _ limit: Int) -> Range<Int> {
            let a = min(limit - 1, Int((Double(i) * s).rounded(.down)))
            let b = min(limit, max(a + 1, Int((Double(i + 1) * s).rounded(.up))))
            return a..<b
        }
        let xs = (0..<w).map { span($0, mask.width) }
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            let ys = span(y, mask.height)
            for x in 0..<w {
                var on = false
                for sy in ys where !on {
                    for sx in xs[x] where mask.values[sy * mask.width + sx] != 0 {
                        on = true
                        break
                    }
                }
                if on { out[y * w + x] = 1 }
            }
        }
        let origin = GridPoint(
            x: Int((Double(mask.origin.x) / s).rounded(.down)), y: Int((Double(mask.origin.y) / s).rounded(.down)))
        return (out, w, h, origin)
    }

    /// The seed's fixed 2-D sin/cos position embedding (reference §10) of a token at patch
    /// `(row, column)`: `dimension / 4` frequencies `ω_k = 10000^(−4k / dimension)`, interleaved
    /// with stride 4: `e[4k] = sin(row·ω_k)`, `e[4k+1] = cos(row·ω_k)`, `e[4k+2] = sin(column·ω_k)`,
    /// `e[4k+3] = cos(column·ω_k)`.
    public static func positionEmbedding(row: Int, column: Int, dimension: Int = 256) -> [Float] {
        var e = [Float](repeating: 0, count: dimension)
        writePositionEmbedding(row: row, column: column, into: &e, at: 0, dimension: dimension)
        return e
    }

    /// Writes ``positionEmbedding(row:column:dimension:)`` into `out[offset ..< offset + dimension]`.
    public static func writePositionEmbedding(
        row: Int, column: Int, into out: inout [Float], at offset: Int, dimension: Int = 256
    ) {
        precondition(dimension % 4 == 0, "the position embedding needs a dimension divisible by 4")
        let lnBase = Foundation.log(10000.0)
        for k in 0..<(dimension / 4) {
            let w = Foundation.exp(-(4 * Double(k) / Double(dimension)) * lnBase)
            out[offset + 4 * k] = Float(Foundation.sin(Double(row) * w))
            out[offset + 4 * k + 1] = Float(Foundation.cos(Double(row) * w))
            out[offset + 4 * k + 2] = Float(Foundation.sin(Double(column) * w))
            out[offset + 4 * k + 3] = Float(Foundation.cos(Double(column) * w))
        }
    }
}
