import Imaging
import XCTest

final class MedianTests: XCTestCase {
    func testMiddleValueMeanOfTheTwoMiddleOnesOrNaN() {
        XCTAssertEqual([3.0, 1, 2].median, 2)
        XCTAssertEqual([4.0, 1, 3, 2].median, 2.5)
        XCTAssertEqual([Float(7)].median, 7)
        XCTAssertTrue([Double]().median.isNaN)
    }
}
