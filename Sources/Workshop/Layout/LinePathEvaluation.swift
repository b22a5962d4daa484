import Arena
import Foundation
import Imaging
import LayoutReader
import TrainingReports

/// The live reader's accuracy beside the true-wall accuracy, on the same held-out walks and the
/// same captures: for each capture the map the stitcher would hold (``MapRenderer/stitchedMap``:
/// the revealed lines over the scene at the seed's half scale, black where no capture square has
/// been, as on the stitched canvas) goes through the line extractor (with its cleanup), the tokens
/// and the classifier, and the walls revealed at that moment go straight to the classifier, as
/// ``LayoutEvaluation`` does. The fully explored capture is the whole layout, ground everywhere.
public struct LinePathEvaluation {
    /// One share level of the accuracy curve: captures, and how many each path answered right.
    public struct Level: Sendable {
        public var level: Double
        public var count = 0
        public var rightOnTrueWalls = 0
        public var rightOnLines = 0
    }

    /// The expert regime (``ArenaLayoutData/labelledExpertSamples(_:)``'s captures) on true walls.
    public var expertOnTrueWalls: ConfusionMatrix
    /// The same captures through the line extractor.
    public var expertOnLines: ConfusionMatrix
    public var levels: [Level]
    public var walks = 0
    /// Captures the extractor found no line in (answered as wrong).
    public var emptyMasks = 0
    /// Seconds in the line extractor and the classifier over all captures.
    public var lineSeconds = 0.0
    public var seconds = 0.0

    /// What to walk and how to read it.
    public struct Configuration {
        public var instances = 4
        public var firstInstance = 0
        public var walkSeconds = 120.0
        public var seedBase = ArenaLayoutData.testSeedBase
        /// The scene under the minimap in the rendered maps.
        public var effects: MapEffects = .normal
        public init() {}
    }

    /// Walks `configuration.instances` layouts per class and reads every capture both ways.
    /// `progress` gets (walks done, walks in all). The extractor's errors stop the evaluation.
    public static func run(
        classifier: ViTLayoutClassifier, extractor: LineExtracting, configuration c: Configuration,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> LinePathEvaluation {
        let start = Date()
        let names = classifier.classNames
        var e = LinePathEvaluation(
            expertOnTrueWalls: ConfusionMatrix(classNames: names), expertOnLines: ConfusionMatrix(classNames: names),
            levels: ArenaLayoutData.levels.map { Level(level: $0) })
        let view = MapLineFrames.halfScaleView
        let shares = Set(ArenaLayoutData.levels + ArenaLayoutData.regimeLevels).filter { $0 < 1 }.sorted()
        let jobs = LayoutClass.allCases.flatMap { cls in
            (c.firstInstance..<(c.firstInstance + c.instances)).map { i in
                (cls, c.seedBase + UInt64(i) * 16 + UInt64(cls.rawValue))
            }
        }
        let side = view.captureRect.width
        let inference = LocalLayoutInference(extractor: extractor, classifier: classifier)
        var failure: Error?
        /// The live reader's answer on the rendered map (nil: no line); an error is kept for later.
        func readLines(_ world: MapWorld, covered: [UInt8]?) -> Int? {
            let t0 = Date()
            defer { e.lineSeconds += Date().timeIntervalSince(t0) }
            var (map, origin) = MapRenderer.stitchedMap(world, view: view)
            if let covered { (map, origin) = canvas(of: map, origin: origin, covered: covered, layout: world.layout) }
            inference.reset()
            do {
                if case .prediction(let p, _) = try inference.read(
                    MapUpdate(sequence: 0, map: map, origin: origin, scale: 1))
                {
                    return p.best
                }
                e.emptyMasks += 1
            } catch {
                failure = failure ?? error
            }
            return nil
        }
        for (done, (cls, seed)) in jobs.enumerated() {
            let layout = MapLayout(layoutClass: cls, seed: seed)
            // The line path's answer at every capture an evaluation can pick: the first with the
            // landmark, the first to reach each share.
            var answers: [Int: Int?] = [:]
            var covered = [UInt8](repeating: 0, count: layout.width * layout.height)
            cover(&covered, around: layout.entrance, side: side, of: layout)
            var landmarkSeen = false
            var reached = Set<Double>()
            var full: Int??
            let walk = ArenaLayoutData.walk(
                layout: layout, explorerSeed: seed, seconds: c.walkSeconds, every: 1,
                tokens: classifier.network.configuration.tokens, effects: c.effects,
                onSnapshot: { world, index, snapshot in
                    cover(&covered, around: world.player, side: side, of: layout)
                    var needed = false
                    if snapshot.landmarkSeen && !landmarkSeen {
                        landmarkSeen = true
                        needed = true
                    }
                    for level in shares where snapshot.fraction >= level && !reached.contains(level) {
                        reached.insert(level)
                        needed = true
                    }
                    if needed { answers[index] = readLines(world, covered: covered) }
                },
                onEnd: { world in
                    world.revealAll()
                    full = readLines(world, covered: nil)
                })
            if let failure { throw failure }
            guard let walk else { continue }
            e.walks += 1
            let truth = cls.rawValue
            func trueAnswer(_ tokens: LayoutTokens) -> Int? {
                tokens.count > 0 ? (try? classifier.classify(tokens))?.best : nil
            }
            func answer(at capture: ArenaLayoutData.ExpertCapture) -> Int? {
                switch capture {
                case .full: return full ?? nil
                case .landmark:
                    return walk.snapshots.firstIndex(where: \.landmarkSeen).flatMap { answers[$0] ?? nil }
                case .share(let level):
                    return walk.snapshots.firstIndex(where: { $0.fraction >= level }).flatMap { answers[$0] ?? nil }
                }
            }
            let wrong = (truth + 1) % names.count
            for (capture, tokens) in ArenaLayoutData.labelledExpertSamples(walk) {
                e.expertOnTrueWalls.add(truth: truth, prediction: trueAnswer(tokens) ?? wrong)
                e.expertOnLines.add(truth: truth, prediction: answer(at: capture) ?? wrong)
            }
            for li in e.levels.indices {
                let level = e.levels[li].level
                guard let tokens = ArenaLayoutData.sample(walk, at: level) else { continue }
                e.levels[li].count += 1
                if trueAnswer(tokens) == truth { e.levels[li].rightOnTrueWalls += 1 }
                if answer(at: level >= 1 ? .full : .share(level)) == truth { e.levels[li].rightOnLines += 1 }
            }
            progress(done + 1, jobs.count)
        }
        e.seconds = Date().timeIntervalSince(start)
        return e
    }

    /// Marks the capture square of `side` map pixels around `p` as seen (the stitcher's canvas
    /// holds the squares of every frame; a capture a second at walking speed leaves no gap).
    static func cover(_ covered: inout [UInt8], around p: MapPoint, side: Int, of layout: MapLayout) {
        let x0 = max(0, Int(p.x) - side / 2)
        let x1 = min(layout.width, Int(p.x) + side / 2)
        let y0 = max(0, Int(p.y) - side / 2)
        let y1 = min(layout.height, Int(p.y) + side / 2)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 { covered[y * layout.width + x] = 1 }
        }
    }

    /// The stitched canvas of a half-scale rendered map (the entrance at `origin`): cut to the
    /// bounds of the covered map pixels, black where no capture square has been. Returns the
    /// canvas and its origin.
    static func canvas(
        of map: Image, origin: GridPoint, covered: [UInt8], layout: MapLayout
    ) -> (image: Image, origin: GridPoint) {
        let dx = Int(layout.entrance.x) - origin.x
        let dy = Int(layout.entrance.y) - origin.y
        var (x0, y0, x1, y1) = (Int.max, Int.max, Int.min, Int.min)
        for y in 0..<map.height {
            let my = y + dy
            guard my >= 0, my < layout.height else { continue }
            for x in 0..<map.width {
                let mx = x + dx
                guard mx >= 0, mx < layout.width, covered[my * layout.width + mx] != 0 else { continue }
                (x0, y0, x1, y1) = (min(x0, x), min(y0, y), max(x1, x), max(y1, y))
            }
        }
        guard x0 <= x1, var out = try? map.cropped(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1) else {
            return (map, origin)
        }
        let w = out.width
        let c = out.channels
        out.pixels.withUnsafeMutableBufferPointer { px in
            for y in 0..<out.height {
                let my = y + y0 + dy
                for x in 0..<w {
                    let mx = x + x0 + dx
                    let seen =
                        my >= 0 && my < layout.height && mx >= 0 && mx < layout.width
                        && covered[my * layout.width + mx] != 0
                    if !seen { for k in 0..<c { px[(y * w + x) * c + k] = 0 } }
                }
            }
        }
        return (out, GridPoint(x: origin.x - x0, y: origin.y - y0))
    }

    /// A plain-text report: the expert regime both ways, the accuracy by explored share, recall per class.
    public func report(extractor: String) -> String {
        var s = String(
            format: "Expert regime (%d captures of %d walks): true walls %.1f %%, %@ lines %.1f %% (%+.1f points)\n",
            expertOnTrueWalls.total, walks, expertOnTrueWalls.accuracy * 100, extractor,
            expertOnLines.accuracy * 100, (expertOnLines.accuracy - expertOnTrueWalls.accuracy) * 100)
        s += "By explored share of the walls:   true walls   lines\n"
        for l in levels where l.count > 0 {
            s += String(
                format: "  %3.0f %% (%3d captures):         %5.1f %%     %5.1f %%\n", l.level * 100, l.count,
                100 * Double(l.rightOnTrueWalls) / Double(l.count), 100 * Double(l.rightOnLines) / Double(l.count))
        }
        s += "Expert-regime recall by class:    true walls   lines\n"
        let (onWalls, onLines) = (expertOnTrueWalls.recall, expertOnLines.recall)
        for (k, name) in expertOnTrueWalls.classNames.enumerated() {
            s +=
                "  " + name.padding(toLength: 14, withPad: " ", startingAt: 0)
                + String(
                    format: "                  %5.1f %%     %5.1f %%\n", (onWalls[k] ?? .nan) * 100,
                    (onLines[k] ?? .nan) * 100)
        }
        s += String(
            format: "Captures without a line: %d; line path %.2f s a capture; %.0f s in all\n", emptyMasks,
            lineSeconds / Double(max(1, expertOnLines.total)), seconds)
        return s
    }
}
