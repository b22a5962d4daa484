/// A small line chart rendered to an ``Image``: for learning curves and benchmark pictures.
public struct LineChart {
    /// One named line.
    public struct Series {
        public var name: String
        public var values: [Double]
        public var color: Color
        public init(name: String, values: [Double], color: Color) {
            self.name = name
            self.values = values
            self.color = color
        }
    }

    public var title: String
    public var series: [Series]
    public var xLabel: String
    public var width = 640
    public var height = 360

    public init(title: String, xLabel: String = "epoch", series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.series = series
    }

    /// Draws the chart: axes with min/max labels, one polyline per series, a legend.
    public func render() -> Image {
        var img = Image(width: width, height: height, color: [255, 255, 255])
        let left = 56
        let right = width - 16
        let top = 34
        let bottom = height - 36
        img.drawText(title, x: left, y: 10, color: [20, 20, 20], scale: 2)
        let all = series.flatMap { $0.values.filter(\.isFinite) }
        guard let lo0 = all.min(), let hi0 = all.max() else { return img }
        let lo = lo0 == hi0 ? lo0 - 0.5 : lo0
        let hi = lo0 == hi0 ? hi0 + 0.5 : hi0
        let n = series.map(\.values.count).max() ?? 1
        // Grid and axes.
        for k in 0...4 {
            let y = bottom - (bottom - top) * k / 4
            img.fillRect(x: left, y: y, width: right - left, height: 1, color: [225, 225, 225])
            let v = lo + (hi - lo) * Double(k) / 4
            img.drawText(LineChart.short(v), x: 4, y: y - 3, color: [90, 90, 90])
        }
        img.fillRect(x: left, y: top, width: 1, height: bottom - top, color: [60, 60, 60])
        img.fillRect(x: left, y: bottom, width: right - left, height: 1, color: [60, 60, 60])
        img.drawText("1", x: left, y: bottom + 6, color: [90, 90, 90])
        img.drawText("\(n)", x: right - Image.textWidth("\(n)"), y: bottom + 6, color: [90, 90, 90])
        img.drawText(xLabel, x: (left + right) / 2 - Image.textWidth(xLabel) / 2, y: bottom + 18, color: [60, 60, 60])
        func point(_ i: Int, _ v: Double) -> (x: Int, y: Int) {
            let x = left + (n > 1 ? (right - left) * i / (n - 1) : 0)
            let y = bottom - Int(Double(bottom - top) * (v - lo) / (hi - lo))
            return (x, y)
        }
        for s in series {
            var prev: (x: Int, y: Int)?
            for (i, v) in s.values.enumerated() where v.isFinite {
                let p = point(i, v)
                if let q = prev { img.drawLine(from: q, to: p, color: s.color, thickness: 2) }
                prev = p
            }
        }
        // Legend.
        var lx = right - 8
        for s in series.reversed() {
            lx -= Image.textWidth(s.name) + 22
            img.fillRect(x: lx, y: top + 4, width: 14, height: 4, color: s.color)
            img.drawText(s.name, x: lx + 18, y: top + 2, color: [40, 40, 40])
        }
        return img
    }

    static func short(_ v: Double) -> String {
        let a = Swift.abs(v)
        if a >= 1000 { return String(Int(v.rounded())) }
        if a >= 10 { return String((v * 10).rounded() / 10) }
        return String((v * 1000).rounded() / 1000)
    }
}
