import Vision

/// Finds a stash grid in a screenshot: the regular lattice of thin border lines between cells.
///
/// For every column x the vertical edges are summed (|I(x,y) − I(x−1,y)| over y), likewise per
/// row; the pitch and offset whose weakest of `count + 1` equally spaced lines is strongest,
/// relative to the cell centres between them, give the lattice. Cell size = pitch − line width.
public enum GridDetector {
    /// Detects a grid of `columns`×`rows` cells in `image`, whose top-left pixel is at screen
    /// (`originX`, `originY`). Throws when no lattice stands out.
    public static func detect(in image: Image, originX: Int = 0, originY: Int = 0, columns: Int = 12, rows: Int = 12,
                              pitchRange: ClosedRange<Int> = 20...90) throws -> GridGeometry {
        let rgb = image.rgb()
        let w = rgb.width, h = rgb.height
        var gray = [Float](repeating: 0, count: w * h)
        for i in 0..<(w * h) {
            gray[i] = 0.299 * Float(rgb.pixels[3 * i]) + 0.587 * Float(rgb.pixels[3 * i + 1]) + 0.114 * Float(rgb.pixels[3 * i + 2])
        }
        var px = [Float](repeating: 0, count: w), py = [Float](repeating: 0, count: h)
        for y in 0..<h { for x in 1..<w { px[x] += abs(gray[y * w + x] - gray[y * w + x - 1]) } }
        for y in 1..<h { for x in 0..<w { py[y] += abs(gray[y * w + x] - gray[(y - 1) * w + x]) } }
        guard let (pitchX, lineX) = lattice(px, count: columns, pitches: pitchRange),
              let (pitchY, lineY) = lattice(py, count: rows, pitches: pitchRange) else {
            throw VisionError.invalidArgument("no \(columns)x\(rows) grid found in the \(w)x\(h) screenshot")
        }
        let pitch = (pitchX + pitchY) / 2
        // Lines are one pixel wide: the edge profile peaks on the line and just after it; the cell
        // starts after the line.
        return GridGeometry(originX: originX + lineX + 1, originY: originY + lineY + 1, cellSize: pitch - 1, pitch: pitch,
                            columns: columns, rows: rows)
    }

    /// Best (pitch, first line) for `count + 1` lines in an edge profile.
    static func lattice(_ p: [Float], count: Int, pitches: ClosedRange<Int>) -> (Int, Int)? {
        var best: (score: Float, pitch: Int, offset: Int)?
        let mean = p.reduce(0, +) / Float(Swift.max(p.count, 1))
        for pitch in pitches {
            let span = count * pitch
            guard span + 1 < p.count else { continue }
            for o in 0..<(p.count - span - 1) {
                // Every one of the lines must be there: the weakest line counts, not the total, so
                // text or art near the grid cannot stand in for a missing border.
                var weakest = Float.infinity, centres: Float = 0
                for k in 0...count {
                    let x = o + k * pitch
                    weakest = Swift.min(weakest, Swift.min(p[x], p[x + 1]))   // a 1-px line has an edge on both sides
                    if k < count { centres += p[x + pitch / 2] }
                }
                let score = weakest - centres / Float(count)
                if best == nil || score > best!.score { best = (score, pitch, o) }
            }
        }
        guard let b = best, b.score > mean else { return nil }
        return (b.pitch, b.offset)
    }
}
