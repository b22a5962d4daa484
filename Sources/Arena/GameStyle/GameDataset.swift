import Foundation
import SeededRandom
import Imaging

/// Writes a class-folder set of stash cells cut out of the game-like rendering, the way the
/// sorter cuts them from a screenshot: a cell with random neighbours (whose glow and filigree
/// reach into it), drawn at a random UI scale and sub-pixel position, sometimes highlighted, then
/// resampled to `size`×`size` from its exact rectangle.
public enum GameDataset {
    @discardableResult
    public static func write(
        to directory: URL, perClass: Int, size: Int = 52, seed: UInt64 = 1, startIndex: Int = 1,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> Int {
        var rng = SeededGenerator(seed: seed ^ 0x6A3E)
        let classes = ["blue", "empty", "green", "red"]
        let total = perClass * classes.count
        var written = 0
        var nextID = 1
        for name in classes {
            let dir = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for i in 0..<perClass {
                // A 3x3 patch of the tab; the middle cell is the sample.
                var cells: [StashItem?] = []
                for k in 0..<9 {
                    let color: GemColor?
                    if k == 4 {
                        color = GemColor(rawValue: name)
                    } else {
                        color = rng.nextUniform() < 0.5 ? GemColor.allCases[Int(rng.next() % 3)] : nil
                    }
                    cells.append(
                        color.map { c in
                            defer { nextID += 1 }
                            return StashItem.random(id: nextID, color: c, using: &rng)
                        })
                }
                let state = StashState(columns: 3, rows: 3, cells: cells)
                let scale = 0.6 + Double(rng.nextUniform()) * 1.4
                let pitch = 52.67 * scale
                let line = Swift.max(1, 1.3 * scale)
                let ox = 4 + Double(rng.nextUniform())
                let oy = 4 + Double(rng.nextUniform())
                let grid = GameGrid(originX: ox, originY: oy, pitch: pitch, lineWidth: line, columns: 3, rows: 3)
                let side = Int((ox + 3 * pitch).rounded(.up)) + 4
                var canvas = GameCanvas(width: side, height: side, color: [3, 2, 2])
                let highlighted: Set<Int> = rng.nextUniform() < 0.1 ? [4] : []
                GameScreenshot.paintGrid(
                    GameStashPainter(grid: grid), state: state, highlighted: highlighted, into: &canvas,
                    seed: rng.next())
                canvas.addNoise(sigma: 1.0, seed: rng.next() | 1)
                let picture = canvas.image()
                let cell = picture.sampled(
                    x: ox + pitch, y: oy + pitch, width: grid.cellSize, height: grid.cellSize,
                    outputWidth: size, outputHeight: size)
                try PNG.write(cell, to: dir.appendingPathComponent("g\(startIndex + i).png"))
                written += 1
                progress?(written, total)
            }
        }
        return written
    }
}
