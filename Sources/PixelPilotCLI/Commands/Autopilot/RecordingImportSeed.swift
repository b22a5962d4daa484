import ArgumentParser
import Foundation
import Recording
import Imaging

struct RecordingImportSeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-pickle",
        abstract: "Convert a recording pickle of the original autopilot's recorder into a PixelPilot recording.",
        discussion: """
            The original autopilot writes recording_<time>.pickle: a dict of screen_frames (N, H, W, 3) uint8 in \
            B, G, R order and key_frames (N, 4) with 0/1 columns [up, left, right, down]. The \
            committed helper tools/seed_pickle_to_raw.py reads it (with NumPy when installed, else \
            with the standard library alone) and PixelPilot stores the frames as RGB, the keys as \
            Up, Left, Right, Down, at --fps (the original autopilot stores no timestamps; 10 as in its script).

            Example: pixelpilot recording import-pickle recording_1700000000.pickle --out drive1.ppr
            """)
    @Argument(help: "The original autopilot's .pickle recording.") var pickle: String
    @Option(name: .shortAndLong, help: "Recording file to create.") var out: String
    @Option(parsing: .unconditional, help: "Frame rate the original autopilot recorded at.") var fps = 10.0
    @Option(help: "Python interpreter.") var python = "python3"
    @Option(help: "Path of tools/seed_pickle_to_raw.py (found beside the project by default).") var helper: String?

    func validate() throws { guard fps > 0, fps <= 240 else { throw ValidationError("--fps must be in (0, 240]") } }

    func findHelper() throws -> String {
        if let helper { return helper }
        var candidates = [FileManager.default.currentDirectoryPath + "/tools/seed_pickle_to_raw.py"]
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var dir = exe.deletingLastPathComponent()
            for _ in 0..<5 {
                dir = dir.deletingLastPathComponent()
                candidates.append(dir.path + "/tools/seed_pickle_to_raw.py")
            }
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw CLIError(
                "cannot find tools/seed_pickle_to_raw.py (looked in \(candidates.prefix(3).joined(separator: ", ")), ...); give --helper PATH"
            )
        }
        return found
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: pickle) else { throw CLIError("\(pickle): no such file") }
        let script = try findHelper()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, script, pickle]
        let outPipe = Pipe()
        let errPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        do { try p.run() } catch { throw CLIError("cannot run \(python) \(script): \(error)") }
        let reader = outPipe.fileHandleForReading
        // Header line, then per frame H*W*3 bytes (BGR) and 4 key bytes.
        var header = Data()
        while true {
            guard let byte = try reader.read(upToCount: 1), let b = byte.first else { break }
            if b == 0x0A { break }
            header.append(b)
        }
        guard let h = (try? JSONSerialization.jsonObject(with: header)) as? [String: Any],
            let n = h["frames"] as? Int, let height = h["height"] as? Int, let width = h["width"] as? Int
        else {
            let err = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            throw CLIError(
                "\(pickle): \(err.isEmpty ? "the helper gave no header" : err.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        guard n > 0 else { throw CLIError("\(pickle): empty recording (0 frames)") }
        let fp = RecordingFingerprint(
            regionX: 0, regionY: 0, width: width, height: height, fps: fps, keys: RecordingFingerprint.seedKeys,
            screenWidth: width, screenHeight: height, pixelPilotVersion: PixelPilot.configuration.version,
            encoding: .png, source: "seed pickle \(URL(fileURLWithPath: pickle).lastPathComponent)")
        let labels = SeedLabels()
        let writer = try RecordingWriter(
            url: URL(fileURLWithPath: out), fingerprint: fp, startTime: 0,
            label: { t in labels.keys(at: t, fps: fps) }, events: { [] })
        writer.labelDelay = 0
        let frameBytes = width * height * 3
        for k in 0..<n {
            guard let data = try reader.read(upToCount: frameBytes + 4), data.count == frameBytes + 4 else {
                p.waitUntilExit()
                let err = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                try? writer.finish(reason: "import failed", lateFrames: 0, stopTime: 0)
                try? FileManager.default.removeItem(atPath: out)
                throw CLIError(
                    "\(pickle): frame \(k) of \(n) is incomplete \(err.isEmpty ? "" : "(\(err.trimmingCharacters(in: .whitespacesAndNewlines)))")"
                )
            }
            var rgb = [UInt8](data.prefix(frameBytes))
            rgb.withUnsafeMutableBufferPointer { px in
                var i = 0
                while i < frameBytes {
                    let b = px[i]
                    px[i] = px[i + 2]
                    px[i + 2] = b
                    i += 3
                }  // BGR -> RGB
            }
            let keyBytes = [UInt8](data.suffix(4))
            var held = Set<String>()
            for (i, name) in RecordingFingerprint.seedKeys.enumerated() where keyBytes[i] != 0 { held.insert(name) }
            labels.set(k, held)
            try writer.append(
                try Image(width: width, height: height, channels: 3, pixels: rgb), slot: k, time: Double(k) / fps)
        }
        p.waitUntilExit()
        try writer.finish(
            reason: "imported from the original autopilot's pickle", lateFrames: 0, stopTime: Double(n) / fps)
        print("Imported \(n) frames of \(width)x\(height) (BGR -> RGB) with keys [Up, Left, Right, Down] into \(out)")
    }
}

/// Key states of imported frames, by frame number.
final class SeedLabels: @unchecked Sendable {
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
