import ArgumentParser
import Arena
import Foundation
import Imaging
import Workshop
import LayoutReader

/// How much of a full arena layout the classifier's nearest tokens can see: per class, the number
/// of non-empty 32 px patches, the distance of the last kept token, the share of the walls kept,
/// and whether the kept tokens reach the class's landmark (its waypoint: the fork's junction, the
/// hub's room, the u-turn's turn, ...).
struct LayoutReach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reach",
        abstract: "Measure how much of each layout class the nearest --tokens tokens around the entrance contain.",
        discussion: """
            For --instances full layouts per class (training seeds, or --test for the test seeds), \
            with their exact wall lines: the non-empty 32 px patches, the distance from the \
            entrance of the --tokens-th nearest one (the original layout reader keeps the nearest 128), the share of \
            the wall pixels in the kept tokens, the distance of the class's waypoint (its \
            landmark) and the share of the wall pixels within 120 px of it that the kept tokens \
            hold. Medians over the instances, with the minimum and maximum.

            Example: pixelpilot layout reach --instances 8
            """)
    @Option(parsing: .unconditional, help: "Layouts per class.") var instances = 8
    @Option(parsing: .unconditional, help: "Tokens kept (the original layout reader's 128).") var tokens = 128
    @Flag(help: "Use the test instances' random seeds instead of the training ones.") var test = false

    func run() throws {
        guard instances > 0, tokens > 0 else { throw ValidationError("--instances and --tokens must be positive") }
        let base = test ? ArenaLayoutData.testSeedBase : ArenaLayoutData.trainSeedBase
        print(
            "class        patches    last kept token (px)   walls kept   waypoint (px)   landmark walls kept   (median [min-max] of \(instances))"
        )
        for c in LayoutClass.allCases {
            var patches: [Double] = []
            var radius: [Double] = []
            var kept: [Double] = []
            var landmark: [Double] = []
            var cover: [Double] = []
            let lock = NSLock()
            DispatchQueue.concurrentPerform(iterations: instances) { i in
                let layout = MapLayout(layoutClass: c, seed: base + UInt64(i) * 16 + UInt64(c.rawValue))
                let w = ArenaLayoutData.walls(of: layout)
                let all = LayoutTokens(values: w.values, width: w.width, height: w.height, origin: w.origin)
                let n = min(tokens, all.count)
                let last = n > 0 ? (all.rows[n - 1] * all.rows[n - 1] + all.columns[n - 1] * all.columns[n - 1]) : 0
                // Kept patches, as a set of (row, column).
                var keptSet = Set<Int>()
                for t in 0..<n { keptSet.insert((all.rows[t] + 4096) * 8192 + all.columns[t] + 4096) }
                let p = LayoutTokens.patchSize
                func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
                var inKept = 0
                var near = 0
                var nearKept = 0
                let wp = layout.waypoint
                for y in 0..<w.height {
                    for x in 0..<w.width where w.values[y * w.width + x] != 0 {
                        let key = (floorDiv(y - w.origin.y, p) + 4096) * 8192 + floorDiv(x - w.origin.x, p) + 4096
                        let k = keptSet.contains(key)
                        if k { inKept += 1 }
                        let dx = Float(x) - wp.x
                        let dy = Float(y) - wp.y
                        if dx * dx + dy * dy <= 120 * 120 {
                            near += 1
                            if k { nearKept += 1 }
                        }
                    }
                }
                let e = layout.entrance
                lock.lock()
                patches.append(Double(all.count))
                radius.append(Double(p) * Double(last).squareRoot())
                kept.append(Double(inKept) / Double(max(1, w.lineCount)))
                landmark.append(Double((wp - e).length))
                cover.append(Double(nearKept) / Double(max(1, near)))
                lock.unlock()
            }
            func f(_ v: [Double], _ fmt: String) -> String {
                let s = v.sorted()
                return String(format: "\(fmt) [\(fmt)-\(fmt)]", s.median, s.first!, s.last!)
            }
            print(
                String(c.description).padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                    + f(patches, "%.0f") + "   " + f(radius, "%.0f") + "   " + f(kept.map { $0 * 100 }, "%.0f%%")
                    + "   " + f(landmark, "%.0f") + "   " + f(cover.map { $0 * 100 }, "%.0f%%"))
        }
    }
}
