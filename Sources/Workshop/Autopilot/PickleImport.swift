import Foundation
import Imaging
import Recording

/// Converts a recording pickle of the original autopilot's recorder (`recording_<time>.pickle`: a dict
/// of `screen_frames` (N, H, W, 3) uint8 in B, G, R order and `key_frames` (N, 4) with 0/1 columns
/// [up, left, right, down]) into a PixelPilot recording, through the committed helper
/// `tools/seed_pickle_to_raw.py` (NumPy when installed, else the standard library alone).
public struct PickleImport {
    /// The helper script and the interpreter that runs it.
    public var helper: URL
    public var python = "python3"
    /// The frame rate the original recorded at (it stores no timestamps; 10 in its script).
    public var fps = 10.0
    /// The version written into the recording's fingerprint.
    public var version = ""

    public init(helper: URL) { self.helper = helper }

    /// What was imported.
    public struct Summary: Sendable, Equatable {
        public var frames: Int
        public var width: Int
        public var height: Int
    }

    /// The helper found beside the working directory or up to five folders above `executable`.
    /// - Returns: the first that exists, or nil with the places looked in.
    public static func findHelper(executable: URL?) -> (URL?, [String]) {
        var candidates = [FileManager.default.currentDirectoryPath + "/tools/seed_pickle_to_raw.py"]
        if var dir = executable?.resolvingSymlinksInPath().deletingLastPathComponent() {
            for _ in 0..<5 {
                dir = dir.deletingLastPathComponent()
                candidates.append(dir.path + "/tools/seed_pickle_to_raw.py")
            }
        }
        let found = candidates.first { FileManager.default.fileExists(atPath: $0) }
        return (found.map { URL(fileURLWithPath: $0) }, candidates)
    }

    /// Imports `pickle` into a new recording at `output`; on failure nothing is left at `output`.
    public func run(pickle: URL, output: URL) throws -> Summary {
        let path = pickle.path
        guard fps > 0, fps <= 240 else { throw WorkshopError.invalidValue("--fps must be in (0, 240], got \(fps)") }
        guard FileManager.default.fileExists(atPath: path) else { throw WorkshopError.failed("\(path): no such file") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, helper.path, path]
        let outPipe = Pipe()
        let errPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        do { try p.run() } catch { throw WorkshopError.failed("cannot run \(python) \(helper.path): \(error)") }
        func helperError() -> String {
            String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let reader = outPipe.fileHandleForReading
        // Header line, then per frame H*W*3 bytes (BGR) and 4 key bytes.
        var header = Data()
        while let byte = try reader.read(upToCount: 1), let b = byte.first, b != 0x0A { header.append(b) }
        guard let h = (try? JSONSerialization.jsonObject(with: header)) as? [String: Any],
            let n = h["frames"] as? Int, let height = h["height"] as? Int, let width = h["width"] as? Int
        else {
            let err = helperError()
            p.waitUntilExit()
            throw WorkshopError.failed("\(path): \(err.isEmpty ? "the helper gave no header" : err)")
        }
        guard n > 0 else { throw WorkshopError.failed("\(path): empty recording (0 frames)") }
        let keys = RecordingFingerprint.seedKeys
        let fp = RecordingFingerprint(
            regionX: 0, regionY: 0, width: width, height: height, fps: fps, keys: keys,
            screenWidth: width, screenHeight: height, pixelPilotVersion: version,
            encoding: .png, source: "seed pickle \(pickle.lastPathComponent)")
        let labels = FrameLabels()
        let fps = self.fps
        let writer = try RecordingWriter(
            url: output, fingerprint: fp, startTime: 0, label: { t in labels.keys(at: t, fps: fps) }, events: { [] })
        writer.labelDelay = 0
        let frameBytes = width * height * 3
        for k in 0..<n {
            guard let data = try reader.read(upToCount: frameBytes + 4), data.count == frameBytes + 4 else {
                p.waitUntilExit()
                let err = helperError()
                try? writer.finish(reason: "import failed", lateFrames: 0, stopTime: 0)
                try? FileManager.default.removeItem(at: output)
                throw WorkshopError.failed("\(path): frame \(k) of \(n) is incomplete \(err.isEmpty ? "" : "(\(err))")")
            }
            var rgb = [UInt8](data.prefix(frameBytes))
            rgb.withUnsafeMutableBufferPointer { px in
                var i = 0
                while i < frameBytes {  // BGR -> RGB
                    px.swapAt(i, i + 2)
                    i += 3
                }
            }
            let keyBytes = [UInt8](data.suffix(4))
            var held = Set<String>()
            for (i, name) in keys.enumerated() where keyBytes[i] != 0 { held.insert(name) }
            labels.set(k, held)
            try writer.append(
                try Image(width: width, height: height, channels: 3, pixels: rgb), slot: k, time: Double(k) / fps)
        }
        p.waitUntilExit()
        try writer.finish(
            reason: "imported from the original autopilot's pickle", lateFrames: 0, stopTime: Double(n) / fps)
        return Summary(frames: n, width: width, height: height)
    }
}

/// Key states of imported frames, by frame number (the writer's label callback reads them).
final class FrameLabels: @unchecked Sendable {
    private let lock = NSLock()
    private var byFrame: [Int: Set<String>] = [:]
    func set(_ k: Int, _ keys: Set<String>) {
        lock.lock()
        byFrame[k] = keys
        lock.unlock()
    }
    func keys(at t: Double, fps: Double) -> Set<String> {
        lock.lock()
        defer { lock.unlock() }
        return byFrame[Int((t * fps).rounded())] ?? []
    }
}
