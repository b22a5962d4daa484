import XCTest
import Foundation
import TensorKit

final class SafeTensorsTests: XCTestCase {
    func testRoundTripWithMetadata() throws {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(
            .init(tensors: ["a.weight": a, "b": Tensor(7)], metadata: ["arch": "test", "quote": "a\"b"]), to: url)
        let back = try SafeTensors.read(contentsOf: url)
        XCTAssertEqual(back.tensors["a.weight"]?.shape, [2, 3])
        XCTAssertEqual(back.tensors["a.weight"]?.scalars, a.scalars)
        XCTAssertEqual(back.tensors["b"]?.item, 7)
        XCTAssertEqual(back.metadata, ["arch": "test", "quote": "a\"b"])
    }

    func testTruncatedAndGarbageFilesNameTheProblem() throws {
        let good = SafeTensors.encode(.init(tensors: ["w": Tensor(shape: [4], scalars: [1, 2, 3, 4])]))
        XCTAssertThrowsError(try SafeTensors.decode(good.prefix(good.count - 3), path: "m.safetensors")) { e in
            XCTAssertTrue("\(e)".contains("m.safetensors"), "\(e)")
            XCTAssertTrue("\(e)".contains("'w'"), "\(e)")
        }
        XCTAssertThrowsError(try SafeTensors.decode(Data([1, 2, 3]), path: "x")) { e in
            XCTAssertTrue("\(e)".contains("shorter than"), "\(e)")
        }
        XCTAssertThrowsError(try SafeTensors.decode(Data(repeating: 0xFF, count: 64), path: "x")) { e in
            XCTAssertTrue("\(e)".contains("header length"), "\(e)")
        }
        XCTAssertThrowsError(try SafeTensors.read(contentsOf: URL(fileURLWithPath: "/nonexistent/model.safetensors"))) {
            e in
            XCTAssertTrue("\(e)".contains("/nonexistent/model.safetensors"), "\(e)")
        }
    }
}
