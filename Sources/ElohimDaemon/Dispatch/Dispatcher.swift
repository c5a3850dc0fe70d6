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

    /// What `triage` made of a frame.
    public enum Triage: Sendable {
        /// Answered on the calling thread (`nil`: nothing is owed).
        case answered([UInt8]?)
        /// A valid request for a method whose handler may suspend, or for no method: for
        /// `handle(request:context:)`.
        case needsTaskForRequest(RPCRequest)
        /// The parsed frame, for `handle(document:context:)`: a batch, or a request read in full
        /// because it was unusual (see `JSONParser.requestMembers`) and invalid.
        case needsTask(JSONValue)
    }

    /// Answers a frame on the calling thread when that needs no task: a parse error, an invalid
    /// request, or a single call of a method whose handler never suspends (`invokeNow`), which
    /// is what status bars and scripts mostly send. Batches and requests whose handlers await
    /// (or that name no method) are left to a task.
    public func triage(frame payload: [UInt8], context: RequestContext) -> Triage {
        let request: RPCRequest
        if let members = JSONParser.requestMembers(payload) {
            switch RPCRequest.validate(members) {
            case .success(let valid):
                request = valid
            case .failure(let rejection):
                return .answered(answer(rejection))
            }
        } else {
            let document: JSONValue
            do {
                document = try JSONParser.parse(payload)
            } catch {
                return .answered(RPCResponse.failure(id: .null, error: .parseError(error.description)))
            }
            guard case .object = document, case .success(let valid) = RPCRequest.validate(document) else {
                return .needsTask(document)
            }
            request = valid
        }
        guard let entry = methods[request.method], let invokeNow = entry.invokeNow else {
            return .needsTaskForRequest(request)
        }
        served.add(1, ordering: .relaxed)
        // The result is written straight after the envelope's head; a notification's is dropped.
        var output: [UInt8] = []
        output.reserveCapacity(512)  // a daemon.status response in one allocation
        RPCResponse.beginSuccess(id: request.id ?? .null, into: &output)
        do {
            try policy.authorize(entry.access, method: entry.name, context: context)
            try invokeNow(context, request.params, &output)
        } catch {
            return .answered(response(to: request, .failure(rpcError(for: error, method: request.method, context: context))))
        }
        guard request.id != nil else { return .answered(nil) }
        RPCResponse.endSuccess(into: &output)
        return .answered(output)
    }

    /// Handles one frame payload. Returns the response payload, or `nil` when nothing is owed
    /// (a notification, or a batch of notifications only).
    nonisolated(nonsending) public func handle(frame payload: [UInt8], context: RequestContext) async -> [UInt8]? {
        switch triage(frame: payload, context: context) {
        case .answered(let response): return response
        case .needsTaskForRequest(let request): return await handle(request: request, context: context)
        case .needsTask(let document): return await handle(document: document, context: context)
        }
    }

    /// Handles a parsed frame: one request, or a batch.
    nonisolated(nonsending) public func handle(document: JSONValue, context: RequestContext) async -> [UInt8]? {
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

    /// Handles one valid request (not part of a batch).
    nonisolated(nonsending) public func handle(request: RPCRequest, context: RequestContext) async -> [UInt8]? {
        served.add(1, ordering: .relaxed)
        return response(to: request, await run(request, context: context))
    }

    nonisolated(nonsending) private func handle(element: JSONValue, context: RequestContext) async -> [UInt8]? {
        switch RPCRequest.validate(element) {
        case .failure(let rejection):
            return answer(rejection)
        case .success(let request):
            return await handle(request: request, context: context)
        }
    }

    /// An invalid request is counted as served and always answered, notification or not.
    private func answer(_ rejection: RPCRequest.Rejection) -> [UInt8] {
        served.add(1, ordering: .relaxed)
        return RPCResponse.failure(id: rejection.id, error: rejection.error)
    }

    /// The response a request is owed: none for a notification.
    private func response(to request: RPCRequest, _ outcome: Result<[UInt8], RPCError>) -> [UInt8]? {
        guard let id = request.id else { return nil }
        switch outcome {
        case .success(let result): return RPCResponse.success(id: id, encodedResult: result)
        case .failure(let error): return RPCResponse.failure(id: id, error: error)
        }
    }

    nonisolated(nonsending) private func run(_ request: RPCRequest, context: RequestContext) async -> Result<[UInt8], RPCError> {
        guard let entry = methods[request.method] else {
            return .failure(.methodNotFound(request.method))
        }
        do {
            try policy.authorize(entry.access, method: entry.name, context: context)
            return .success(try await entry.invoke(context, request.params))
        } catch {
            return .failure(rpcError(for: error, method: request.method, context: context))
        }
    }

    /// The JSON-RPC error a handler's (or the access check's) error becomes.
    private func rpcError(for error: any Error, method: String, context: RequestContext) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case let error as any FieldInputError:
            return .invalidParams(error.message, field: error.field)
        case let error as any DomainError:
            return .application(error.reason, error.message, detail: error.detail)
        default:
            // A full disk (or a data directory gone read-only) under any area is the user's to fix.
            if let storage = StorageError.classify(error) {
                context.logger.warning("storage refused a write", metadata: ["method": "\(method)", "error": "\(error)"])
                return .application(storage.reason, storage.message, detail: storage.detail)
            }
            let reference = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            context.logger.error(
                "method failed",
                metadata: ["method": "\(method)", "error": "\(error)", "reference": "\(reference)"]
            )
            return .internalError(reference: reference)
        }
    }
}
