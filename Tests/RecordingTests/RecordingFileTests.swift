import XCTest
import Foundation
import Recording
import Imaging

final class RecordingFileTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    static func frame(_ k: Int, width: Int = 24, height: Int = 16, channels: Int = 4) -> Image {
        var img = Image(width: width, height: height, channels: channels)
        for y in 0..<height {
            for x in 0..<width {
                let rgba: [UInt8] = [
                    UInt8((x * 9 + k) % 256), UInt8((y * 13 + 2 * k) % 256), UInt8((x + y + 50 * k) % 256), 255,
                ]
                img.setPixel(x: x, y: y, Color(rgba))
            }
        }
        return img
    }

    /// Writes `count` frames; frame k holds keys `keys(k)`.
    func write(
        _ name: String, count: Int, encoding: FrameEncoding, keys: @escaping @Sendable (Int) -> Set<String>
    ) throws -> URL {
        let url = dir.appendingPathComponent(name)
        let fp = RecordingFingerprint(
            regionX: 5, regionY: 7, width: 24, height: 16, fps: 10, keys: RecordingFingerprint.seedKeys,
            screenWidth: 640, screenHeight: 480, pixelPilotVersion: "test", encoding: encoding)
        let events: [RecordedInputEvent] = [
            RecordedInputEvent(time: 0.05, kind: .keyDown, name: "Up"),
            RecordedInputEvent(time: 0.31, kind: .buttonDown, name: "button 1"),
        ]
        let given = EventsOnce(events)
        let writer = try RecordingWriter(
            url: url, fingerprint: fp, startTime: 0, label: { t in keys(Int((t * 10).rounded())) },
            events: { given.take() })
        writer.labelDelay = 0
        for k in 0..<count {
            try writer.append(Self.frame(k), slot: k < 3 ? k : k + 1, time: Double(k < 3 ? k : k + 1) / 10)
        }
        try writer.finish(reason: "test", lateFrames: 1, stopTime: Double(count + 1) / 10)
        return url
    }

    func testRoundTripPNGAndRawWithKeysEventsAndFingerprint() throws {
        for encoding in FrameEncoding.allCases {
            let url = try write("a-\(encoding).ppr", count: 6, encoding: encoding) { k in
                k % 2 == 0 ? ["Up", "a"] : ["Left", "button 1"]
            }
            let r = try RecordingFile(url: url)
            XCTAssertEqual(r.count, 6)
            XCTAssertTrue(r.finished)
            XCTAssertEqual(r.fingerprint.channelOrder, "RGB")
            XCTAssertEqual(r.fingerprint.encoding, encoding)
            XCTAssertEqual(r.frames.map(\.slot), [0, 1, 2, 4, 5, 6], "slot 3 was dropped")
            XCTAssertEqual(r.lateFrames, 1)
            XCTAssertEqual(r.frames[0].held, ["Up", "a"], "any key is kept, not only the arrows")
            XCTAssertEqual(r.frames[1].held, ["Left", "button 1"])
            XCTAssertEqual(r.seedKeys(0), [true, false, false, false])
            XCTAssertEqual(r.seedKeys(1), [false, true, false, false])
            for k in 0..<6 { XCTAssertEqual(try r.image(k), Self.frame(k).rgb(), "frame \(k) pixels (\(encoding))") }
            XCTAssertEqual(try r.events().map(\.name), ["Up", "button 1"])
            XCTAssertEqual(try r.verify(), [])
            XCTAssertEqual(
                r.fingerprint.mismatches(fps: 10, width: 24, height: 16, keys: ["Up", "Left", "Right", "Down"]), [])
            XCTAssertEqual(r.fingerprint.mismatches(fps: 30, width: 256, height: 256, keys: ["Up"]).count, 3)
        }
    }

    func testBadFilesGetClearErrorsNamingTheFile() throws {
        let good = try write("good.ppr", count: 40, encoding: .raw) { _ in ["Up"] }
        // Foreign file.
        let foreign = dir.appendingPathComponent("photo.ppr")
        try PNG.write(Self.frame(0), to: foreign)
        XCTAssertThrowsError(try RecordingFile(url: foreign)) { e in
            XCTAssertTrue("\(e)".hasPrefix(foreign.path), "\(e)")
            XCTAssertTrue("\(e)".contains("not an SQLite database"), "\(e)")
        }
        // Truncated file.
        let data = try Data(contentsOf: good)
        let cut = dir.appendingPathComponent("cut.ppr")
        try data.prefix(data.count / 3).write(to: cut)
        do {
            let r = try RecordingFile(url: cut)
            let problems = try r.verify()
            XCTAssertFalse(problems.isEmpty, "a truncated file must not verify clean")
        } catch {
            XCTAssertTrue("\(error)".hasPrefix(cut.path), "\(error)")
        }
        // Another SQLite database.
        let other = dir.appendingPathComponent("other.sqlite")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table t(x)'); c.commit()",
            other.path,
        ]
        try p.run()
        p.waitUntilExit()
        XCTAssertThrowsError(try RecordingFile(url: other)) { e in
            XCTAssertTrue("\(e)".contains("not a PixelPilot recording"), "\(e)")
        }
        // Missing, empty.
        XCTAssertThrowsError(try RecordingFile(url: dir.appendingPathComponent("nope.ppr"))) { e in
            XCTAssertTrue("\(e)".contains("no such file"))
        }
        let zero = dir.appendingPathComponent("zero.ppr")
        XCTAssertTrue(FileManager.default.createFile(atPath: zero.path, contents: Data()))
        XCTAssertThrowsError(try RecordingFile(url: zero)) { e in XCTAssertTrue("\(e)".contains("empty file")) }
        // A recording with no frames opens, but says it is empty.
        let empty = try write("empty.ppr", count: 0, encoding: .png) { _ in [] }
        let r = try RecordingFile(url: empty)
        XCTAssertThrowsError(try r.requireFrames()) { e in
            XCTAssertEqual("\(e)", "\(empty.path): empty recording: no frames were stored")
        }
        XCTAssertTrue(try r.verify().contains("empty recording: no frames were stored"))
        // Never overwritten.
        XCTAssertThrowsError(try write("good.ppr", count: 1, encoding: .raw) { _ in [] }) { e in
            XCTAssertTrue("\(e)".contains("already exists"))
        }
    }
}

final class EventsOnce: @unchecked Sendable {
    private var events: [RecordedInputEvent]
    private let lock = NSLock()
    init(_ e: [RecordedInputEvent]) { events = e }
    func take() -> [RecordedInputEvent] {
        lock.lock()
        defer {
            events = []
            lock.unlock()
        }
        return events
    }
}
