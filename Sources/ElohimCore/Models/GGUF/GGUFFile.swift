/// What a GGUF file says about itself: header, metadata and tensor infos — never the weights.
public struct GGUFFile: Sendable {
    /// The format version (2 or 3).
    public var version: UInt32
    /// Metadata in file order.
    public var metadata: [(key: String, value: GGUFValue)]
    /// Tensor infos in file order.
    public var tensors: [GGUFTensorInfo]
    /// `general.alignment`, or 32.
    public var alignment: UInt64
    /// Where the tensor data section starts.
    public var dataOffset: UInt64
    /// The file's size in bytes.
    public var fileSize: UInt64

    /// The value of a metadata key.
    public subscript(key: String) -> GGUFValue? {
        metadata.first { $0.key == key }?.value
    }

    /// The sum of all tensors' sizes: what the weights occupy once loaded.
    public var tensorBytes: UInt64 { tensors.reduce(0) { $0 + $1.byteCount } }

    /// The number of weights.
    public var parameterCount: UInt64 { tensors.reduce(0) { $0 + $1.elementCount } }
}

/// One tensor's description.
public struct GGUFTensorInfo: Sendable, Equatable {
    public var name: String
    /// Dimensions, innermost first (as stored).
    public var dimensions: [UInt64]
    public var type: GGMLType
    /// Offset of the data relative to the start of the data section.
    public var offset: UInt64
    /// The product of the dimensions.
    public var elementCount: UInt64
    /// The size of the data.
    public var byteCount: UInt64
}

/// A metadata value. Arrays longer than the reader's `keptArrayElements` keep only their
/// element type and count (a tokenizer's 150 000 tokens are not needed to describe a model).
public indirect enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    case array(GGUFArray)

    /// The value as an integer, when it is one (any width) and fits.
    public var integer: Int64? {
        switch self {
        case .uint8(let v): return Int64(v)
        case .int8(let v): return Int64(v)
        case .uint16(let v): return Int64(v)
        case .int16(let v): return Int64(v)
        case .uint32(let v): return Int64(v)
        case .int32(let v): return Int64(v)
        case .uint64(let v): return Int64(exactly: v)
        case .int64(let v): return v
        default: return nil
        }
    }

    /// The value as a floating-point number, when it is numeric.
    public var double: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        default: return integer.map(Double.init)
        }
    }

    public var string: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    public var array: GGUFArray? {
        if case .array(let v) = self { return v }
        return nil
    }
}

/// An array value: its element type, its length, and its elements when kept.
public struct GGUFArray: Sendable, Equatable {
    /// The GGUF value type id of the elements (8 = string, 9 = array, …).
    public var elementType: UInt32
    public var count: UInt64
    /// All elements, or none when the array was longer than the reader keeps.
    public var elements: [GGUFValue]
    public var isComplete: Bool { UInt64(elements.count) == count }
}
