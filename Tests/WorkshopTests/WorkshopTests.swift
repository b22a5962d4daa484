import Foundation
import Imaging
import TensorKit
import TrainingReports
import Workshop
import XCTest

/// The library under the commands, called in-process as a framework user calls it (no display needed).
final class WorkshopTests: XCTestCase {
    func testBenchResultIsOneJSONLineTheScriptsRead() throws {
        let r = BenchResult(suite: "infer", case: "batch 1", framework: "TensorKit", value: 0.25, unit: "ms")
        XCTAssertFalse(r.jsonLine.contains("\n"))
        let decoded = try JSONDecoder().decode(BenchResult.self, from: Data(r.jsonLine.utf8))
        XCTAssertEqual(decoded, r)
    }

    func testTensorKitBenchReportsEachBatchAsItIsMeasured() {
        var bench = TensorKitBench(trainImages: 32)
        var results: [BenchResult] = []
        bench.infer(batchSizes: [1, 3], repeats: 3) { results.append($0) }
        XCTAssertEqual(results.map(\.case), ["batch 1", "batch 3"])
        XCTAssertTrue(results.allSatisfy { $0.suite == "infer" && $0.unit == "ms" && $0.value > 0 && $0.value < 1000 })
    }

    func testMedianOfTimedRunsIsTheMiddleOne() {
        var calls = 0
        let t = BenchResult.median(5, warmup: 2) { calls += 1 }
        XCTAssertEqual(calls, 7)
        XCTAssertGreaterThanOrEqual(t, 0)
    }

    func testStitchScoreMeasuresErrorDriftAndBadFrames() {
        var score = StitchScore()
        for i in 0..<10 {
            // Error grows by 2 px per 1000 px travelled.
            score.add(pasted: true, bad: false, error: 1 + 0.002 * Float(i * 100), distance: Float(i * 100), ms: 4)
        }
        score.add(pasted: true, bad: true, error: nil, distance: 1000, ms: 4)
        score.add(pasted: false, bad: false, error: nil, distance: 1000, ms: 4)
        XCTAssertEqual(score.frames, 12)
        XCTAssertEqual(score.undetectedBad, 1)
        XCTAssertEqual(score.goodSkipped, 1)
        XCTAssertEqual(score.driftPer1000, 2, accuracy: 1e-3)
        XCTAssertEqual(score.max, 1 + 0.002 * 900, accuracy: 1e-5)
        XCTAssertEqual(score.msPerFrame, 4)
    }

    func testTrainingWalksUseTrainingLayoutsOnly() throws {
        let jobs = try ArenaLayoutData.trainingWalkJobs(instances: 2, walks: 3, seed: 7)
        XCTAssertEqual(jobs.count, 9 * 2 * 3)
        XCTAssertTrue(jobs.allSatisfy { $0.layoutSeed >= ArenaLayoutData.trainSeedBase })
        XCTAssertTrue(jobs.allSatisfy { $0.layoutSeed < ArenaLayoutData.testSeedBase })
        XCTAssertTrue(jobs.allSatisfy { $0.explorerSeed != $0.layoutSeed })
        XCTAssertThrowsError(try ArenaLayoutData.trainingWalkJobs(instances: 60_000, walks: 1, seed: 0)) {
            XCTAssertTrue("\($0)".contains("would reach the test seeds"), "\($0)")
        }
    }

    func testLineFrameSetsNeverShareInstances() {
        let training = Set(LineFrameSet.seeds(.training, count: 2000))
        let validation = Set(LineFrameSet.seeds(.validation, count: 2000))
        let test = Set(LineFrameSet.seeds(.test, count: 2000))
        XCTAssertTrue(training.isDisjoint(with: validation) && validation.isDisjoint(with: test))
    }

    func testKerasProgressText() {
        let p = KerasProgress(accuracyName: "key_set_accuracy", epochs: 10)
        XCTAssertEqual(p.stepSuffix(loss: 0.5, accuracy: 0.25), "loss: 0.5000 - key_set_accuracy: 0.2500")
        var history = History()
        history.epochs.append(
            EpochLog(
                epoch: 3, loss: 0.2, accuracy: 0.9, validationLoss: 0.3, validationAccuracy: 0.8, learningRate: 1e-3,
                seconds: 75))
        XCTAssertEqual(
            p.epochLine(history.epochs[0], numbered: true),
            "Epoch 3/10 1:15 - loss: 0.2000 - key_set_accuracy: 0.9000 - val_loss: 0.3000 - val_key_set_accuracy: 0.8000"
        )
        XCTAssertEqual(KerasProgress.duration(0.25), "250ms")
        XCTAssertEqual(KerasProgress.duration(12), "12s")
        let picture = LearningCurves.picture(history)
        XCTAssertEqual(picture.width, 1120)
        XCTAssertEqual(picture.height, 360)
    }
}
