import Foundation
import TensorKit
import Imaging

/// Images decoded into one float tensor `[N, H, W, C]` (values 0–255) with integer labels.
public struct LabeledImages {
    /// The pixels, NHWC, 0–255.
    public var images: Tensor
    /// One class index per image.
    public var labels: [Int]
    /// Where each image came from (for reports), when known.
    public var sources: [String]

    public var count: Int { labels.count }
    public var height: Int { images.shape[1] }
    public var width: Int { images.shape[2] }
    public var channels: Int { images.shape[3] }

    public init(images: Tensor, labels: [Int], sources: [String] = []) {
        precondition(
            images.rank == 4 && images.shape[0] == labels.count, "images \(images.shape) vs \(labels.count) labels")
        self.images = images
        self.labels = labels
        self.sources = sources
    }

    /// Decodes PNG files. Every image must be `width`×`height`; a file of another size, or one
    /// that is not a valid PNG, is an error naming it. Alpha is dropped.
    public init(samples: [ImageFolder.Sample], width: Int, height: Int) throws {
        let t = Tensor(zeros: [samples.count, height, width, 3])
        let per = width * height * 3
        for (i, s) in samples.enumerated() {
            let img: Image
            do { img = try PNG.read(contentsOf: s.url) } catch {
                throw DatasetError.badImage(
                    path: s.url.path, reason: "\(error)".replacingOccurrences(of: "\(s.url.path): ", with: ""))
            }
            guard img.width == width, img.height == height else {
                throw DatasetError.badImage(
                    path: s.url.path, reason: "image is \(img.width)x\(img.height), expected \(width)x\(height)")
            }
            LabeledImages.store(img.rgb(), into: t.pointer + i * per)
        }
        self.init(images: t, labels: samples.map(\.label), sources: samples.map(\.url.path))
    }

    /// Writes an RGB image's bytes as floats 0–255.
    public static func store(_ img: Image, into dst: UnsafeMutablePointer<Float>) {
        let rgb = img.rgb()
        rgb.pixels.withUnsafeBufferPointer { src in
            for i in 0..<src.count { dst[i] = Float(src[i]) }
        }
    }

    /// One image as a `[1, H, W, 3]` tensor of values 0–255.
    public static func tensor(from img: Image) -> Tensor {
        let t = Tensor.uninitialized([1, img.height, img.width, 3])
        store(img, into: t.pointer)
        return t
    }

    /// Images as one `[N, H, W, 3]` batch; all must share a size.
    public static func batch(_ imgs: [Image]) throws -> Tensor {
        guard let first = imgs.first else { throw ImagingError.invalidArgument("empty image batch") }
        let t = Tensor.uninitialized([imgs.count, first.height, first.width, 3])
        let per = first.width * first.height * 3
        for (i, img) in imgs.enumerated() {
            guard img.width == first.width, img.height == first.height else {
                throw ImagingError.invalidArgument(
                    "image \(i) is \(img.width)x\(img.height), expected \(first.width)x\(first.height)")
            }
            store(img, into: t.pointer + i * per)
        }
        return t
    }

    /// A subset by indices.
    public func subset(_ indices: [Int]) -> LabeledImages {
        let per = height * width * channels
        let t = Tensor.uninitialized([indices.count, height, width, channels])
        for (k, i) in indices.enumerated() { (t.pointer + k * per).update(from: images.pointer + i * per, count: per) }
        return LabeledImages(
            images: t, labels: indices.map { labels[$0] },
            sources: sources.isEmpty ? [] : indices.map { sources[$0] })
    }
}
