import Foundation
import TensorKit

/// A mini-batch of windows: `inputs` (batch, frames, height, width, 3) after the preprocessing,
/// `labels` (batch, 4) as 0/1 in the order [up, left, right, down].
public struct WindowBatch {
    public var inputs: Tensor
    public var labels: Tensor
    public var examples: [WindowExample]
}

/// Streams batches of windows from the recording files, prepared on a background thread while the
/// caller trains on the previous ones, without ever holding every window.
///
/// Each pass takes the recordings in a new random order, `interleave` at a time, merging their
/// examples in turn (so a batch mixes several drives), and reads them in frame order through a
/// shuffle buffer of `shuffleBuffer` examples (each output is a random pick from it, as
/// `tf.data`'s shuffle); so each frame is decoded about once per pass. Decoded, preprocessed
/// frames are kept in a cache of `cacheFrames` frames. Memory is therefore bounded by the cache, the shuffle buffer's indices and
/// `prefetch` batches, whatever the number and length of the recordings.
public final class WindowBatchStream: Sequence {
    public let dataset: WindowedDataset
    public let examples: [WindowExample]
    public let preprocessing: FramePreprocessing
    public let batchSize: Int
    public var shuffleBuffer = 256
    /// Recordings read side by side in a pass.
    public var interleave = 4
    public var cacheFrames = 512
    public var prefetch = 2
    private var epoch: UInt64 = 0
    private let seed: UInt64

    public init(
        dataset: WindowedDataset, examples: [WindowExample], preprocessing: FramePreprocessing, batchSize: Int = 32,
        seed: UInt64 = 0
    ) {
        precondition(batchSize > 0, "batch size must be positive")
        precondition(
            preprocessing.windowLength == dataset.windowLength,
            "preprocessing and data set disagree on the window length")
        self.dataset = dataset
        self.examples = examples.sorted {
            ($0.recording, $0.frame, $0.flipped ? 1 : 0) < ($1.recording, $1.frame, $1.flipped ? 1 : 0)
        }
        self.preprocessing = preprocessing
        self.batchSize = batchSize
        self.seed = seed
    }

    /// Batches per pass (the last may be smaller).
    public var batchesPerEpoch: Int { (examples.count + batchSize - 1) / batchSize }

    public func makeIterator() -> Iterator {
        epoch += 1
        let passSeed = seed &+ epoch &* 0x9E37_79B9
        return Iterator(stream: self, order: order(seed: passSeed), seed: passSeed)
    }

    /// The reading order of one pass: recordings shuffled, `interleave` at a time, their
    /// examples merged in turn, each recording's in frame order.
    func order(seed: UInt64) -> [WindowExample] {
        var byRecording: [Int: [WindowExample]] = [:]
        for e in examples { byRecording[e.recording, default: []].append(e) }
        var rng = SeededGenerator(seed: seed ^ 0x0DE5)
        let recordings = byRecording.keys.sorted().shuffled(using: &rng)
        var out: [WindowExample] = []
        out.reserveCapacity(examples.count)
        let group = Swift.max(1, interleave)
        for start in Swift.stride(from: 0, to: recordings.count, by: group) {
            let lists = recordings[start..<Swift.min(recordings.count, start + group)].map { byRecording[$0] ?? [] }
            var cursors = [Int](repeating: 0, count: lists.count)
            var left = lists.reduce(0) { $0 + $1.count }
            while left > 0 {
                for k in lists.indices where cursors[k] < lists[k].count {
                    out.append(lists[k][cursors[k]])
                    cursors[k] += 1
                    left -= 1
                }
            }
        }
        return out
    }

    /// Yields batches made on a background thread; an error reading a file ends the pass and is
    /// kept in ``error``.
    public final class Iterator: IteratorProtocol {
        private let queue: BoundedQueue<Result<WindowBatch, Error>>
        private var thread: Thread?
        public private(set) var error: Error?

        init(stream: WindowBatchStream, order: [WindowExample], seed: UInt64) {
            queue = BoundedQueue(capacity: stream.prefetch)
            let q = queue
            let t = Thread {
                var producer = BatchProducer(stream: stream, order: order, seed: seed)
                while let batch = producer.next() {
                    if !q.put(batch) { return }
                    if case .failure = batch { break }
                }
                q.close()
            }
            t.name = "pixelpilot.window-batches"
            thread = t
            t.start()
        }

        deinit { queue.cancel() }

        public func next() -> WindowBatch? {
            guard let item = queue.take() else { return nil }
            switch item {
            case .success(let b): return b
            case .failure(let e):
                error = e
                return nil
            }
        }
    }
}

/// Builds the batches of one pass (on the background thread).
struct BatchProducer {
    let stream: WindowBatchStream
    let order: [WindowExample]
    var rng: SeededGenerator
    var nextExample = 0
    var buffer: [WindowExample] = []
    var cache: [Int: [Float]] = [:]  // key: recording << 32 | frame
    var cacheOrder: [Int] = []

    init(stream: WindowBatchStream, order: [WindowExample], seed: UInt64) {
        self.stream = stream
        self.order = order
        rng = SeededGenerator(seed: seed)
    }

    mutating func pick() -> WindowExample? {
        while buffer.count < stream.shuffleBuffer && nextExample < order.count {
            buffer.append(order[nextExample])
            nextExample += 1
        }
        guard !buffer.isEmpty else { return nil }
        let i = Int(rng.next() % UInt64(buffer.count))
        buffer.swapAt(i, buffer.count - 1)
        return buffer.removeLast()
    }

    mutating func frame(_ r: Int, _ i: Int) throws -> [Float] {
        let key = r << 32 | i
        if let f = cache[key] { return f }
        let p = stream.preprocessing
        var values = [Float](repeating: 0, count: p.valuesPerFrame)
        let image = try stream.dataset.recordings[r].image(i)
        values.withUnsafeMutableBufferPointer { p.apply(image, into: $0.baseAddress!) }
        cache[key] = values
        cacheOrder.append(key)
        if cacheOrder.count > stream.cacheFrames { cache[cacheOrder.removeFirst()] = nil }
        return values
    }

    mutating func next() -> Result<WindowBatch, Error>? {
        var chosen: [WindowExample] = []
        while chosen.count < stream.batchSize, let e = pick() { chosen.append(e) }
        guard !chosen.isEmpty else { return nil }
        let p = stream.preprocessing
        let n = p.windowLength
        let per = p.valuesPerFrame
        var inputs = [Float](repeating: 0, count: chosen.count * n * per)
        var labels = [Float](repeating: 0, count: chosen.count * 4)
        do {
            for (b, e) in chosen.enumerated() {
                for j in 0..<n {
                    let i = e.frame - (n - 1) + j
                    guard i >= 0 else { continue }  // zero padding before the recording's start
                    let values = try frame(e.recording, i)
                    let base = (b * n + j) * per
                    values.withUnsafeBufferPointer { src in
                        inputs.withUnsafeMutableBufferPointer { dst in
                            if e.flipped {
                                let w = p.width
                                let h = p.height
                                for y in 0..<h {
                                    for x in 0..<w {
                                        let s = (y * w + (w - 1 - x)) * 3
                                        let d = base + (y * w + x) * 3
                                        dst[d] = src[s]
                                        dst[d + 1] = src[s + 1]
                                        dst[d + 2] = src[s + 2]
                                    }
                                }
                            } else {
                                (dst.baseAddress! + base).update(from: src.baseAddress!, count: per)
                            }
                        }
                    }
                }
                for (k, held) in stream.dataset.label(e).enumerated() where held { labels[b * 4 + k] = 1 }
            }
        } catch { return .failure(error) }
        return .success(
            WindowBatch(
                inputs: Tensor(shape: [chosen.count, n, p.height, p.width, 3], scalars: inputs),
                labels: Tensor(shape: [chosen.count, 4], scalars: labels), examples: chosen))
    }
}

/// A blocking queue of at most `capacity` items between one producer and one consumer.
final class BoundedQueue<T>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [T] = []
    private let capacity: Int
    private var closed = false, cancelled = false

    init(capacity: Int) { self.capacity = Swift.max(1, capacity) }

    /// False when the consumer went away.
    func put(_ item: T) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    func take() -> T? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        if items.isEmpty { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
    func cancel() {
        condition.lock()
        cancelled = true
        closed = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
