import Foundation

/// An n-dimensional array of `Float32` values in contiguous row-major storage, with
/// reverse-mode automatic differentiation.
///
/// Images are NHWC. Tensors are reference types: an operation returns a new tensor and, when
/// gradients are being recorded (see ``GradMode``) and an input ``requiresGrad``, remembers how
/// to send gradients back to its inputs. Call ``backward()`` on a scalar loss to fill ``grad`` of
/// every leaf tensor that requires a gradient.
public final class Tensor: @unchecked Sendable {
    /// The extent of each dimension, outermost first.
    public let shape: [Int]
    /// The backing buffer, `shape.product` elements long.
    public let storage: TensorStorage
    /// Whether gradients flow to this tensor. Set it on parameters (leaves).
    public var requiresGrad: Bool
    /// The accumulated gradient after ``backward()``, same shape as the tensor.
    public var grad: Tensor?
    /// How this tensor was computed, when recorded for autodiff.
    var node: GradNode?

    /// Wraps existing storage. `storage.count` must equal the product of `shape`.
    init(shape: [Int], storage: TensorStorage, requiresGrad: Bool = false) {
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor with undefined contents, for kernels that overwrite every element.
    public static func uninitialized(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *)))
    }

    /// A tensor of zeros.
    public convenience init(zeros shape: [Int], requiresGrad: Bool = false) {
        self.init(shape: shape, storage: TensorStorage(zeroedCount: shape.reduce(1, *)), requiresGrad: requiresGrad)
    }

    /// A tensor whose every element is `value`.
    public convenience init(shape: [Int], repeating value: Float, requiresGrad: Bool = false) {
        let n = shape.reduce(1, *)
        let s = TensorStorage(uninitializedCount: n)
        s.pointer.initialize(repeating: value, count: n)
        self.init(shape: shape, storage: s, requiresGrad: requiresGrad)
    }

    /// A tensor holding `scalars` in row-major order.
    /// - Precondition: `scalars.count` equals the product of `shape`.
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        let n = shape.reduce(1, *)
        precondition(n == scalars.count, "Tensor(shape: \(shape)) needs \(n) scalars, got \(scalars.count)")
        let s = TensorStorage(uninitializedCount: n)
        scalars.withUnsafeBufferPointer { src in
            if n > 0 { s.pointer.initialize(from: src.baseAddress!, count: n) }
        }
        self.init(shape: shape, storage: s, requiresGrad: requiresGrad)
    }

    /// A rank-0 tensor holding one value.
    public convenience init(_ value: Float) {
        self.init(shape: [], scalars: [value])
    }

    /// Number of elements.
    @inlinable public var count: Int { storage.count }
    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// Pointer to the first element (valid while the tensor is alive).
    @inlinable public var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// The elements in row-major order.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item needs a one-element tensor, shape is \(shape)")
        return storage.pointer[0]
    }

    /// Reads the element at a multi-dimensional index (slow: for tests and debugging).
    public subscript(_ index: Int...) -> Float {
        storage.pointer[flatIndex(index)]
    }

    func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "index \(index) has wrong rank for shape \(shape)")
        var flat = 0
        for (i, d) in zip(index, shape) {
            precondition(i >= 0 && i < d, "index \(index) out of range for \(shape)")
            flat = flat * d + i
        }
        return flat
    }

    /// A copy that shares no storage and records no history.
    public func copy() -> Tensor {
        let t = Tensor.uninitialized(shape)
        if count > 0 { t.pointer.update(from: pointer, count: count) }
        return t
    }

    /// The same values, cut off from the autodiff graph.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage)
    }

    /// Overwrites the values with those of `other` (same element count), outside autodiff.
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assign: \(other.shape) into \(shape)")
        if count > 0 { pointer.update(from: other.pointer, count: count) }
    }

    /// Sets every element to `value`, outside autodiff.
    public func fill(_ value: Float) {
        pointer.update(repeating: value, count: count)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(16).map { String(format: "%.5g", $0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 16 ? ", ..." : "")])"
    }
}
