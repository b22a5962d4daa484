import Foundation
import Imaging

/// A strip of frames a policy saw, each with the keys it predicted (lit when held) and each
/// key's probability, for pictures a person would rather look at than read.
public struct PolicyStrip {
    public var tiles: [(image: Image, label: String, keys: [String], probabilities: [Float], held: [Bool])] = []
    public var tileWidth = 200
    public var columns = 4

    public init() {}

    /// Adds a frame with its label, the keys, their probabilities and which were held.
    public mutating func add(_ image: Image, label: String, keys: [String], probabilities: [Float], held: [Bool]) {
        tiles.append((image, label, keys, probabilities, held))
    }

    /// The sheet: tiles in rows of `columns`, each with its keys lit when held.
    public func render() -> Image {
        guard let first = tiles.first else { return Image(width: 8, height: 8, color: [24, 24, 28]) }
        let th = tileWidth * first.image.height / max(1, first.image.width)
        let cellH = th + 46
        let cols = min(columns, tiles.count)
        let rows = (tiles.count + cols - 1) / cols
        var sheet = Image(width: cols * (tileWidth + 8) + 8, height: rows * (cellH + 8) + 8, color: [24, 24, 28])
        for (n, t) in tiles.enumerated() {
            let x = 8 + (n % cols) * (tileWidth + 8)
            let y = 8 + (n / cols) * (cellH + 8)
            sheet.draw(
                t.image.channels == 3
                    ? t.image.resized(width: tileWidth, height: th)
                    : t.image.rgb().resized(width: tileWidth, height: th), atX: x, y: y)
            sheet.drawText(t.label, x: x, y: y + th + 4, color: [200, 200, 200])
            let bw = tileWidth / max(1, t.keys.count) - 4
            for (k, name) in t.keys.enumerated() {
                let bx = x + k * (tileWidth / max(1, t.keys.count))
                let lit = t.held[k]
                sheet.fillRect(
                    x: bx, y: y + th + 15, width: bw, height: 16, color: lit ? [250, 200, 40] : [60, 60, 66])
                let text = name.uppercased()
                sheet.drawText(
                    text, x: bx + max(1, (bw - Image.textWidth(text)) / 2), y: y + th + 20,
                    color: lit ? [20, 20, 20] : [140, 140, 140])
                let p = String(format: "%.2f", t.probabilities[k])
                sheet.drawText(
                    p, x: bx + max(1, (bw - Image.textWidth(p)) / 2), y: y + th + 34, color: [170, 170, 170])
            }
        }
        return sheet
    }
}
