import Foundation
import TensorKit

/// Cuts a ``LabeledImages`` set into shuffled, augmented mini-batches, preparing the next batch on
/// a background thread while the caller trains on the current one.
public final class BatchLoader: Sequence {
    public let data: LabeledImages
    public let batchSize: Int
    public let shuffle: Bool
    public let augmentation: Augmentation
    private var rng: SeededGenerator
    private var epoch = 0

    public init(
        _ data: LabeledImages, batchSize: Int, shuffle: Bool = true, augmentation: Augmentation = .none,
        seed: UInt64 = 0
    ) {
        precondition(batchSize > 0, "batch size must be positive")
        self.data = data
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.augmentation = augmentation
        self.rng = SeededGenerator(seed: seed)
    }

    public var underestimatedCount: Int { batchesPerEpoch }

    /// Batches per pass over the data.
    public var batchesPerEpoch: Int { (data.count + batchSize - 1) / batchSize }

    /// A new pass over the data (reshuffled when `shuffle`).
    public func makeIterator() -> Iterator {
        var order = Array(0..<data.count)
        if shuffle { order.shuffle(using: &rng) }
        let seed = rng.next()
        epoch += 1
        return Iterator(loader: self, order: order, seed: seed)
    }

    /// Builds batch `index` of `order` (called on the background thread).
    fileprivate func makeBatch(_ index: Int, order: [Int], rng: inout SeededGenerator) -> Batch {
        let lo = index * batchSize
        let hi = Swift.min(order.count, lo + batchSize)
        let idx = Array(order[lo..<hi])
        let sub = data.subset(idx)
        augmentation.apply(to: sub.images, using: &rng)
        return Batch(inputs: sub.images, labels: sub.labels)
    }

    /// Yields batches; the next one is made on a background queue while the caller works.
    public struct Iterator: IteratorProtocol {
        let loader: BatchLoader
        let order: [Int]
        var nextIndex = 0
        var pending: PendingBatch?
        var rng: SeededGenerator

        init(loader: BatchLoader, order: [Int], seed: UInt64) {
            self.loader = loader
            self.order = order
            self.rng = SeededGenerator(seed: seed)
            if loader.batchesPerEpoch > 0 {
                pending = PendingBatch(loader: loader, index: 0, order: order, seed: rng.next())
            }
        }

        public mutating func next() -> Batch? {
            guard let current = pending else { return nil }
            nextIndex += 1
            pending =
                nextIndex < loader.batchesPerEpoch
                ? PendingBatch(loader: loader, index: nextIndex, order: order, seed: rng.next()) : nil
            return current.wait()
        }
    }
}

/// A batch being prepared on a background queue.
final class PendingBatch: @unchecked Sendable {
    private var result: Batch?
    private let done = DispatchSemaphore(value: 0)
    private static let queue = DispatchQueue(label: "pixelpilot.batch-prefetch", qos: .userInitiated)

    init(loader: BatchLoader, index: Int, order: [Int], seed: UInt64) {
        PendingBatch.queue.async {
            var rng = SeededGenerator(seed: seed)
            self.result = loader.makeBatch(index, order: order, rng: &rng)
            self.done.signal()
        }
    }

    func wait() -> Batch {
        done.wait()
        return result!
    }
}
