import Arena
import Foundation
import Imaging
import LayoutReader
import TrainingReports

/// Scores a layout classifier on the scripted player's walks: accuracy against the explored share
/// of the walls, a confusion matrix over the test regime, and how far the player walks from the
/// entrance before the answer is right and stays right.
public struct LayoutEvaluation {
    public struct Level {
        public var level: Double
        public var count = 0
        public var right = 0
        public var accuracy: Double { count > 0 ? Double(right) / Double(count) : .nan }
    }
    public var levels: [Level]
    public var regime: ConfusionMatrix
    /// The expert regime (``ArenaLayoutData/expertSamples(_:)``: from the moment the landmark is seen).
    public var expert: ConfusionMatrix
    /// Walks whose player saw the landmark.
    public var landmarkWalks = 0
    /// Per walk: the distance walked when the landmark was first seen.
    public var landmarkDistances: [Double] = []
    /// Per walk: the distance (map pixels walked) from which every later answer is right; nil when
    /// the last answer is still wrong. With the class and the walk's total distance.
    public var stable: [(layoutClass: Int, distance: Double?, walked: Double)]
    public var walks: Int
    public var seconds: Double
    /// The expert-regime captures answered wrongly, in walk order.
    public var mistakes: [Mistake] = []

    /// An expert-regime capture the classifier got wrong.
    public struct Mistake {
        public var layoutClass: Int
        public var seed: UInt64
        public var capture: ArenaLayoutData.ExpertCapture
        public var tokens: LayoutTokens
        /// The walk's fully revealed layout, for context.
        public var full: LayoutTokens
        public var probabilities: [Float]
        /// The class the classifier answered (the most probable).
        public var answer: Int { LayoutEvaluation.mostProbable(probabilities) ?? 0 }
    }

    /// The index of the largest probability (nil for none).
    public static func mostProbable(_ p: [Float]) -> Int? { p.indices.max { p[$0] < p[$1] } }

    public init(classifier: ViTLayoutClassifier, walks: [ArenaLayoutData.Walk]) {
        let start = Date()
        let names = classifier.classNames
        levels = ArenaLayoutData.levels.map { Level(level: $0) }
        regime = ConfusionMatrix(classNames: names)
        expert = ConfusionMatrix(classNames: names)
        stable = []
        self.walks = walks.count
        func probabilities(_ tokens: [LayoutTokens]) -> [[Float]?] {
            var out = [[Float]?](repeating: nil, count: tokens.count)
            let idx = tokens.indices.filter { tokens[$0].count > 0 }
            var i = 0
            while i < idx.count {
                let chunk = Array(idx[i..<min(idx.count, i + 32)])
                let p = classifier.probabilities(chunk.map { tokens[$0] })
                for (k, j) in chunk.enumerated() { out[j] = p[k] }
                i += 32
            }
            return out
        }
        func predict(_ tokens: [LayoutTokens]) -> [Int?] {
            probabilities(tokens).map { $0.flatMap(LayoutEvaluation.mostProbable) }
        }
        for w in walks {
            for (li, level) in ArenaLayoutData.levels.enumerated() {
                guard let t = ArenaLayoutData.sample(w, at: level) else { continue }
                let p = predict([t])[0]
                levels[li].count += 1
                if p == w.layoutClass { levels[li].right += 1 }
                if ArenaLayoutData.regimeLevels.contains(level) {
                    // No answer (no tokens) counts against the true class's row as class 0 would
                    // hide it; there are none at these shares.
                    regime.add(truth: w.layoutClass, prediction: p ?? (w.layoutClass + 1) % names.count)
                }
            }
            let expertSamples = ArenaLayoutData.labelledExpertSamples(w)
            for (sample, p) in zip(expertSamples, probabilities(expertSamples.map(\.tokens))) {
                let answer = p.flatMap(LayoutEvaluation.mostProbable)
                expert.add(truth: w.layoutClass, prediction: answer ?? (w.layoutClass + 1) % names.count)
                if answer != w.layoutClass {
                    mistakes.append(
                        Mistake(
                            layoutClass: w.layoutClass, seed: w.seed, capture: sample.capture, tokens: sample.tokens,
                            full: w.full, probabilities: p ?? [Float](repeating: 0, count: names.count)))
                }
            }
            if let seen = w.snapshots.first(where: \.landmarkSeen) {
                landmarkWalks += 1
                landmarkDistances.append(seen.distance)
            }
            let answers = predict(w.snapshots.map(\.tokens))
            if let lastWrong = answers.lastIndex(where: { $0 != w.layoutClass }) {
                let d = lastWrong + 1 < w.snapshots.count ? w.snapshots[lastWrong + 1].distance : nil
                stable.append((w.layoutClass, d, w.snapshots.last?.distance ?? 0))
            } else {
                stable.append((w.layoutClass, w.snapshots.first?.distance ?? 0, w.snapshots.last?.distance ?? 0))
            }
        }
        seconds = Date().timeIntervalSince(start)
    }

    public var regimeAccuracy: Double { regime.accuracy }


    /// A plain-text report.
    public func report(classNames: [String]) -> String {
        var s = "Accuracy against explored share of the walls (\(walks) scripted walks of unseen layouts):\n"
        for l in levels {
            s += String(
                format: "  %3.0f %%: %5.1f %% (%d/%d)\n", l.level * 100, l.accuracy * 100, l.right, l.count)
        }
        s += String(
            format: "Test regime (>= 20 %% of the walls revealed): %.1f %% (%d/%d)\n", regime.accuracy * 100,
            regime.correct, regime.total)
        s += "Confusion matrix (rows: truth, columns: prediction):\n" + regime.table() + "\n"
        s += String(
            format:
                "Expert regime (from the moment the layout's landmark, its waypoint, is revealed: that capture, the 20/30/50 %% captures after it, the full layout): %.1f %% (%d/%d); landmark seen in %d of %d walks, after a median %.0f map px\n",
            expert.accuracy * 100, expert.correct, expert.total, landmarkWalks, walks,
            landmarkDistances.median)
        s += "Expert-regime confusion matrix:\n" + expert.table() + "\n"
        if !mistakes.isEmpty {
            s += "Expert-regime mistakes (truth -> answer, probability; which capture; layout seed):\n"
            for m in mistakes {
                let answer = m.answer
                s += String(
                    format: "  %@ -> %@ %.2f (truth %.2f), %@ capture, seed %llu\n",
                    classNames[m.layoutClass] as NSString,
                    classNames[answer] as NSString, m.probabilities[answer], m.probabilities[m.layoutClass],
                    m.capture.description as NSString, m.seed)
            }
        }
        let reached = stable.compactMap(\.distance)
        s += String(
            format:
                "Stable right answer: %d of %d walks; walked from the entrance before it (map px): median %.0f, 90th percentile %.0f, max %.0f\n",
            reached.count, stable.count, reached.median, percentile(reached, 0.9),
            reached.max() ?? .nan)
        for c in classNames.indices {
            let d = stable.filter { $0.layoutClass == c }
            let r = d.compactMap(\.distance)
            s += String(
                format: "  %-11@ %d/%d, median %.0f px\n", classNames[c] as NSString, r.count, d.count,
                r.median)
        }
        return s
    }

    public func percentile(_ v: [Double], _ q: Double) -> Double {
        guard !v.isEmpty else { return .nan }
        let s = v.sorted()
        return s[min(s.count - 1, Int((Double(s.count - 1) * q).rounded()))]
    }

    /// The confusion matrix as a picture (counts in cells, shaded by row share).
    public func confusionPicture(classNames: [String]) -> Image {
        let n = classNames.count
        let cell = 44
        let left = 120
        let top = 110
        var img = Image(width: left + n * cell + 20, height: top + n * cell + 40, color: [255, 255, 255])
        img.drawText(
            String(format: "CONFUSION, TEST REGIME: %.1f %%", regime.accuracy * 100), x: 10, y: 8, color: [0, 0, 0],
            scale: 2)
        img.drawText("ROWS TRUTH, COLUMNS PREDICTION", x: 10, y: 32, color: [80, 80, 80])
        for (i, name) in classNames.enumerated() {
            img.drawText(name.uppercased(), x: 8, y: top + i * cell + cell / 2 - 4, color: [0, 0, 0])
            img.drawText("\(i)", x: left + i * cell + cell / 2 - 3, y: top - 16, color: [0, 0, 0])
        }
        for r in 0..<n {
            let rowTotal = max(1, regime.counts[r].reduce(0, +))
            for c in 0..<n {
                let v = regime.counts[r][c]
                let share = Double(v) / Double(rowTotal)
                let shade = UInt8(255 - min(255, Int(share * 200)))
                let color: Color = r == c ? [shade, 255, shade] : (v > 0 ? [255, shade, shade] : [250, 250, 250])
                img.fillRect(
                    x: left + c * cell + 1, y: top + r * cell + 1, width: cell - 2, height: cell - 2, color: color)
                if v > 0 {
                    img.drawText(
                        "\(v)", x: left + c * cell + cell / 2 - 4 * "\(v)".count, y: top + r * cell + cell / 2 - 4,
                        color: [0, 0, 0])
                }
            }
        }
        return img
    }

    /// A wrong expert-regime capture as a picture: the revealed walls (white) over the fully
    /// revealed layout (dim), the entrance's patch outlined in green, truth and answer on top.
    public static func mistakePicture(_ m: Mistake, classNames: [String]) -> Image {
        let p = LayoutTokens.patchSize
        let all = zip(m.full.rows + m.tokens.rows, m.full.columns + m.tokens.columns)
        let r0 = all.map(\.0).min() ?? 0
        let r1 = all.map(\.0).max() ?? 0
        let c0 = all.map(\.1).min() ?? 0
        let c1 = all.map(\.1).max() ?? 0
        let top = 40
        let w = (c1 - c0 + 1) * p
        let h = (r1 - r0 + 1) * p
        var img = Image(width: max(w, 420), height: h + top, color: [14, 16, 22])
        func paint(_ t: LayoutTokens, _ color: Color) {
            img.pixels.withUnsafeMutableBufferPointer { px in
                for k in 0..<t.count {
                    let y0 = top + (t.rows[k] - r0) * p
                    let x0 = (t.columns[k] - c0) * p
                    for y in 0..<p {
                        for x in 0..<p where t.pixels[k * LayoutTokens.pixelsPerToken + y * p + x] != 0 {
                            let i = 3 * ((y0 + y) * img.width + x0 + x)
                            px[i] = color.red
                            px[i + 1] = color.green
                            px[i + 2] = color.blue
                        }
                    }
                }
            }
        }
        paint(m.full, [70, 70, 95])
        paint(m.tokens, [240, 240, 255])
        let ex = -c0 * p
        let ey = top - r0 * p
        img.fillRect(x: ex, y: ey, width: p, height: 2, color: [60, 220, 90])
        img.fillRect(x: ex, y: ey + p - 2, width: p, height: 2, color: [60, 220, 90])
        img.fillRect(x: ex, y: ey, width: 2, height: p, color: [60, 220, 90])
        img.fillRect(x: ex + p - 2, y: ey, width: 2, height: p, color: [60, 220, 90])
        let answer = m.answer
        img.drawText(
            String(
                format: "TRUTH %@ (%.2f)  ANSWER %@ (%.2f)", classNames[m.layoutClass].uppercased(),
                m.probabilities[m.layoutClass], classNames[answer].uppercased(), m.probabilities[answer]),
            x: 8, y: 6, color: [255, 220, 120])
        img.drawText(
            "\(m.capture.description.uppercased()) CAPTURE, SEED \(m.seed), \(m.tokens.count) TOKENS", x: 8, y: 22,
            color: [200, 200, 220])
        return img
    }

    /// Accuracy against explored share as bars.
    public func curvePicture() -> Image {
        let barW = 80
        let h = 260
        var img = Image(width: 60 + levels.count * (barW + 20) + 20, height: h + 90, color: [255, 255, 255])
        img.drawText("ACCURACY AGAINST EXPLORED SHARE OF THE WALLS", x: 10, y: 8, color: [0, 0, 0])
        let base = h + 40
        for (i, l) in levels.enumerated() {
            let x = 60 + i * (barW + 20)
            let a = l.accuracy.isNaN ? 0 : l.accuracy
            let bh = Int(a * Double(h - 20))
            img.fillRect(x: x, y: base - bh, width: barW, height: bh, color: [31, 119, 180])
            img.drawText(String(format: "%.1f%%", a * 100), x: x + 10, y: base - bh - 14, color: [0, 0, 0])
            img.drawText(
                String(format: "%.0f%% (%d)", l.level * 100, l.count), x: x + 4, y: base + 8, color: [0, 0, 0])
        }
        img.fillRect(x: 50, y: base, width: levels.count * (barW + 20), height: 1, color: [0, 0, 0])
        return img
    }
}
