import ElohimCore
import ElohimProtocol
import Logging
import Synchronization

/// Turns one frame's payload into the payload to answer with: parses JSON-RPC, handles
/// batches and notifications, checks access, runs the handler, maps errors to codes.
///
/// This is the only place that knows JSON-RPC error codes for domain errors.
public final class Dispatcher: Sendable {
    /// The most requests one batch may carry.
    public static let maximumBatch = 1000

    public let methods: MethodTable
    let policy: any AccessPolicy
    let logger: Logger
    private let served = Atomic<Int64>(0)

    public init(methods: MethodTable, policy: any AccessPolicy, logger: Logger) {
        self.methods = methods
        self.policy = policy
        self.logger = logger
    }

    /// Requests answered so far (notifications included).
    public var requestsServed: Int64 { served.load(ordering: .relaxed) }

    /// Handles one frame payload. Returns the response payload, or `nil` when nothing is owed
    /// (a notification, or a batch of notifications only).
    public func handle(frame payload: [UInt8], context: RequestContext) async -> [UInt8]? {
        let document: JSONValue
        do {
            document = try JSONParser.parse(payload)
        } catch {
            return RPCResponse.failure(id: .null, error: .parseError(error.description))
        }
        switch document {
        case .array(let elements):
            guard !elements.isEmpty else {
                return RPCResponse.failure(id: .null, error: .invalidRequest("empty batch"))
            }
            guard elements.count <= Self.maximumBatch else {
                return RPCResponse.failure(
                    id: .null, error: .invalidRequest("batch of \(elements.count) requests exceeds the limit of \(Self.maximumBatch)"))
            }
            var responses: [[UInt8]] = []
            for element in elements {
                if let response = await handle(element: element, context: context) { responses.append(response) }
            }
            return responses.isEmpty ? nil : RPCResponse.batch(responses)
        default:
            return await handle(element: document, context: context)
        }
    }

    private func handle(element: JSONValue, context: RequestContext) async -> [UInt8]? {
        served.add(1, ordering: .relaxed)
        switch RPCRequest.validate(element) {
        case .failure(let rejection):
            return RPCResponse.failure(id: rejection.id, error: rejection.error)
        case .success(let request):
            let outcome = await run(request, context: context)
            guard let id = request.id else { return nil }
            switch outcome {
            case .success(let result): return RPCResponse.success(id: id, encodedResult: result)
            case .failure(let error): return RPCResponse.failure(id: id, error: error)
            }
        }
    }

    private func run(_ request: RPCRequest, context: RequestContext) async -> Result<[UInt8], RPCError> {
        guard let entry = methods[request.method] else {
            return .failure(.methodNotFound(request.method))
        }
        do {
            try await policy.authorize(entry.access, method: entry.name, context: context)
            return .success(try await entry.invoke(context, request.params))
        } catch let error as RPCError {
            return .failure(error)
        } catch let error as any FieldInputError {
            return .failure(.invalidParams(error.message, field: error.field))
        } catch let error as any DomainError {
            return .failure(.application(error.reason, error.message, detail: error.detail))
        } catch {
            // A full disk (or a data directory gone read-only) under any area is the user's to fix.
            if let storage = StorageError.classify(error) {
                context.logger.warning("storage refused a write", metadata: ["method": "\(request.method)", "error": "\(error)"])
                return .failure(.application(storage.reason, storage.message, detail: storage.detail))
            }
            let reference = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            context.logger.error(
                "method failed",
                metadata: ["method": "\(request.method)", "error": "\(error)", "reference": "\(reference)"]
            )
            return .failure(.internalError(reference: reference))
        }
    }
}
