import XCTest
import Foundation
import Recording
import TensorKit
import Imaging

final class WindowedDatasetTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ds-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    /// Frame k of recording `r`: pixel (x, y) = (10x + k, 20y, 30r), 8x6.
    static func frame(_ k: Int, recording r: Int) -> Image {
        var img = Image(width: 8, height: 6)
        for y in 0..<6 {
            for x in 0..<8 { img.setPixel(x: x, y: y, [UInt8(10 * x + k), UInt8(20 * y), UInt8((30 * r) % 256)]) }
        }
        return img
    }

    func makeRecording(_ r: Int, keys: [Set<String>]) throws -> RecordingFile {
        let url = dir.appendingPathComponent("r\(r).ppr")
        let fp = RecordingFingerprint(
            regionX: 0, regionY: 0, width: 8, height: 6, fps: 10, keys: RecordingFingerprint.seedKeys,
            screenWidth: 8, screenHeight: 6, pixelPilotVersion: "test", encoding: .png)
        let writer = try RecordingWriter(
            url: url, fingerprint: fp, startTime: 0, label: { t in keys[Int((t * 10).rounded())] }, events: { [] })
        writer.labelDelay = 0
        for k in keys.indices { try writer.append(Self.frame(k, recording: r), slot: k, time: Double(k) / 10) }
        try writer.finish(reason: "test", lateFrames: 0, stopTime: Double(keys.count) / 10)
        return try RecordingFile(url: url)
    }

    func testLabelsDirectionIndexBalanceAndWindowsMatchAHandComputedCase() throws {
        // Frames: U, U, U+L, U, U, R, (none), U+D
        let keys: [Set<String>] = [["Up"], ["Up"], ["Up", "Left"], ["Up"], ["Up"], ["Right"], [], ["Up", "Down"]]
        let rec = try makeRecording(0, keys: keys)
        let ds = try WindowedDataset(recordings: [rec], windowLength: 3)
        let all = ds.examples()
        XCTAssertEqual(all.map(\.frame), Array(0..<8), "stride 1: one example per frame")
        XCTAssertEqual(ds.label(all[2]), [true, true, false, false])
        XCTAssertEqual(ds.label(all[5]), [false, false, true, false])
        XCTAssertEqual(ds.label(all[6]), [false, false, false, false])
        XCTAssertEqual(
            ds.label(WindowExample(recording: 0, frame: 2, flipped: true)), [true, false, true, false],
            "flip swaps left and right")
        let index = ds.directionIndex(all)
        XCTAssertEqual(index[.forwards]?.map(\.frame), [0, 1, 2, 3, 4, 7])
        XCTAssertEqual(index[.left]?.map(\.frame), [2])
        XCTAssertEqual(index[.right]?.map(\.frame), [5])
        XCTAssertEqual(index[.backwards]?.map(\.frame), [7])
        XCTAssertEqual(index[.coast]?.map(\.frame), [6])
        // Balance: left, right, backwards, coast = {2, 5, 7, 6}; plus max(1, 1) = 1 forwards example
        // from those not already in (0, 1, 3, 4), each once.
        let balanced = ds.balanced(all)
        XCTAssertEqual(balanced.count, 5)
        XCTAssertEqual(Set(balanced.map(\.frame)).intersection([2, 5, 6, 7]), [2, 5, 6, 7])
        XCTAssertEqual(Set(balanced.map(\.frame)).subtracting([2, 5, 6, 7]).count, 1)
        XCTAssertEqual(Set(balanced).count, balanced.count, "no duplicates")
        // The windows' pixels: example 1 = [zeros, frame 0, frame 1]; its mirror reversed in x.
        let p = FramePreprocessing(width: 8, height: 6, windowLength: 3)
        let chosen = [
            WindowExample(recording: 0, frame: 1), WindowExample(recording: 0, frame: 1, flipped: true),
            WindowExample(recording: 0, frame: 7),
        ]
        let stream = WindowBatchStream(dataset: ds, examples: chosen, preprocessing: p, batchSize: 3)
        let batches = Array(stream)
        XCTAssertEqual(batches.count, 1)
        let b = batches[0]
        XCTAssertEqual(b.inputs.shape, [3, 3, 6, 8, 3])
        let x = b.inputs.scalars
        let per = 8 * 6 * 3
        for (row, e) in b.examples.enumerated() {
            let label = b.labels.scalars[(row * 4)..<(row * 4 + 4)].map { $0 == 1 }
            XCTAssertEqual(label, ds.label(e))
            for j in 0..<3 {
                let k = e.frame - 2 + j
                for (px, py) in [(0, 0), (7, 5), (3, 2)] {
                    let o = row * 3 * per + j * per + (py * 8 + px) * 3
                    let sx = e.flipped ? 7 - px : px
                    let want: [Float] = k < 0 ? [0, 0, 0] : [Float(10 * sx + k) / 255, Float(20 * py) / 255, 0]
                    for c in 0..<3 {
                        XCTAssertEqual(x[o + c], want[c], accuracy: 1e-6, "example \(e) slot \(j) pixel \(px),\(py)")
                    }
                }
            }
        }
        XCTAssertEqual(FramePreprocessing(encoded: p.encoded), p)
        XCTAssertNil(
            FramePreprocessing(
                encoded:
                    "{\"channelOrder\":\"BGR\",\"width\":1,\"height\":1,\"scale\":1,\"offset\":0,\"windowLength\":1}"))
    }

    func testSplitByRecordingNeverSharesARecordingAndStreamsEveryExampleOnce() throws {
        var recs: [RecordingFile] = []
        for r in 0..<10 {
            recs.append(try makeRecording(r, keys: (0..<(6 + r)).map { $0 % 3 == 0 ? ["Up", "Left"] : ["Up"] }))
        }
        let ds = try WindowedDataset(recordings: recs, windowLength: 4)
        for seed in UInt64(0)..<20 {
            let parts = ds.split(seed: seed)
            let train = Set(parts[.train]!)
            let val = Set(parts[.validation]!)
            let test = Set(parts[.test]!)
            XCTAssertEqual(train.count, 8)
            XCTAssertEqual(val.count, 1)
            XCTAssertEqual(test.count, 1)
            XCTAssertTrue(
                train.isDisjoint(with: val) && train.isDisjoint(with: test) && val.isDisjoint(with: test),
                "seed \(seed)")
            XCTAssertEqual(train.union(val).union(test), Set(0..<10))
            let trainExamples = ds.examples(recordings: parts[.train])
            let valExamples = ds.examples(recordings: parts[.validation])
            XCTAssertTrue(Set(trainExamples.map(\.recording)).isDisjoint(with: valExamples.map(\.recording)))
        }
        XCTAssertNotEqual(ds.split(seed: 1)[.validation], ds.split(seed: 2)[.validation], "the seed chooses")
        let two = try WindowedDataset(recordings: Array(recs.prefix(2)), windowLength: 4).split()
        XCTAssertEqual(two[.train]!.count, 1)
        XCTAssertEqual(two[.validation]!.count, 1)
        XCTAssertNotEqual(two[.train], two[.validation], "validation is never the training set")
        // One pass of the stream yields every example exactly once, flips included.
        let examples = ds.withFlips(ds.examples(recordings: ds.split()[.train]))
        let stream = WindowBatchStream(
            dataset: ds, examples: examples, preprocessing: FramePreprocessing(width: 4, height: 3, windowLength: 4),
            batchSize: 7)
        stream.shuffleBuffer = 16
        stream.cacheFrames = 40
        var seen: [WindowExample] = []
        var batches = 0
        for b in stream {
            seen += b.examples
            batches += 1
            XCTAssertEqual(b.inputs.shape[1...], [4, 3, 4, 3])
        }
        XCTAssertEqual(batches, stream.batchesPerEpoch)
        XCTAssertEqual(seen.count, examples.count)
        XCTAssertEqual(Set(seen), Set(examples))
        XCTAssertNotEqual(seen, stream.examples, "shuffled")
        // Batches mix drives: the first batch holds windows of several recordings.
        var firstBatch: [WindowExample] = []
        for b in stream {
            firstBatch = b.examples
            break
        }
        XCTAssertGreaterThanOrEqual(Set(firstBatch.map(\.recording)).count, 3, "\(firstBatch.map(\.recording))")
        // Recordings that do not match are refused, naming the file.
        let url = dir.appendingPathComponent("big.ppr")
        let fp = RecordingFingerprint(
            regionX: 0, regionY: 0, width: 16, height: 6, fps: 10, keys: RecordingFingerprint.seedKeys,
            screenWidth: 16, screenHeight: 6, pixelPilotVersion: "test")
        let w = try RecordingWriter(url: url, fingerprint: fp, startTime: 0, label: { _ in [] }, events: { [] })
        try w.append(Image(width: 16, height: 6), slot: 0, time: 0)
        try w.finish(reason: "t", lateFrames: 0, stopTime: 0.1)
        XCTAssertThrowsError(try WindowedDataset(recordings: [recs[0], try RecordingFile(url: url)])) { e in
            XCTAssertTrue("\(e)".hasPrefix(url.path), "\(e)")
            XCTAssertTrue("\(e)".contains("frames are 16x6, expected 8x6"), "\(e)")
        }
    }

    /// The preprocessing travels in a real model file and comes back identical.
    func testPreprocessingIsStoredInTheModelFile() throws {
        let p = FramePreprocessing(width: 96, height: 96, windowLength: 20)
        let url = dir.appendingPathComponent("policy.safetensors")
        try ModelFile(
            architecture: "test-policy", classNames: RecordingFingerprint.seedKeys, inputShape: [20, 96, 96, 3],
            preprocessing: p.encoded, tensors: ["w": Tensor(shape: [2], scalars: [1, 2])]
        ).write(to: url)
        let back = try ModelFile.read(from: url)
        XCTAssertEqual(FramePreprocessing(encoded: back.preprocessing), p)
        XCTAssertEqual(FramePreprocessing(encoded: back.preprocessing)?.channelOrder, "RGB")
    }
}
