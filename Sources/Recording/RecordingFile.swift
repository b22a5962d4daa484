import Foundation
import GRDB
import Imaging

/// A stored frame's key state and timing (without the pixels).
public struct FrameRecord: Sendable, Equatable {
    /// Position in the file, 0-based.
    public var index: Int
    /// Frame number on the nominal clock (`start + slot / fps`); a gap means dropped frames.
    public var slot: Int
    /// Monotonic capture time, seconds.
    public var time: Double
    /// Bit mask over the fingerprint's keys.
    public var keyMask: Int
    /// Every key and button held at the capture instant.
    public var held: [String]
}

/// An existing recording, opened for reading (see ``RecordingWriter`` for the layout).
///
/// Opening checks that the file exists, is an SQLite database, carries the PixelPilot recording
/// tables and a readable fingerprint; each failure is a ``RecordingError`` naming the file. A
/// file left by a killed recorder opens as it is (SQLite replays its write-ahead log).
public final class RecordingFile: @unchecked Sendable {
    public static let format = "pixelpilot-recording"
    public let url: URL
    public let fingerprint: RecordingFingerprint
    /// Every frame's timing and keys, in order.
    public let frames: [FrameRecord]
    /// `meta` entries (`start_time`, `stop_time`, `stop_reason`, `late_frames`, `created`, ...).
    public let meta: [String: String]
    private let database: DatabaseQueue

    public init(url: URL) throws {
        self.url = url
        let path = url.path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw RecordingError(path: path, "no such file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size > 0 else { throw RecordingError(path: path, "empty file (0 bytes): not a recording") }
        var config = Configuration()
        config.readonly = false
        do {
            database = try DatabaseQueue(path: path, configuration: config)
            let (meta, frames) = try database.read { db -> ([String: String], [FrameRecord]) in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                guard tables.contains("meta"), tables.contains("frames"), tables.contains("events") else {
                    throw RecordingError(
                        path: path,
                        "an SQLite database but not a PixelPilot recording (tables: \(tables.sorted().joined(separator: ", ")))"
                    )
                }
                var meta: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta") {
                    if let k = row["key"] as String?, let v = row["value"] as String? { meta[k] = v }
                }
                // Only a PixelPilot recording's columns are read (they are NOT NULL there).
                guard meta["format"] == RecordingFile.format else {
                    throw RecordingError(
                        path: path, "not a PixelPilot recording (meta format is '\(meta["format"] ?? "missing")')")
                }
                let frames = try Row.fetchAll(db, sql: "SELECT idx, slot, t, keys, held FROM frames ORDER BY idx").map {
                    row in
                    FrameRecord(
                        index: row["idx"], slot: row["slot"], time: row["t"], keyMask: row["keys"],
                        held: (row["held"] as String).split(separator: ",").map(String.init))
                }
                return (meta, frames)
            }
            guard meta["format"] == RecordingFile.format else {
                throw RecordingError(
                    path: path, "not a PixelPilot recording (meta format is '\(meta["format"] ?? "missing")')")
            }
            guard meta["format_version"] == "1" else {
                throw RecordingError(
                    path: path,
                    "recording format version \(meta["format_version"] ?? "missing") is not supported (this PixelPilot reads version 1)"
                )
            }
            guard let fp = meta["fingerprint"],
                let fingerprint = try? JSONDecoder().decode(RecordingFingerprint.self, from: Data(fp.utf8))
            else {
                throw RecordingError(
                    path: path, "the fingerprint (region, fps, keys, screen, version) is missing or unreadable")
            }
            self.meta = meta
            self.frames = frames
            self.fingerprint = fingerprint
        } catch let e as RecordingError {
            throw e
        } catch let e as DatabaseError {
            let reason: String
            switch e.resultCode {
            case .SQLITE_NOTADB: reason = "not a recording: the file is not an SQLite database"
            case .SQLITE_CORRUPT:
                reason = "damaged or truncated recording (SQLite: \(e.message ?? "database disk image is malformed"))"
            case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY:
                reason = "cannot open (permission or folder problem: \(e.message ?? "\(e)"))"
            default: reason = "cannot read the recording (SQLite: \(e.message ?? "\(e)"))"
            }
            throw RecordingError(path: path, reason)
        } catch {
            throw RecordingError(path: path, "cannot read the recording (\(error))")
        }
    }

    /// Number of frames.
    public var count: Int { frames.count }
    /// False when the recorder was killed before it could finish (the frames kept are valid).
    public var finished: Bool { meta["stop_time"] != nil }
    /// Late (dropped) frames: as the recorder counted them, or from gaps in the slots when it was killed.
    public var lateFrames: Int {
        if let s = meta["late_frames"], let n = Int(s) { return n }
        guard let last = frames.last else { return 0 }
        return last.slot + 1 - frames.count
    }
    /// Seconds from the first to the last frame plus one frame period.
    public var duration: Double {
        guard let first = frames.first, let last = frames.last else { return 0 }
        return last.time - first.time + 1 / fingerprint.fps
    }

    /// Held flags of frame `i` in the seed's order [up, left, right, down] (false for keys not in the set).
    public func seedKeys(_ i: Int) -> [Bool] {
        let held = Set(KeyMask.keys(frames[i].keyMask, keys: fingerprint.keys))
        return RecordingFingerprint.seedKeys.map { held.contains($0) }
    }

    /// Throws unless the recording has frames.
    public func requireFrames() throws {
        if frames.isEmpty { throw RecordingError(path: url.path, "empty recording: no frames were stored") }
    }

    /// The RGB pixels of frame `i`.
    public func image(_ i: Int) throws -> Image {
        guard i >= 0, i < frames.count else {
            throw RecordingError(path: url.path, "frame \(i) does not exist (the recording has \(frames.count))")
        }
        let row: Row? = try readDB { db in
            try Row.fetchOne(db, sql: "SELECT width, height, encoding, data FROM frames WHERE idx = ?", arguments: [i])
        }
        guard let row else { throw RecordingError(path: url.path, "frame \(i) is missing") }
        return try decode(row, index: i)
    }

    private func decode(_ row: Row, index i: Int) throws -> Image {
        let w: Int = row["width"]
        let h: Int = row["height"]
        let encoding: String = row["encoding"]
        let data: Data = row["data"]
        switch FrameEncoding(rawValue: encoding) {
        case .raw?:
            guard data.count == w * h * 3 else {
                throw RecordingError(
                    path: url.path, "frame \(i): \(data.count) bytes, expected \(w * h * 3) for raw \(w)x\(h) RGB")
            }
            return try Image(width: w, height: h, channels: 3, pixels: [UInt8](data))
        case .png?:
            let img: Image
            do { img = try PNG.decode(data, path: "\(url.path) frame \(i)") } catch {
                throw RecordingError(path: url.path, "frame \(i): \(error)")
            }
            guard img.width == w, img.height == h else {
                throw RecordingError(
                    path: url.path, "frame \(i): PNG is \(img.width)x\(img.height), row says \(w)x\(h)")
            }
            return img.channels == 3 ? img : img.rgb()
        case nil:
            throw RecordingError(path: url.path, "frame \(i): unknown encoding '\(encoding)'")
        }
    }

    /// Calls `body` with frames `range` in order (one query; the pixels of one frame at a time).
    public func forEachImage(in range: Range<Int>, _ body: (Int, Image) throws -> Void) throws {
        try readDB { db in
            let cursor = try Row.fetchCursor(
                db,
                sql: "SELECT idx, width, height, encoding, data FROM frames WHERE idx >= ? AND idx < ? ORDER BY idx",
                arguments: [range.lowerBound, range.upperBound])
            while let row = try cursor.next() {
                let i: Int = row["idx"]
                try body(i, try decode(row, index: i))
            }
        }
    }

    /// The raw input events in time order.
    public func events() throws -> [RecordedInputEvent] {
        try readDB { db in
            try Row.fetchAll(db, sql: "SELECT t, kind, name FROM events ORDER BY t, id").compactMap { row in
                RecordedInputEvent.Kind(rawValue: row["kind"]).map {
                    RecordedInputEvent(time: row["t"], kind: $0, name: row["name"])
                }
            }
        }
    }

    private func readDB<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try database.read(body) } catch let e as RecordingError { throw e } catch {
            throw RecordingError(path: url.path, "cannot read the recording (\(error))")
        }
    }

    /// Every problem found: SQLite's integrity check, frame order, slots, times, sizes, encodings,
    /// key masks against the held sets, event order. Empty when the recording is sound.
    public func verify() throws -> [String] {
        var problems: [String] = []
        let integrity = try readDB { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        if integrity != ["ok"] {
            problems.append("SQLite integrity check: \(integrity.prefix(3).joined(separator: "; "))")
        }
        if frames.isEmpty { problems.append("empty recording: no frames were stored") }
        for (k, f) in frames.enumerated() {
            if f.index != k {
                problems.append("frame \(k) is numbered \(f.index)")
                break
            }
            if k > 0 && f.slot <= frames[k - 1].slot {
                problems.append("frame \(k): slot \(f.slot) not after \(frames[k - 1].slot)")
                break
            }
            if k > 0 && f.time < frames[k - 1].time {
                problems.append("frame \(k): captured before frame \(k - 1)")
                break
            }
            if f.keyMask != KeyMask.mask(Set(f.held), keys: fingerprint.keys) {
                problems.append("frame \(k): key mask \(f.keyMask) disagrees with held \(f.held)")
                break
            }
        }
        var decoded = 0
        do {
            try forEachImage(in: 0..<frames.count) { i, img in
                if img.width != fingerprint.width || img.height != fingerprint.height {
                    problems.append(
                        "frame \(i) is \(img.width)x\(img.height), fingerprint says \(fingerprint.width)x\(fingerprint.height)"
                    )
                }
                decoded += 1
            }
        } catch { problems.append("\(error)") }
        if decoded != frames.count && problems.isEmpty {
            problems.append("only \(decoded) of \(frames.count) frames could be read")
        }
        let ev = try events()
        for k in 1..<Swift.max(1, ev.count) where ev[k].time < ev[k - 1].time {
            problems.append("event \(k) out of time order")
            break
        }
        return problems
    }
}
