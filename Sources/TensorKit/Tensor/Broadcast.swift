/// Shape arithmetic for NumPy/PyTorch-style broadcasting.
public enum Broadcast {
    /// The broadcast shape of `a` and `b`, or nil when they are incompatible.
    public static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let r = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Element strides of a tensor of `shape` viewed as `outShape`: 0 on broadcast dimensions.
    public static func strides(of shape: [Int], in outShape: [Int]) -> [Int] {
        let r = outShape.count
        var strides = [Int](repeating: 0, count: r)
        var s = 1
        for i in stride(from: r - 1, through: 0, by: -1) {
            let j = i - (r - shape.count)
            if j >= 0 {
                strides[i] = shape[j] == 1 ? 0 : s
                s *= shape[j]
            }
        }
        return strides
    }

    /// Row-major strides of a contiguous tensor of `shape`.
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = s
            s *= shape[i]
        }
        return strides
    }

    /// Merges adjacent dimensions that are contiguous for every operand, so loops run long.
    /// `strides` holds one stride array per operand, each aligned with `shape`.
    static func collapse(_ shape: [Int], _ strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        var outShape: [Int] = []
        var outStrides: [[Int]] = strides.map { _ in [] }
        for i in 0..<shape.count {
            if shape[i] == 1 { continue }
            if let last = outShape.indices.last {
                var mergeable = true
                for k in 0..<strides.count where outStrides[k][last] != strides[k][i] * shape[i] { mergeable = false }
                if mergeable {
                    outShape[last] *= shape[i]
                    for k in 0..<strides.count { outStrides[k][last] = strides[k][i] }
                    continue
                }
            }
            outShape.append(shape[i])
            for k in 0..<strides.count { outStrides[k].append(strides[k][i]) }
        }
        if outShape.isEmpty { return ([1], strides.map { _ in [1] }) }
        return (outShape, outStrides)
    }
}
