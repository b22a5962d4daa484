import Desktop
import Foundation
import Imaging

/// A picture of the minimap to read offline: a stitched map, a sample folder of `layout collect`,
/// a stream folder of `layout watch`, or a game screenshot (its centre square, the seed's
/// capture), with the entrance (origin) and the scale the reader needs.
public struct MapPicture: Sendable {
    /// What the picture came from.
    public enum Kind: String, Sendable, Codable {
        /// A stitched map file with its origin given.
        case map
        /// A sample folder (`sample.json` and `map.png`).
        case sample
        /// A stream folder of `layout watch` (`stream.json` and `map.png`).
        case stream
        /// A game screenshot; the picture is its centre square.
        case screenshot
    }

    /// The scales a map may have: map pixels per pixel of the seed's half scale (1 at 1080p, 2 at 4K).
    public static let scales: ClosedRange<Float> = 0.25...8
    /// Screenshot heights taken (1080p to 4K, with some slack for windowed games).
    public static let screenshotHeights = 1000...2200

    public var kind: Kind
    /// The file or folder read.
    public var source: String
    /// The map (RGB), for a screenshot its centre square.
    public var image: Image
    /// The entrance in `image` pixels.
    public var origin: GridPoint
    /// `image` pixels per pixel of the seed's half scale.
    public var scale: Float
    /// Where `image` lies in the screenshot (screenshots only).
    public var crop: ScreenRect?

    /// Checks and wraps a stitched map: the origin must be inside it, the scale in ``scales``, and
    /// the map at least one token (32 px at the seed's half scale) on each side.
    public init(map image: Image, origin: GridPoint, scale: Float = 1, source: String, kind: Kind = .map) throws {
        guard (0..<image.width).contains(origin.x), (0..<image.height).contains(origin.y) else {
            throw LayoutReadError.originOutside(path: source, origin: origin, width: image.width, height: image.height)
        }
        try MapPicture.check(scale: scale, width: image.width, height: image.height, source: source)
        self.kind = kind
        self.source = source
        self.image = image.rgb()
        self.origin = origin
        self.scale = scale
        crop = nil
    }

    /// The centre square of a game screenshot (the seed's capture: 1200×1200 around the player at
    /// 4K, scaled), whose centre is the player; `scale` defaults to the screenshot's height / 1080.
    public init(screenshot image: Image, scale: Float? = nil, source: String) throws {
        guard MapPicture.screenshotHeights.contains(image.height), image.width > image.height else {
            throw LayoutReadError.notAScreenshot(path: source, width: image.width, height: image.height)
        }
        let rect = LayoutStream.seedRegion(screenWidth: image.width, screenHeight: image.height)
        let square = try image.cropped(x: rect.x, y: rect.y, width: rect.width, height: rect.height)
        try self.init(
            map: square, origin: GridPoint(x: rect.width / 2, y: rect.height / 2),
            scale: scale ?? Float(image.height) / 1080, source: source, kind: .screenshot)
        crop = rect
    }

    /// Opens `path`: a sample or stream folder (origin and scale from its JSON; `scale` overrides),
    /// a picture with `origin` (a stitched map), or a picture without it (a screenshot). PNG or JPEG.
    public static func open(path: String, origin: GridPoint? = nil, scale: Float? = nil) throws -> MapPicture {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ImagingError.badFile(path: path, reason: "no such file or folder")
        }
        guard isFolder.boolValue else {
            let image = try ImageFile.read(path: path)
            if let origin { return try MapPicture(map: image, origin: origin, scale: scale ?? 1, source: path) }
            return try MapPicture(screenshot: image, scale: scale, source: path)
        }
        let folder = path as NSString
        let mapPath = folder.appendingPathComponent("map.png")
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("sample.json")) {
            let sample = try LayoutSample.read(from: path)
            return try MapPicture(
                map: try PNG.read(path: mapPath),
                origin: origin ?? GridPoint(x: sample.originX, y: sample.originY), scale: scale ?? sample.scale ?? 1,
                source: path, kind: .sample)
        }
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("stream.json")) {
            let stream = try StreamRecord.read(from: path)
            // The seed's capture square is 600 px per 1080 screen rows: its side gives the scale.
            let square = stream.regionWidth == stream.regionHeight
            return try MapPicture(
                map: try PNG.read(path: mapPath), origin: origin ?? GridPoint(x: stream.originX, y: stream.originY),
                scale: scale ?? (square ? Float(stream.regionHeight) / 600 : 1), source: path, kind: .stream)
        }
        throw ImagingError.badFile(
            path: path,
            reason: "neither a sample folder (sample.json) nor a stream folder (stream.json) of `pixelpilot layout`")
    }

    static func check(scale: Float, width: Int, height: Int, source: String) throws {
        guard scale.isFinite, scales.contains(scale) else {
            throw LayoutReadError.wrongScale(
                path: source, scale: scale,
                reason: "a map's scale is \(scales.lowerBound)-\(scales.upperBound) (map pixels per pixel at 1080p: "
                    + "1 at 1080p, 2 at 4K)")
        }
        let side = Float(min(width, height)) / scale
        guard side >= Float(LayoutTokens.patchSize) else {
            throw LayoutReadError.wrongScale(
                path: source, scale: scale,
                reason: "the \(width)x\(height) picture would be \(Int(side)) px on its short side at the reader's "
                    + "scale, less than one \(LayoutTokens.patchSize)-px token")
        }
    }
}
