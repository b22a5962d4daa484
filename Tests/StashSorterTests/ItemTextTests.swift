import XCTest
import StashSorter

final class ItemTextTests: XCTestCase {
    let vaalCyclone = """
        Item Class: Skill Gems
        Rarity: Gem
        Vaal Cyclone
        --------
        Vaal, Attack, AoE, Movement, Melee, Channelling
        Level: 20 (Max)
        Quality: +20% (augmented)
        Cost: 4 Mana
        --------
        Requirements:
        Level: 70
        Str: 98
        Dex: 68
        --------
        Channel to repeatedly perform a spinning attack.
        --------
        Experience: 1/1
        """

    func testParsesAGemAndInfersItsColor() throws {
        let item = try ItemText(parsing: vaalCyclone)
        XCTAssertEqual(item.itemClass, "Skill Gems")
        XCTAssertEqual(item.rarity, "Gem")
        XCTAssertEqual(item.name, "Vaal Cyclone")
        XCTAssertEqual(item.tags, ["Vaal", "Attack", "AoE", "Movement", "Melee", "Channelling"])
        XCTAssertEqual(item.level, 20)
        XCTAssertEqual(item.quality, 20)
        XCTAssertEqual(item.requirements, ["Level": 70, "Str": 98, "Dex": 68])
        XCTAssertEqual(item.colorName, "red")
    }

    func testFormattedTextParsesBackToTheSameItem() throws {
        let item = ItemText(
            itemClass: "Support Gems", rarity: "Gem", name: "Added Cold Damage Support", tags: ["Cold", "Support"],
            level: 7, quality: 0, requirements: ["Level": 38, "Dex": 40, "Int": 60])
        XCTAssertEqual(try ItemText(parsing: item.formatted), item)
        XCTAssertEqual(item.colorName, "blue")
    }

    func testNonItemTextIsAClearError() {
        XCTAssertThrowsError(try ItemText(parsing: "hello")) { e in
            XCTAssertTrue("\(e)".contains("no 'Rarity:' line"), "\(e)")
        }
    }
}
