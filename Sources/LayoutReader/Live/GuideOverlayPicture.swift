import Imaging

/// Draws the guide overlay for a ``GuideState``: the named layout's guide with the player on it,
/// the top three layouts with their probabilities, "NOT SURE YET" while the top probability is
/// low, and the notice (no map lines, server down) in orange. A pure function of its inputs.
///
/// `guides` is indexed by class index; a guide made from a user's picture
/// (``LayoutGuide/init(name:userPicture:)``, e.g. from a ``LayoutGuideFolder``) is shown as the
/// user drew it, fitted to the guide area, without the player's marker.
public struct GuideOverlayPicture: Sendable {
    public static let width = 360
    public static let height = 430
    /// The box the guide is fitted into (a user's guide picture is scaled to fit it).
    static let guideBox = (x: 10, y: 44, width: 340, height: 272)
    /// The guide area's size in overlay pixels.
    public static var guideAreaSize: (width: Int, height: Int) { (guideBox.width, guideBox.height) }
    static let guideBackground: Color = [6, 7, 10]
    public var guides: [LayoutGuide]

    public init(guides: [LayoutGuide]) { self.guides = guides }

    static let background: Color = [12, 14, 20]
    static let text: Color = [220, 222, 235]
    static let dim: Color = [130, 134, 150]
    static let good: Color = [90, 220, 120]
    static let unsure: Color = [240, 200, 70]
    static let warn: Color = [255, 150, 60]

    /// The picture for `state` (a blank panel when hidden: the caller hides the overlay).
    public func render(_ state: GuideState) -> Image {
        var img = Image(width: Self.width, height: Self.height, color: Self.background)
        img.strokeRect(x: 0, y: 0, width: Self.width, height: Self.height, color: [60, 64, 84], thickness: 2)
        img.drawText("PIXELPILOT LAYOUT READER", x: 10, y: 8, color: Self.dim)
        let top = state.prediction?.top(3) ?? []
        switch state.phase {
        case .hidden:
            img.drawText("STOPPED", x: 10, y: 22, color: Self.dim, scale: 2)
        case .waiting:
            img.drawText("READING THE MAP...", x: 10, y: 22, color: Self.dim, scale: 2)
        case .notSure:
            img.drawText("NOT SURE YET", x: 10, y: 22, color: Self.unsure, scale: 2)
        case .answer:
            if let best = top.first {
                let title = "\(best.index) \(state.name(best.index)) \(Int((best.probability * 100).rounded()))%"
                img.drawText(String(title.prefix(28)), x: 10, y: 22, color: Self.good, scale: 2)
            }
        }
        let box = Self.guideBox
        img.fillRect(x: box.x, y: box.y, width: box.width, height: box.height, color: Self.guideBackground)
        if let best = top.first, state.phase == .answer || state.phase == .notSure, best.index < guides.count {
            drawGuide(guides[best.index], state: state, dimmed: state.phase == .notSure, into: &img)
        }
        var y = box.y + box.height + 10
        for (rank, entry) in top.enumerated() {
            let pct = Int((entry.probability * 100).rounded())
            let color = rank == 0 ? (state.phase == .answer ? Self.good : Self.unsure) : Self.text
            img.drawText(
                "\(rank + 1). \(entry.index) \(String(state.name(entry.index).prefix(16)))", x: 10, y: y, color: color)
            let barX = 180
            let barW = 130
            img.fillRect(x: barX, y: y, width: barW, height: 7, color: [34, 36, 48])
            img.fillRect(x: barX, y: y, width: max(1, barW * pct / 100), height: 7, color: color)
            img.drawText("\(pct)%", x: barX + barW + 6, y: y, color: color)
            y += 16
        }
        if top.isEmpty { y += 48 }
        if let notice = state.notice {
            for (i, line) in Self.wrap(notice.text, width: 56).prefix(3).enumerated() {
                img.drawText(line, x: 10, y: Self.height - 44 + 11 * i, color: Self.warn)
            }
        }
        return img
    }

    private func drawGuide(_ guide: LayoutGuide, state: GuideState, dimmed: Bool, into img: inout Image) {
        let box = Self.guideBox
        let g = guide.image.rgb()
        let s =
            guide.fittedToOverlay
            ? 1 : min(Float(box.width) / Float(max(1, g.width)), Float(box.height) / Float(max(1, g.height)))
        let w = guide.fittedToOverlay ? g.width : max(1, Int(Float(g.width) * s))
        let h = guide.fittedToOverlay ? g.height : max(1, Int(Float(g.height) * s))
        var fitted = g.resized(width: w, height: h)
        if dimmed {
            fitted.pixels.withUnsafeMutableBufferPointer { p in
                for i in 0..<p.count { p[i] = p[i] / 2 }
            }
        }
        let x0 = box.x + (box.width - w) / 2
        let y0 = box.y + (box.height - h) / 2
        img.draw(fitted, atX: x0, y: y0)
        if guide.marksPlayer, let off = state.playerOffset {
            let px = x0 + Int((guide.entranceX + off.x * guide.pixelsPerMapPixel) * s)
            let py = y0 + Int((guide.entranceY + off.y * guide.pixelsPerMapPixel) * s)
            if px >= box.x, py >= box.y, px < box.x + box.width, py < box.y + box.height {
                img.fillCircle(cx: px, cy: py, radius: 6, color: [20, 20, 20])
                img.fillCircle(cx: px, cy: py, radius: 4, color: [255, 70, 70])
            }
        }
    }

    /// Words of `text` in lines of at most `width` characters.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word.prefix(width)
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
