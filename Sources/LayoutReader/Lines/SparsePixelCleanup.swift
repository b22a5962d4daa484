/// The seed's sparse-artifact removal (reference §8): a line pixel stays only when at least
/// `threshold` other line pixels lie in the `window`×`window` box centred on it (pixels outside
/// the mask count as 0); every count comes from the original mask (one pass). The seed runs it
/// with window 15 and threshold 10.
public struct SparsePixelCleanup: Sendable, Equatable {
    public var window: Int
    public var threshold: Int

    public init(window: Int = 15, threshold: Int = 10) {
        precondition(window >= 1 && window % 2 == 1, "the cleanup window must be odd, got \(window)")
        self.window = window
        self.threshold = threshold
    }

    /// Applies the cleanup to a `width`×`height` 0/1 mask in place.
    public func apply(_ mask: inout [UInt8], width w: Int, height h: Int) {
        guard w > 0, h > 0, threshold > 0 else { return }
        let r = window / 2
        // Integral image (one extra row and column of zeros).
        let iw = w + 1
        var sums = [Int32](repeating: 0, count: iw * (h + 1))
        mask.withUnsafeBufferPointer { m in
            sums.withUnsafeMutableBufferPointer { s in
                for y in 0..<h {
                    var run: Int32 = 0
                    let row = (y + 1) * iw
                    for x in 0..<w {
                        run += Int32(m[y * w + x])
                        s[row + x + 1] = s[row - iw + x + 1] + run
                    }
                }
            }
        }
        let need = Int32(threshold)
        sums.withUnsafeBufferPointer { s in
            mask.withUnsafeMutableBufferPointer { m in
                for y in 0..<h {
                    let y0 = max(0, y - r)
                    let y1 = min(h, y + r + 1)
                    for x in 0..<w where m[y * w + x] != 0 {
                        let x0 = max(0, x - r)
                        let x1 = min(w, x + r + 1)
                        let box = s[y1 * iw + x1] - s[y0 * iw + x1] - s[y1 * iw + x0] + s[y0 * iw + x0]
                        if box - 1 < need { m[y * w + x] = 2 }
                    }
                }
                for i in 0..<(w * h) where m[i] == 2 { m[i] = 0 }
            }
        }
    }
}
