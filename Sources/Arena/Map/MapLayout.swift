import Foundation
import SeededRandom
import Imaging

/// One generated instance of a layout class, known exactly: the walkable ground, the wall lines
/// and the water edges, as masks in map pixels (one byte per pixel, 1 = set, rows top to bottom).
public struct MapLayout: Sendable {
    public let layoutClass: LayoutClass
    public let seed: UInt64
    public let width: Int, height: Int
    /// 1 where the player can stand.
    public let walkable: [UInt8]
    /// 1 on a wall line (the minimap's lavender lines: about 2 map pixels wide, 4-5 at 4K).
    public let walls: [UInt8]
    /// 1 on a water edge (the minimap's cyan shore lines; not walls, as in the seed's masks).
    public let waterEdges: [UInt8]
    /// 1 on water (not walkable).
    public let water: [UInt8]
    public let entrance: MapPoint, exit: MapPoint, waypoint: MapPoint
    /// Dead ends and small rooms of the side branches (targets for the scripted explorer).
    public let branchEnds: [MapPoint]

    /// Map size in map pixels.
    public static let size = (width: 1280, height: 1024)

    /// Generates an instance of `layoutClass` varied by `seed`.
    public init(layoutClass: LayoutClass, seed: UInt64) {
        let generator = MapLayoutGenerator(layoutClass: layoutClass, seed: seed)
        self = generator.generate()
    }

    init(
        layoutClass: LayoutClass, seed: UInt64, width: Int, height: Int, walkable: [UInt8], walls: [UInt8],
        waterEdges: [UInt8],
        water: [UInt8], entrance: MapPoint, exit: MapPoint, waypoint: MapPoint, branchEnds: [MapPoint]
    ) {
        self.layoutClass = layoutClass
        self.seed = seed
        self.width = width
        self.height = height
        self.walkable = walkable
        self.walls = walls
        self.waterEdges = waterEdges
        self.water = water
        self.entrance = entrance
        self.exit = exit
        self.waypoint = waypoint
        self.branchEnds = branchEnds
    }

    /// True when the map pixel containing `p` is walkable.
    public func isWalkable(_ p: MapPoint) -> Bool {
        let x = Int(p.x.rounded(.down))
        let y = Int(p.y.rounded(.down))
        guard x >= 0, y >= 0, x < width, y < height else { return false }
        return walkable[y * width + x] != 0
    }

    /// A mask as a black-and-white picture.
    public static func picture(of mask: [UInt8], width: Int, height: Int) -> Image {
        var img = Image(width: width, height: height)
        img.pixels.withUnsafeMutableBufferPointer { px in
            for i in 0..<(width * height) where mask[i] != 0 {
                px[3 * i] = 255
                px[3 * i + 1] = 255
                px[3 * i + 2] = 255
            }
        }
        return img
    }

    /// The guide image of this instance: the whole layout (ground, walls, water edges) with the
    /// entrance (green) and the exit (orange door) marked, as the seed's guides show it.
    public func guide() -> Image {
        var img = Image(width: width, height: height, color: [14, 16, 22])
        img.pixels.withUnsafeMutableBufferPointer { px in
            for i in 0..<(width * height) {
                var c: (UInt8, UInt8, UInt8)? = nil
                if walkable[i] != 0 { c = (34, 38, 50) }
                if water[i] != 0 { c = (20, 40, 70) }
                if waterEdges[i] != 0 { c = (64, 138, 179) }
                if walls[i] != 0 { c = (150, 150, 200) }
                if let c {
                    px[3 * i] = c.0
                    px[3 * i + 1] = c.1
                    px[3 * i + 2] = c.2
                }
            }
        }
        img.fillCircle(cx: Int(entrance.x), cy: Int(entrance.y), radius: 12, color: [60, 220, 90])
        img.fillRect(x: Int(exit.x) - 8, y: Int(exit.y) - 9, width: 16, height: 18, color: [220, 120, 40])
        img.fillRect(x: Int(waypoint.x) - 7, y: Int(waypoint.y) - 2, width: 14, height: 4, color: [240, 200, 60])
        img.fillRect(x: Int(waypoint.x) - 2, y: Int(waypoint.y) - 7, width: 4, height: 14, color: [240, 200, 60])
        img.drawText("\(layoutClass.rawValue) \(layoutClass)", x: 10, y: 10, color: [200, 200, 220], scale: 3)
        return img
    }
}
