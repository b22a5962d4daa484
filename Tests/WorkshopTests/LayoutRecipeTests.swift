import Arena
import Foundation
import Imaging
import LayoutReader
import TensorKit
import Workshop
import XCTest

/// The layout reader's evaluations under `layout reach` and `layout unet-bench`, called in-process.
final class LayoutRecipeTests: XCTestCase {
    func testReachOfTheNearestTokensGrowsWithTheTokensKept() {
        let seed = ArenaLayoutData.trainSeedBase + UInt64(LayoutClass.hub.rawValue)
        let few = LayoutReach.measure(.hub, seed: seed, tokens: 8)
        let many = LayoutReach.measure(.hub, seed: seed, tokens: 128)
        XCTAssertEqual(few.patches, many.patches, "the layout is the same")
        XCTAssertGreaterThan(few.patches, 8)
        XCTAssertLessThan(few.lastTokenDistance, many.lastTokenDistance)
        XCTAssertLessThan(few.wallsKept, many.wallsKept)
        XCTAssertGreaterThan(many.wallsKept, 0)
        XCTAssertLessThanOrEqual(many.wallsKept, 1)
        XCTAssertEqual(few.waypointDistance, many.waypointDistance)
        let all = LayoutReach.measure(.hub, instances: 3, tokens: 128, test: false)
        XCTAssertEqual(all.count, 3)
        XCTAssertEqual(all[0], many, "instance 0 is the first training seed of its class")
    }

    func testUNetBenchScoresTheModelAndTheBaselineOnHeldOutFrames() throws {
        let extractor = try UNetLineExtractor.loadDefault(normalization: .exact)
        let q = try LineExtractionBench.quality(extractor, frames: 1)
        XCTAssertEqual(q.rows.count, 8, "UNet and colour threshold at effects normal and heavy, both looks")
        XCTAssertEqual(q.rows.filter(\.isBaseline).count, 4)
        for row in q.rows {
            XCTAssertGreaterThan(row.score.iou, 0.05, "\(row.extractor) \(row.kind.label)")
            XCTAssertLessThanOrEqual(row.score.iou, 1)
        }
        for kind in LineExtractionBench.FrameKind.all {
            let unet = q.rows.first { !$0.isBaseline && $0.kind == kind }!
            let colour = q.rows.first { $0.isBaseline && $0.kind == kind }!
            XCTAssertGreaterThan(unet.score.iou, colour.score.iou, "the UNet beats a colour threshold: \(kind.label)")
        }
        XCTAssertEqual(q.frameCount[.init(.heavy, .arena)], 9, "one frame per class")
        if let picture = q.picture {
            XCTAssertEqual(picture.width, 4 * 300 + 30)
            XCTAssertEqual(picture.height, 300 + 24)
        }
    }
}

/// The training recipes of `train layout` and `train unet` at tiny sizes, in-process.
final class LayoutTrainingRecipeTests: XCTestCase {
    var work: URL!
    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("workshop-layout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    func testLayoutClassifierRecipeTrainsChoosesAndEvaluatesOnUnseenWalks() throws {
        var c = LayoutClassifierRecipe.Configuration(
            network: ViTConfiguration(width: 16, depth: 1, heads: 2, mlp: 16, tokens: 16, classes: 9))
        (c.instances, c.paths, c.testInstances, c.walkSeconds) = (1, 4, 1, 10)
        c.options.epochs = 2
        c.options.timeLimit = 5
        c.options.evaluateEvery = 1
        let output = work.appendingPathComponent("tiny.safetensors")
        var lines: [String] = []
        var evaluations = 0
        let outcome = try LayoutClassifierRecipe(c).run(
            output: output, log: { lines.append($0) },
            progress: { if case .evaluated = $0 { evaluations += 1 } })
        XCTAssertGreaterThan(evaluations, 0)
        XCTAssertEqual(outcome.classNames.count, 9)
        XCTAssertEqual(try ViTLayoutClassifier(contentsOf: output).network.configuration, c.network)
        for suffix in [".history.csv", ".curves.png", ".evaluation.txt", ".confusion.png", ".accuracy.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: output.path + suffix), suffix)
        }
        XCTAssertTrue(lines.contains { $0.hasPrefix("Training set: 9 layouts x 4 explorations") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("Saved step ") }, "\(lines)")

        var none = c
        (none.paths, none.tours, none.walks, none.fullLayouts) = (0, 0, 0, false)
        XCTAssertEqual(none.problem, "no training samples: give --paths, --tours, --walks or --full-layouts")
        XCTAssertThrowsError(try LayoutClassifierRecipe(none).run(output: output, log: { _ in }))
        var other = c
        other.network = ViTConfiguration(width: 32, depth: 1, heads: 2, mlp: 16, tokens: 16, classes: 9)
        other.resume = output
        XCTAssertThrowsError(try LayoutClassifierRecipe(other).run(output: output, log: { _ in })) {
            XCTAssertTrue("\($0)".contains("is not the one asked for"), "\($0)")
        }
    }

    func testLineExtractorRecipeSavesTheBestStepWithItsHistory() throws {
        var c = LineExtractorRecipe.Configuration()
        c.options.configuration = AttentionUNetConfiguration(depth: 2, midChannels: 4)
        (c.options.steps, c.options.batchSize, c.options.evaluationInterval) = (4, 4, 2)
        c.options.validationPatches = 16
        (c.trainInstances, c.validationInstances, c.frames) = (1, 1, 1)
        let output = work.appendingPathComponent("unet.safetensors")
        var steps = 0
        let result = try LineExtractorRecipe(c).run(
            output: output, log: { _ in }, progress: { if case .step = $0 { steps += 1 } })
        XCTAssertEqual(steps, 4)
        XCTAssertEqual(result.evaluations.count, 2)
        let (net, _) = try AttentionUNet.read(from: output)
        XCTAssertEqual(net.configuration, c.options.configuration)
        let csv = try String(contentsOfFile: output.path + ".history.csv", encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 3, "a header and two evaluations")
    }

    func testStitchBenchFollowsTheArenasTrueOffsets() throws {
        let view = MapView(screenWidth: 1280, screenHeight: 720)
        let dir = work.appendingPathComponent("frames").path
        let r = try StitchBench.run(
            .eastRun, seed: 100, frames: 30, effects: .normal, view: view, headFrames: 5, saveTo: dir)
        XCTAssertEqual(r.score.frames, 30)
        XCTAssertEqual(r.head.frames, 5)
        XCTAssertGreaterThan(r.score.errors.count, 20, "most frames are pasted")
        XCTAssertLessThan(r.score.mean, 1.5, "within a pixel or so of the truth")
        XCTAssertGreaterThan(r.travelled, 0)
        let csv = try String(contentsOfFile: dir + "/truth.csv", encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 6)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/00004.png"))
        var total = StitchScore()
        total.merge(r.score)
        total.merge(r.head)
        XCTAssertEqual(total.frames, 35)
        XCTAssertTrue(r.jsonLine.hasPrefix("{\"suite\":\"stitch\",\"class\":0,\"frames\":30,"), r.jsonLine)
    }
}

/// The sample folders' tools under `layout collect`, `label` and `show`.
final class LayoutSampleToolsTests: XCTestCase {
    func testLabellingMovesTheSampleIntoItsClassFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("samples-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("unlabelled/s1").path
        try LayoutSample(
            id: "s1", layoutClass: nil, originX: 5, originY: 6, source: "stream", scale: nil, frames: 3,
            created: "2026-12-07T00:00:00Z"
        ).write(to: folder)
        try PNG.write(Image(width: 16, height: 16, color: [0, 0, 0]), path: folder + "/map.png")
        let moved = try LayoutSampleTools.label(folder, as: 4)
        XCTAssertEqual(moved.path, root.appendingPathComponent("4/s1").standardizedFileURL.path)
        XCTAssertEqual(try LayoutSample.read(from: moved.path).layoutClass, 4)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder))
        XCTAssertThrowsError(try LayoutSampleTools.label(moved.path, as: 9)) {
            XCTAssertEqual($0 as? WorkshopError, .invalidValue("--class must be 0-8, got 9"))
        }
    }

    func testAlignmentCountsLinePixelsNearAWall() {
        var walls = [UInt8](repeating: 0, count: 20 * 20)
        var lines = walls
        for x in 0..<20 { walls[10 * 20 + x] = 1 }
        for x in 4..<14 { lines[11 * 20 + x] = 1 }  // 1 px from the wall: on it
        for x in 4..<14 { lines[16 * 20 + x] = 1 }  // 6 px away: off it
        XCTAssertEqual(LayoutSampleTools.alignment(lines: lines, walls: walls, width: 20, height: 20), 0.5)
        let truth = LayoutSampleTools.truthPicture(
            walkable: walls, walls: walls, width: 20, height: 20, origin: GridPoint(x: 2, y: 2))
        XCTAssertEqual(truth.pixel(x: 15, y: 10), [150, 150, 200])
        XCTAssertEqual(truth.pixel(x: 15, y: 15), [14, 16, 22])
    }
}

/// The live path's evaluation reads the same captures as the true-wall evaluation.
final class LinePathEvaluationTests: XCTestCase {
    func testTheLinePathReadsTheSameCapturesAsTheTrueWalls() throws {
        let classifier = try ViTLayoutClassifier.loadDefault().classifier
        var c = LinePathEvaluation.Configuration()
        (c.instances, c.firstInstance, c.walkSeconds) = (1, 28, 40)
        var calls = 0
        let e = try LinePathEvaluation.run(
            classifier: classifier, extractor: ColorThresholdLineExtractor(), configuration: c
        ) { done, all in
            calls += 1
            XCTAssertEqual(all, 9)
            XCTAssertEqual(done, calls)
        }
        XCTAssertEqual(e.walks, 9)
        // The true-wall side is LayoutEvaluation's on the same walks.
        let walks = ArenaLayoutData.testWalks(
            instances: 1, first: 28, seconds: 40, tokens: classifier.network.configuration.tokens)
        let reference = LayoutEvaluation(classifier: classifier, walks: walks)
        XCTAssertEqual(e.expertOnTrueWalls, reference.expert)
        XCTAssertEqual(e.expertOnLines.total, e.expertOnTrueWalls.total)
        XCTAssertEqual(e.levels.map(\.count), reference.levels.map(\.count))
        // The arena's lavender lines pass the colour threshold: the line path answers mostly right.
        XCTAssertGreaterThan(e.expertOnLines.accuracy, 0.6)
        XCTAssertLessThan(e.emptyMasks, e.expertOnLines.total)
        XCTAssert(e.report(extractor: "colour-threshold").contains("Expert regime"))
        // An extractor that sees no line answers nothing right.
        let blind = ColorThresholdLineExtractor(red: 0...0, green: 255...255, blue: 0...0)
        c.instances = 1
        let none = try LinePathEvaluation.run(classifier: classifier, extractor: blind, configuration: c)
        XCTAssertEqual(none.expertOnLines.correct, 0)
        XCTAssertGreaterThanOrEqual(none.emptyMasks, none.expertOnLines.total)
    }
}
