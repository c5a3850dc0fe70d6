/// A ggml tensor element type as stored in GGUF tensor infos, with its block layout
/// (elements per block and bytes per block), which gives a tensor's size without reading it.
public struct GGMLType: Sendable, Hashable, CustomStringConvertible {
    /// The numeric id in the file.
    public let id: UInt32
    /// The ggml name (`F16`, `Q8_0`, …), or `type<N>` for an id this table does not know.
    public let name: String
    /// Elements per block (1 for plain types); 0 when unknown.
    public let blockSize: Int
    /// Bytes per block; 0 when unknown.
    public let typeSize: Int

    /// Whether the size of a tensor of this type can be computed.
    public var isKnown: Bool { blockSize > 0 }

    public var description: String { name }

    /// The type with this id (unknown ids keep their number; their sizes are 0).
    public init(id: UInt32) {
        self.id = id
        if let entry = Self.table[id] {
            (name, blockSize, typeSize) = entry
        } else {
            (name, blockSize, typeSize) = ("type\(id)", 0, 0)
        }
    }

    /// The bytes a tensor with `elements` elements occupies, or nil if the type is unknown or
    /// the element count is not a whole number of blocks.
    public func byteCount(elements: UInt64) -> UInt64? {
        guard isKnown, elements % UInt64(blockSize) == 0 else { return nil }
        let (bytes, overflow) = (elements / UInt64(blockSize)).multipliedReportingOverflow(by: UInt64(typeSize))
        return overflow ? nil : bytes
    }

    /// ggml's type table (ggml.h `ggml_type`, `ggml_type_traits`).
    static let table: [UInt32: (String, Int, Int)] = [
        0: ("F32", 1, 4), 1: ("F16", 1, 2), 2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20),
        6: ("Q5_0", 32, 22), 7: ("Q5_1", 32, 24), 8: ("Q8_0", 32, 34), 9: ("Q8_1", 32, 40),
        10: ("Q2_K", 256, 84), 11: ("Q3_K", 256, 110), 12: ("Q4_K", 256, 144), 13: ("Q5_K", 256, 176),
        14: ("Q6_K", 256, 210), 15: ("Q8_K", 256, 292), 16: ("IQ2_XXS", 256, 66), 17: ("IQ2_XS", 256, 74),
        18: ("IQ3_XXS", 256, 98), 19: ("IQ1_S", 256, 50), 20: ("IQ4_NL", 32, 18), 21: ("IQ3_S", 256, 110),
        22: ("IQ2_S", 256, 82), 23: ("IQ4_XS", 256, 136), 24: ("I8", 1, 1), 25: ("I16", 1, 2),
        26: ("I32", 1, 4), 27: ("I64", 1, 8), 28: ("F64", 1, 8), 29: ("IQ1_M", 256, 56),
        30: ("BF16", 1, 2), 34: ("TQ1_0", 256, 54), 35: ("TQ2_0", 256, 66), 39: ("MXFP4", 32, 17),
        40: ("NVFP4", 64, 36), 41: ("Q1_0", 128, 18),
    ]

    /// `general.file_type` values (llama.h `llama_ftype`) as the names people know.
    public static func fileTypeName(_ value: Int64) -> String? {
        let names: [Int64: String] = [
            0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
            11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M",
            18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S",
            25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M",
            32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
        ]
        return names[value]
    }
}
