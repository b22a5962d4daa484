import Foundation
import GRDB
import Imaging

/// One input event as stored: monotonic seconds, what happened, which key or button.
public struct RecordedInputEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case keyDown, keyUp, buttonDown, buttonUp }
    public var time: Double
    public var kind: Kind
    /// X keysym name for keys (`Up`, `a`), `button N` for mouse buttons.
    public var name: String
    public init(time: Double, kind: Kind, name: String) {
        self.time = time
        self.kind = kind
        self.name = name
    }
}

/// Writes one recording as a crash-safe SQLite file (WAL journal, `synchronous = FULL`).
///
/// Frames are queued by the capture loop and stored by a writer thread in transactions of at
/// most ``commitInterval`` (0.25 s) of frames; the queue holds at most half a second of frames,
/// so a frame is committed within about a second of its capture even when encoding is slow;
/// a process killed at any instant (even `kill -9`) leaves a file that SQLite opens as it is,
/// with every committed frame. The queue is bounded (also to about 256 MB): when the disk or
/// the encoder cannot keep up, ``append``
/// waits, and the capture loop sees late frames instead of memory growing without end.
///
/// Each frame's key state is taken from `label` at the frame's capture instant, no earlier than
/// ``labelDelay`` after it (input events reach the recorder a little after they happen).
///
/// File layout (`format_version` 1): `meta(key, value)` with `format` = `pixelpilot-recording`,
/// `fingerprint` (JSON of ``RecordingFingerprint``), `created`, `start_time` and, when the
/// recording ended normally, `stop_time`, `stop_reason`, `late_frames`; `frames(idx, slot, t,
/// width, height, encoding, keys, held, data)` with `slot` the frame's number on the nominal
/// clock (gaps are dropped frames), `t` the monotonic capture time, `keys` the bit mask over the
/// fingerprint's keys, `held` every held key and button (comma-separated), `data` PNG or raw RGB;
/// `events(id, t, kind, name)` with the raw input events.
public final class RecordingWriter: @unchecked Sendable {
    public let url: URL
    public let fingerprint: RecordingFingerprint
    /// Longest time between commits, seconds.
    public var commitInterval = 0.25
    /// How long after a frame's capture its keys are read from `label`, seconds.
    public var labelDelay = 0.05
    private let database: DatabaseQueue
    private let label: @Sendable (Double) -> Set<String>
    private let events: @Sendable () -> [RecordedInputEvent]
    private let lock = NSCondition()
    private var queue: [(slot: Int, time: Double, image: Image)] = []
    private let capacity: Int
    private var closed = false
    private var writerError: Error?
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    private var nextIndex = 0
    /// Frames stored so far (committed).
    public private(set) var storedFrames = 0
    /// Bytes of frame data stored so far.
    public private(set) var storedBytes = 0

    /// Creates `url` (it must not exist) and starts the writer thread. `label(t)` gives the keys
    /// and buttons held at monotonic time `t`; `events()` returns input events not yet returned.
    public init(
        url: URL, fingerprint: RecordingFingerprint, startTime: Double, queueCapacity: Int = 64,
        label: @escaping @Sendable (Double) -> Set<String>, events: @escaping @Sendable () -> [RecordedInputEvent]
    ) throws {
        self.url = url
        self.fingerprint = fingerprint
        self.label = label
        self.events = events
        // At most `queueCapacity` frames, half a second of frames (so a frame waits at most about
        // 0.5 s in the queue and 0.25 s in a batch before its commit, whatever the encoder's
        // speed: a slower encoder makes late frames, not older uncommitted ones) and about 256 MB.
        let frameBytes = Swift.max(1, fingerprint.width * fingerprint.height * 4)
        let halfSecond = Swift.max(4, Int((fingerprint.fps * 0.5).rounded(.up)))
        capacity = Swift.max(2, Swift.min(queueCapacity, halfSecond, (256 << 20) / frameBytes))
        let path = url.path
        guard !FileManager.default.fileExists(atPath: path) else {
            throw RecordingError(path: path, "already exists (a recording is never overwritten)")
        }
        let dir = url.deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: dir.isEmpty ? "." : dir) else {
            throw RecordingError(path: path, "cannot create: folder '\(dir)' is missing or not writable")
        }
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        do {
            database = try DatabaseQueue(path: path, configuration: config)
            try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            let fp = String(decoding: try JSONEncoder().encode(fingerprint), as: UTF8.self)
            try database.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                        CREATE TABLE frames(idx INTEGER PRIMARY KEY NOT NULL, slot INTEGER NOT NULL, t REAL NOT NULL,
                            width INTEGER NOT NULL, height INTEGER NOT NULL, encoding TEXT NOT NULL,
                            keys INTEGER NOT NULL, held TEXT NOT NULL, data BLOB NOT NULL);
                        CREATE TABLE events(id INTEGER PRIMARY KEY NOT NULL, t REAL NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL);
                        """)
                let meta: [(String, String)] = [
                    ("format", RecordingFile.format), ("format_version", "1"), ("fingerprint", fp),
                    ("created", ISO8601DateFormatter().string(from: Date())), ("start_time", String(startTime)),
                ]
                for (k, v) in meta {
                    try db.execute(sql: "INSERT INTO meta(key, value) VALUES (?, ?)", arguments: [k, v])
                }
            }
        } catch let e as RecordingError { throw e } catch {
            throw RecordingError(path: path, "cannot create the recording (\(error))")
        }
        let t = Thread { [weak self] in self?.writeLoop() }
        t.name = "pixelpilot.recording-writer"
        thread = t
        t.start()
    }

    /// Queues a captured frame (RGB or RGBA, the fingerprint's size) taken at monotonic `time` in
    /// nominal slot `slot`. Waits while the queue is full. Throws the writer's first error.
    public func append(_ image: Image, slot: Int, time: Double) throws {
        guard image.width == fingerprint.width, image.height == fingerprint.height else {
            throw RecordingError(
                path: url.path,
                "frame of \(image.width)x\(image.height) given to a \(fingerprint.width)x\(fingerprint.height) recording"
            )
        }
        lock.lock()
        defer { lock.unlock() }
        while queue.count >= capacity && writerError == nil && !closed { lock.wait() }
        if let writerError { throw writerError }
        guard !closed else { throw RecordingError(path: url.path, "recording already finished") }
        queue.append((slot, time, image))
        lock.signal()
    }

    /// Frames waiting to be written.
    public var queuedFrames: Int {
        lock.lock()
        defer { lock.unlock() }
        return queue.count
    }

    /// Writes every queued frame and the remaining events, stores the summary and closes.
    /// `extraMeta` entries are stored in `meta` too (e.g. `takeovers` of a corrections recording).
    public func finish(reason: String, lateFrames: Int, stopTime: Double, extraMeta: [String: String] = [:]) throws {
        lock.lock()
        closed = true
        lock.broadcast()
        lock.unlock()
        done.wait()
        if let writerError { throw writerError }
        do {
            try database.write { db in
                try storeEvents(db)
                for (k, v) in [
                    ("stop_time", String(stopTime)), ("stop_reason", reason), ("late_frames", String(lateFrames)),
                ] + extraMeta.sorted(by: { $0.key < $1.key }).map({ ($0.key, $0.value) }) {
                    try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", arguments: [k, v])
                }
            }
            database.writeWithoutTransaction { db in _ = try? db.checkpoint(.truncate) }
            try database.close()
        } catch { throw RecordingError(path: url.path, "cannot finish the recording (\(error))") }
    }

    private func storeEvents(_ db: Database) throws {
        for e in events() {
            try db.execute(
                sql: "INSERT INTO events(t, kind, name) VALUES (?, ?, ?)", arguments: [e.time, e.kind.rawValue, e.name])
        }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    private func writeLoop() {
        defer { done.signal() }
        while true {
            // Take the frames whose keys can be read now (label delay passed), up to one commit's worth.
            lock.lock()
            if queue.isEmpty && !closed { _ = lock.wait(until: Date().addingTimeInterval(commitInterval)) }
            let finishing = closed
            lock.unlock()
            let started = RecordingWriter.now()
            var batch: [(slot: Int, time: Double, image: Image)] = []
            while RecordingWriter.now() - started < commitInterval {
                lock.lock()
                guard let first = queue.first else {
                    lock.unlock()
                    break
                }
                let wait = first.time + labelDelay - RecordingWriter.now()
                if wait > 0 && !finishing {
                    lock.unlock()
                    Thread.sleep(forTimeInterval: Swift.min(wait, 0.01))
                    continue
                }
                queue.removeFirst()
                lock.signal()
                lock.unlock()
                batch.append(first)
                if batch.count >= 64 { break }
            }
            // Encode on both cores (frames are independent), then store in one transaction.
            var encoded = [Result<Data, Error>](repeating: .success(Data()), count: batch.count)
            let encoding = fingerprint.encoding
            encoded.withUnsafeMutableBufferPointer { out in
                let slots = out
                DispatchQueue.concurrentPerform(iterations: batch.count) { k in
                    var rgb = [UInt8]()
                    let f = batch[k]
                    RecordingWriter.packRGB(f.image, into: &rgb)
                    switch encoding {
                    case .raw: slots[k] = .success(Data(rgb))
                    case .png:
                        slots[k] = Result {
                            try PNG.encode(
                                Image(width: f.image.width, height: f.image.height, channels: 3, pixels: rgb),
                                fast: true)
                        }
                    }
                }
            }
            do {
                try database.write { db in
                    for (k, f) in batch.enumerated() {
                        let held = label(f.time)
                        let data = try encoded[k].get()
                        try db.execute(
                            sql:
                                "INSERT INTO frames(idx, slot, t, width, height, encoding, keys, held, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            arguments: [
                                nextIndex, f.slot, f.time, f.image.width, f.image.height, fingerprint.encoding.rawValue,
                                KeyMask.mask(held, keys: fingerprint.keys), held.sorted().joined(separator: ","), data,
                            ])
                        nextIndex += 1
                        storedBytes += data.count
                    }
                    try storeEvents(db)
                }
                storedFrames = nextIndex
            } catch {
                lock.lock()
                writerError = RecordingError(path: url.path, "cannot store frames (\(error))")
                lock.broadcast()
                lock.unlock()
                return
            }
            lock.lock()
            let over = closed && queue.isEmpty
            lock.unlock()
            if over { return }
        }
    }

    /// RGB bytes of an RGB or RGBA image (the alpha byte dropped), without per-pixel allocation.
    static func packRGB(_ image: Image, into out: inout [UInt8]) {
        let n = image.width * image.height
        if image.channels == 3 {
            out = image.pixels
            return
        }
        if out.count != n * 3 { out = [UInt8](repeating: 0, count: n * 3) }
        let c = image.channels
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    dst[3 * i] = src[c * i]
                    dst[3 * i + 1] = src[c * i + 1]
                    dst[3 * i + 2] = src[c * i + 2]
                }
            }
        }
    }
}
