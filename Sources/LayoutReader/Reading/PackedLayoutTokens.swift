/// ``LayoutTokens`` with one bit per pixel (128 bytes a token instead of 1024), for keeping many
/// samples in memory (training sets, test walks).
public struct PackedLayoutTokens: Sendable, Equatable {
    public var totalCount: Int
    public var rows: [Int32], columns: [Int32]
    /// 16 words per token, pixel `i` of a token is bit `i % 64` of word `i / 64`.
    public var bits: [UInt64]

    public var count: Int { rows.count }

    public init(_ tokens: LayoutTokens) {
        totalCount = tokens.totalCount
        rows = tokens.rows.map { Int32($0) }
        columns = tokens.columns.map { Int32($0) }
        var bits = [UInt64](repeating: 0, count: tokens.count * 16)
        tokens.pixels.withUnsafeBufferPointer { px in
            for i in 0..<px.count where px[i] != 0 { bits[i >> 6] |= 1 << UInt64(i & 63) }
        }
        self.bits = bits
    }

    /// The tokens again.
    public var unpacked: LayoutTokens {
        var pixels = [UInt8](repeating: 0, count: count * LayoutTokens.pixelsPerToken)
        pixels.withUnsafeMutableBufferPointer { px in
            for (w, word) in bits.enumerated() where word != 0 {
                var v = word
                while v != 0 {
                    let b = v.trailingZeroBitCount
                    px[w << 6 + b] = 1
                    v &= v - 1
                }
            }
        }
        return LayoutTokens(
            totalCount: totalCount, rows: rows.map { Int($0) }, columns: columns.map { Int($0) }, pixels: pixels)
    }
}
