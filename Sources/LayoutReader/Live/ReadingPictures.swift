import Imaging

/// Pictures of what the reader saw: the line mask, and the tokens over the map.
public enum ReadingPictures {
    /// The mask as white lines on black.
    public static func mask(_ mask: LineMask) -> Image {
        var img = Image(width: mask.width, height: mask.height)
        img.pixels.withUnsafeMutableBufferPointer { p in
            for i in 0..<(mask.width * mask.height) where mask.values[i] != 0 {
                p[3 * i] = 255
                p[3 * i + 1] = 255
                p[3 * i + 2] = 255
            }
        }
        return img
    }

    /// The non-empty 32-px patches (the seed's tokens, anchored so the origin is a patch corner)
    /// outlined over `map` (same size as the mask), the mask's lines in yellow, the origin in green.
    /// Returns the picture and the number of tokens.
    public static func tokens(over map: Image, mask: LineMask) -> (image: Image, count: Int) {
        var img = map.rgb()
        if img.width != mask.width || img.height != mask.height {
            img = img.resized(width: mask.width, height: mask.height)
        }
        let p = max(1, Int((32 * mask.scale).rounded()))
        let ox = mask.origin.x
        let oy = mask.origin.y
        func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
        var occupied = Set<GridPoint>()
        let w = mask.width
        img.pixels.withUnsafeMutableBufferPointer { px in
            mask.values.withUnsafeBufferPointer { v in
                for y in 0..<mask.height {
                    var lastPatch = Int.min
                    for x in 0..<w where v[y * w + x] != 0 {
                        let i = 3 * (y * w + x)
                        px[i] = 255
                        px[i + 1] = 230
                        px[i + 2] = 80
                        let tx = floorDiv(x - ox, p)
                        if tx != lastPatch {
                            occupied.insert(GridPoint(x: tx, y: floorDiv(y - oy, p)))
                            lastPatch = tx
                        }
                    }
                }
            }
        }
        for t in occupied {
            img.strokeRect(x: ox + t.x * p, y: oy + t.y * p, width: p, height: p, color: [255, 90, 200])
        }
        img.fillCircle(cx: ox, cy: oy, radius: 5, color: [60, 220, 90])
        return (img, occupied.count)
    }
}
