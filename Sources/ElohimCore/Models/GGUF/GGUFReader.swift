/// Reads a GGUF file's header, metadata and tensor infos with hard bounds: every count and
/// length is checked against the configured caps and against the bytes actually left in the
/// file before anything is allocated, so a truncated or hostile file is a `GGUFError`, never a
/// crash or a huge allocation. The weights are never read.
public struct GGUFReader: Sendable {
    /// The caps. Defaults fit every real model with room to spare.
    public struct Configuration: Sendable {
        /// At most this many tensors (real models: a few thousand).
        public var maxTensorCount: UInt64 = 65_536
        /// At most this many metadata entries.
        public var maxMetadataCount: UInt64 = 65_536
        /// Longest metadata key or tensor name, in bytes (the format's own limit is 65 535).
        public var maxKeyLength: UInt64 = 65_535
        /// Longest string value (chat templates run to tens of KB).
        public var maxStringLength: UInt64 = 4 << 20
        /// Longest array (vocabularies run to a few hundred thousand tokens).
        public var maxArrayLength: UInt64 = 16 << 20
        /// Deepest nesting of arrays in arrays.
        public var maxArrayDepth: Int = 4
        /// At most this many bytes of metadata in all (header to the end of the tensor infos).
        public var maxMetadataBytes: UInt64 = 256 << 20
        /// Arrays up to this length keep their elements; longer ones keep type and count only.
        public var keptArrayElements: UInt64 = 4096
        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Reads the file at `path`.
    public func read(path: String) throws(GGUFError) -> GGUFFile {
        let source = try GGUFFileSource(path: path)
        do {
            return try read(source)
        } catch {
            throw error.at(path: path)
        }
    }

    /// Reads from any source.
    public func read(_ source: some GGUFSource) throws(GGUFError) -> GGUFFile {
        var cursor = Cursor(source: source, limit: configuration.maxMetadataBytes)
        guard source.size >= 4 else {
            throw GGUFError(.badMagic, at: 0, "the file has \(source.size) bytes, too few to be GGUF")
        }
        let magic = try cursor.bytes(4)
        guard magic == Array("GGUF".utf8) else {
            throw GGUFError(.badMagic, at: 0, "the file does not start with GGUF (found \(hex(magic)))")
        }
        let version = try cursor.u32()
        guard version == 2 || version == 3 else {
            if version == 1 {
                throw GGUFError(.unsupportedVersion, at: 4, "GGUF version 1 is obsolete; re-convert the model")
            }
            if version.byteSwapped == 2 || version.byteSwapped == 3 {
                throw GGUFError(.unsupportedVersion, at: 4, "big-endian GGUF files are not supported")
            }
            throw GGUFError(.unsupportedVersion, at: 4, "unknown GGUF version \(version)")
        }
        let tensorCount = try cursor.u64()
        try check(tensorCount, max: configuration.maxTensorCount, "tensor count", at: 8, cursor: cursor, minBytes: 24)
        let kvCount = try cursor.u64()
        try check(kvCount, max: configuration.maxMetadataCount, "metadata count", at: 16, cursor: cursor, minBytes: 13)

        var metadata: [(key: String, value: GGUFValue)] = []
        var keys = Set<String>()
        for _ in 0..<kvCount {
            let at = cursor.position
            let key = try string(&cursor, max: configuration.maxKeyLength, what: "metadata key", strict: true)
            guard keys.insert(key).inserted else {
                throw GGUFError(.invalidValue, at: at, "the metadata key \(key) appears twice")
            }
            let type = try cursor.u32()
            let value = try self.value(&cursor, type: type, depth: 0, key: key)
            metadata.append((key, value))
        }

        var alignment: UInt64 = 32
        if let entry = metadata.first(where: { $0.key == "general.alignment" }) {
            guard case .uint32(let value) = entry.value, value > 0, value & (value - 1) == 0, value <= 1 << 20 else {
                throw GGUFError(.invalidValue, at: 24, "general.alignment must be a power of two (UInt32) up to 1 MiB")
            }
            alignment = UInt64(value)
        }

        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(Int(tensorCount))
        var names = Set<String>()
        for _ in 0..<tensorCount {
            let at = cursor.position
            let name = try string(&cursor, max: configuration.maxKeyLength, what: "tensor name", strict: true)
            guard names.insert(name).inserted else {
                throw GGUFError(.invalidTensor, at: at, "the tensor \(name) appears twice")
            }
            let nDims = try cursor.u32()
            guard (1...4).contains(nDims) else {
                throw GGUFError(.invalidTensor, at: cursor.position - 4, "tensor \(name) has \(nDims) dimensions (1 to 4 allowed)")
            }
            var dims: [UInt64] = []
            var elements: UInt64 = 1
            for _ in 0..<nDims {
                let dim = try cursor.u64()
                let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
                guard dim > 0, !overflow, product <= 1 << 48 else {
                    throw GGUFError(.invalidTensor, at: cursor.position - 8, "tensor \(name) has an impossible dimension \(dim)")
                }
                dims.append(dim)
                elements = product
            }
            let typeAt = cursor.position
            let type = GGMLType(id: try cursor.u32())
            guard type.isKnown else {
                throw GGUFError(.invalidTensor, at: typeAt, "tensor \(name) has unknown type \(type.id)")
            }
            guard let bytes = type.byteCount(elements: elements) else {
                throw GGUFError(.invalidTensor, at: typeAt, "tensor \(name) (\(type)) has \(elements) elements, not a whole number of \(type.blockSize)-element blocks")
            }
            let offset = try cursor.u64()
            guard offset % alignment == 0 else {
                throw GGUFError(.invalidTensor, at: cursor.position - 8, "tensor \(name)'s offset \(offset) is not a multiple of the alignment \(alignment)")
            }
            tensors.append(GGUFTensorInfo(name: name, dimensions: dims, type: type, offset: offset, elementCount: elements, byteCount: bytes))
        }

        let headerEnd = cursor.position
        let dataOffset = (headerEnd + alignment - 1) / alignment * alignment
        for tensor in tensors {
            let (end, overflow) = (dataOffset + tensor.offset).addingReportingOverflow(tensor.byteCount)
            guard !overflow, end <= source.size else {
                throw GGUFError(.truncated, at: source.size, "tensor \(tensor.name)'s data ends past the end of the file (\(source.size) bytes); the file is incomplete")
            }
        }
        return GGUFFile(version: version, metadata: metadata, tensors: tensors, alignment: alignment, dataOffset: dataOffset, fileSize: source.size)
    }

    /// Refuses a count over its cap, or one the rest of the file cannot hold at `minBytes` each.
    private func check(_ count: UInt64, max: UInt64, _ what: String, at: UInt64, cursor: Cursor<some GGUFSource>, minBytes: UInt64) throws(GGUFError) {
        guard count <= max else {
            throw GGUFError(.limitExceeded, at: at, "the \(what) \(count) is over the limit of \(max)")
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: minBytes)
        guard !overflow, needed <= cursor.remaining else {
            throw GGUFError(.truncated, at: at, "the \(what) \(count) cannot fit in the \(cursor.remaining) bytes left in the file")
        }
    }

    private func string(_ cursor: inout Cursor<some GGUFSource>, max: UInt64, what: String, strict: Bool) throws(GGUFError) -> String {
        let at = cursor.position
        let length = try cursor.u64()
        guard length <= max else {
            throw GGUFError(.limitExceeded, at: at, "a \(what) claims \(length) bytes, over the limit of \(max)")
        }
        let bytes = try cursor.bytes(length)
        if strict {
            guard let text = String(validating: bytes, as: UTF8.self), !text.isEmpty else {
                throw GGUFError(.invalidValue, at: at, "a \(what) is empty or not valid UTF-8")
            }
            return text
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let fixedSizes: [UInt32: UInt64] = [0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8]

    private func value(_ cursor: inout Cursor<some GGUFSource>, type: UInt32, depth: Int, key: String) throws(GGUFError) -> GGUFValue {
        let at = cursor.position
        switch type {
        case 0: return .uint8(try cursor.u8())
        case 1: return .int8(Int8(bitPattern: try cursor.u8()))
        case 2: return .uint16(UInt16(try cursor.le(2)))
        case 3: return .int16(Int16(bitPattern: UInt16(try cursor.le(2))))
        case 4: return .uint32(try cursor.u32())
        case 5: return .int32(Int32(bitPattern: try cursor.u32()))
        case 6: return .float32(Float(bitPattern: try cursor.u32()))
        case 7:
            let byte = try cursor.u8()
            guard byte <= 1 else { throw GGUFError(.invalidValue, at: at, "\(key): a boolean is \(byte), not 0 or 1") }
            return .bool(byte == 1)
        case 8: return .string(try string(&cursor, max: configuration.maxStringLength, what: "string value of \(key)", strict: false))
        case 10: return .uint64(try cursor.u64())
        case 11: return .int64(Int64(bitPattern: try cursor.u64()))
        case 12: return .float64(Double(bitPattern: try cursor.u64()))
        case 9:
            guard depth < configuration.maxArrayDepth else {
                throw GGUFError(.limitExceeded, at: at, "\(key): arrays nested deeper than \(configuration.maxArrayDepth)")
            }
            let elementType = try cursor.u32()
            guard elementType <= 12 else {
                throw GGUFError(.invalidValue, at: at, "\(key): unknown array element type \(elementType)")
            }
            let count = try cursor.u64()
            let minBytes = Self.fixedSizes[elementType] ?? (elementType == 8 ? 8 : 12)
            try check(count, max: configuration.maxArrayLength, "length of the array \(key)", at: at + 4, cursor: cursor, minBytes: minBytes)
            var elements: [GGUFValue] = []
            if count <= configuration.keptArrayElements {
                elements.reserveCapacity(Int(count))
                for _ in 0..<count { elements.append(try value(&cursor, type: elementType, depth: depth + 1, key: key)) }
            } else if let size = Self.fixedSizes[elementType] {
                try cursor.skip(count * size)
            } else {
                for _ in 0..<count { _ = try value(&cursor, type: elementType, depth: depth + 1, key: key) }
            }
            return .array(GGUFArray(elementType: elementType, count: count, elements: elements))
        default:
            throw GGUFError(.invalidValue, at: at - 4, "\(key) has unknown value type \(type)")
        }
    }
}

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: " ")
}

/// A forward-only, buffered position in a source that never reads past `limit` bytes.
struct Cursor<Source: GGUFSource> {
    let source: Source
    let limit: UInt64
    private(set) var position: UInt64 = 0
    private var buffer: [UInt8] = []
    private var bufferStart: UInt64 = 0
    private static var chunk: Int { 64 * 1024 }

    init(source: Source, limit: UInt64) {
        self.source = source
        self.limit = limit
    }

    var remaining: UInt64 { source.size > position ? source.size - position : 0 }

    /// Makes sure `count` bytes at `position` exist and may be read.
    private func require(_ count: UInt64) throws(GGUFError) {
        guard count <= remaining else {
            throw GGUFError(.truncated, at: position, "the file ends after \(source.size) bytes, \(count) more were expected")
        }
        guard position + count <= limit else {
            throw GGUFError(.limitExceeded, at: position, "the metadata runs past the limit of \(limit) bytes")
        }
    }

    mutating func skip(_ count: UInt64) throws(GGUFError) {
        try require(count)
        position += count
    }

    mutating func bytes(_ count: UInt64) throws(GGUFError) -> [UInt8] {
        try require(count)
        let n = Int(count)
        let end = bufferStart + UInt64(buffer.count)
        if position < bufferStart || position + count > end {
            buffer = try source.read(at: position, count: max(n, Self.chunk))
            bufferStart = position
            guard buffer.count >= n else {
                throw GGUFError(.truncated, at: position, "the file is shorter than it claimed")
            }
        }
        let start = Int(position - bufferStart)
        position += count
        return Array(buffer[start..<start + n])
    }

    mutating func u8() throws(GGUFError) -> UInt8 { try bytes(1)[0] }

    mutating func le(_ width: UInt64) throws(GGUFError) -> UInt64 {
        let raw = try bytes(width)
        var value: UInt64 = 0
        for (index, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
        return value
    }

    mutating func u32() throws(GGUFError) -> UInt32 { UInt32(try le(4)) }
    mutating func u64() throws(GGUFError) -> UInt64 { try le(8) }
}
