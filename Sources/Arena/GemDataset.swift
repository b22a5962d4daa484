import Foundation
import SeededRandom
import Imaging

/// Writes a class-folder set of procedurally drawn cells (`blue/`, `empty/`, `green/`, `red/`),
/// the layout `pixelpilot train classifier` reads.
public enum GemDataset {
    /// Draws `perClass` cells of each class into `directory`, deterministically from `seed`.
    /// Returns the number of files written.
    @discardableResult
    public static func write(
        to directory: URL, perClass: Int, size: Int = 52, seed: UInt64 = 1,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> Int {
        var rng = SeededGenerator(seed: seed)
        let classes = ["blue", "empty", "green", "red"]
        let total = perClass * classes.count
        var written = 0
        for name in classes {
            let dir = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for i in 0..<perClass {
                let content: CellContent =
                    name == "empty" ? .empty : .gem(.random(GemColor(rawValue: name)!, using: &rng))
                try PNG.write(
                    GemArt.cell(content, size: size, noiseSeed: rng.next() | 1),
                    to: dir.appendingPathComponent("\(i + 1).png"))
                written += 1
                progress?(written, total)
            }
        }
        return written
    }
}
