import Imaging

/// The seed's fog-of-war sampling (`explore_map`, reference §14.2): reveal every mask pixel within
/// `radius` of any path pixel (the disc `(Y−y)² + (X−x)² ≤ r²`, clipped to the image).
public enum FogSampler {
    /// The revealed part of `mask` (`width`×`height`, non-zero = map line), and the share of the
    /// mask's pixels revealed, and the share of the image area lifted from the fog.
    public static func reveal(
        mask: [UInt8], width: Int, height: Int, path: [GridPoint], radius: Int = 65
    ) throws
        -> (revealed: [UInt8], fractionOfMask: Double, fractionOfArea: Double)
    {
        guard mask.count == width * height, width > 0, height > 0 else {
            throw ImagingError.invalidArgument("mask of \(mask.count) bytes is not \(width)x\(height)")
        }
        guard radius >= 0 else {
            throw ImagingError.invalidArgument("light radius must not be negative, got \(radius)")
        }
        var lifted = [UInt8](repeating: 0, count: mask.count)
        // Row half-widths of the disc.
        let r2 = radius * radius
        var half = [Int](repeating: 0, count: radius + 1)
        for dy in 0...radius {
            var dx = 0
            while (dx + 1) * (dx + 1) + dy * dy <= r2 { dx += 1 }
            half[dy] = dx
        }
        var last: GridPoint?
        lifted.withUnsafeMutableBufferPointer { l in
            for p in path where p != last {
                last = p
                for dy in -radius...radius {
                    let y = p.y + dy
                    guard y >= 0, y < height else { continue }
                    let h = half[abs(dy)]
                    let x0 = max(0, p.x - h)
                    let x1 = min(width - 1, p.x + h)
                    guard x0 <= x1 else { continue }
                    for x in x0...x1 { l[y * width + x] = 1 }
                }
            }
        }
        var revealed = [UInt8](repeating: 0, count: mask.count)
        var total = 0
        var shown = 0
        var area = 0
        for i in mask.indices {
            if mask[i] != 0 { total += 1 }
            if lifted[i] != 0 {
                area += 1
                if mask[i] != 0 {
                    revealed[i] = 1
                    shown += 1
                }
            }
        }
        return (revealed, total == 0 ? 0 : Double(shown) / Double(total), Double(area) / Double(mask.count))
    }
}
