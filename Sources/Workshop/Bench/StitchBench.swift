import Arena
import Foundation
import Imaging
import LayoutReader

/// The minimap stitcher on the map arena's recorded walks (`layout bench`): each frame's pasted
/// position against the arena's true offset, drift per 1000 px walked, bad frames (the map hidden)
/// caught or not, good frames skipped; optionally the first frames saved for the peer.
public enum StitchBench {
    /// One class's walk.
    public struct ClassRun {
        public var layoutClass: LayoutClass
        /// Every frame.
        public var score: StitchScore
        /// The first `headFrames` frames (the ones saved for the peer).
        public var head: StitchScore
        /// Pixels the view travelled.
        public var travelled: Float

        /// The figures as one JSON object, the form the benchmark scripts read.
        public var jsonLine: String {
            String(
                format:
                    "{\"suite\":\"stitch\",\"class\":%d,\"frames\":%d,\"pasted\":%d,\"mean\":%.4f,\"max\":%.4f,\"drift\":%.4f,\"bad\":%d,\"undetected\":%d,\"goodSkipped\":%d,\"wrong\":%d,\"ms\":%.2f,\"headMean\":%.4f,\"headMax\":%.4f,\"headMs\":%.2f,\"travelled\":%.0f}",
                layoutClass.rawValue, score.frames, score.errors.count, score.mean, score.max, score.driftPer1000,
                score.badFrames, score.undetectedBad, score.goodSkipped, score.wrong, score.msPerFrame, head.mean,
                head.max, head.msPerFrame, travelled)
        }
    }

    /// Stitches `frames` captures of a walk through layout `seed` of `layoutClass`.
    /// - Parameters:
    ///   - headFrames: how many first frames make the `head` score (and are saved).
    ///   - saveTo: a folder for the first frames as PNG and their true offsets (`truth.csv`).
    ///   - frameLog: each frame's outcome, for a verbose listing.
    ///   - progress: frames done, every 100.
    public static func run(
        _ layoutClass: LayoutClass, seed: UInt64, frames: Int, effects: MapEffects, view: MapView,
        headFrames: Int, saveTo dir: String? = nil, frameLog: ((String) -> Void)? = nil,
        progress: (Int) -> Void = { _ in }
    ) throws -> ClassRun {
        let rec = try MapRecording(
            layout: MapLayout(layoutClass: layoutClass, seed: seed), effects: effects, view: view, seed: seed)
        let stitcher = MinimapStitcher()
        var run = ClassRun(layoutClass: layoutClass, score: StitchScore(), head: StitchScore(), travelled: 0)
        var origin: (x: Float, y: Float)?
        var previous: (x: Float, y: Float)?
        var csv = "index,x,y,bad\n"
        if let dir { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        for k in 0..<frames {
            let cap = rec.next()
            if let p = previous {
                let dx = cap.offsetX - p.x
                let dy = cap.offsetY - p.y
                run.travelled += (dx * dx + dy * dy).squareRoot()
            }
            previous = (cap.offsetX, cap.offsetY)
            let r = stitcher.add(cap.image)
            if r.outcome == .origin { origin = (cap.offsetX, cap.offsetY) }
            var error: Float?
            if let o = origin, let x = r.x, let y = r.y {
                let tx = cap.offsetX - o.x
                let ty = cap.offsetY - o.y
                error = ((x - tx) * (x - tx) + (y - ty) * (y - ty)).squareRoot()
            }
            let bad = cap.hidesMap
            frameLog?(
                "  frame \(k): \(r.outcome) error \(error.map { String(format: "%.3f", $0) } ?? "-") conf \(String(format: "%.2f", r.confidence)) lines \(r.linePixels) events \(cap.truth.events.map(\.rawValue))"
            )
            let pasted = r.outcome.isPasted && r.outcome != .origin
            run.score.add(pasted: pasted, bad: bad, error: error, distance: run.travelled, ms: r.milliseconds)
            if k < headFrames {
                run.head.add(pasted: pasted, bad: bad, error: error, distance: run.travelled, ms: r.milliseconds)
                if let dir {
                    try PNG.write(cap.image, path: String(format: "%@/%05d.png", dir, k))
                    csv += "\(k),\(cap.offsetX),\(cap.offsetY),\(bad ? 1 : 0)\n"
                }
            }
            if k % 100 == 99 { progress(k + 1) }
        }
        if let dir { try csv.write(toFile: "\(dir)/truth.csv", atomically: true, encoding: .utf8) }
        return run
    }
}

extension StitchScore {
    /// Adds another walk's figures to these (for the total over classes).
    public mutating func merge(_ other: StitchScore) {
        errors += other.errors
        frames += other.frames
        badFrames += other.badFrames
        undetectedBad += other.undetectedBad
        goodSkipped += other.goodSkipped
        wrong += other.wrong
        milliseconds += other.milliseconds
    }
}
