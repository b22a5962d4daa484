import ArgumentParser
import Foundation
import Recording
import Imaging

struct RecordingSheet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sheet",
        abstract: "Draw a contact sheet: frames of a recording with the keys held at each.",
        discussion: """
            Each tile shows a frame (scaled to --tile pixels wide), its number and time, and the \
            four keys in the original autopilot's order (up, left, right, down), lit when held.

            Example: pixelpilot recording sheet drive1.ppr --out sheet.png --count 8 --every 5
            """)
    @Argument(help: "Recording file.") var file: String
    @Option(name: .shortAndLong, help: "PNG to write.") var out: String
    @Option(parsing: .unconditional, help: "Frames shown.") var count = 8
    @Option(parsing: .unconditional, help: "Show every Nth frame.") var every = 5
    @Option(parsing: .unconditional, help: "First frame shown.") var start = 0
    @Option(parsing: .unconditional, help: "Tile width, pixels.") var tile = 200
    @Option(parsing: .unconditional, help: "Tiles per row.") var columns = 4

    func validate() throws {
        guard count > 0, every > 0, start >= 0, (32...1024).contains(tile), columns > 0 else {
            throw ValidationError(
                "--count, --every and --columns must be positive, --start not negative, --tile 32...1024")
        }
    }

    func run() throws {
        let r = try openRecording(file)
        try r.requireFrames()
        let picks = Array(Swift.stride(from: start, to: r.count, by: every).prefix(count))
        guard !picks.isEmpty else {
            throw CLIError("\(file): --start \(start) is past the last frame (\(r.count - 1))")
        }
        let th = tile * r.fingerprint.height / max(1, r.fingerprint.width)
        let cellH = th + 34
        let cols = min(columns, picks.count)
        let rows = (picks.count + cols - 1) / cols
        var sheet = Image(width: cols * (tile + 8) + 8, height: rows * (cellH + 8) + 8, color: [24, 24, 28])
        for (n, i) in picks.enumerated() {
            let x = 8 + (n % cols) * (tile + 8)
            let y = 8 + (n / cols) * (cellH + 8)
            let frame = try r.image(i).resized(width: tile, height: th)
            sheet.draw(frame, atX: x, y: y)
            let t = r.frames[i].time - r.frames[0].time
            sheet.drawText(String(format: "#%d  %.1fS", i, t), x: x, y: y + th + 4, color: [200, 200, 200])
            let keys = r.seedKeys(i)
            for (k, name) in ["UP", "LEFT", "RIGHT", "DOWN"].enumerated() {
                let bx = x + k * (tile / 4)
                let bw = tile / 4 - 4
                sheet.fillRect(
                    x: bx, y: y + th + 15, width: bw, height: 16, color: keys[k] ? [250, 200, 40] : [60, 60, 66])
                sheet.drawText(
                    name, x: bx + max(1, (bw - Image.textWidth(name)) / 2), y: y + th + 20,
                    color: keys[k] ? [20, 20, 20] : [140, 140, 140])
            }
        }
        try PNG.write(sheet, path: out)
        print("Wrote \(out): \(picks.count) frames of \(file) with their keys")
    }
}
