import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Text a command takes from an option, a file or standard input, checked to be UTF-8.
enum TextInput {
    /// `inline` if given; else the file at `path` (`-` = standard input); else standard input
    /// when `stdinFallback` and it is not a terminal.
    /// - Throws: `CLIFailure.usage` naming the source when it cannot be read or is not UTF-8.
    static func read(inline: String?, path: String?, what: String, stdinFallback: Bool = false) throws -> String? {
        if let inline { return inline }
        let source: String
        let data: Data
        if let path, path != "-" {
            source = path
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CLIFailure.usage("cannot read \(what) from \(path): \(String(cString: strerror(errno)))")
            }
            data = contents
        } else if path == "-" || (stdinFallback && isatty(STDIN_FILENO) == 0) {
            source = "standard input"
            data = FileHandle.standardInput.readDataToEndOfFile()
            // Nothing piped in (e.g. </dev/null from a script) is not a request for an empty text.
            if path != "-" && data.isEmpty { return nil }
        } else {
            return nil
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            let offset = firstInvalidUTF8Offset(Array(data)) ?? 0
            throw CLIFailure.usage(
                "\(what) from \(source) is not valid UTF-8 text (first bad byte at offset \(offset)); convert it first, e.g. `iconv -f latin1 -t utf-8`")
        }
        return text
    }

    /// Where UTF-8 decoding first fails, if it does.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
