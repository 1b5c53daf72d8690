import Foundation
import SERCore

/// SERCore's SHA-256 under a name no other module declares, so files here never see two `SHA256` types.
enum SHA256Bridge {
    static func hex(ofFile url: URL) throws -> String { try SERCore.SHA256.hex(ofFile: url) }
}
