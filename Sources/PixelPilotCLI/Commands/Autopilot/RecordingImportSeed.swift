import ArgumentParser
import Foundation
import Recording
import Imaging
import Workshop

struct RecordingImportSeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-pickle",
        abstract: "Convert a recording pickle of the original autopilot's recorder into a PixelPilot recording.",
        discussion: """
            The original autopilot writes recording_<time>.pickle: a dict of screen_frames (N, H, W, 3) uint8 in \
            B, G, R order and key_frames (N, 4) with 0/1 columns [up, left, right, down]. The \
            committed helper tools/seed_pickle_to_raw.py reads it (with NumPy when installed, else \
            with the standard library alone) and PixelPilot stores the frames as RGB, the keys as \
            Up, Left, Right, Down, at --fps (the original autopilot stores no timestamps; 10 as in its script).

            Example: pixelpilot recording import-pickle recording_1700000000.pickle --out drive1.ppr
            """)
    @Argument(help: "The original autopilot's .pickle recording.") var pickle: String
    @Option(name: .shortAndLong, help: "Recording file to create.") var out: String
    @Option(parsing: .unconditional, help: "Frame rate the original autopilot recorded at.") var fps = 10.0
    @Option(help: "Python interpreter.") var python = "python3"
    @Option(help: "Path of tools/seed_pickle_to_raw.py (found beside the project by default).") var helper: String?

    func validate() throws { guard fps > 0, fps <= 240 else { throw ValidationError("--fps must be in (0, 240]") } }

    func run() throws {
        let helperURL: URL
        if let helper {
            helperURL = URL(fileURLWithPath: helper)
        } else {
            let (found, looked) = PickleImport.findHelper(executable: Bundle.main.executableURL)
            guard let found else {
                throw CLIError(
                    "cannot find tools/seed_pickle_to_raw.py (looked in \(looked.prefix(3).joined(separator: ", ")), ...); give --helper PATH"
                )
            }
            helperURL = found
        }
        var importer = PickleImport(helper: helperURL)
        importer.python = python
        importer.fps = fps
        importer.version = PixelPilot.configuration.version
        let s = try importer.run(pickle: URL(fileURLWithPath: pickle), output: URL(fileURLWithPath: out))
        print(
            "Imported \(s.frames) frames of \(s.width)x\(s.height) (BGR -> RGB) with keys [Up, Left, Right, Down] into \(out)"
        )
    }
}
