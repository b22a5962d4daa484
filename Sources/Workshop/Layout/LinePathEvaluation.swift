import Arena
import Foundation
import Imaging
import LayoutReader
import TrainingReports

/// The live reader's accuracy beside the true-wall accuracy, on the same held-out walks and the
/// same captures: for each capture the map the stitcher would hold (``MapRenderer/stitchedMap``:
/// the revealed lines over the scene, at the seed's half scale) goes through the line extractor
/// (with its cleanup), the tokens and the classifier, and the walls revealed at that moment go
/// straight to the classifier, as ``LayoutEvaluation`` does.
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
    /// `progress` gets (walks done, walks in all).
    public static func run(
        classifier: ViTLayoutClassifier, extractor: LineExtracting, configuration c: Configuration,
        progress: (Int, Int) -> Void = { _, _ in }
    ) -> LinePathEvaluation {
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
        func readLines(_ world: MapWorld) -> Int? {
            let t0 = Date()
            defer { e.lineSeconds += Date().timeIntervalSince(t0) }
            let (map, origin) = MapRenderer.stitchedMap(world, view: view)
            extractor.reset()
            guard let mask = try? extractor.lines(of: map, origin: origin, scale: 1), mask.lineCount > 0,
                let p = try? classifier.classify(mask)
            else {
                e.emptyMasks += 1
                return nil
            }
            return p.best
        }
        for (done, (cls, seed)) in jobs.enumerated() {
            let layout = MapLayout(layoutClass: cls, seed: seed)
            // The line path's answer at every capture an evaluation can pick: the first with the
            // landmark, the first to reach each share.
            var answers: [Int: Int?] = [:]
            var landmarkSeen = false
            var reached = Set<Double>()
            var full: Int??
            let walk = ArenaLayoutData.walk(
                layout: layout, explorerSeed: seed, seconds: c.walkSeconds, every: 1,
                tokens: classifier.network.configuration.tokens, effects: c.effects,
                onSnapshot: { world, index, snapshot in
                    var needed = false
                    if snapshot.landmarkSeen && !landmarkSeen {
                        landmarkSeen = true
                        needed = true
                    }
                    for level in shares where snapshot.fraction >= level && !reached.contains(level) {
                        reached.insert(level)
                        needed = true
                    }
                    if needed { answers[index] = readLines(world) }
                },
                onEnd: { world in
                    world.revealAll()
                    full = readLines(world)
                })
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
