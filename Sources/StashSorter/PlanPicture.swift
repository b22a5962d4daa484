import Imaging

/// Draws a sort plan over a screenshot of the stash: each carried item as a numbered arrow from
/// the cell it leaves to the cell it goes to (what `--mode suggest` shows).
public enum PlanPicture {
    /// - Parameters:
    ///   - screenshot: an image whose top-left pixel is the grid's origin minus `margin`.
    ///   - grid: the grid's geometry in screen coordinates.
    public static func render(
        _ plan: SortPlan<String>, over screenshot: Image, grid: GridGeometry, imageOriginX: Int, imageOriginY: Int
    ) -> Image {
        var img = screenshot.rgb()
        let colors: [String: Color] = ["blue": [90, 150, 255], "green": [90, 230, 90], "red": [255, 90, 90]]
        var step = 0
        for chain in plan.chains {
            for (a, b) in zip(chain, chain.dropFirst()) {
                // After click a the cursor holds an item that click b puts down.
                guard let carried = a.cursorAfter else { continue }
                step += 1
                let p = grid.center(a.cell)
                let q = grid.center(b.cell)
                let from = (x: p.x - imageOriginX, y: p.y - imageOriginY)
                let to = (x: q.x - imageOriginX, y: q.y - imageOriginY)
                let color = colors[carried] ?? [255, 255, 255]
                img.drawLine(from: from, to: to, color: [0, 0, 0], thickness: 4)
                img.drawLine(from: from, to: to, color: color, thickness: 2)
                arrowHead(&img, from: from, to: to, color: color)
                img.fillRect(
                    x: from.x - 9, y: from.y - 6, width: Image.textWidth("\(step)") + 4, height: 11, color: [0, 0, 0])
                img.drawText("\(step)", x: from.x - 7, y: from.y - 4, color: [255, 255, 255])
            }
        }
        return img
    }

    static func arrowHead(_ img: inout Image, from: (x: Int, y: Int), to: (x: Int, y: Int), color: Color) {
        let dx = Double(to.x - from.x)
        let dy = Double(to.y - from.y)
        let len = (dx * dx + dy * dy).squareRoot()
        guard len > 1 else { return }
        let ux = dx / len
        let uy = dy / len
        for side in [-1.0, 1.0] {
            let hx = Double(to.x) - 9 * ux + side * 5 * uy
            let hy = Double(to.y) - 9 * uy - side * 5 * ux
            img.drawLine(from: to, to: (Int(hx), Int(hy)), color: color, thickness: 2)
        }
    }
}
