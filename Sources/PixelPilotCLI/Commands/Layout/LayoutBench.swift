import ArgumentParser
import Arena
import Foundation
import Workshop
import LayoutReader
import Imaging

struct LayoutBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Stitching benchmark: autoplay frames of every layout class against the ground truth.",
        discussion: """
            The map game is played off-screen in virtual time (the same renderer and scripted \
            explorer as the arena window, hard cases on), one capture a second of the original layout reader's \
            1200x1200 square at 3840x2160. For each class it reports the mean and maximum position \
            error of pasted frames (px), the drift (slope of error against distance travelled, per \
            1000 px), bad frames (flash, loading, map off) that were pasted, good frames skipped, \
            and milliseconds per frame. --record DIR also saves the first --record-frames frames of \
            each class as PNGs with truth.csv, for the OpenCV peer (Benchmarks/stitch_peer.py).

            Example: pixelpilot layout bench --frames 1000 --record /tmp/frames
            """)
    @Option(parsing: .unconditional, help: "Frames per class.") var frames = 1000
    @Option(help: "Classes to run, comma-separated ids (default: all nine).") var classes: String?
    @Option(help: "Effects: none, normal, heavy.") var effects: MapEffects = .normal
    @Option(help: "Screen size WIDTHxHEIGHT.") var size = ScreenSize(width: 3840, height: 2160)
    @Option(help: "Save frames for the peer here.") var record: String?
    @Option(parsing: .unconditional, help: "Frames per class to save with --record.") var recordFrames = 150
    @Option(help: "Also write JSON lines of the results here.") var jsonl: String?
    @Flag(help: "Print every frame's outcome and error.") var verbose = false
    @Option(parsing: .unconditional, help: "Base random seed (class c uses it + c).") var seed: UInt64 = 100

    func run() throws {
        let chosen: [LayoutClass] =
            try classes.map { list in
                try list.split(separator: ",").map { s -> LayoutClass in
                    guard let c = LayoutClass(argument: String(s)) else {
                        throw ValidationError("--classes: '\(s)' is not a layout class")
                    }
                    return c
                }
            } ?? LayoutClass.allCases
        let view = MapView(screenWidth: size.width, screenHeight: size.height)
        var lines: [String] = []
        print(
            "Stitching \(frames) frames per class, \(view.captureRect.width)x\(view.captureRect.height) captures, effects \(effects)"
        )
        print(
            "class          frames pasted  mean px  max px  drift/1000px  bad  undetected  good skipped  wrong(>3px)  ms/frame   (first \(recordFrames): mean  max  ms)"
        )
        var total = StitchScore()
        for cls in chosen {
            let r = try StitchBench.run(
                cls, seed: seed + UInt64(cls.rawValue), frames: frames, effects: effects, view: view,
                headFrames: recordFrames, saveTo: record.map { "\($0)/class-\(cls.rawValue)" },
                frameLog: verbose ? { print($0) } : nil,
                progress: { FileHandle.standardError.write(Data("\r\(cls): \($0)/\(frames)".utf8)) })
            FileHandle.standardError.write(Data("\r".utf8))
            let (score, head) = (r.score, r.head)
            print(
                String(
                    format: "%-14@ %6d %6d  %7.3f %7.3f  %12.3f %4d %11d %13d %12d %9.1f   (%5.3f %5.3f %5.1f)",
                    "\(cls.rawValue) \(cls)" as NSString, score.frames, score.errors.count, score.mean, score.max,
                    score.driftPer1000, score.badFrames, score.undetectedBad, score.goodSkipped, score.wrong,
                    score.msPerFrame, head.mean, head.max, head.msPerFrame))
            fflush(stdout)
            lines.append(r.jsonLine)
            total.merge(score)
        }
        print(
            String(
                format: "all            %6d %6d  %7.3f %7.3f  %12@ %4d %11d %13d %12d %9.1f", total.frames,
                total.errors.count, total.mean, total.max,
                "" as NSString, total.badFrames, total.undetectedBad, total.goodSkipped, total.wrong, total.msPerFrame))
        if let jsonl {
            try (lines.joined(separator: "\n") + "\n").write(toFile: jsonl, atomically: true, encoding: .utf8)
        }
    }
}
