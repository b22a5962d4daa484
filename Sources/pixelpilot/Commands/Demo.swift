import ArgumentParser
import Foundation
import Arena
import StashSorter
import Datasets
import Vision

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the main demo: draw a gem set, train the stash-cell classifier, test it.",
        discussion: """
        Needs no game and no files: it draws its own gems. Steps: (1) draw a labelled training \
        set, (2) train the seed's CNN on it with TensorKit, (3) classify a fresh set drawn with \
        another seed and print the confusion table, (4) if the real gem crops are beside the \
        project (../shared/data/gems), evaluate on them too. Everything is written to --out.
        """)

    @Option(name: .shortAndLong, help: "Folder for the model, pictures and data.")
    var out = "demo-output"

    @Option(help: "Training images per class.")
    var perClass = 60

    @Option(help: "Training epochs.")
    var epochs = 15

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        let trainDir = outURL.appendingPathComponent("gems-train"), testDir = outURL.appendingPathComponent("gems-test")
        try reporting {
            try? FileManager.default.removeItem(at: trainDir)
            try? FileManager.default.removeItem(at: testDir)
            try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)
            print("1. Drawing \(perClass * 4) training cells and \(25 * 4) test cells (blue, empty, green, red) in \(out)/")
            try GemDataset.write(to: trainDir, perClass: perClass, seed: seed)
            try GemDataset.write(to: testDir, perClass: 25, seed: seed &+ 1000)
            try writeSheet(from: testDir, to: outURL.appendingPathComponent("test-cells.png"))
        }
        print("2. Training the seed's gem CNN for \(epochs) epochs (TensorKit, \(ProcessInfo.processInfo.activeProcessorCount) threads)")
        var options = ClassifierTraining.Options()
        options.epochs = epochs
        options.seed = seed
        let model = outURL.appendingPathComponent("gem-classifier.safetensors")
        let result = try TrainingReporter.train(directory: trainDir, options: options, output: model)

        print("3. Classifying \(100) cells drawn with another seed")
        let classifier = result.classifier
        let testFolder = try reporting { try ImageFolder(directory: testDir) }
        let test = try reporting { try LabeledImages(samples: testFolder.samples, width: 52, height: 52) }
        let start = Date()
        let cm = classifier.evaluate(test)
        let ms = Date().timeIntervalSince(start) * 1000
        print("Accuracy: \(cm.correct)/\(cm.total) = \(String(format: "%.1f%%", cm.accuracy * 100)) (\(String(format: "%.1f", ms)) ms for the batch)")
        print(cm.table(), terminator: "")

        let real = URL(fileURLWithPath: "../shared/data/gems")
        if FileManager.default.fileExists(atPath: real.path), let folder = try? ImageFolder(directory: real),
           let data = try? LabeledImages(samples: folder.samples, width: 52, height: 52), folder.classNames == classifier.classNames {
            let rcm = classifier.evaluate(data)
            print("4. On the 38 real Path of Exile gem crops (../shared/data/gems), trained on drawn gems only:")
            print("Accuracy: \(rcm.correct)/\(rcm.total) = \(String(format: "%.1f%%", rcm.accuracy * 100))")
            print(rcm.table(), terminator: "")
        } else {
            print("4. (Real gem crops not found at ../shared/data/gems: skipped the real-data check.)")
        }
        print("Model: \(model.path)\nTest cells: \(out)/test-cells.png  Learning curves: \(model.path).curves.png")
    }

    /// A contact sheet of the first test cells of each class.
    func writeSheet(from dir: URL, to url: URL) throws {
        let folder = try ImageFolder(directory: dir)
        let perRow = 10
        var sheet = Image(width: perRow * 56 + 70, height: folder.classNames.count * 56 + 4, color: [30, 30, 30])
        for (row, name) in folder.classNames.enumerated() {
            sheet.drawText(name, x: 4, y: row * 56 + 26, color: [230, 230, 230])
            for (k, s) in folder.samples.filter({ $0.label == row }).prefix(perRow).enumerated() {
                sheet.draw(try PNG.read(contentsOf: s.url), atX: 70 + k * 56, y: row * 56 + 2)
            }
        }
        try PNG.write(sheet, to: url)
    }
}
