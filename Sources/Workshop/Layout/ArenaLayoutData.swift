import Arena
import Foundation
import Imaging
import LayoutReader
import SeededRandom

/// The layout classifier's data from the map arena: full layouts with their exact wall lines (at
/// the original layout reader's half scale, which is the arena's map scale), exploration paths and fog-of-war
/// sampling for training (``ExplorationPaths`` and ``FogSampler``), and walks of the
/// arena's scripted player (``MapExplorer``, the autoplay routes) for testing.
public enum ArenaLayoutData {
    /// Training instances use seeds from here up; test instances from ``testSeedBase`` up, so a
    /// test instance is never trained on.
    public static let trainSeedBase: UInt64 = 10_000
    public static let testSeedBase: UInt64 = 900_000

    /// One instance's wall lines (1 = wall), its size and its entrance.
    public struct Walls: Sendable {
        public var layoutClass: Int
        public var seed: UInt64
        public var values: [UInt8]
        public var width: Int, height: Int
        public var origin: GridPoint
        public var lineCount: Int
    }

    public static func walls(of layout: MapLayout) -> Walls {
        Walls(
            layoutClass: layout.layoutClass.rawValue, seed: layout.seed, values: layout.walls, width: layout.width,
            height: layout.height, origin: GridPoint(x: Int(layout.entrance.x), y: Int(layout.entrance.y)),
            lineCount: layout.walls.reduce(0) { $0 + Int($1) })
    }

    /// Training recipes, per class: `instances` layouts per class, `paths` generated explorations
    /// each (routes, wandering, back-tracking from the entrance), every path cut to a random share
    /// of its length in [`minimumShare`, 1] (a player is somewhere along it), revealed with the
    /// original layout reader's light radius 65 (``FogSampler``) and tokenized. Layouts and paths are made here on
    /// both cores; the fog and tokens are made later by the recipe (the training worker).
    /// `tours` more explorations per layout walk through several places in turn, as the arena's
    /// scripted player does (``ExplorationPaths/tours(count:seed:stops:maxLength:)``), also cut
    /// to a random share; `fullLayouts` adds each layout fully revealed.
    public static func trainingRecipes(
        instances: Int, paths: Int, tours: Int = 0, fullLayouts: Bool = false, tokens: Int,
        minimumShare: Double = 0.1, seed: UInt64
    ) throws -> [[ViTTraining.Recipe]] {
        let classes = LayoutClass.allCases
        let jobs = classes.flatMap { c in (0..<instances).map { (c, UInt64($0)) } }
        let lock = NSLock()
        var made = [(Walls, [[GridPoint]])?](repeating: nil, count: jobs.count)
        var failure: Error?
        DispatchQueue.concurrentPerform(iterations: jobs.count) { j in
            let (c, i) = jobs[j]
            let layout = MapLayout(layoutClass: c, seed: trainSeedBase + i * 16 + UInt64(c.rawValue))
            do {
                let explorer = try ExplorationPaths(
                    walkable: layout.walkable, width: layout.width, height: layout.height,
                    origin: GridPoint(x: Int(layout.entrance.x), y: Int(layout.entrance.y)))
                var rng = SeededGenerator(seed: seed &+ UInt64(j) &* 7919)
                let generated = explorer.generate(count: paths, seed: seed &+ UInt64(j) &* 104_729 &+ 1)
                var cut = generated.map { p -> [GridPoint] in
                    let share = minimumShare + (1 - minimumShare) * Double(rng.nextUniform())
                    return Array(p.points.prefix(max(1, Int(Double(p.points.count) * share))))
                }
                if tours > 0 {
                    for t in explorer.tours(count: tours, seed: seed &+ UInt64(j) &* 15_485_863 &+ 2) {
                        let share = minimumShare + (1 - minimumShare) * Double(rng.nextUniform())
                        cut.append(Array(t.prefix(max(1, Int(Double(t.count) * share)))))
                    }
                }
                // An empty path stands for the fully revealed layout.
                if fullLayouts { cut.append([]) }
                lock.lock()
                made[j] = (walls(of: layout), cut)
                lock.unlock()
            } catch {
                lock.lock()
                failure = error
                lock.unlock()
            }
        }
        if let failure { throw failure }
        var recipes = [[ViTTraining.Recipe]](repeating: [], count: classes.count)
        for entry in made {
            guard let (w, cuts) = entry else { continue }
            for path in cuts {
                recipes[w.layoutClass].append {
                    let r =
                        path.isEmpty
                        ? w.values
                        : FogSampler.revealedByRows(mask: w.values, width: w.width, height: w.height, path: path)
                    return LayoutTokens(values: r, width: w.width, height: w.height, origin: w.origin, limit: tokens)
                }
            }
        }
        return recipes
    }

    /// One snapshot of a walk: how far the player has walked from the entrance (map pixels along
    /// its track), the share of the layout's wall pixels revealed, and the revealed walls' tokens.
    public struct Snapshot: Sendable {
        public var distance: Double
        public var fraction: Double
        /// True once the fog has lifted off the layout's landmark (its waypoint: the fork's
        /// junction, the hub's room, the u-turn's far bend, ...).
        public var landmarkSeen: Bool
        public var packed: PackedLayoutTokens
        public var tokens: LayoutTokens { packed.unpacked }
    }

    /// A scripted player's walk through one test instance.
    public struct Walk: Sendable {
        public var layoutClass: Int
        public var seed: UInt64
        public var snapshots: [Snapshot]
        /// The full layout (100 %).
        public var full: LayoutTokens
    }

    /// Walks of the arena's scripted explorer (the autoplay routes: branches, the waypoint, the
    /// exit, back) through `instances` unseen layouts per class for `seconds` of game time, the
    /// revealed walls captured every `every` seconds. Both cores.
    public static func testWalks(
        instances: Int, first: Int = 0, seconds: Double, every: Double = 1, tokens: Int, seedBase: UInt64 = testSeedBase
    ) -> [Walk] {
        let jobs = LayoutClass.allCases.flatMap { c in
            (first..<(first + instances)).map { i -> WalkJob in
                let s = seedBase + UInt64(i) * 16 + UInt64(c.rawValue)
                return WalkJob(layoutClass: c.rawValue, layoutSeed: s, explorerSeed: s)
            }
        }
        return walks(jobs, seconds: seconds, every: every, tokens: tokens)
    }

    /// ``walk(layout:explorerSeed:seconds:every:tokens:)`` for every job, on both cores, in the
    /// jobs' order (a job whose explorer cannot be made is left out).
    public static func walks(_ jobs: [WalkJob], seconds: Double, every: Double, tokens: Int) -> [Walk] {
        let lock = NSLock()
        var made = [Walk?](repeating: nil, count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { j in
            let job = jobs[j]
            let layout = MapLayout(layoutClass: LayoutClass.allCases[job.layoutClass], seed: job.layoutSeed)
            let w = walk(layout: layout, explorerSeed: job.explorerSeed, seconds: seconds, every: every, tokens: tokens)
            lock.lock()
            made[j] = w
            lock.unlock()
        }
        return made.compactMap { $0 }
    }

    /// One walk of the scripted player (``MapExplorer`` with `explorerSeed`, which also seeds the
    /// world) through `layout`, the fog of ``MapWorld/revealed`` captured every `every` seconds
    /// from `every` on. Nil when the explorer cannot be made.
    ///
    /// `effects` sets the scene a rendered frame would show (it does not change the walk);
    /// `onSnapshot` sees the world at each capture with the snapshot's index, and `onEnd` the world
    /// after the walk (for reading the rendered map the way the live reader does).
    public static func walk(
        layout: MapLayout, explorerSeed: UInt64, seconds: Double, every: Double, tokens: Int,
        effects: MapEffects = .none, onSnapshot: ((MapWorld, Int, Snapshot) -> Void)? = nil,
        onEnd: ((MapWorld) -> Void)? = nil
    ) -> Walk? {
        let w = walls(of: layout)
        guard let explorer = try? MapExplorer(layout: layout, seed: explorerSeed) else { return nil }
        let world = MapWorld(layout: layout, effects: effects, seed: explorerSeed)
        world.hardCases = false
        let dt = 0.1
        var distance = 0.0
        var last = world.player
        var snaps: [Snapshot] = []
        var nextShot = every
        var revealed = [UInt8](repeating: 0, count: w.values.count)
        let landmark = Int(layout.waypoint.y) * w.width + Int(layout.waypoint.x)
        while world.time < seconds {
            world.held = explorer.keys(player: world.player, time: world.time)
            world.step(dt)
            distance += Double((world.player - last).length)
            last = world.player
            if world.time + 1e-9 >= nextShot {
                nextShot += every
                var shown = 0
                let fog = world.revealed
                let seen = fog[landmark] != 0
                for k in revealed.indices {
                    let v = w.values[k] & fog[k]
                    revealed[k] = v
                    shown += Int(v)
                }
                snaps.append(
                    Snapshot(
                        distance: distance, fraction: Double(shown) / Double(max(1, w.lineCount)),
                        landmarkSeen: seen,
                        packed: PackedLayoutTokens(
                            LayoutTokens(
                                values: revealed, width: w.width, height: w.height, origin: w.origin,
                                limit: tokens))))
                onSnapshot?(world, snaps.count - 1, snaps[snaps.count - 1])
            }
        }
        onEnd?(world)
        let full = LayoutTokens(values: w.values, width: w.width, height: w.height, origin: w.origin, limit: tokens)
        return Walk(layoutClass: layout.layoutClass.rawValue, seed: layout.seed, snapshots: snaps, full: full)
    }

    /// One scripted-player walk to make: the layout's class and seed, and the explorer's seed (a
    /// test walk's is its layout's; a training walk's differs per walk, so routes differ, and its
    /// layout seed is a training seed, ``trainSeedBase`` + instance * 16 + class, the layouts
    /// ``trainingRecipes`` uses).
    public struct WalkJob: Equatable {
        public var layoutClass: Int
        public var layoutSeed: UInt64
        public var explorerSeed: UInt64
    }

    /// The training walks: `walks` per training layout (instances 0..<`instances` of each class).
    /// Every layout seed is a training seed, below ``testSeedBase``; that is checked, not assumed.
    public static func trainingWalkJobs(instances: Int, walks: Int, seed: UInt64) throws -> [WalkJob] {
        var jobs: [WalkJob] = []
        for c in LayoutClass.allCases {
            for i in 0..<UInt64(instances) {
                let s = trainSeedBase + i * 16 + UInt64(c.rawValue)
                guard s < testSeedBase else {
                    throw WorkshopError.invalidValue(
                        "training walk layout seed \(s) would reach the test seeds (\(testSeedBase) up)")
                }
                for k in 0..<UInt64(walks) {
                    // Never the layout's own seed (the test walks' explorer seed is the layout's).
                    let e = (seed &+ 1) &* 0x9E37_79B9_7F4A_7C15 ^ (s &* 1_000_003 &+ (k + 1) &* 7_919)
                    jobs.append(WalkJob(layoutClass: c.rawValue, layoutSeed: s, explorerSeed: e == s ? e &+ 1 : e))
                }
            }
        }
        return jobs
    }

    /// Training samples from the scripted player's own walks (the test's kind of exploration and
    /// fog) through training layouts: every capture, one every `every` seconds of a `seconds` walk,
    /// becomes a sample of the layout's class. Walked on both cores; returns recipes per class and
    /// the jobs walked.
    public static func trainingWalkRecipes(
        instances: Int, walks: Int, seconds: Double, every: Double, tokens: Int, seed: UInt64
    ) throws -> (recipes: [[ViTTraining.Recipe]], jobs: [WalkJob]) {
        let jobs = try trainingWalkJobs(instances: instances, walks: walks, seed: seed)
        let made = self.walks(jobs, seconds: seconds, every: every, tokens: tokens)
        var recipes = [[ViTTraining.Recipe]](repeating: [], count: LayoutClass.allCases.count)
        for w in made {
            for snap in w.snapshots {
                let packed = snap.packed
                recipes[w.layoutClass].append { packed.unpacked }
            }
        }
        return (recipes, jobs)
    }

    /// The explored shares the accuracy curve reports.
    public static let levels: [Double] = [0.1, 0.2, 0.3, 0.5, 1.0]
    /// The test regime (the original layout reader's curated test set: samples an expert could classify, not the
    /// entrance area alone): explorations that reveal at least 20 % of the layout's walls.
    public static let regimeLevels: [Double] = [0.2, 0.3, 0.5, 1.0]

    /// The first snapshot of `walk` that reveals at least `level` of the walls (the full layout
    /// for 1.0), or nil when the walk never gets there.
    public static func sample(_ walk: Walk, at level: Double) -> LayoutTokens? {
        if level >= 1 { return walk.full }
        return walk.snapshots.first { $0.fraction >= level }?.tokens
    }

    /// Which capture of a walk an expert-regime sample is.
    public enum ExpertCapture: Sendable, Equatable, CustomStringConvertible {
        /// The first capture with the landmark revealed.
        case landmark
        /// The first capture revealing at least this share of the walls (after the landmark).
        case share(Double)
        /// The fully revealed layout.
        case full

        public var description: String {
            switch self {
            case .landmark: return "landmark"
            case .share(let s): return String(format: "%.0f%%", s * 100)
            case .full: return "full"
            }
        }
    }

    /// The expert regime (the original layout reader's test set held "samples a human expert could classify, but
    /// not trivial ones"), made mechanical: a capture counts once the fog has lifted off the
    /// layout's landmark (its waypoint), so the walls that tell the class apart have been on the
    /// map. Per walk: the first capture with the landmark seen, each of the 20, 30 and 50 %
    /// captures taken at or after it, and the full layout.
    public static func expertSamples(_ walk: Walk) -> [LayoutTokens] { labelledExpertSamples(walk).map(\.tokens) }

    /// ``expertSamples(_:)`` with which capture each is.
    public static func labelledExpertSamples(_ walk: Walk) -> [(capture: ExpertCapture, tokens: LayoutTokens)] {
        guard let first = walk.snapshots.firstIndex(where: \.landmarkSeen) else { return [(.full, walk.full)] }
        var out: [(capture: ExpertCapture, tokens: LayoutTokens)] = [(.landmark, walk.snapshots[first].tokens)]
        for level in regimeLevels where level < 1 {
            if let i = walk.snapshots.firstIndex(where: { $0.fraction >= level }), i >= first {
                out.append((.share(level), walk.snapshots[i].tokens))
            }
        }
        out.append((.full, walk.full))
        return out
    }

    /// The expert-regime examples of `walks` (``expertSamples(_:)``).
    public static func expertExamples(_ walks: [Walk]) -> [LayoutExample] {
        walks.flatMap { w in expertSamples(w).map { LayoutExample(tokens: $0, label: w.layoutClass) } }
    }

    /// The test-regime examples of `walks`.
    public static func regimeExamples(_ walks: [Walk]) -> [LayoutExample] {
        walks.flatMap { w in
            regimeLevels.compactMap { level in
                sample(w, at: level).map { LayoutExample(tokens: $0, label: w.layoutClass) }
            }
        }
    }
}
