import XCTest
import Foundation
import LayoutReader
import Imaging

/// Fog-of-war sampling against hand-computed cases, exploration paths, sample folders.
final class DataToolTests: XCTestCase {
    func testFogSamplerMatchesHandComputedDiscs() throws {
        let full = [UInt8](repeating: 1, count: 49)
        // Radius 1 around the centre of 7×7: the plus of 5 pixels.
        let plus = try FogSampler.reveal(mask: full, width: 7, height: 7, path: [GridPoint(x: 3, y: 3)], radius: 1)
        XCTAssertEqual(plus.revealed.reduce(0) { $0 + Int($1) }, 5)
        XCTAssertEqual(plus.revealed[2 * 7 + 3], 1)
        XCTAssertEqual(plus.revealed[2 * 7 + 2], 0)
        // Radius 2: dx² + dy² ≤ 4 holds for 13 offsets.
        let disc = try FogSampler.reveal(mask: full, width: 7, height: 7, path: [GridPoint(x: 3, y: 3)], radius: 2)
        XCTAssertEqual(disc.revealed.reduce(0) { $0 + Int($1) }, 13)
        XCTAssertEqual(disc.fractionOfMask, 13.0 / 49.0, accuracy: 1e-12)
        // At a corner the disc is clipped: (0,0),(1,0),(2,0),(0,1),(1,1),(0,2).
        let corner = try FogSampler.reveal(mask: full, width: 7, height: 7, path: [GridPoint(x: 0, y: 0)], radius: 2)
        XCTAssertEqual(corner.revealed.reduce(0) { $0 + Int($1) }, 6)
        // Only mask pixels are revealed: a mask with one line, a path of two points.
        var line = [UInt8](repeating: 0, count: 49)
        for x in 0..<7 { line[3 * 7 + x] = 1 }
        let part = try FogSampler.reveal(
            mask: line, width: 7, height: 7, path: [GridPoint(x: 0, y: 3), GridPoint(x: 1, y: 3)], radius: 1)
        XCTAssertEqual(part.revealed, (0..<49).map { $0 == 21 || $0 == 22 || $0 == 23 ? 1 : 0 })
        XCTAssertEqual(part.fractionOfMask, 3.0 / 7.0, accuracy: 1e-12)
        XCTAssertEqual(part.fractionOfArea, 7.0 / 49.0, accuracy: 1e-12)  // (0,2),(0,3),(0,4),(1,2),(1,3),(1,4),(2,3)
        XCTAssertThrowsError(try FogSampler.reveal(mask: line, width: 6, height: 7, path: [], radius: 1))
    }

    func testExplorationPathsStayOnWalkableGroundAndStartAtTheOrigin() throws {
        // An L-shaped corridor 20 px wide in a 200×200 map.
        let n = 200
        var walk = [UInt8](repeating: 0, count: n * n)
        for y in 20..<40 { for x in 20..<180 { walk[y * n + x] = 1 } }
        for y in 20..<180 { for x in 160..<180 { walk[y * n + x] = 1 } }
        let gen = try ExplorationPaths(walkable: walk, width: n, height: n, origin: GridPoint(x: 25, y: 30))
        let paths = gen.generate(count: 9, seed: 3)
        XCTAssertEqual(paths.count, 9)
        XCTAssertEqual(Set(paths.map(\.kind)), Set(ExplorationPaths.Kind.allCases))
        for p in paths {
            XCTAssertEqual(p.points.first, GridPoint(x: 25, y: 30))
            for q in p.points { XCTAssertEqual(walk[q.y * n + q.x], 1, "\(p.kind) leaves the ground at \(q)") }
            for (a, b) in zip(p.points, p.points.dropFirst()) {
                XCTAssertLessThanOrEqual(max(abs(a.x - b.x), abs(a.y - b.y)), 1, "dense")
            }
        }
        let back = try XCTUnwrap(paths.first { $0.kind == .backtrack })
        XCTAssertLessThan(abs(back.points.last!.x - 25) + abs(back.points.last!.y - 30), 8, "back-tracking returns")
        XCTAssertThrowsError(
            try ExplorationPaths(
                walkable: [UInt8](repeating: 0, count: n * n), width: n, height: n, origin: GridPoint(x: 5, y: 5)))
    }

    func testToursStartAtTheOriginStayOnTheGroundAndVisitSeveralPlaces() throws {
        // A U of corridors 20 px wide in a 200×200 map: the tours must walk along the ground.
        let n = 200
        var walk = [UInt8](repeating: 0, count: n * n)
        for y in 20..<40 { for x in 20..<180 { walk[y * n + x] = 1 } }
        for y in 20..<180 { for x in 160..<180 { walk[y * n + x] = 1 } }
        for y in 160..<180 { for x in 20..<180 { walk[y * n + x] = 1 } }
        let gen = try ExplorationPaths(walkable: walk, width: n, height: n, origin: GridPoint(x: 25, y: 30))
        let tours = gen.tours(count: 6, seed: 5, stops: 4)
        XCTAssertEqual(tours.count, 6)
        XCTAssertEqual(gen.tours(count: 6, seed: 5, stops: 4), tours, "reproducible from the seed")
        var farthest = 0
        for t in tours {
            XCTAssertEqual(t.first, GridPoint(x: 25, y: 30))
            for q in t { XCTAssertEqual(walk[q.y * n + q.x], 1, "the tour leaves the ground at \(q)") }
            for (a, b) in zip(t, t.dropFirst()) { XCTAssertLessThanOrEqual(max(abs(a.x - b.x), abs(a.y - b.y)), 1) }
            farthest = max(farthest, t.map { abs($0.x - 25) + abs($0.y - 30) }.max() ?? 0)
        }
        XCTAssertGreaterThan(farthest, 150, "some tour goes round the bend")
        XCTAssertLessThanOrEqual(gen.tours(count: 3, seed: 1, maxLength: 50).map(\.count).max() ?? 0, 50)
    }

    func testCorruptSampleFoldersAreClearErrors() throws {
        let dir = NSTemporaryDirectory() + "pixelpilot-sample-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertThrowsError(try LayoutSample.read(from: dir)) {
            XCTAssertTrue("\($0)".contains("no such sample folder"), "\($0)")
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        XCTAssertThrowsError(try LayoutSample.read(from: dir)) {
            XCTAssertTrue("\($0)".contains("sample.json: missing"), "\($0)")
        }
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: dir + "/sample.json"))
        XCTAssertThrowsError(try LayoutSample.read(from: dir)) {
            XCTAssertTrue("\($0)".contains("not a sample description"), "\($0)")
        }
        let s = LayoutSample(
            id: "x", layoutClass: 11, originX: 1, originY: 1, source: "stream", scale: nil, frames: 1, created: "now")
        try s.write(to: dir)
        XCTAssertThrowsError(try LayoutSample.read(from: dir)) {
            XCTAssertTrue("\($0)".contains("map.png: missing"), "\($0)")
        }
        try PNG.write(Image(width: 4, height: 4), path: dir + "/map.png")
        XCTAssertThrowsError(try LayoutSample.read(from: dir)) {
            XCTAssertTrue("\($0)".contains("class 11 is not 0-8"), "\($0)")
        }
        try LayoutSample(
            id: "x", layoutClass: 3, originX: 1, originY: 1, source: "stream", scale: nil, frames: 1, created: "now"
        ).write(to: dir)
        XCTAssertEqual(try LayoutSample.read(from: dir).layoutClass, 3)
        XCTAssertThrowsError(try LayoutSample.readPaths(in: dir)) {
            XCTAssertTrue("\($0)".contains("paths.json: missing"), "\($0)")
        }
    }
}
