import ArgumentParser
import Foundation
import Workshop
import Recording
import Imaging

struct RecordingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recording",
        abstract: "Inspect, check, export and import recordings made by `pixelpilot record`.",
        discussion: """
            Examples:
              pixelpilot recording info drive1.ppr
              pixelpilot recording verify drive1.ppr --fps 10 --frame-size 256x256
              pixelpilot recording export drive1.ppr --out drive1-frames/
              pixelpilot recording import-pickle recording_1700000000.pickle --out drive1.ppr
            """,
        subcommands: [
            RecordingInfo.self, RecordingVerify.self, RecordingExport.self, RecordingSheet.self,
            RecordingImportSeed.self,
        ])
}

/// Opens a recording, turning its errors into CLI errors that name the file.
func openRecording(_ path: String) throws -> RecordingFile {
    try RecordingFile(url: URL(fileURLWithPath: path))
}

struct RecordingInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Duration, frames, late frames, key-press fractions and the original autopilot's direction classes.")
    @Argument(help: "Recording file.") var file: String

    func run() throws {
        let r = try openRecording(file)
        let fp = r.fingerprint
        print("\(file)")
        print(
            "  region      \(fp.width)x\(fp.height)+\(fp.regionX)+\(fp.regionY) of a \(fp.screenWidth)x\(fp.screenHeight) screen (\(fp.source))"
        )
        print(
            "  frames      \(r.count) at \(rateText(fp.fps)) fps, \(fp.channelOrder) \(fp.encoding.rawValue), \(String(format: "%.1f", r.duration)) s"
        )
        print("  late        \(r.lateFrames) frames dropped or late")
        print(
            "  state       \(r.finished ? "finished (\(r.meta["stop_reason"] ?? "?"))" : "not finished: the recorder was killed; the \(r.count) frames kept are intact")"
        )
        print("  written by  PixelPilot \(fp.pixelPilotVersion)")
        try r.requireFrames()
        var pressed: [String: Int] = [:]
        for f in r.frames { for k in f.held { pressed[k, default: 0] += 1 } }
        let names = fp.keys + pressed.keys.filter { !fp.keys.contains($0) }.sorted()
        print(
            "  keys held   "
                + names.map { "\($0) \(String(format: "%.1f", 100 * Double(pressed[$0] ?? 0) / Double(r.count)))%" }
                .joined(separator: ", "))
        var classes: [KeyDirection: Int] = [:]
        for i in 0..<r.count {
            let k = r.seedKeys(i)
            for c in KeyDirection.classes(up: k[0], left: k[1], right: k[2], down: k[3]) { classes[c, default: 0] += 1 }
        }
        print(
            "  directions  "
                + KeyDirection.allCases.map { "\($0.rawValue) \(classes[$0] ?? 0)" }.joined(separator: ", "))
        print("  events      \(try r.events().count) raw input events")
    }
}

struct RecordingVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a recording (SQLite integrity, every frame readable, order, key masks), and its fingerprint.",
        discussion:
            "Exit status 0 when sound and matching, 1 otherwise. Example: pixelpilot recording verify d.ppr --fps 10 --frame-size 256x256 --keys Up,Left,Right,Down"
    )
    @Argument(help: "Recording file.") var file: String
    @Option(parsing: .unconditional, help: "Expected frames per second.") var fps: Double?
    @Option(help: "Expected frame size WxH.") var frameSize: ScreenSize?
    @Option(help: "Expected key set, comma-separated, in order.") var keys: String?

    func run() throws {
        let r = try openRecording(file)
        var problems = r.fingerprint.mismatches(
            fps: fps, width: frameSize?.width, height: frameSize?.height,
            keys: keys.map { $0.split(separator: ",").map(String.init) }
        )
        .map { "fingerprint mismatch: \($0)" }
        problems += try r.verify()
        if problems.isEmpty {
            print("\(file): OK (\(r.count) frames, \(r.finished ? "finished" : "not finished but intact"))")
        } else {
            throw CLIError("\(file): " + problems.joined(separator: "; "))
        }
    }
}

struct RecordingExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every frame as a PNG and the key states as JSON lines.",
        discussion: """
            DIR gets frame_000000.png ... and keys.jsonl, one line per frame:
              {"frame":0,"slot":0,"t":12.345,"keys":["Up"],"held":["Up","a"],
               "up":1,"left":0,"right":0,"down":0}      (one line in the file)
            t is monotonic seconds, keys the recorded key set held, held every key and mouse \
            button held, up/left/right/down the original autopilot's columns.

            Example: pixelpilot recording export drive1.ppr --out drive1-frames/
            """)
    @Argument(help: "Recording file.") var file: String
    @Option(name: .shortAndLong, help: "Folder to write (created).") var out: String

    func run() throws {
        let r = try openRecording(file)
        try r.requireFrames()
        let dir = URL(fileURLWithPath: out)
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw CLIError("\(out): cannot create the folder (\(error.localizedDescription))")
        }
        var lines = ""
        let bar = ProgressBar()
        let started = Date()
        do {
            try r.forEachImage(in: 0..<r.count) { i, img in
                try PNG.write(img, to: dir.appendingPathComponent(String(format: "frame_%06d.png", i)))
                let f = r.frames[i]
                let k = r.seedKeys(i)
                let keys = KeyMask.keys(f.keyMask, keys: r.fingerprint.keys)
                let object: [String: Any] = [
                    "frame": i, "slot": f.slot, "t": f.time, "keys": keys, "held": f.held,
                    "up": k[0] ? 1 : 0, "left": k[1] ? 1 : 0, "right": k[2] ? 1 : 0, "down": k[3] ? 1 : 0,
                ]
                lines +=
                    String(
                        decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
                        as: UTF8.self) + "\n"
                bar.update(done: i + 1, total: r.count, elapsed: Date().timeIntervalSince(started), suffix: "frames")
            }
        }
        do { try lines.write(to: dir.appendingPathComponent("keys.jsonl"), atomically: true, encoding: .utf8) } catch {
            throw CLIError("\(out)/keys.jsonl: cannot write (\(error.localizedDescription))")
        }
        bar.finish("Exported \(r.count) frames and keys.jsonl to \(out)")
    }
}
