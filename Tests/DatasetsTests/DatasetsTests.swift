import XCTest
import Foundation
import Datasets
import TensorKit
import Imaging

final class DatasetsTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ds-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func makeFolder(_ counts: [String: Int], size: Int = 8) throws {
        for (name, n) in counts {
            let d = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            for i in 0..<n {
                try PNG.write(
                    Image(width: size, height: size, color: [UInt8(i), 0, 0]),
                    to: d.appendingPathComponent("\(i + 1).png"))
            }
        }
    }

    /// numpy.random.RandomState(123).shuffle(list(range(38))), printed by NumPy 2.4.
    func testShuffleMatchesNumPy() {
        var rng = NumPyRandomState(seed: 123)
        var a = Array(0..<38)
        rng.shuffle(&a)
        XCTAssertEqual(
            a,
            [
                6, 10, 12, 27, 5, 11, 18, 31, 13, 32, 8, 21, 23, 7, 29, 37, 3, 20, 16, 24, 4, 25, 33, 36, 26, 14, 30, 9,
                15, 35, 0, 1, 22, 19, 17, 34, 28, 2,
            ])
    }

    func testFolderListingOrderAndKerasSplit() throws {
        try makeFolder(["red": 18, "blue": 9, "green": 9, "empty": 2])
        let folder = try ImageFolder(directory: dir)
        XCTAssertEqual(folder.classNames, ["blue", "empty", "green", "red"])
        XCTAssertEqual(folder.samples.count, 38)
        // Python sorts file names as strings: 1, 10, 11, ..., 18, 2, ...
        XCTAssertEqual(folder.samples.prefix(3).map(\.url.lastPathComponent), ["1.png", "2.png", "3.png"])
        XCTAssertEqual(
            folder.samples.filter { $0.label == 3 }.prefix(3).map(\.url.lastPathComponent),
            ["1.png", "10.png", "11.png"])
        let (train, val) = folder.split(validationFraction: 0.2, seed: 123)
        XCTAssertEqual(train.count, 31)
        XCTAssertEqual(val.count, 7)
        XCTAssertEqual(Set(train.map(\.url) + val.map(\.url)).count, 38)
    }

    func testBadFoldersAndImagesAreNamed() throws {
        XCTAssertThrowsError(try ImageFolder(directory: dir)) { e in
            XCTAssertTrue("\(e)".contains("found 0 class folder"), "\(e)")
        }
        try makeFolder(["only": 2])
        XCTAssertThrowsError(try ImageFolder(directory: dir)) { e in
            XCTAssertTrue("\(e)".contains("(only)"), "\(e)")
        }
        try makeFolder(["other": 1], size: 9)
        let folder = try ImageFolder(directory: dir)
        XCTAssertThrowsError(try LabeledImages(samples: folder.samples, width: 8, height: 8)) { e in
            XCTAssertTrue("\(e)".contains("other/1.png: image is 9x9, expected 8x8"), "\(e)")
        }
        try Data("garbage".utf8).write(to: dir.appendingPathComponent("only/3.png"))
        XCTAssertThrowsError(try LabeledImages(samples: try ImageFolder(directory: dir).samples, width: 8, height: 8)) {
            e in
            XCTAssertTrue("\(e)".contains("only/3.png"), "\(e)")
        }
        XCTAssertThrowsError(try ImageFolder(directory: dir.appendingPathComponent("nope"))) { e in
            XCTAssertTrue("\(e)".contains("not a directory"), "\(e)")
        }
    }

    func testTranslationByWholePixelsShiftsWithReflection() {
        // 1x4 single-channel row 0 1 2 3, shifted right by 1: reflect fill gives 0 0 1 2.
        let src: [Float] = [0, 1, 2, 3]
        var dst = [Float](repeating: -1, count: 4)
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                Augmentation.translateForTesting(s.baseAddress!, into: d.baseAddress!, h: 1, w: 4, c: 1, dx: 1, dy: 0)
            }
        }
        XCTAssertEqual(dst, [0, 0, 1, 2])
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                Augmentation.translateForTesting(s.baseAddress!, into: d.baseAddress!, h: 1, w: 4, c: 1, dx: -2, dy: 0)
            }
        }
        XCTAssertEqual(dst, [2, 3, 3, 2])
    }

    /// The vectorised interior of each row against the per-pixel path, over fractional and whole
    /// shifts both ways, shifts larger than the image, and sizes whose rows do not fill a vector.
    func testVectorisedTranslationMatchesThePerPixelPath() {
        var rng = SeededGenerator(seed: 12)
        for (h, w, c) in [(52, 52, 3), (7, 5, 3), (9, 13, 1), (4, 3, 2), (1, 1, 3)] {
            let src = (0..<(h * w * c)).map { _ in rng.nextUniform() * 255 }
            for (dx, dy) in [
                (0, 0), (1, 0), (-2, 1), (3.7, -2.2), (-5.2, 4.9), (0.5, 0.5), (Float(w) + 1.5, -Float(h) - 0.3),
            ] as [(Float, Float)] {
                var fast = [Float](repeating: -1, count: src.count)
                var slow = fast
                src.withUnsafeBufferPointer { s in
                    fast.withUnsafeMutableBufferPointer {
                        Augmentation.translateForTesting(
                            s.baseAddress!, into: $0.baseAddress!, h: h, w: w, c: c, dx: dx, dy: dy)
                    }
                    slow.withUnsafeMutableBufferPointer {
                        Augmentation.translateForTesting(
                            s.baseAddress!, into: $0.baseAddress!, h: h, w: w, c: c, dx: dx, dy: dy, vectorized: false)
                    }
                }
                for i in 0..<src.count {
                    XCTAssertEqual(fast[i], slow[i], accuracy: 1e-3, "\(h)x\(w)x\(c) shift (\(dx), \(dy)) at \(i)")
                }
            }
        }
    }

    func testLoaderCoversEveryImageOncePerEpochInBatches() throws {
        let n = 10
        let t = Tensor.uninitialized([n, 2, 2, 3])
        for i in 0..<n { for k in 0..<12 { t.pointer[i * 12 + k] = Float(i) } }
        let data = LabeledImages(images: t, labels: Array(0..<n))
        let loader = BatchLoader(data, batchSize: 4, shuffle: true, seed: 5)
        XCTAssertEqual(loader.batchesPerEpoch, 3)
        var orders: [[Int]] = []
        for _ in 0..<2 {
            var seen: [Int] = []
            for b in loader {
                XCTAssertEqual(b.inputs.shape[0], b.labels.count)
                for (j, l) in b.labels.enumerated() { XCTAssertEqual(b.inputs.pointer[j * 12], Float(l)) }
                seen += b.labels
            }
            XCTAssertEqual(seen.sorted(), Array(0..<n))
            orders.append(seen)
        }
        XCTAssertNotEqual(orders[0], orders[1], "reshuffled each epoch")
    }
}
