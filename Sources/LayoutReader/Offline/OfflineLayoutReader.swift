import Foundation
import Imaging

/// What the layout reader saw in one picture: the line mask, the tokens and the classifier's answer.
public struct OfflineLayoutReading: Sendable {
    /// One of the classifier's most likely layouts.
    public struct Candidate: Sendable, Codable, Equatable {
        public var index: Int
        public var name: String
        public var probability: Float
    }

    public var picture: MapPicture
    /// The extractor's mask with its origin and scale (the UNet's is at the seed's half scale, the
    /// colour threshold's at the picture's).
    public var mask: LineMask
    public var prediction: LayoutPrediction
    /// The three most likely layouts, most likely first.
    public var top: [Candidate]
    /// Non-empty 32-px patches of the mask (before the classifier's token limit).
    public var tokenCount: Int
    /// How many of them the classifier took (the nearest to the origin).
    public var tokensUsed: Int
    /// The median thickness of the mask's lines in pixels at the seed's half scale.
    public var lineThickness: Float
    public var extractor: String
    /// Time for the extractor and the classifier together.
    public var milliseconds: Double
}

/// Reads a ``MapPicture`` once, with the same pipeline as the live reader (``LocalLayoutInference``:
/// extractor, optional cleanup, tokens, ViT), and draws what it saw.
public enum OfflineLayoutReader {
    /// Above this median line thickness (seed half-scale pixels) the scale is taken to be wrong:
    /// the game's lines are 2-5 px there.
    public static let thickestLines: Float = 12
    /// Fewer line pixels than this (at the seed's half scale) are no map: a screen with the
    /// minimap on shows hundreds at the entrance, and an extractor's strays on a map-less screen
    /// are a few dozen.
    public static let fewestLinePixels = 100

    /// Reads `picture`; a picture with fewer than ``fewestLinePixels`` line pixels is
    /// ``LayoutReadError/noLines(path:extractor:linePixels:)``,
    /// lines far too thick for the scale ``LayoutReadError/wrongScale(path:scale:reason:)``.
    public static func read(
        _ picture: MapPicture, with inference: LocalLayoutInference
    ) throws
        -> OfflineLayoutReading
    {
        inference.reset()
        let started = Date()
        let readout = try inference.read(
            MapUpdate(sequence: 0, map: picture.image, origin: picture.origin, scale: picture.scale))
        let mask = inference.lastMask ?? LineMask(width: 0, height: 0, values: [], origin: picture.origin)
        guard case .prediction(let prediction, _) = readout, mask.lineCount >= fewestLinePixels else {
            throw LayoutReadError.noLines(
                path: picture.source, extractor: inference.extractor.name, linePixels: mask.lineCount)
        }
        let thickness = lineThickness(mask)
        guard thickness <= thickestLines else {
            throw LayoutReadError.wrongScale(
                path: picture.source, scale: picture.scale,
                reason: String(
                    format: "the lines are %.0f px thick at the reader's scale, where the game's are 2-5: the map "
                        + "is larger than the scale says (give --map-scale: 1 at 1080p, 2 at 4K)", thickness))
        }
        let names = inference.classNames
        let top = prediction.top(3).map {
            OfflineLayoutReading.Candidate(
                index: $0.index, name: $0.index < names.count ? names[$0.index] : "class \($0.index)",
                probability: $0.probability)
        }
        let limit = (inference.classifier as? ViTLayoutClassifier)?.network.configuration.tokens
        return OfflineLayoutReading(
            picture: picture, mask: mask, prediction: prediction, top: top, tokenCount: prediction.tokenCount,
            tokensUsed: min(prediction.tokenCount, limit ?? prediction.tokenCount), lineThickness: thickness,
            extractor: inference.extractor.name, milliseconds: Date().timeIntervalSince(started) * 1000)
    }

    /// The median over line pixels of the shorter of the horizontal and the vertical run through
    /// the pixel, at the seed's half scale.
    static func lineThickness(_ mask: LineMask) -> Float {
        let (values, w, h, _) =
            mask.scale == 1 ? (mask.values, mask.width, mask.height, mask.origin) : LayoutTokens.resampled(mask)
        var horizontal = [UInt16](repeating: 0, count: values.count)
        var counts = [Int](repeating: 0, count: 257)
        values.withUnsafeBufferPointer { v in
            horizontal.withUnsafeMutableBufferPointer { run in
                for y in 0..<h {
                    forEachRun(in: v, from: y * w, count: w, stride: 1) { first, length in
                        for i in 0..<length { run[first + i] = UInt16(min(length, 256)) }
                    }
                }
                for x in 0..<w {
                    forEachRun(in: v, from: x, count: h, stride: w) { first, length in
                        for i in 0..<length { counts[min(Int(run[first + i * w]), min(length, 256))] += 1 }
                    }
                }
            }
        }
        let total = counts.reduce(0, +)
        guard total > 0 else { return 0 }
        var seen = 0
        for (t, c) in counts.enumerated() {
            seen += c
            if 2 * seen >= total { return Float(t) }
        }
        return 256
    }

    /// Calls `body(first, length)` for every run of non-zero values among the `count` values of
    /// `v` from index `start`, `stride` apart (a row with stride 1, a column with the width).
    @inline(__always)
    static func forEachRun(
        in v: UnsafeBufferPointer<UInt8>, from start: Int, count: Int, stride: Int, _ body: (Int, Int) -> Void
    ) {
        var k = 0
        while k < count {
            guard v[start + k * stride] != 0 else {
                k += 1
                continue
            }
            var end = k
            while end < count && v[start + end * stride] != 0 { end += 1 }
            body(start + k * stride, end - k)
            k = end
        }
    }
}

extension OfflineLayoutReading {
    /// The mask as white lines on black.
    public var maskPicture: Image { ReadingPictures.mask(mask) }

    /// The tokens outlined over the map, lines in yellow, the origin in green.
    public var tokensPicture: Image { ReadingPictures.tokens(over: picture.image, mask: mask).image }

    /// The three pictures `layout read` writes: the sheet, the mask and the tokens over the map,
    /// each drawn once.
    public struct Pictures {
        public var sheet: Image
        public var mask: Image
        public var tokens: Image
    }

    /// ``sheet(side:)``, ``maskPicture`` and ``tokensPicture``, the last two drawn once for all three.
    public func pictures(side: Int = 600) -> Pictures {
        let mask = maskPicture
        let tokens = tokensPicture
        return Pictures(sheet: sheet(tokens: tokens, mask: mask, side: side), mask: mask, tokens: tokens)
    }

    /// One picture for a person: the tokens over the map beside the mask, each at most `side` px,
    /// and under them the three most likely layouts with bars.
    public func sheet(side: Int = 600) -> Image { sheet(tokens: tokensPicture, mask: maskPicture, side: side) }

    func sheet(tokens: Image, mask: Image, side: Int) -> Image {
        func fit(_ img: Image) -> Image {
            let s = min(1, Double(side) / Double(max(img.width, img.height)))
            guard s < 1 else { return img }
            return img.resized(width: max(1, Int(Double(img.width) * s)), height: max(1, Int(Double(img.height) * s)))
        }
        let left = fit(tokens)
        let right = fit(mask)
        let pad = 12
        let rowHeight = 26
        let textTop = max(left.height, right.height) + 2 * pad + 24
        let width = left.width + right.width + 3 * pad
        let height = textTop + rowHeight * top.count + pad
        var img = Image(width: max(width, 420), height: height, color: [24, 26, 32])
        img.draw(left, atX: pad, y: pad + 20)
        img.draw(right, atX: 2 * pad + left.width, y: pad + 20)
        img.drawText("TOKENS OVER THE MAP (\(tokenCount))", x: pad, y: pad, color: [230, 230, 230], scale: 2)
        img.drawText("LINE MASK", x: 2 * pad + left.width, y: pad, color: [230, 230, 230], scale: 2)
        let barLeft = pad + 260
        let barWidth = max(40, img.width - barLeft - pad - 70)
        for (i, c) in top.enumerated() {
            let y = textTop + i * rowHeight
            let color: Color = i == 0 ? [90, 220, 120] : [150, 160, 190]
            img.drawText("\(i + 1). \(c.name)", x: pad, y: y + 4, color: color, scale: 2)
            img.fillRect(x: barLeft, y: y + 2, width: barWidth, height: 16, color: [50, 54, 64])
            img.fillRect(
                x: barLeft, y: y + 2, width: max(1, Int(Float(barWidth) * c.probability)), height: 16, color: color)
            img.drawText(
                String(format: "%3.0f%%", c.probability * 100), x: barLeft + barWidth + 8, y: y + 4, color: color,
                scale: 2)
        }
        return img
    }
}
