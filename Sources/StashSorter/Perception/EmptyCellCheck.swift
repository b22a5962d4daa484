import Imaging

/// Tells an empty stash cell from one holding an item without the classifier: an empty cell shows
/// only the dark, colourless empty-slot background (the game's dim emblem), and all empty cells of
/// one screenshot look alike; an item cell shows a bright item, and item cells have a tinted (blue
/// or red) background.
///
/// Only the cell's inner part is looked at (a fifth of the cell is left out on each side), because
/// the gold filigree and glow of items reach across the borders into their neighbours.
public struct EmptyCellCheck: Sendable {
    /// A cell's summary: an 8×8 thumbnail of its inner part (RGB, 0–255) and a few statistics.
    public struct Features: Sendable {
        public var thumbnail: [Float]
        /// The 90th percentile of the thumbnail's brightest channel.
        public var peak: Float
        /// Mean of the brightest channel.
        public var meanBrightness: Float
        /// The median over the thumbnail of how far a pixel is from grey (max − min channel).
        public var tint: Float
    }

    /// What the check decided about a cell.
    public enum Verdict: String, Sendable, Codable {
        /// The cell shows the empty-slot background.
        case empty
        /// Something is in the cell.
        case item
    }

    /// The brightest block an empty cell may show (the emblem is dim).
    public var maxPeak: Float = 52
    public var maxMeanBrightness: Float = 26
    public var maxTint: Float = 16
    /// Mean absolute difference (levels) to the empty cells' median look.
    public var maxDistance: Float = 12
    /// The median thumbnail of the cells that passed the darkness test in the last ``learn(_:)``.
    public private(set) var reference: [Float]?

    public init() {}

    /// The features of a cell crop (any size; RGB or RGBA).
    public static func features(of crop: Image) -> Features {
        let img = crop.rgb()
        let n = 8
        let s = img.width
        let inset = Double(s) * 0.2
        let inner = Double(s) - 2 * inset
        let thumb = img.sampled(
            x: inset, y: Double(img.height) * 0.2, width: inner, height: Double(img.height) * 0.6,
            outputWidth: n, outputHeight: n)
        var thumbnail = [Float](repeating: 0, count: n * n * 3)
        var brightness = [Float](repeating: 0, count: n * n)
        var chroma = [Float](repeating: 0, count: n * n)
        for i in 0..<(n * n) {
            let r = Float(thumb.pixels[3 * i])
            let g = Float(thumb.pixels[3 * i + 1])
            let b = Float(thumb.pixels[3 * i + 2])
            thumbnail[3 * i] = r
            thumbnail[3 * i + 1] = g
            thumbnail[3 * i + 2] = b
            brightness[i] = Swift.max(r, g, b)
            chroma[i] = Swift.max(r, g, b) - Swift.min(r, g, b)
        }
        // Robust statistics: JPEG blocks and colour smeared in from a neighbour's glow touch a
        // few thumbnail pixels; an item covers many.
        let mean = brightness.reduce(0, +) / Float(n * n)
        brightness.sort()
        chroma.sort()
        return Features(
            thumbnail: thumbnail, peak: brightness[n * n * 9 / 10], meanBrightness: mean, tint: chroma[n * n / 2])
    }

    /// True when the cell is dark and colourless enough to be the empty-slot background.
    public func looksDark(_ f: Features) -> Bool {
        f.peak <= maxPeak && f.meanBrightness <= maxMeanBrightness && f.tint <= maxTint
    }

    /// Learns the empty cells' look from a whole grid's cells: the median thumbnail of the dark ones.
    public mutating func learn(_ cells: [Features]) {
        let dark = cells.filter(looksDark)
        guard !dark.isEmpty else {
            reference = nil
            return
        }
        var ref = [Float](repeating: 0, count: dark[0].thumbnail.count)
        var column = [Float](repeating: 0, count: dark.count)
        for j in ref.indices {
            for (i, f) in dark.enumerated() { column[i] = f.thumbnail[j] }
            column.sort()
            ref[j] = column[column.count / 2]
        }
        reference = ref
    }

    /// Mean absolute difference to the learnt empty look (nil before ``learn(_:)`` found one).
    public func distance(_ f: Features) -> Float? {
        guard let reference else { return nil }
        var d: Float = 0
        for j in reference.indices { d += abs(f.thumbnail[j] - reference[j]) }
        return d / Float(reference.count)
    }

    /// Empty when the cell is dark and colourless and (once learnt) looks like the other empty cells.
    public func verdict(_ f: Features) -> Verdict {
        guard looksDark(f) else { return .item }
        if let d = distance(f), d > maxDistance { return .item }
        return .empty
    }
}
