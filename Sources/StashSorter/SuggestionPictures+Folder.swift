import Foundation
import Imaging

extension SuggestionPictures {
    /// Writes every picture of a suggestion into `folder`: `perception.png`, `preview.png`,
    /// `moves-NN.png` pages and `moves.txt`.
    /// - Returns: what was written, as a person reads it.
    public static func write(
        _ s: SortSuggestion, crops: [Image], screenshot: Image, grid: GridGeometry, imageX: Int, imageY: Int,
        to folder: String
    ) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func path(_ n: String) -> String { (folder as NSString).appendingPathComponent(n) }
        try PNG.write(
            perception(s, screenshot: screenshot, grid: grid, imageX: imageX, imageY: imageY),
            path: path("perception.png"))
        try PNG.write(
            preview(s, crops: crops, screenshot: screenshot, grid: grid, imageX: imageX, imageY: imageY),
            path: path("preview.png"))
        let pages = movePages(s, screenshot: screenshot, grid: grid, imageX: imageX, imageY: imageY)
        for (i, page) in pages.enumerated() {
            try PNG.write(page, path: path(String(format: "moves-%02d.png", i + 1)))
        }
        try (moveList(s).joined(separator: "\n") + "\n").write(
            toFile: path("moves.txt"), atomically: true, encoding: .utf8)
        return [
            path("perception.png"), path("preview.png"), "\(pages.count) move page(s) \(path("moves-01.png"))...",
            path("moves.txt"),
        ]
    }
}
