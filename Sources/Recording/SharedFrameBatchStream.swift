import Foundation
import TensorKit

/// A mini-batch of windows whose frames are stored once: `frames` `[U, H, W, 3]` holds every
/// distinct frame the batch's windows use (row 0 is the zero frame that pads windows before a
/// recording's start), `frameIndex` gives for each window and step its row (`B × T`, newest
/// frame last), so a network encodes U frames instead of B × T. `labels` `[B, K]` are 0/1 over
/// the recordings' key set, `weights` the per-window loss weights.
public struct SharedFrameBatch {
    public var frames: Tensor
    public var frameIndex: [Int]
    public var labels: Tensor
    public var weights: [Float]
    public var examples: [WindowExample]
    public var windowLength: Int
    /// Windows in the batch.
    public var count: Int { examples.count }
}

/// Streams ``SharedFrameBatch``es from recording files on a background thread, as
/// ``WindowBatchStream`` does, but built for networks that encode each frame separately: a
/// batch is made of runs of `runLength` consecutive windows of one recording, so neighbouring
/// windows share their frames and each frame is encoded once per step (with runs of 8 and
/// windows of 20, 27 frames serve 8 windows instead of 160). Preprocessed frames are cached up
/// to `cacheBytes` (kept across passes), so later passes decode nothing.
///
/// Labels are over the recordings' own key set (the fingerprint's keys, any number); a flipped
/// example mirrors its frames and swaps the `Left` and `Right` labels when both are in the set.
public final class SharedFrameBatchStream: Sequence {
    public let dataset: WindowedDataset
    public let preprocessing: FramePreprocessing
    public let batchSize: Int, runLength: Int
    /// Shuffle the runs on each pass (off for evaluation).
    public var shuffle = true
    public var prefetch = 2
    let runs: [[(example: WindowExample, weight: Float)]]
    let cache: PreprocessedFrameCache
    let keyCount: Int
    let mirror: [Int]
    private var pass: UInt64 = 0
    private let seed: UInt64
    /// Windows per pass.
    public let exampleCount: Int

    /// `weights` (one per example, default 1) scale each window's loss.
    public init(
        dataset: WindowedDataset, examples: [WindowExample], weights: [Float]? = nil,
        preprocessing: FramePreprocessing, batchSize: Int = 32, runLength: Int = 8, seed: UInt64 = 0,
        cacheBytes: Int = 512 << 20
    ) {
        precondition(batchSize > 0 && runLength > 0, "batch size and run length must be positive")
        precondition(weights == nil || weights!.count == examples.count, "one weight per example")
        precondition(
            preprocessing.windowLength == dataset.windowLength,
            "preprocessing and data set disagree on the window length")
        self.dataset = dataset
        self.preprocessing = preprocessing
        self.batchSize = batchSize
        self.runLength = Swift.min(runLength, batchSize)
        self.seed = seed
        exampleCount = examples.count
        var items = zip(examples, weights ?? [Float](repeating: 1, count: examples.count)).map {
            (example: $0.0, weight: $0.1)
        }
        items.sort {
            ($0.example.recording, $0.example.flipped ? 1 : 0, $0.example.frame)
                < ($1.example.recording, $1.example.flipped ? 1 : 0, $1.example.frame)
        }
        var runs: [[(example: WindowExample, weight: Float)]] = []
        var current: [(example: WindowExample, weight: Float)] = []
        for item in items {
            if let last = current.last,
                last.example.recording != item.example.recording || last.example.flipped != item.example.flipped
                    || current.count >= self.runLength
            {
                runs.append(current)
                current = []
            }
            current.append(item)
        }
        if !current.isEmpty { runs.append(current) }
        self.runs = runs
        cache = PreprocessedFrameCache(limitBytes: cacheBytes, preprocessing: preprocessing)
        let keys = dataset.recordings.first?.fingerprint.keys ?? []
        keyCount = keys.count
        var mirror = Array(keys.indices)
        if let l = keys.firstIndex(of: "Left"), let r = keys.firstIndex(of: "Right") {
            mirror[l] = r
            mirror[r] = l
        }
        self.mirror = mirror
    }

    /// Batches per pass (about; runs end at recording boundaries).
    public var batchesPerEpoch: Int { (exampleCount + batchSize - 1) / batchSize }

    /// The key labels of an example over the recordings' key set.
    public func labels(_ e: WindowExample) -> [Bool] {
        let mask = dataset.recordings[e.recording].frames[e.frame].keyMask
        return (0..<keyCount).map { k in mask & (1 << (e.flipped ? mirror[k] : k)) != 0 }
    }

    public func makeIterator() -> Iterator {
        pass += 1
        var order = Array(runs.indices)
        if shuffle {
            var rng = SeededGenerator(seed: seed &+ pass &* 0x9E37_79B9)
            order.shuffle(using: &rng)
        }
        return Iterator(stream: self, order: order)
    }

    /// Yields batches made on a background thread; an error reading a file ends the pass and is
    /// kept in ``error``.
    public final class Iterator: IteratorProtocol {
        private let queue: BoundedQueue<Result<SharedFrameBatch, Error>>
        public private(set) var error: Error?

        init(stream: SharedFrameBatchStream, order: [Int]) {
            queue = BoundedQueue(capacity: stream.prefetch)
            let q = queue
            let t = Thread {
                var next = 0
                while next < order.count {
                    var chosen: [(example: WindowExample, weight: Float)] = []
                    while next < order.count && chosen.count + stream.runs[order[next]].count <= stream.batchSize {
                        chosen += stream.runs[order[next]]
                        next += 1
                    }
                    if chosen.isEmpty {
                        chosen = stream.runs[order[next]]
                        next += 1
                    }
                    let batch = Result { try stream.makeBatch(chosen) }
                    if !q.put(batch) { return }
                    if case .failure = batch { break }
                }
                q.close()
            }
            t.name = "pixelpilot.shared-frame-batches"
            t.start()
        }

        deinit { queue.cancel() }

        public func next() -> SharedFrameBatch? {
            guard let item = queue.take() else { return nil }
            switch item {
            case .success(let b): return b
            case .failure(let e):
                error = e
                return nil
            }
        }
    }

    func makeBatch(_ chosen: [(example: WindowExample, weight: Float)]) throws -> SharedFrameBatch {
        let n = preprocessing.windowLength
        var rows: [Int: Int] = [:]  // (recording << 33 | flipped << 32 | frame) -> row
        var keys: [(Int, Int, Bool)] = []
        var index = [Int](repeating: 0, count: chosen.count * n)
        for (b, item) in chosen.enumerated() {
            let e = item.example
            for j in 0..<n {
                let i = e.frame - (n - 1) + j
                guard i >= 0 else { continue }  // row 0: the zero frame
                let key = e.recording << 33 | (e.flipped ? 1 << 32 : 0) | i
                if let row = rows[key] {
                    index[b * n + j] = row
                } else {
                    let row = keys.count + 1
                    rows[key] = row
                    keys.append((e.recording, i, e.flipped))
                    index[b * n + j] = row
                }
            }
        }
        let per = preprocessing.valuesPerFrame
        let frames = Tensor(zeros: [keys.count + 1, preprocessing.height, preprocessing.width, 3])
        for (k, key) in keys.enumerated() {
            try cache.copy(
                recording: dataset.recordings[key.0], id: key.0, frame: key.1, flipped: key.2,
                into: frames.pointer + (k + 1) * per)
        }
        var labels = [Float](repeating: 0, count: chosen.count * keyCount)
        for (b, item) in chosen.enumerated() {
            for (k, held) in self.labels(item.example).enumerated() where held { labels[b * keyCount + k] = 1 }
        }
        return SharedFrameBatch(
            frames: frames, frameIndex: index, labels: Tensor(shape: [chosen.count, keyCount], scalars: labels),
            weights: chosen.map(\.weight), examples: chosen.map(\.example), windowLength: n)
    }
}

/// Preprocessed frames by (recording, frame), bounded in bytes, safe across threads; the oldest
/// entries go first when full.
final class PreprocessedFrameCache: @unchecked Sendable {
    private let lock = NSLock()
    private var frames: [Int: [Float]] = [:]
    private var order: [Int] = []
    private var head = 0
    private let limit: Int
    let preprocessing: FramePreprocessing

    init(limitBytes: Int, preprocessing: FramePreprocessing) {
        self.preprocessing = preprocessing
        limit = Swift.max(16, limitBytes / Swift.max(1, preprocessing.valuesPerFrame * 4))
    }

    /// Copies frame `frame` of `recording` (cache id `id`), mirrored when `flipped`, to `out`.
    func copy(
        recording: RecordingFile, id: Int, frame: Int, flipped: Bool, into out: UnsafeMutablePointer<Float>
    )
        throws
    {
        let key = id << 32 | frame
        let p = preprocessing
        let values: [Float]
        if let v = lock.withLock({ frames[key] }) {
            values = v
        } else {
            var v = [Float](repeating: 0, count: p.valuesPerFrame)
            let image = try recording.image(frame)
            v.withUnsafeMutableBufferPointer { p.apply(image, into: $0.baseAddress!) }
            lock.withLock {
                frames[key] = v
                order.append(key)
                if order.count - head > limit {
                    frames[order[head]] = nil
                    head += 1
                    if head > 4096 {
                        order.removeFirst(head)
                        head = 0
                    }
                }
            }
            values = v
        }
        values.withUnsafeBufferPointer { src in
            if !flipped {
                out.update(from: src.baseAddress!, count: p.valuesPerFrame)
                return
            }
            let w = p.width
            for y in 0..<p.height {
                for x in 0..<w {
                    let s = (y * w + (w - 1 - x)) * 3
                    let d = (y * w + x) * 3
                    out[d] = src[s]
                    out[d + 1] = src[s + 1]
                    out[d + 2] = src[s + 2]
                }
            }
        }
    }
}
