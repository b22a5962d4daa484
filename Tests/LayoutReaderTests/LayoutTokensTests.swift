import Foundation
import Imaging
import TensorKit
import XCTest

import LayoutReader

/// The tokenizer and position embedding (reference §9-10) against hand-computed cases and the
/// seed's algorithm run literally in Python (`tools/make_vit_fixtures.py`).
final class LayoutTokensTests: XCTestCase {
    /// A 100×100 mask with the origin at (x 50, y 40) and the given pixels set.
    func mask(
        _ pixels: [(y: Int, x: Int)], width: Int = 100, height: Int = 100, origin: GridPoint = .init(x: 50, y: 40)
    )
        -> LineMask
    {
        var v = [UInt8](repeating: 0, count: width * height)
        for p in pixels { v[p.y * width + p.x] = 1 }
        return LineMask(width: width, height: height, values: v, origin: origin)
    }

    func testNegativeCoordinatesAndPixelPlacement() {
        // y 5 → ⌊(5−40)/32⌋ = −2, x 10 → ⌊(10−50)/32⌋ = −2; (39, 49) → (−1, −1) at its bottom-right
        // corner; (71, 81) is still patch (0, 0) (offsets 31); (72, 82) is (1, 1).
        let t = LayoutTokens(mask: mask([(5, 10), (39, 49), (40, 50), (71, 81), (72, 82)]))
        XCTAssertEqual(t.totalCount, 4)
        XCTAssertEqual(t.rows, [0, -1, 1, -2])
        XCTAssertEqual(t.columns, [0, -1, 1, -2])
        // Patch (0, 0): origin pixel at (0, 0), (71, 81) at (31, 31).
        XCTAssertEqual(t.pixels[0], 1)
        XCTAssertEqual(t.pixels[31 * 32 + 31], 1)
        XCTAssertEqual(t.pixels[0..<1024].reduce(0) { $0 + Int($1) }, 2)
        // Patch (−1, −1) starts at (y 8, x 18): (39, 49) is its (31, 31).
        XCTAssertEqual(t.pixels[1024 + 31 * 32 + 31], 1)
        XCTAssertEqual(t.pixels[1024..<2048].reduce(0) { $0 + Int($1) }, 1)
        // Patch (−2, −2) starts at (y −24, x −14): (5, 10) is its (29, 24).
        XCTAssertEqual(t.pixels[3 * 1024 + 29 * 32 + 24], 1)
    }

    func testTiesKeepScanOrderAndTruncationKeepsTheNearest() {
        // Patches (0,1), (1,0), (0,−1), (−1,0) all have squared distance 1; (1,1) has 2.
        let m = mask([(40, 50), (40, 85), (75, 50), (40, 20), (10, 50), (75, 85)])
        let t = LayoutTokens(mask: m)
        XCTAssertEqual(t.rows, [0, -1, 0, 0, 1, 1])
        XCTAssertEqual(t.columns, [0, 0, -1, 1, 0, 1])
        let cut = LayoutTokens(mask: m, limit: 3)
        XCTAssertEqual(cut.totalCount, 6)
        XCTAssertEqual(cut.rows, [0, -1, 0])
        XCTAssertEqual(cut.columns, [0, 0, -1])
        XCTAssertEqual(Array(cut.pixels), Array(t.pixels[0..<(3 * 1024)]))
    }

    func testOriginOutsideTheMask() {
        // Origin left of and above the mask: every patch has positive offsets.
        let m = mask([(0, 0), (10, 40)], width: 64, height: 32, origin: GridPoint(x: -40, y: -5))
        let t = LayoutTokens(mask: m)
        // (0, 0): ⌊5/32⌋ = 0, ⌊40/32⌋ = 1; (10, 40): ⌊15/32⌋ = 0, ⌊80/32⌋ = 2.
        XCTAssertEqual(t.rows, [0, 0])
        XCTAssertEqual(t.columns, [1, 2])
        // (0, 0) sits at offset (5, 8) of patch (0, 1), which starts at (y −5, x −8).
        XCTAssertEqual(t.pixels[5 * 32 + 8], 1)
    }

    func testScaleIsRespected() {
        // At scale 2 a pixel at (81, 101) of a 200×200 mask is (40, 50) at the seed's scale: the
        // origin (100, 80) → (50, 40), so it is in patch (0, 0) at (0, 0).
        var v = [UInt8](repeating: 0, count: 200 * 200)
        v[81 * 200 + 101] = 1
        v[10 * 200 + 20] = 1  // → (5, 10): patch (−2, −2)
        let t = LayoutTokens(
            mask: LineMask(width: 200, height: 200, values: v, origin: GridPoint(x: 100, y: 80), scale: 2))
        XCTAssertEqual(t.rows, [0, -2])
        XCTAssertEqual(t.columns, [0, -2])
        XCTAssertEqual(t.pixels[0], 1)
    }

    func testPositionEmbeddingHandComputed() {
        let e = LayoutTokens.positionEmbedding(row: 1, column: 2)
        XCTAssertEqual(e.count, 256)
        // ω_0 = 1: sin 1, cos 1, sin 2, cos 2.
        XCTAssertEqual(e[0], 0.841470985, accuracy: 1e-6)
        XCTAssertEqual(e[1], 0.540302306, accuracy: 1e-6)
        XCTAssertEqual(e[2], 0.909297427, accuracy: 1e-6)
        XCTAssertEqual(e[3], -0.416146837, accuracy: 1e-6)
        // ω_1 = 10000^(−1/64) = 0.865964: sin(ω_1), cos(2 ω_1).
        XCTAssertEqual(e[4], 0.761720408, accuracy: 1e-6)
        XCTAssertEqual(e[7], -0.160435961, accuracy: 1e-6)
        // ω_63 = 1.1548e-4.
        XCTAssertEqual(e[252], 0.000115478, accuracy: 1e-8)
        XCTAssertEqual(e[255], 0.999999973, accuracy: 1e-7)
        let n = LayoutTokens.positionEmbedding(row: 0, column: -3)
        XCTAssertEqual(n[0], 0)
        XCTAssertEqual(n[1], 1)
        XCTAssertEqual(n[6], -0.517305716, accuracy: 1e-6)
    }

    func testMatchesTheSeedsTokenizer() throws {
        let f = try SafeTensors.read(contentsOf: ViTFixture.url("vit_tokens")).tensors
        let m = try XCTUnwrap(f["mask"])
        let h = m.shape[0]
        let w = m.shape[1]
        let values = m.scalars.map { UInt8($0) }
        let o = try XCTUnwrap(f["origin"]).scalars
        let t = LayoutTokens(values: values, width: w, height: h, origin: GridPoint(x: Int(o[1]), y: Int(o[0])))
        XCTAssertEqual(t.rows, try XCTUnwrap(f["rows"]).scalars.map { Int($0) })
        XCTAssertEqual(t.columns, try XCTUnwrap(f["cols"]).scalars.map { Int($0) })
        XCTAssertEqual(t.pixels.map { Float($0) }, try XCTUnwrap(f["pixels"]).scalars)
        let pos = try XCTUnwrap(f["positions"]).scalars
        for i in 0..<t.count {
            let e = LayoutTokens.positionEmbedding(row: t.rows[i], column: t.columns[i])
            for d in 0..<256 { XCTAssertEqual(e[d], pos[i * 256 + d], accuracy: 2e-6) }
        }
    }

    func testBatchPadsWithThePadTokenAndTruncates() throws {
        let m = mask([(40, 50), (40, 85), (75, 50), (40, 20), (10, 50), (75, 85)])
        let six = LayoutTokens(mask: m)
        let two = LayoutTokens(mask: m, limit: 2)
        let c = ViTConfiguration(width: 8, depth: 1, heads: 2, mlp: 8, tokens: 4, classes: 3)
        let b = ViTBatch([two, six], configuration: c, padSamples: 1, compact: false)
        // Rows index [CLS, pad, tokens…]: sample 0 has 2 tokens then 2 pads; sample 1 is cut to
        // 4; the pad sample has as many (zero) tokens as the first sample.
        XCTAssertEqual(b.rows, [0, 2, 3, 1, 1, 0, 4, 5, 6, 7, 0, 8, 9, 1, 1])
        XCTAssertEqual(b.kept, [2, 4, 2])
        XCTAssertEqual(b.tokenCount, 8)
        // The pad sample's pixels and positions are zero.
        XCTAssertEqual((6 * 1024..<8 * 1024).map { b.quadrants.pointer[$0] }.reduce(0, +), 0)
        XCTAssertEqual((6 * 8..<8 * 8).map { b.positions.pointer[$0] }.reduce(0, +), 0)
        // Quadrants: the origin pixel is the first pixel of the top-left quadrant; pixel (31, 31)
        // of a patch is the last of the bottom-right one.
        XCTAssertEqual(b.quadrants.pointer[0], 1)
        XCTAssertNil(b.keyBias)
        // Compact: one pad position weighted log(4 − n), hidden filler up to the longest (n + 2).
        let k = ViTBatch([two, six], configuration: c, padSamples: 1)
        XCTAssertEqual(k.length, 6)
        XCTAssertEqual(k.rows, [0, 2, 3, 1, 1, 1, 0, 4, 5, 6, 7, 1, 0, 8, 9, 1, 1, 1])
        let bias = try XCTUnwrap(k.keyBias).scalars
        XCTAssertEqual(Array(bias[0..<4]), [0, 0, 0, Float(log(2.0))])
        XCTAssertEqual(bias[4], -1e30)
        XCTAssertEqual(bias[5], -1e30)
        XCTAssertEqual(Array(bias[6..<11]), [0, 0, 0, 0, 0])
        XCTAssertEqual(bias[11], -1e30)  // four real tokens: no pad copies at all
    }
}

/// The layout reader's parity fixtures (`tools/make_vit_fixtures.py`).
enum ViTFixture {
    static func url(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
            .appendingPathComponent("\(name).safetensors")
    }
}

/// The row-interval fog equals part 1's pixel-by-pixel ``FogSampler``.
final class FogRowsTests: XCTestCase {
    func testSameAsFogSampler() throws {
        var rng = SeededGenerator(seed: 4)
        let w = 300
        let h = 220
        var mask = [UInt8](repeating: 0, count: w * h)
        for i in mask.indices where rng.nextUniform() < 0.1 { mask[i] = 1 }
        // A dense wandering path that leaves the image and comes back, and a far second stretch.
        var path: [GridPoint] = []
        var p = GridPoint(x: 20, y: 30)
        for k in 0..<900 {
            p.x += k % 3 == 0 ? 1 : 0
            p.y += (k / 60) % 2 == 0 ? 1 : -1
            path.append(p)
        }
        path += (0..<50).map { GridPoint(x: 280 + $0, y: 200) }
        for radius in [0, 7, 65] {
            let a = try FogSampler.reveal(mask: mask, width: w, height: h, path: path, radius: radius).revealed
            let b = FogSampler.revealedByRows(mask: mask, width: w, height: h, path: path, radius: radius)
            XCTAssertEqual(a, b, "radius \(radius)")
            XCTAssertGreaterThan(b.reduce(0) { $0 + Int($1) }, 0)
        }
    }
}
