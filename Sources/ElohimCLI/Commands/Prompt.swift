import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reading secrets: from the terminal with echo off, or one line from stdin for scripts.
enum Prompt {
    /// Asks for a secret on the terminal without echoing it.
    static func secret(_ question: String) throws -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIFailure.usage("no terminal to ask for the password; pass it on standard input with --password-stdin")
        }
        FileHandle.standardError.write(Data(question.utf8))
        var original = termios()
        tcgetattr(STDIN_FILENO, &original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &original)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }

    /// One line from standard input (a password piped by a script).
    static func lineFromStandardInput(what: String) throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CLIFailure.usage("expected the \(what) on standard input")
        }
        return line
    }

    /// A yes/no question; the default is no.
    static func confirm(_ question: String) -> Bool {
        FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return answer == "y" || answer == "yes"
    }

    /// One answer typed on the terminal; nil when empty or at end of input.
    static func line(_ question: String) -> String? {
        FileHandle.standardError.write(Data(question.utf8))
        guard let answer = readLine()?.trimmingCharacters(in: .whitespaces), !answer.isEmpty else { return nil }
        return answer
    }
}
