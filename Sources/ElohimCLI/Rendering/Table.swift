/// A plain text table: columns padded to their widest cell, measured in characters so that
/// colour codes (added after padding) never shift the layout.
public struct Table {
    public var headers: [String]
    public var rows: [[String]] = []

    public init(_ headers: [String]) { self.headers = headers }

    public mutating func add(_ row: [String]) { rows.append(row) }

    /// Renders with `decorate` applied to each cell after padding (for colours).
    public func render(style: Style, decorate: (Int, Int, String) -> String = { _, _, text in text }) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        func line(_ cells: [String], row: Int?) -> String {
            cells.enumerated().map { column, cell in
                let padded = column == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
                return row.map { decorate($0, column, padded) } ?? style.bold(padded)
            }.joined(separator: "  ")
        }
        var lines = [line(headers, row: nil)]
        for (index, row) in rows.enumerated() { lines.append(line(row, row: index)) }
        return lines.joined(separator: "\n")
    }
}
