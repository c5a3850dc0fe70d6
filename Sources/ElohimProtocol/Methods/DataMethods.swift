/// `data.*`: the caller's datasets — CSV and SQLite files imported into their own database files.
public enum DataMethods {
    static let infoSchema = Schema.object([
        "name": Schema.string, "kind": Schema.oneOf(["csv", "sqlite"]), "source": Schema.string,
        "imported_at": Schema.string, "tables": Schema.integer, "rows": Schema.integer, "bytes": Schema.integer,
    ])

    public static let importFile = MethodSpec<DataImportParams, DatasetInfo>(
        "data.import",
        summary: "Import a CSV (header row, types inferred) or SQLite file the caller can read into a dataset; all or nothing, a bad row is named by line.",
        access: .permission("engine.query"), result: infoSchema)

    public static let list = MethodSpec<NoParams, DataListResult>(
        "data.list", summary: "The caller's datasets.", access: .permission("engine.query"),
        result: Schema.object(["datasets": Schema.array(infoSchema)]))

    public static let describe = MethodSpec<DataNameParams, DatasetDescription>(
        "data.describe", summary: "A dataset's tables, their columns (name, type) and row counts.",
        access: .permission("engine.query"),
        result: Schema.object(["dataset": infoSchema, "tables": Schema.array(["type": "object"])]))

    public static let drop = MethodSpec<DataNameParams, DatasetInfo>(
        "data.drop", summary: "Delete one of the caller's datasets and its file.", access: .permission("engine.query"),
        result: infoSchema)
}

public struct DataImportParams: RPCParams {
    public var path: String
    public var name: String?
    public var replace: Bool?
    public var delimiter: String?
    public var progressId: String?

    public init(path: String, name: String? = nil, replace: Bool? = nil, delimiter: String? = nil, progressId: String? = nil) {
        self.path = path
        self.name = name
        self.replace = replace
        self.delimiter = delimiter
        self.progressId = progressId
    }

    public static let fields = [
        ParamField("path", Schema.string, required: true, summary: "Absolute path of a CSV or SQLite file the caller can read."),
        ParamField("name", Schema.string, summary: "Dataset name (letters, digits, _; default: from the file name). A CSV becomes one table of this name."),
        ParamField("replace", Schema.boolean, summary: "Replace a dataset of the same name (default false: conflict)."),
        ParamField("delimiter", Schema.string, summary: "CSV field separator, one character (default ',', or tab for .tsv)."),
        ParamField("progress_id", Schema.string, summary: "Tag for this import's `data.import_progress` events on topic `data`."),
    ]
}

public struct DataNameParams: RPCParams {
    public var name: String
    public init(name: String) { self.name = name }
    public static let fields = [ParamField("name", Schema.string, required: true, summary: "The dataset.")]
}

/// One dataset.
public struct DatasetInfo: Codable, Sendable, Equatable {
    public var name: String
    /// `csv` or `sqlite`: what it was imported from.
    public var kind: String
    public var source: String
    public var importedAt: String
    public var tables: Int
    public var rows: Int64
    public var bytes: Int64

    public init(name: String, kind: String, source: String, importedAt: String, tables: Int, rows: Int64, bytes: Int64) {
        self.name = name
        self.kind = kind
        self.source = source
        self.importedAt = importedAt
        self.tables = tables
        self.rows = rows
        self.bytes = bytes
    }
}

public struct DataListResult: Codable, Sendable, Equatable {
    public var datasets: [DatasetInfo]
    public init(datasets: [DatasetInfo]) { self.datasets = datasets }
}

public struct DatasetColumn: Codable, Sendable, Equatable {
    public var name: String
    public var type: String
    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

public struct DatasetTable: Codable, Sendable, Equatable {
    public var name: String
    public var rows: Int64
    public var columns: [DatasetColumn]
    public init(name: String, rows: Int64, columns: [DatasetColumn]) {
        self.name = name
        self.rows = rows
        self.columns = columns
    }
}

public struct DatasetDescription: Codable, Sendable, Equatable {
    public var dataset: DatasetInfo
    public var tables: [DatasetTable]
    public init(dataset: DatasetInfo, tables: [DatasetTable]) {
        self.dataset = dataset
        self.tables = tables
    }
}

/// The data of a `data.import_progress` event on topic `data`.
public struct DataImportProgress: Codable, Sendable, Equatable {
    public var progressId: String?
    public var uid: UInt32
    /// `checking` (first pass: validation and types) or `loading` (second pass: rows written).
    public var phase: String
    public var bytesDone: Int64
    public var bytesTotal: Int64
    public var rows: Int64
    public init(progressId: String?, uid: UInt32, phase: String, bytesDone: Int64, bytesTotal: Int64, rows: Int64) {
        self.progressId = progressId
        self.uid = uid
        self.phase = phase
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.rows = rows
    }
}
