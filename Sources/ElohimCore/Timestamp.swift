import Foundation

/// Wall-clock timestamps as the daemon stores and sends them: UTC ISO 8601 with milliseconds.
public enum Timestamp {
    /// Now, formatted.
    public static func now() -> String { format(Date()) }

    /// `date`, formatted: `2026-11-30T20:01:02.345Z`.
    public static func format(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// Parses a timestamp in the daemon's format (or without fractional seconds).
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) {
            return date
        }
        return try? Date(text, strategy: .iso8601)
    }
}
