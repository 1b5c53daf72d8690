import Foundation
import Hummingbird

/// Why a request was refused, as the page shows it: an HTTP status and a message naming what was
/// expected and what was found. Sent as `{"error": {"status": <code>, "message": "..."}}`.
public struct ServeError: HTTPResponseError, LocalizedError, Equatable {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var errorDescription: String? { message }

    static func badRequest(_ message: String) -> ServeError { ServeError(.badRequest, message) }
    static func notFound(_ message: String) -> ServeError { ServeError(.notFound, message) }
    /// Audio that arrived whole but cannot be predicted (not audio, truncated, empty, non-finite...).
    static func unusableAudio(_ message: String) -> ServeError { ServeError(.unprocessableContent, message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONBody.response(ErrorBody(error: .init(status: Int(status.code), message: message)), status: status)
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var status: Int
            var message: String
        }
        var error: Detail
    }
}

/// JSON responses: Codable values with their keys in declaration order.
enum JSONBody {
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data(#"{"error":{"status":500,"message":"response not encodable"}}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error a handler throws into the JSON error body: `ServeError` as it is, Hummingbird's
/// own (`HTTPError`: body too large, unknown route...) with its status, anything else as 500, so the page
/// always gets a message it can show and the server keeps serving.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServeError {
            throw error
        } catch let error as HTTPError {
            throw ServeError(error.status, error.body ?? "\(error.status.code) \(error.status.reasonPhrase)")
        } catch let error as any HTTPResponseError {
            throw ServeError(error.status, "\(error.status.code) \(error.status.reasonPhrase)")
        } catch {
            context.logger.error("\(request.method) \(request.uri.path): \(error)")
            throw ServeError(.internalServerError, (error as? LocalizedError)?.errorDescription ?? "\(error)")
        }
    }
}
