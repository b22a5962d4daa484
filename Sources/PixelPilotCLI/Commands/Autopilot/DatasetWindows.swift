import ArgumentParser
import Foundation
import Recording

struct DatasetWindows: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "windows",
        abstract: "The imitation data set of recordings: split, class counts, and one streamed pass.",
        discussion: """
            Windows of --window frames (stride --stride, zero-padded at each recording's start)
            labelled with the keys [up, left, right, down] of their last frame. Recordings are
            split whole into train, validation and test (--val, --test fractions of the
            recordings, --split-seed), so no recording is on both sides. --balance applies the
            seed's balancing to the training part (all turns, backwards and coast, plus as many
            forwards as the larger turn class); --flip adds each training window mirrored with
            left and right swapped. The training part is then streamed once from the files in
            batches (as training would read it) and the rate is reported.
            Example: pixelpilot dataset windows drives/*.ppr --balance --flip
            """)
    @Argument(help: "Recording files.") var files: [String]
    @Option(help: "Frames per window.") var window = 20
    @Option(help: "Stride between windows.") var stride = 1
    @Option(help: "Network input side after resizing.") var size = 96
    @Option(help: "Batch size.") var batchSize = 32
    @Option(help: "Validation fraction of the recordings.") var val = 0.1
    @Option(help: "Test fraction of the recordings.") var test = 0.1
    @Option(help: "Seed of the split and the balancing.") var splitSeed: UInt64 = 69
    @Flag(help: "Balance the training part as the seed does.") var balance = false
    @Flag(help: "Add mirrored training windows (left and right swapped).") var flip = false
    @Flag(help: "Only print the split and the counts (no streamed pass).") var noStream = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one recording file") }
        guard window > 0, stride > 0, size >= 8, batchSize > 0 else {
            throw ValidationError("--window, --stride and --batch-size must be positive and --size at least 8")
        }
        guard val >= 0, test >= 0, val + test < 1 else {
            throw ValidationError("--val and --test must be fractions adding up to less than 1")
        }
    }

    func run() throws {
        let recordings = try files.map(openRecording)
        let ds = try WindowedDataset(recordings: recordings, windowLength: window, stride: stride)
        let parts = ds.split(validation: val, test: test, seed: splitSeed)
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
        let preprocessing = FramePreprocessing(width: size, height: size, windowLength: window)
        print("preprocessing (stored in the model file): \(preprocessing.encoded)")
        guard !noStream else { return }
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
