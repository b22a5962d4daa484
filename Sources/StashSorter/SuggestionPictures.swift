import Imaging

/// Pictures a person can read on a full tab (what `sort --mode suggest --pictures DIR` writes):
/// - perception: the screenshot with every cell outlined in its predicted colour (empty cells
///   dim), unsure cells crossed in magenta with a "?";
/// - preview: the tab before and after sorting, side by side (the after half is assembled from
///   the cells' own crops);
/// - move pages: a few numbered moves per picture, instead of one picture with seventy arrows.
public enum SuggestionPictures {
    static let colors: [String: Color] = ["blue": [80, 150, 255], "green": [80, 235, 80], "red": [255, 80, 80]]
    static let unsure: Color = [255, 0, 255]

    /// The grid's part of a screenshot (whose top-left is screen (`imageX`, `imageY`)), with a margin.
    static func region(
        _ shot: Image, grid: GridGeometry, imageX: Int, imageY: Int, margin: Int
    ) -> (Image, x: Int, y: Int) {
        let b = grid.bounds
        let x0 = Swift.max(0, b.x - imageX - margin)
        let y0 = Swift.max(0, b.y - imageY - margin)
        let x1 = Swift.min(shot.width, b.x - imageX + b.width + margin)
        let y1 = Swift.min(shot.height, b.y - imageY + b.height + margin)
        let img =
            (try? shot.cropped(x: x0, y: y0, width: Swift.max(1, x1 - x0), height: Swift.max(1, y1 - y0)))?.rgb()
            ?? shot.rgb()
        return (img, imageX + x0, imageY + y0)
    }

    /// Each cell outlined in its predicted colour; unsure cells crossed and marked "?".
    public static func perception(
        _ s: SortSuggestion, screenshot: Image, grid: GridGeometry, imageX: Int = 0, imageY: Int = 0
    ) -> Image {
        var (img, ox, oy) = region(screenshot, grid: grid, imageX: imageX, imageY: imageY, margin: 12)
        let t = Swift.max(1, Int(grid.pitch / 26))
        for (i, r) in s.readings.enumerated() {
            let rect = grid.rect(GridCell(column: i % grid.columns, row: i / grid.columns))
            let x = rect.x - ox
            let y = rect.y - oy
            if !r.isConfident {
                img.strokeRect(x: x, y: y, width: rect.width, height: rect.height, color: unsure, thickness: t + 1)
                img.drawLine(from: (x, y), to: (x + rect.width - 1, y + rect.height - 1), color: unsure, thickness: t)
                img.drawLine(from: (x + rect.width - 1, y), to: (x, y + rect.height - 1), color: unsure, thickness: t)
                let k = Swift.max(1, rect.width / 18)
                img.fillRect(
                    x: x + 2, y: y + 2, width: Image.textWidth("?", scale: k) + 4, height: 7 * k + 4, color: [0, 0, 0])
                img.drawText("?", x: x + 4, y: y + 4, color: unsure, scale: k)
            } else if let c = r.className {
                img.strokeRect(
                    x: x, y: y, width: rect.width, height: rect.height, color: colors[c] ?? [255, 255, 255],
                    thickness: t)
            } else {
                img.strokeRect(
                    x: x + 1, y: y + 1, width: rect.width - 2, height: rect.height - 2, color: [70, 70, 70],
                    thickness: 1)
            }
        }
        return legend(
            img, ["BLUE", "GREEN", "RED", "EMPTY", "UNSURE (STAYS)"],
            [colors["blue"]!, colors["green"]!, colors["red"]!, [70, 70, 70], unsure])
    }

    /// Before and after, side by side: the after tab is drawn from the cells' own crops
    /// (`crops`, row-major, as the perception cut them), moved to where the plan puts them.
    public static func preview(
        _ s: SortSuggestion, crops: [Image], screenshot: Image, grid: GridGeometry, imageX: Int = 0, imageY: Int = 0
    ) -> Image {
        let (before, _, _) = region(screenshot, grid: grid, imageX: imageX, imageY: imageY, margin: 0)
        let cell = crops.first?.width ?? 52
        let pitch = cell + 2
        var after = Image(width: grid.columns * pitch + 2, height: grid.rows * pitch + 2, color: [30, 24, 16])
        // Where each original cell's content ends up: replay the plan's clicks on cell indices.
        var at = Array(0..<(grid.columns * grid.rows)).map { Optional($0) }
        var cursor: Int?
        for c in s.plan.clicks {
            let i = c.cell.row * grid.columns + c.cell.column
            let was = at[i]
            at[i] = cursor
            cursor = was
        }
        for i in at.indices {
            let x = 2 + (i % grid.columns) * pitch
            let y = 2 + (i / grid.columns) * pitch
            if let src = at[i], src < crops.count, s.grid.cells[src] != nil {
                after.draw(crops[src], atX: x, y: y)
            } else {
                after.fillRect(x: x, y: y, width: cell, height: cell, color: [7, 6, 5])
            }
        }
        let scaledAfter = after.resized(
            width: before.width, height: Swift.max(1, before.width * after.height / Swift.max(1, after.width)))
        let label = 24
        var img = Image(
            width: before.width * 2 + 20, height: Swift.max(before.height, scaledAfter.height) + label,
            color: [16, 14, 12])
        img.drawText("BEFORE", x: 4, y: 6, color: [230, 210, 160], scale: 2)
        img.drawText(
            "AFTER (\(s.plan.clicks.count) CLICKS)", x: before.width + 24, y: 6, color: [230, 210, 160], scale: 2)
        img.draw(before, atX: 0, y: label)
        img.draw(scaledAfter, atX: before.width + 20, y: label)
        return img
    }

    /// The moves in pages of `perPage`, each drawn as a numbered arrow over the screenshot.
    public static func movePages(
        _ s: SortSuggestion, screenshot: Image, grid: GridGeometry, imageX: Int = 0, imageY: Int = 0, perPage: Int = 8
    ) -> [Image] {
        var (base, ox, oy) = region(screenshot, grid: grid, imageX: imageX, imageY: imageY, margin: 12)
        // Dim the tab so the arrows stand out.
        for i in base.pixels.indices { base.pixels[i] = base.pixels[i] / 2 }
        var pages: [Image] = []
        let t = Swift.max(3, Int(grid.pitch / 14))
        var start = 0
        while start < s.moves.count {
            var img = base
            let page = s.moves[start..<Swift.min(s.moves.count, start + perPage)]
            for m in page {
                let p = grid.center(m.from)
                let q = grid.center(m.to)
                let a = (x: p.x - ox, y: p.y - oy)
                let b = (x: q.x - ox, y: q.y - oy)
                let color = colors[m.item] ?? [255, 255, 255]
                img.drawLine(from: a, to: b, color: [0, 0, 0], thickness: t + 2)
                img.drawLine(from: a, to: b, color: color, thickness: t)
                PlanPicture.arrowHead(&img, from: a, to: b, color: color)
                img.fillCircle(cx: b.x, cy: b.y, radius: t + 3, color: color)
                img.fillCircle(cx: a.x, cy: a.y, radius: t + 1, color: [255, 255, 255])
                let k = Swift.max(2, Int(grid.pitch / 24))
                let label = "\(m.number)"
                img.fillRect(
                    x: a.x - 3 * k - 2, y: a.y - 4 * k - 2, width: Image.textWidth(label, scale: k) + 4,
                    height: 7 * k + 4, color: [0, 0, 0])
                img.drawText(label, x: a.x - 3 * k, y: a.y - 4 * k, color: [255, 255, 255], scale: k)
            }
            let title = "MOVES \(start + 1)-\(start + page.count) OF \(s.moves.count)"
            img.fillRect(x: 0, y: 0, width: Image.textWidth(title, scale: 2) + 8, height: 20, color: [0, 0, 0])
            img.drawText(title, x: 4, y: 3, color: [255, 255, 255], scale: 2)
            pages.append(img)
            start += perPage
        }
        return pages
    }

    /// The moves as numbered lines (`1. blue (3,4) -> (0,0)`), columns and rows from 0.
    public static func moveList(_ s: SortSuggestion) -> [String] {
        s.moves.map { "\($0.number). \($0.item.hasPrefix("?") ? "unsure item" : $0.item) \($0.from) -> \($0.to)" }
    }

    static func legend(_ img: Image, _ names: [String], _ colors: [Color]) -> Image {
        var out = Image(width: img.width, height: img.height + 18, color: [16, 14, 12])
        out.draw(img, atX: 0, y: 0)
        var x = 4
        for (n, c) in zip(names, colors) {
            out.fillRect(x: x, y: img.height + 5, width: 10, height: 9, color: c)
            out.drawText(n, x: x + 14, y: img.height + 6, color: [220, 220, 220])
            x += 14 + Image.textWidth(n) + 14
        }
        return out
    }
}
