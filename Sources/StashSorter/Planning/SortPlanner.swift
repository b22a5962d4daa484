/// Plans the fewest clicks that rearrange a stash into a target arrangement, using the game's
/// cursor rules: a click on an item with an empty cursor picks it up, a click on an empty cell
/// puts the held item down, a click on an item while holding one swaps them.
///
/// Items with equal keys are interchangeable. Every misplaced item must be put down at least once,
/// and every pick-up that does not come from a swap costs one more click. Seen as a multigraph
/// whose nodes are item keys plus "empty" and whose edges are the wrong cells (from the key the
/// cell wants to the key it has), every connected part that touches "empty" is walked in
/// chains that each end by filling an empty cell (one click per edge), and every other part is one
/// closed swap cycle that needs one extra click. An Euler circuit per part (Hierholzer) reaches
/// that bound, so the plan is optimal; among the choices it makes, it takes the nearest cell next
/// to keep mouse travel short.
public enum SortPlanner {
    /// A wrong cell: the key it wants (`from`) and the key it has (`to`); 0 is "empty".
    struct Edge {
        let cell: Int
        let from: Int
        let to: Int
    }

    /// A plan from `current` to `target` (same cells, same multiset of items).
    public static func plan<Item: Hashable & Sendable>(
        from current: StashGrid<Item>, to target: [Item?]
    ) throws -> SortPlan<Item> {
        guard target.count == current.cells.count else {
            throw StashSorterError.targetSize(target: target.count, grid: current.cells.count)
        }
        var have: [Item: Int] = [:]
        var want: [Item: Int] = [:]
        for x in current.cells.compactMap({ $0 }) { have[x, default: 0] += 1 }
        for x in target.compactMap({ $0 }) { want[x, default: 0] += 1 }
        guard have == want else { throw StashSorterError.targetItemsDiffer }

        // Nodes: 0 = empty, 1... = item keys.
        var nodeOf: [Item: Int] = [:]
        var keys: [Item] = []
        func node(_ x: Item?) -> Int {
            guard let x else { return 0 }
            if let n = nodeOf[x] { return n }
            keys.append(x)
            nodeOf[x] = keys.count
            return keys.count
        }
        var edges: [Edge] = []
        for i in 0..<target.count where current.cells[i] != target[i] {
            edges.append(Edge(cell: i, from: node(target[i]), to: node(current.cells[i])))
        }
        let nodeCount = keys.count + 1
        var out = [[Int]](repeating: [], count: nodeCount)
        for (k, e) in edges.enumerated() { out[e.from].append(k) }
        var used = [Bool](repeating: false, count: edges.count)
        func pos(_ cell: Int) -> GridCell { current.cell(at: cell) }

        /// Hierholzer from `start`, choosing the nearest unused edge at each step.
        func circuit(from start: Int, near: GridCell) -> [Int] {
            var stack: [(node: Int, edge: Int?)] = [(start, nil)]
            var result: [Int] = []
            var here = near
            while let top = stack.last {
                var best: Int? = nil
                var bestD = Double.infinity
                for k in out[top.node] where !used[k] {
                    let d = pos(edges[k].cell).distance(to: here)
                    if d < bestD {
                        bestD = d
                        best = k
                    }
                }
                if let k = best {
                    used[k] = true
                    here = pos(edges[k].cell)
                    stack.append((edges[k].to, k))
                } else {
                    stack.removeLast()
                    if let e = top.edge { result.append(e) }
                }
            }
            return result.reversed()
        }

        var clicks: [PlannedClick<Item>] = []
        var mouse = GridCell(column: 0, row: 0)
        var state = current.cells
        var cursor: Item? = nil
        func click(_ cell: Int) {
            let before = state[cell]
            state[cell] = cursor
            cursor = before
            clicks.append(PlannedClick(cell: pos(cell), cellAfter: state[cell], cursorAfter: cursor))
            mouse = pos(cell)
        }
        var closedCycles = 0
        // Parts touching "empty": chains from a cell to vacate to an empty cell to fill.
        while out[0].contains(where: { !used[$0] }) {
            for k in circuit(from: 0, near: mouse) { click(edges[k].cell) }
        }
        // Remaining parts: closed swap cycles, started at the cell nearest the mouse.
        while let first = (0..<edges.count).filter({ !used[$0] }).min(by: {
            pos(edges[$0].cell).distance(to: mouse) < pos(edges[$1].cell).distance(to: mouse)
        }) {
            // Start the circuit where the nearest edge's key is held: rotate so that the pick-up
            // cell (the circuit's last edge) is that nearest cell.
            let c = circuit(from: edges[first].to, near: mouse)
            closedCycles += 1
            guard let last = c.last else { continue }
            click(edges[last].cell)  // pick up
            for k in c.dropLast() { click(edges[k].cell) }  // swaps
            click(edges[last].cell)  // put down in the emptied cell
        }
        var travel = 0.0
        for (a, b) in zip(clicks, clicks.dropFirst()) { travel += a.cell.distance(to: b.cell) }
        assert(state == target && cursor == nil, "planner did not reach the target")
        return SortPlan(
            clicks: clicks, lowerBound: edges.count + closedCycles,
            misplacedCount: edges.filter { $0.to != 0 }.count, target: target, travel: travel)
    }
}
