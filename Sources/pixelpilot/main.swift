import Foundation
import Arena
import Vision
let dir = URL(fileURLWithPath: CommandLine.arguments[1])
try GemDataset.write(to: dir, perClass: 10, seed: 3)
