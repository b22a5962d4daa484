/// An item as Path of Exile describes it in the text it copies to the clipboard on Ctrl+C.
///
/// ```
/// Item Class: Skill Gems
/// Rarity: Gem
/// Vaal Cyclone
/// --------
/// Vaal, Attack, AoE, Movement, Melee, Channelling
/// Level: 20 (Max)
/// Quality: +20% (augmented)
/// --------
/// Requirements:
/// Level: 70
/// Str: 98
/// Dex: 68
/// ```
public struct ItemText: Equatable, Sendable {
    public var itemClass: String?
    public var rarity: String
    public var name: String
    public var tags: [String]
    /// Gem level (from `Level:` in the first property block, not the requirement).
    public var level: Int?
    /// Quality in percent.
    public var quality: Int
    /// Attribute and level requirements (`Level`, `Str`, `Dex`, `Int`).
    public var requirements: [String: Int]

    /// The gem colour implied by the highest attribute requirement: Str red, Dex green, Int blue
    /// (nil when the text has no attribute requirement, e.g. white gems).
    public var colorName: String? {
        let attrs = [("Str", "red"), ("Dex", "green"), ("Int", "blue")].compactMap { k, c in
            requirements[k].map { (c, $0) }
        }
        return attrs.max { $0.1 < $1.1 }?.0
    }

    public init(
        itemClass: String?, rarity: String, name: String, tags: [String], level: Int?, quality: Int,
        requirements: [String: Int]
    ) {
        self.itemClass = itemClass
        self.rarity = rarity
        self.name = name
        self.tags = tags
        self.level = level
        self.quality = quality
        self.requirements = requirements
    }

    /// Parses clipboard text. Throws when it is not an item's text (no `Rarity:` line or no name).
    public init(parsing text: String) throws {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.trimmingCharacters(in: [" ", "\r", "\t"]) }
        let blocks = lines.split(separator: "--------", omittingEmptySubsequences: true).map(Array.init)
        guard let head = blocks.first, let rarityLine = head.firstIndex(where: { $0.hasPrefix("Rarity: ") }) else {
            throw StashSorterError.notAnItem(text: text)
        }
        itemClass = head.first(where: { $0.hasPrefix("Item Class: ") }).map {
            String($0.dropFirst("Item Class: ".count))
        }
        rarity = String(head[rarityLine].dropFirst("Rarity: ".count))
        let names = head[(rarityLine + 1)...].filter { !$0.isEmpty }
        guard !names.isEmpty else { throw StashSorterError.itemHasNoName(rarity: rarity) }
        name = names.joined(separator: " ")
        tags = []
        level = nil
        quality = 0
        requirements = [:]
        for (bi, block) in blocks.dropFirst().enumerated() {
            if block.first == "Requirements:" {
                for line in block.dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if parts.count == 2, let v = Int(parts[1].prefix { $0.isNumber }) { requirements[parts[0]] = v }
                }
                continue
            }
            for line in block {
                if line.hasPrefix("Level: "), level == nil {
                    level = Int(line.dropFirst(7).prefix { $0.isNumber })
                } else if line.hasPrefix("Quality: ") {
                    quality = Int(line.dropFirst(9).filter { $0.isNumber }.prefix(3)) ?? 0
                } else if bi == 0, tags.isEmpty,
                    line.contains(",") || (!line.contains(":") && block.count > 1 && line == block.first)
                {
                    tags = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                }
            }
        }
    }

    /// The text in the game's format (what the stash arena puts on the clipboard).
    public var formatted: String {
        var s = ""
        if let itemClass { s += "Item Class: \(itemClass)\n" }
        s += "Rarity: \(rarity)\n\(name)\n--------\n"
        if !tags.isEmpty { s += tags.joined(separator: ", ") + "\n" }
        if let level { s += "Level: \(level)\(level >= 20 ? " (Max)" : "")\n" }
        if quality > 0 { s += "Quality: +\(quality)% (augmented)\n" }
        if !requirements.isEmpty {
            s += "--------\nRequirements:\n"
            for k in ["Level", "Str", "Dex", "Int"] { if let v = requirements[k] { s += "\(k): \(v)\n" } }
        }
        return s
    }
}
