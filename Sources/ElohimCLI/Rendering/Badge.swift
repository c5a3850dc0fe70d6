import ElohimProtocol

/// The context badge every library row carries: `[Local]` in green, `[Team: Engineering]` in
/// blue. The words are always there, so it reads the same without colour (NO_COLOR, pipes).
public enum Badge {
    /// The badge's words.
    public static func text(_ context: ResourceContext) -> String { context.badge }

    /// `text` (already padded) coloured for `context`.
    public static func colored(_ text: String, _ context: ResourceContext, style: Style) -> String {
        context.kind == "team" ? style.blue(text) : style.green(text)
    }

    /// Renders `table`, whose first column holds each row's badge, colouring that column.
    public static func render(_ table: Table, contexts: [ResourceContext], style: Style) -> String {
        table.render(style: style) { row, column, text in
            column == 0 && row < contexts.count ? colored(text, contexts[row], style: style) : text
        }
    }
}
