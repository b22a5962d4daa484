import Foundation
import Imaging

/// The stitched map: 256×256 tiles allocated where frames land, so it grows in any direction
/// and its memory is bounded by the area seen (5 bytes a pixel: line value, frame count, RGB).
/// Coordinates are canvas pixels; (0, 0) is the origin (the first frame's centre) and never moves.
public final class TiledCanvas {
    static let tileSize = 256
    final class Tile {
        var line = [UInt8](repeating: 0, count: 256 * 256)
        var count = [UInt8](repeating: 0, count: 256 * 256)
        var rgb = [UInt8](repeating: 0, count: 256 * 256 * 3)
    }
    struct Key: Hashable { var x: Int, y: Int }
    private(set) var tiles: [Key: Tile] = [:]
    /// Line values are stored ×`lineScale`, clamped to 255.
    static let lineScale: Float = 4

    /// Bounding box of everything pasted (canvas pixels), or nil when empty.
    public private(set) var bounds: (minX: Int, minY: Int, maxX: Int, maxY: Int)?

    /// Bytes held by the tiles.
    public var memoryBytes: Int { tiles.count * 256 * 256 * 5 }

    static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Reads line values (unscaled) and known flags (1 = some frame covered it) of the
    /// rectangle at (x0, y0) of size w×h into `line` and `known` (w*h each, row-major).
    func read(
        x0: Int, y0: Int, width w: Int, height h: Int, line: UnsafeMutablePointer<Float>,
        known: UnsafeMutablePointer<UInt8>
    ) {
        line.initialize(repeating: 0, count: w * h)
        known.initialize(repeating: 0, count: w * h)
        let t = TiledCanvas.tileSize
        let inv = 1 / TiledCanvas.lineScale
        forEachTileSpan(x0: x0, y0: y0, width: w, height: h) { tx, ty, xs, ys in
            guard let tile = tiles[Key(x: tx, y: ty)] else { return }
            tile.line.withUnsafeBufferPointer { tl in
                tile.count.withUnsafeBufferPointer { tc in
                    for y in ys {
                        let src = (y - ty * t) * t - tx * t
                        let dst = (y - y0) * w - x0
                        for x in xs {
                            line[dst + x] = Float(tl[src + x]) * inv
                            known[dst + x] = tc[src + x] != 0 ? 1 : 0
                        }
                    }
                }
            }
        }
    }

    /// Reads line values averaged over `factor`×`factor` blocks: the rectangle at (x0, y0) of
    /// `cw`×`ch` blocks goes into `out` (cw*ch).
    func readCoarse(
        x0: Int, y0: Int, blocksWide cw: Int, blocksHigh ch: Int, factor k: Int, into out: UnsafeMutablePointer<Float>
    ) {
        out.initialize(repeating: 0, count: cw * ch)
        let t = TiledCanvas.tileSize
        let w = cw * k
        let h = ch * k
        let norm = 1 / (TiledCanvas.lineScale * Float(k * k))
        forEachTileSpan(x0: x0, y0: y0, width: w, height: h) { tx, ty, xs, ys in
            guard let tile = tiles[Key(x: tx, y: ty)] else { return }
            tile.line.withUnsafeBufferPointer { tl in
                for y in ys {
                    let src = (y - ty * t) * t - tx * t
                    let dst = ((y - y0) / k) * cw
                    for x in xs { out[dst + (x - x0) / k] += Float(tl[src + x]) * norm }
                }
            }
        }
    }

    /// Calls `body` for each tile key (tx, ty) that the rectangle at (x0, y0) of w×h overlaps, with
    /// the canvas columns and rows of the rectangle inside that tile.
    private func forEachTileSpan(
        x0: Int, y0: Int, width w: Int, height h: Int, _ body: (Int, Int, Range<Int>, Range<Int>) -> Void
    ) {
        let t = TiledCanvas.tileSize
        for ty in TiledCanvas.floorDiv(y0, t)...TiledCanvas.floorDiv(y0 + h - 1, t) {
            for tx in TiledCanvas.floorDiv(x0, t)...TiledCanvas.floorDiv(x0 + w - 1, t) {
                body(tx, ty, max(x0, tx * t)..<min(x0 + w, (tx + 1) * t), max(y0, ty * t)..<min(y0 + h, (ty + 1) * t))
            }
        }
    }

    private func tile(_ key: Key) -> Tile {
        if let t = tiles[key] { return t }
        let t = Tile()
        tiles[key] = t
        return t
    }

    /// Adds a frame whose pixel (0, 0) lands on canvas (x0, y0): line values `line` (already
    /// resampled onto the canvas grid) and RGB `rgb` (3 bytes a pixel), where `valid` is 1.
    /// Each pixel keeps a running mean over the frames that covered it (the last 12 or so); a
    /// line appearing where there was none (the fog has lifted) is taken at once.
    func paste(
        x0: Int, y0: Int, width w: Int, height h: Int, line: UnsafePointer<Float>, rgb: UnsafePointer<UInt8>,
        rgbStride: Int,
        valid: UnsafePointer<UInt8>
    ) {
        let t = TiledCanvas.tileSize
        forEachTileSpan(x0: x0, y0: y0, width: w, height: h) { tx, ty, xs, ys in
            let tile = tile(Key(x: tx, y: ty))
            tile.line.withUnsafeMutableBufferPointer { tl in
                tile.count.withUnsafeMutableBufferPointer { tc in
                    tile.rgb.withUnsafeMutableBufferPointer { trgb in
                        for y in ys {
                            let dst = (y - ty * t) * t - tx * t
                            let src = (y - y0) * w - x0
                            for x in xs where valid[src + x] != 0 {
                                let n = Int(tc[dst + x])
                                let alpha: Float = n == 0 ? 1 : max(1 / 12, 1 / Float(n + 1))
                                let v = min(255, line[src + x] * TiledCanvas.lineScale)
                                let old = Float(tl[dst + x])
                                // A line where there was none: the fog has lifted, take it at once. Known
                                // lines average over many frames (the canvas stays anchored to all of
                                // them, not the last one), so passing effects fade.
                                let rate = v > old && old < 0.35 * v ? 1 : alpha
                                tl[dst + x] = UInt8(old + (v - old) * rate + 0.5)
                                tc[dst + x] = UInt8(min(255, n + 1))
                                let s = (src + x) * rgbStride
                                let d = (dst + x) * 3
                                for k in 0..<3 {
                                    let o = Float(trgb[d + k])
                                    trgb[d + k] = UInt8(o + (Float(rgb[s + k]) - o) * alpha + 0.5)
                                }
                            }
                        }
                    }
                }
            }
        }
        let b = (minX: x0, minY: y0, maxX: x0 + w - 1, maxY: y0 + h - 1)
        if let o = bounds {
            bounds = (min(o.minX, b.minX), min(o.minY, b.minY), max(o.maxX, b.maxX), max(o.maxY, b.maxY))
        } else {
            bounds = b
        }
    }

    /// The stitched RGB map of everything pasted, and where the origin is in it.
    public func picture() -> (image: Image, originX: Int, originY: Int) {
        guard let b = bounds else { return (Image(width: 1, height: 1), 0, 0) }
        let img = render { tile, from, to, count, px in
            for i in 0..<count {
                let s = (from + i) * 3
                let d = (to + i) * 3
                px[d] = tile.rgb[s]
                px[d + 1] = tile.rgb[s + 1]
                px[d + 2] = tile.rgb[s + 2]
            }
        }
        return (img, -b.minX, -b.minY)
    }

    /// The line plane as a picture (lavender lines on black), same frame as ``picture()``.
    public func linePicture() -> Image {
        render { tile, from, to, count, px in
            for i in 0..<count {
                let v = Float(tile.line[from + i]) / 255
                let d = (to + i) * 3
                px[d] = UInt8(min(255, v * 300))
                px[d + 1] = UInt8(min(255, v * 300))
                px[d + 2] = UInt8(min(255, v * 400))
            }
        }
    }

    /// An RGB image of the bounds with every tile drawn into it, a row at a time: `row` gets the
    /// tile, the tile pixel where the row's part inside the bounds starts, the image pixel it goes
    /// to, and how many pixels (indices, not bytes).
    private func render(
        _ row: (Tile, _ from: Int, _ to: Int, _ count: Int, UnsafeMutableBufferPointer<UInt8>) -> Void
    ) -> Image {
        guard let b = bounds else { return Image(width: 1, height: 1) }
        let w = b.maxX - b.minX + 1
        let h = b.maxY - b.minY + 1
        var img = Image(width: w, height: h)
        let t = TiledCanvas.tileSize
        img.pixels.withUnsafeMutableBufferPointer { px in
            for (key, tile) in tiles {
                let x0 = key.x * t - b.minX
                let lo = Swift.max(0, -x0)
                let hi = Swift.min(t, w - x0)
                guard lo < hi else { continue }
                for ty in 0..<t {
                    let y = key.y * t + ty - b.minY
                    guard y >= 0, y < h else { continue }
                    row(tile, ty * t + lo, y * w + x0 + lo, hi - lo, px)
                }
            }
        }
        return img
    }
}
