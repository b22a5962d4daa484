import Foundation
import Imaging

/// An ``OfflineLayoutReading`` as JSON (`pixelpilot layout read --report FILE.json`), for scripts.
public struct OfflineLayoutReport: Codable, Sendable, Equatable {
    public var format = "pixelpilot-layout-read/1"
    /// `map`, `sample`, `stream` or `screenshot`.
    public var kind: MapPicture.Kind
    public var source: String
    /// The picture read (for a screenshot its centre square), pixels.
    public var width: Int, height: Int
    /// The entrance in the picture read.
    public var originX: Int, originY: Int
    /// Picture pixels per pixel of the seed's half scale.
    public var scale: Float
    /// For a screenshot: the centre square in the screenshot, x, y, width, height.
    public var crop: [Int]?
    public var extractor: String
    public var linePixels: Int
    public var lineThickness: Float
    public var tokens: Int
    public var tokensUsed: Int
    /// The three most likely layouts, most likely first.
    public var top: [OfflineLayoutReading.Candidate]
    /// Every class's probability, in class order.
    public var probabilities: [Float]
    public var classNames: [String]
    public var milliseconds: Double
    /// The pictures written, by role (`mask`, `tokens`, `sheet`).
    public var pictures: [String: String]

    public init(_ r: OfflineLayoutReading, classNames: [String], pictures: [String: String] = [:]) {
        kind = r.picture.kind
        source = r.picture.source
        width = r.picture.image.width
        height = r.picture.image.height
        originX = r.picture.origin.x
        originY = r.picture.origin.y
        scale = r.picture.scale
        crop = r.picture.crop.map { [$0.x, $0.y, $0.width, $0.height] }
        extractor = r.extractor
        linePixels = r.mask.lineCount
        lineThickness = r.lineThickness
        tokens = r.tokenCount
        tokensUsed = r.tokensUsed
        top = r.top
        probabilities = r.prediction.probabilities
        self.classNames = classNames
        milliseconds = r.milliseconds
        self.pictures = pictures
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func read(from path: String) throws -> OfflineLayoutReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImagingError.badFile(path: path, reason: "cannot be read")
        }
        do { return try JSONDecoder().decode(OfflineLayoutReport.self, from: data) } catch {
            throw ImagingError.badFile(path: path, reason: "not a layout read report: \(error)")
        }
    }
}
