import Testing
import SERCore

@Suite struct EditDistanceTests {
    @Test(arguments: [
        ("kitten", "sitting", 3),
        ("", "abc", 3),
        ("abc", "", 3),
        ("", "", 0),
        ("hopLength", "hopLength", 0),
        ("hopLenght", "hopLength", 2),
        ("flaw", "lawn", 2),
    ])
    func knownDistances(a: String, b: String, distance: Int) {
        #expect(editDistance(a, b) == distance)
        #expect(editDistance(b, a) == distance)
    }

    @Test func ignoresCase() {
        #expect(editDistance("HopLength", "hoplength") == 0)
        #expect(editDistance("MFCC", "mfc") == 1)
    }
}
