import ArgumentParser
import Foundation
import Recording

struct DatasetWindows: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "windows",
        abstract: "The imitation data set of recordings: split, class counts, and one streamed pass.",
        discussion: """
            Windows of --frames-per-example frames (stride --stride, zero-padded at each \
            recording's start) labelled with the keys [up, left, right, down] of their last \
            frame, as `train policy` reads them. Recordings are split whole into train, \
            validation and test (--validation-split, --test-split, --split-seed), so no \
            recording is on both sides. --balance applies the original autopilot's balancing \
            to the training part (all turns, backwards and coast, plus as many forwards as \
            the larger turn class); --flip adds each training window mirrored with left and \
            right swapped. The training part is then streamed once from the files in batches \
            (as training would read it) and the rate is reported.

            Example:
              pixelpilot dataset windows drives/*.ppr --balance --flip
            """)
    @Argument(help: "Recording files.") var files: [String]
    @Option(parsing: .unconditional, help: "Frames per example (the small policy's 10).") var framesPerExample = 10
    @Option(parsing: .unconditional, help: "Stride between windows.") var stride = 1
    @Option(help: "Network input size WxH (default: 64 wide, the recordings' aspect).") var frameSize: ScreenSize?
    @Option(parsing: .unconditional, help: "Batch size.") var batchSize = 32
    @Option(parsing: .unconditional, help: "Validation fraction of the recordings.") var validationSplit = 0.15
    @Option(parsing: .unconditional, help: "Test fraction of the recordings.") var testSplit = 0.15
    @Option(parsing: .unconditional, help: "Random seed of the split and the balancing.") var splitSeed: UInt64 = 69
    @Flag(help: "Balance the training part as the original autopilot does.") var balance = false
    @Flag(help: "Add mirrored training windows (left and right swapped).") var flip = false
    @Flag(help: "Only print the split and the counts (no streamed pass).") var noStream = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one recording file") }
        guard framesPerExample > 0, stride > 0, batchSize > 0 else {
            throw ValidationError("--frames-per-example, --stride and --batch-size must be positive")
        }
        if let frameSize, frameSize.width < 8 || frameSize.height < 8 {
            throw ValidationError("--frame-size must be at least 8x8, got \(frameSize)")
        }
        guard validationSplit >= 0, testSplit >= 0, validationSplit + testSplit < 1 else {
            throw ValidationError("--validation-split and --test-split must be fractions adding up to less than 1")
        }
    }

    func run() throws {
        let recordings = try files.map(openRecording)
        let ds = try WindowedDataset(recordings: recordings, windowLength: framesPerExample, stride: stride)
        let parts = ds.split(validation: validationSplit, test: testSplit, seed: splitSeed)
        for part in DatasetPart.allCases {
            let idx = parts[part] ?? []
            var examples = ds.examples(recordings: idx)
            if part == .train {
                if balance { examples = ds.balanced(examples, seed: splitSeed) }
                if flip { examples = ds.withFlips(examples) }
            }
            let index = ds.directionIndex(examples)
            let names = idx.map { URL(fileURLWithPath: files[$0]).lastPathComponent }
            let counts: String = KeyDirection.allCases.map { "\($0.rawValue) \(index[$0]?.count ?? 0)" }.joined(
                separator: ", ")
            let head: String = part.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
            var list: String = names.prefix(6).joined(separator: ", ")
            if names.count > 6 { list += ", ..." }
            print(
                "\(head) \(idx.count) recordings, \(examples.count) windows (\(counts))"
                    + (names.isEmpty ? "" : ": " + list))
        }
        let first = recordings[0].fingerprint
        let size =
            frameSize
            ?? ScreenSize(width: 64, height: max(8, Int((64 * Double(first.height) / Double(first.width)).rounded())))
        let preprocessing = FramePreprocessing(width: size.width, height: size.height, windowLength: framesPerExample)
        print("preprocessing (stored in the model file): \(preprocessing.encoded)")
        guard !noStream else { return }
        try streamOnce(ds, parts: parts, preprocessing: preprocessing)
    }

    /// Streams the training part once from disk, as training reads it, and prints the rate.
    func streamOnce(_ ds: WindowedDataset, parts: [DatasetPart: [Int]], preprocessing: FramePreprocessing) throws {
        var train = ds.examples(recordings: parts[.train])
        if balance { train = ds.balanced(train, seed: splitSeed) }
        if flip { train = ds.withFlips(train) }
        let stream = WindowBatchStream(
            dataset: ds, examples: train, preprocessing: preprocessing, batchSize: batchSize, seed: splitSeed)
        let bar = ProgressBar()
        let started = Date()
        var done = 0
        var batches = 0
        let iterator = stream.makeIterator()
        while let b = iterator.next() {
            done += b.examples.count
            batches += 1
            bar.update(done: done, total: train.count, elapsed: Date().timeIntervalSince(started), suffix: "windows")
        }
        if let e = iterator.error { throw CLIError("\(e)") }
        let seconds = Date().timeIntervalSince(started)
        bar.finish(
            String(
                format: "Streamed %d windows in %d batches from disk in %.2f s: %.0f windows/s", done, batches, seconds,
                Double(done) / max(seconds, 1e-9)))
    }
}
