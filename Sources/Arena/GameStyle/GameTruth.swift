import Foundation
import SeededRandom

/// What an arena or a drawn screenshot truly shows, as JSON: the exact grid, every cell's contents
/// (row-major; null for empty) and what the cursor holds. For checking a sorter's perception and
/// result against the game's state rather than against its own reading.
public struct GameTruth: Codable, Equatable, Sendable {
    /// One item: its id (unique in the stash), class (gem colour) and name.
    public struct Item: Codable, Equatable, Sendable {
        public var id: Int
        public var color: String
        public var name: String
        public var level: Int
    }

    public var grid: GameGrid
    public var columns: Int
    public var rows: Int
    public var cells: [Item?]
    public var cursor: Item?

    public init(grid: GameGrid, state: StashState) {
        self.grid = grid
        columns = state.columns
        rows = state.rows
        func item(_ s: StashItem) -> Item { Item(id: s.id, color: s.color.rawValue, name: s.name, level: s.level) }
        cells = state.cells.map { $0.map(item) }
        cursor = state.cursor.map(item)
    }

    /// The class of every cell: the gem colour, or `empty`.
    public var classNames: [String] { cells.map { $0?.color ?? "empty" } }

    public func write(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw CocoaError(
                .fileWriteUnknown,
                userInfo: [
                    NSFilePathErrorKey: path,
                    NSLocalizedDescriptionKey: "\(path): cannot write the truth file (\(error.localizedDescription))",
                ])
        }
    }

    public static func read(path: String) throws -> GameTruth {
        try JSONDecoder().decode(GameTruth.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// A reproducible random set of about `fraction` of `count` cell indices.
    public static func randomCells(fraction: Double, count: Int, seed: UInt64) -> Set<Int> {
        guard fraction > 0 else { return [] }
        var rng = SeededGenerator(seed: seed ^ 0x416C)
        return Set((0..<count).filter { _ in Double(rng.nextUniform()) < fraction })
    }
}
