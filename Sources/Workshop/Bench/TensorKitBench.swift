import Datasets
import Foundation
import SeededRandom
import StashSorter
import TensorKit

/// TensorKit's own figures (`pixelpilot bench`): matrix products, the gem network's training
/// throughput and its inference latency, each reported as a ``BenchResult`` as soon as it is measured.
public struct TensorKitBench {
    /// Images per training epoch of the train suite.
    public var trainImages: Int
    private var random = SeededGenerator(seed: 1)

    public init(trainImages: Int = 4096) { self.trainImages = trainImages }

    /// sgemm GFLOP/s at 512 and 2048.
    public mutating func sgemm(report: (BenchResult) -> Void) {
        for n in [512, 2048] {
            let a = Tensor.uniform([n, n], using: &random)
            let b = Tensor.uniform([n, n], using: &random)
            let c = Tensor.uninitialized([n, n])
            let t = BenchResult.median(n == 2048 ? 5 : 20, warmup: n == 2048 ? 2 : 40) {
                Kernels.gemm(m: n, n: n, k: n, a: a.pointer, lda: n, b: b.pointer, ldb: n, c: c.pointer, ldc: n)
            }
            report(tensorKit("sgemm", "\(n)", 2 * Double(n * n * n) / t / 1e9, "GFLOP/s"))
        }
    }

    /// Training images per second of the gem network at batches 16 and 64 (one epoch of random cells,
    /// the original gem sorter's augmentation).
    public mutating func train(report: (BenchResult) -> Void) throws {
        let images = Tensor.uniform([trainImages, 52, 52, 3], low: 0, high: 255, using: &random)
        let labels = (0..<trainImages).map { _ in Int(random.next() % 4) }
        let data = LabeledImages(images: images, labels: labels)
        for batchSize in [16, 64] {
            let classifier = CellClassifier(classNames: ["blue", "empty", "green", "red"], seed: 1)
            let optimizer = Adam(
                parameters: classifier.network.trainableParameters(), learningRate: 1e-3, epsilon: 1e-7)
            let trainer = Trainer(model: classifier.network, optimizer: optimizer) { logits, batch in
                logits.softmaxCrossEntropy(labels: batch.labels)
            }
            let loader = BatchLoader(data, batchSize: batchSize, shuffle: true, augmentation: .gemSeed, seed: 2)
            let none: BatchLoader? = nil
            _ = try trainer.fit(epochs: 1, training: loader, validation: none)
            let t = BenchResult.median(3, warmup: 0) {
                _ = try? trainer.fit(epochs: 1, training: loader, validation: none)
            }
            report(tensorKit("train", "batch \(batchSize)", Double(trainImages) / t, "images/s"))
        }
    }

    /// The gem network's inference latency in milliseconds at each batch size; `repeats` 0 picks 300
    /// runs for batches under 16, else 50.
    public mutating func infer(batchSizes: [Int], repeats: Int = 0, report: (BenchResult) -> Void) {
        let classifier = CellClassifier(classNames: ["blue", "empty", "green", "red"], seed: 1)
        for batchSize in batchSizes {
            let x = Tensor.uniform([batchSize, 52, 52, 3], low: 0, high: 255, using: &random)
            let runs = repeats > 0 ? repeats : (batchSize < 16 ? 300 : 50)
            let t = BenchResult.median(runs, warmup: 10) { _ = classifier.logits(batch: x) }
            report(tensorKit("infer", "batch \(batchSize)", t * 1000, "ms"))
        }
    }

    private func tensorKit(_ suite: String, _ c: String, _ value: Double, _ unit: String) -> BenchResult {
        BenchResult(suite: suite, case: c, framework: "TensorKit", value: value, unit: unit)
    }
}
