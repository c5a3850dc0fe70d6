/// Placeholders in workflow step fields: `{{input.NAME}}` (a value given to `workflows.run`),
/// `{{steps.N}}` (step N's output, 1-based, N before this step) and `{{previous}}`.
enum WorkflowTemplate {
    enum Placeholder: Equatable {
        case input(String)
        case step(Int)
        case previous
    }

    /// The text split into literal parts and placeholders, checked against the step's position.
    /// - Throws: `LibraryInputError` naming `field` for an unknown, unclosed or forward reference.
    static func parse(_ text: String, field: String, stepIndex: Int) throws(LibraryInputError) -> [Either] {
        var parts: [Either] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            parts.append(.literal(String(rest[..<open.lowerBound])))
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw LibraryInputError(field, "has '{{' without a closing '}}'")
            }
            let name = String(rest[open.upperBound..<close.lowerBound]).trimmingWhitespace
            parts.append(.placeholder(try placeholder(name, field: field, stepIndex: stepIndex)))
            rest = rest[close.upperBound...]
        }
        parts.append(.literal(String(rest)))
        return parts
    }

    enum Either: Equatable {
        case literal(String)
        case placeholder(Placeholder)
    }

    private static func placeholder(_ name: String, field: String, stepIndex: Int) throws(LibraryInputError) -> Placeholder {
        if name == "previous" {
            guard stepIndex > 1 else { throw LibraryInputError(field, "uses {{previous}} in the first step, which has none") }
            return .previous
        }
        if name.hasPrefix("input.") {
            let key = String(name.dropFirst("input.".count))
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw LibraryInputError(field, "has {{\(name)}}: input names are letters, digits, _ and -")
            }
            return .input(key)
        }
        if name.hasPrefix("steps.") {
            guard let number = Int(name.dropFirst("steps.".count)), number >= 1, number < stepIndex else {
                throw LibraryInputError(field, "has {{\(name)}}: it may only name an earlier step (1 to \(stepIndex - 1))")
            }
            return .step(number)
        }
        throw LibraryInputError(field, "has an unknown placeholder {{\(name)}}; use {{input.NAME}}, {{steps.N}} or {{previous}}")
    }

    /// Fills in placeholders. Inputs were checked before the run started.
    static func expand(_ parts: [Either], inputs: [String: String], outputs: [String]) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .literal(let literal): text += literal
            case .placeholder(.input(let key)): text += inputs[key] ?? ""
            case .placeholder(.step(let number)): text += outputs[number - 1]
            case .placeholder(.previous): text += outputs.last ?? ""
            }
        }
        return text
    }
}

extension Substring {
    fileprivate func range(of needle: String) -> Range<Index>? {
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(needle) { return index..<self.index(index, offsetBy: needle.count) }
            index = self.index(after: index)
        }
        return nil
    }
}
