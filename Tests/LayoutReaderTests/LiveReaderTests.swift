import Arena
import Desktop
import DesktopTesting
import Foundation
import Imaging
import LayoutReader
import XCTest

/// A screen whose capture square shows the map game played off-screen (``MapRecording``): each
/// capture is the next recorded frame, so the live reader stitches a real arena stream without
/// an X server.
final class RecordedMapScreen: ScreenSource, @unchecked Sendable {
    let recording: MapRecording
    let lock = NSLock()
    init(_ r: MapRecording) { recording = r }
    var screenRect: ScreenRect {
        ScreenRect(x: 0, y: 0, width: recording.view.screenWidth, height: recording.view.screenHeight)
    }
    func capture(_ rect: ScreenRect?) throws -> Frame {
        let image = lock.withLock { recording.next().image }
        return Frame(image: image, rect: recording.view.captureRect, time: SystemClock.shared.now())
    }
    func capture(window: UInt) throws -> Frame {
        throw DesktopError.noSuchWindow(id: window, reason: "recorded screen")
    }
}

/// Test-only back end: answers a fixed class after `delay` seconds (or no features), and records
/// which updates it saw.
final class ScriptedInference: LayoutInferring, @unchecked Sendable {
    let delay: Double
    let lock = NSLock()
    var seen: [Int] = []
    var answer: (Int) -> LayoutReadout
    init(delay: Double, answer: @escaping (Int) -> LayoutReadout) {
        self.delay = delay
        self.answer = answer
    }
    var classNames: [String] { (0..<9).map { "c\($0)" } }
    func read(_ update: MapUpdate) throws -> LayoutReadout {
        Thread.sleep(forTimeInterval: delay)
        let n = lock.withLock { () -> Int in
            seen.append(update.sequence)
            return seen.count
        }
        return answer(n)
    }
    func reset() {}
}

func oneHot(_ i: Int, _ p: Float = 0.9) -> LayoutPrediction {
    var probs = [Float](repeating: (1 - p) / 8, count: 9)
    probs[i] = p
    return LayoutPrediction(probabilities: probs, tokenCount: 10)
}

final class LiveReaderTests: XCTestCase {
    func testGuideStateKeepsItsAnswerOnNoFeaturesAndFailuresAndIsUnsureWhenLow() {
        var s = GuideState(minConfidence: 0.5)
        s.take(.noMapFeatures, sequence: 1)
        XCTAssertEqual(s.phase, .waiting, "no answer yet and no features: still waiting")
        XCTAssertEqual(s.notice, .noMapFeatures)
        s.take(.prediction(oneHot(4, 0.3), linePixels: 10), sequence: 2)
        XCTAssertEqual(s.phase, .notSure)
        XCTAssertNil(s.answer)
        XCTAssertTrue(s.statusLine.hasPrefix("not sure yet"), s.statusLine)
        s.take(.prediction(oneHot(4, 0.8), linePixels: 10), sequence: 3)
        XCTAssertEqual(s.answer, 4)
        s.take(.noMapFeatures, sequence: 4)
        XCTAssertEqual(s.answer, 4, "an update without map features keeps the answer (the seed crashed on 9999)")
        XCTAssertEqual(s.predictionSequence, 3)
        s.take(LiveInferenceError.serverUnavailable("refused"))
        XCTAssertEqual(s.answer, 4)
        XCTAssertEqual(s.notice, .serverUnavailable("refused"))
        XCTAssertTrue(s.statusLine.contains("server down"), s.statusLine)
        s.take(LiveInferenceError.badReply("garbage"))
        XCTAssertEqual(s.answer, 4)
        XCTAssertEqual(s.updatesFailed, 2)
    }

    /// The inference back end takes 0.5 s per update; the stream runs at 8 fps. Stitching must go
    /// on at full rate, the worker must always take the newest map (skipping the ones in between),
    /// and an update without features must keep the answer.
    func testStitchingNeverWaitsForSlowInferenceAndTheNewestMapWins() throws {
        let view = MapView(screenWidth: 1280, screenHeight: 720)
        let recording = try MapRecording(
            layout: MapLayout(layoutClass: .fork, seed: 3), effects: .none, view: view, seed: 3, captureFPS: 8)
        recording.world.hardCases = false
        let screen = RecordedMapScreen(recording)
        let inference = ScriptedInference(delay: 0.5) { n in
            n == 3 ? .noMapFeatures : .prediction(oneHot(2), linePixels: 99)
        }
        var settings = LiveLayoutReader.Settings()
        settings.fps = 8
        settings.mapScale = view.scale
        let reader = try LiveLayoutReader(
            source: screen, region: view.captureRect, inference: inference, settings: settings)
        let frames = Locked<[Double]>([])
        let states = Locked<[GuideState]>([])
        reader.onFrame = { _ in frames.mutate { $0.append(Date().timeIntervalSince1970) } }
        reader.onState = { s in states.mutate { $0.append(s) } }
        let updates = Locked<[LiveLayoutReader.Update]>([])
        reader.onUpdate = { u in updates.mutate { $0.append(u) } }
        try reader.start()
        Thread.sleep(forTimeInterval: 2.6)
        let during = reader.state
        reader.stop()
        XCTAssertEqual(reader.state.phase, .hidden, "stopping hides the overlay at once")
        reader.wait()
        let stitched = frames.value.count
        let seen = inference.lock.withLock { inference.seen }
        print(
            "live reader: \(stitched) frames stitched, \(seen.count) updates read \(seen), dropped \(reader.droppedUpdates)"
        )
        XCTAssertGreaterThanOrEqual(stitched, 16, "8 fps for 2.6 s while every read takes 0.5 s")
        XCTAssertLessThanOrEqual(seen.count, 6)
        XCTAssertGreaterThanOrEqual(reader.droppedUpdates, 8, "older maps were replaced, not queued")
        XCTAssertEqual(seen, seen.sorted())
        XCTAssertTrue(
            zip(seen, seen.dropFirst()).contains { $1 - $0 > 1 }, "the worker skipped to the newest map: \(seen)")
        XCTAssertEqual(during.answer, 2)
        let u = updates.value
        XCTAssertTrue(
            u.contains { $0.readout == .noMapFeatures && $0.state.answer == 2 },
            "the third read had no features and kept the answer")
        XCTAssertTrue(u.allSatisfy { $0.update.scale == 1 }, "maps go to the models at the seed's scale")
        if let last = u.last?.update {
            // 720p: 0.667 screen px per map px, so the map is 1.5x the canvas.
            XCTAssertGreaterThan(last.map.height, Int(Float(view.captureRect.height) * 1.4))
            XCTAssertNotNil(last.player)
        }
        XCTAssertEqual(states.value.last?.phase, .hidden)
    }
}
