//! Diagnostics: the one model every stage reports through, and its renderings.
//!
//! A [`Diagnostic`] is data: a stable [`Code`] (`AM` + four digits, with its title, default
//! severity, default help and documentation in one catalogue), a severity, a message, a primary
//! span, optional secondary spans and a help text. The CLI renders the same data as
//! rustc-style text (drawn by `annotate-snippets`), JSON or GitHub Actions annotations; the
//! emitter marks what it cannot translate with a TODO comment built from the diagnostic's code
//! ([`Diagnostic::todo_comment`]), so a warning never exists in one place only.
//!
//! One fact that holds in many places is reported once: a grouped diagnostic
//! ([`Diagnostic::grouped`]) has one primary span and lists the other places as `occurrences`.
//! JSON lists every one of them; the text renderings show the first few and count the rest.
//!
//! Wording lives in [`codes`]: one constructor per diagnostic.

pub mod codes;

pub use codes::Code;

use serde::Serialize;

/// A byte range in one source file. `file` indexes the [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: u32,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: u32, start: usize, end: usize) -> Span {
        let clamp = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        Span {
            file,
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }
}

/// How bad it is. Errors make `check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A secondary location with a short note (the note may be empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: Span,
    pub note: String,
}

impl Label {
    pub fn new(span: Span, note: impl Into<String>) -> Label {
        Label {
            span,
            note: note.into(),
        }
    }
}

/// How many occurrences the human output shows as source snippets; the rest are listed by
/// location only, up to [`LISTED_OCCURRENCES`], then counted.
pub const SHOWN_OCCURRENCES: usize = 3;
/// How many locations a one-line list of occurrences names before "and N more".
pub const LISTED_OCCURRENCES: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Where it is. `None` only for diagnostics about the run itself (no file involved).
    pub span: Option<Span>,
    /// A file path for diagnostics without a span but about one file (unreadable file).
    pub path: Option<String>,
    pub secondary: Vec<Label>,
    /// The other places the same fact applies to, when one diagnostic stands for many (see
    /// [`Diagnostic::grouped`]), in source order.
    pub occurrences: Vec<Label>,
    /// What to do. (Borrowed from the catalogue when it is the code's own: most diagnostics of a
    /// large migration share a handful of them.)
    pub help: Option<std::borrow::Cow<'static, str>>,
}

impl Diagnostic {
    /// A diagnostic of `code` as the catalogue describes it: its default severity and, when the
    /// code has one, its default help.
    pub fn new(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            help: code.help().map(std::borrow::Cow::Borrowed),
            ..Diagnostic::bare(code, code.severity(), message)
        }
    }
    /// A diagnostic with this severity and no help, whatever the catalogue says (tests, and
    /// one-off renderings); the constructors of [`codes`] use [`Diagnostic::new`].
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::bare(code, Severity::Error, message)
    }
    /// See [`Diagnostic::error`].
    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::bare(code, Severity::Warning, message)
    }
    /// See [`Diagnostic::error`].
    pub fn info(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::bare(code, Severity::Info, message)
    }
    fn bare(code: Code, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            span: None,
            path: None,
            secondary: Vec::new(),
            occurrences: Vec::new(),
            help: None,
        }
    }
    /// Another severity than the code's default, for the one case of a code that needs it (the
    /// code's documentation says when).
    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }
    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }
    pub fn in_file(mut self, path: impl Into<String>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }
    pub fn with_label(mut self, span: Span, note: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            note: note.into(),
        });
        self
    }
    /// One more place the same fact applies to.
    pub fn with_occurrence(mut self, span: Span, note: impl Into<String>) -> Diagnostic {
        self.occurrences.push(Label::new(span, note));
        self
    }
    /// Makes this diagnostic stand for every place in `places`: they are sorted in source order
    /// (file, then position) and deduplicated by span. Without a primary span, the first place
    /// becomes it (its note is dropped: the message speaks for the primary location); every other
    /// place is an occurrence. A place equal to the primary span is not repeated.
    pub fn grouped(mut self, places: impl IntoIterator<Item = Label>) -> Diagnostic {
        let mut all: Vec<Label> = std::mem::take(&mut self.occurrences);
        all.extend(places);
        all.sort_by_key(|l| (l.span.file, l.span.start, l.span.end));
        all.dedup_by_key(|l| l.span);
        let mut all = all.into_iter();
        if self.span.is_none() {
            self.span = all.next().map(|l| l.span);
        }
        let primary = self.span;
        self.occurrences = all.filter(|l| Some(l.span) != primary).collect();
        self
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(std::borrow::Cow::Owned(help.into()));
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
    /// The `TODO(AMxxxx): {detail}` comment that marks this diagnostic's spot in the generated
    /// code: the same code, so the comment and the diagnostic name one fact.
    pub fn todo_comment(&self, detail: impl std::fmt::Display) -> String {
        self.code.todo(detail)
    }
}

/// One source file known to the run.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to the user (relative to the working directory when possible).
    pub path: String,
    /// Shared, so that copies of a source map (with other paths) cost nothing.
    pub text: std::sync::Arc<str>,
    line_starts: std::sync::Arc<[u32]>,
}

impl SourceFile {
    pub fn new(path: String, text: impl Into<std::sync::Arc<str>>) -> SourceFile {
        let text: std::sync::Arc<str> = text.into();
        // (Line breaks found with memchr's vector search, counted first: the list is made at
        // its size.)
        let breaks = || memchr::memchr_iter(b'\n', text.as_bytes());
        let mut line_starts = Vec::with_capacity(breaks().count() + 1);
        line_starts.push(0u32);
        line_starts.extend(breaks().map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)));
        SourceFile {
            path,
            text,
            line_starts: line_starts.into(),
        }
    }

    /// 1-based line and column (column counted in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = offset.min(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line] as usize;
        let mut end = offset as usize;
        while end > start && !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count() + 1;
        (line + 1, col)
    }

    /// The byte offset where 1-based line `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .map_or(self.text.len(), |&s| s as usize)
    }

    /// The byte offset where 1-based line `line` ends (after its newline, if it has one).
    pub fn line_end(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .map_or(self.text.len(), |&e| e as usize)
    }

    /// `offset`, within the text and moved back to the start of the character it falls in.
    pub fn char_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1] as usize;
        let end = self
            .line_starts
            .get(line)
            .map(|&e| e as usize)
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// All files of a run, indexed by `Span::file`.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    pub files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn file(&self, span: Span) -> Option<&SourceFile> {
        self.files.get(span.file as usize)
    }

    /// `path:line:col` of the start of a span.
    pub fn position(&self, span: Span) -> Option<String> {
        let f = self.file(span)?;
        let (line, col) = f.line_col(span.start);
        Some(format!("{}:{line}:{col}", f.path))
    }

    /// The locations of `labels` as one line: `a:1:2, b:3:4` and, past `limit`, `and N more`.
    pub fn positions(&self, labels: &[Label], limit: usize) -> String {
        let mut listed: Vec<String> = labels
            .iter()
            .take(limit)
            .filter_map(|l| self.position(l.span))
            .collect();
        if labels.len() > limit {
            listed.push(format!("and {} more", labels.len() - limit));
        }
        listed.join(", ")
    }

    /// File path, line and column of a diagnostic's primary location.
    pub fn locate(&self, d: &Diagnostic) -> (Option<String>, Option<(usize, usize)>) {
        match d.span.and_then(|s| self.file(s).map(|f| (f, s))) {
            Some((f, s)) => (Some(f.path.clone()), Some(f.line_col(s.start))),
            None => (d.path.clone(), None),
        }
    }
}

/// Sorts diagnostics into a stable order: by file, position, code, message.
pub fn sort(diags: &mut Vec<Diagnostic>, sources: &SourceMap) {
    // Sort indices by a borrowed key (no allocation per comparison), then reorder.
    // (path, position, code, message, index)
    type Key<'a> = (Option<&'a str>, Option<(u32, u32)>, Code, &'a str, usize);
    let mut keyed: Vec<Key> = diags
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let path = d
                .span
                .and_then(|s| sources.file(s))
                .map(|f| f.path.as_str())
                .or(d.path.as_deref());
            (
                path,
                d.span.map(|s| (s.start, s.end)),
                d.code,
                d.message.as_str(),
                i,
            )
        })
        .collect();
    // (Every key holds the diagnostic's index: the order is total, whichever way it is sorted.)
    rayon::slice::ParallelSliceMut::par_sort_unstable(&mut keyed[..]);
    let order: Vec<usize> = keyed.into_iter().map(|k| k.4).collect();
    permute(diags, order);
    diags.dedup();
}

/// Reorders `items` in place so that `items[k]` becomes what was at `order[k]` (`order`: a
/// permutation of the indices), cycle by cycle: no copy of the list (tens of thousands of
/// diagnostics, megabytes).
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        // Follow the cycle through `start`, moving each item into place; a done place points
        // to itself.
        let mut at = start;
        while order[at] != start {
            let from = order[at];
            items.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

/// How many lines apart two marked places of one file may be and still share a snippet (the
/// unmarked lines between are folded away); farther apart, each has its own snippet.
const SNIPPET_GAP: usize = 8;

/// One marked place of a rendering: the primary span, a secondary label or an occurrence.
struct Mark<'a> {
    span: Span,
    note: &'a str,
    primary: bool,
}

/// Consecutive lines of one file holding one or more marks, rendered as one snippet.
struct Excerpt<'a> {
    file: &'a SourceFile,
    first_line: usize,
    last_line: usize,
    marks: Vec<&'a Mark<'a>>,
}

/// Renders like rustc/cargo, with `annotate-snippets`: the header (`error[AM0204]: message`),
/// then the source with the primary span, the secondary labels and the first
/// [`SHOWN_OCCURRENCES`] occurrences marked; places of one file a few lines apart share one
/// snippet, multi-line spans are drawn as rustc draws them. The other occurrences (listed up to
/// [`LISTED_OCCURRENCES`], then counted) and the help follow as footers. ANSI colours only when
/// `color` is set. Ends with an empty line, which separates diagnostics.
pub fn render_human(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    if !color && let Some(out) = render_plain_snippets(d, sources) {
        return out;
    }
    render_with_snippets(d, sources, color)
}

/// The common cases, drawn directly, exactly as annotate-snippets draws them (which costs far
/// more when thousands of diagnostics are printed): no colours; the primary span, any secondary
/// labels and the occurrences (all of them shown), in one file, close enough to share one
/// snippet, the primary on a line of its own, labels sharing a line apart from one another;
/// lines of plain ASCII; texts the renderer prints as they are. `None` for anything else.
fn render_plain_snippets(d: &Diagnostic, sources: &SourceMap) -> Option<String> {
    use std::fmt::Write as _;
    let span = d.span?;
    let file = sources.file(span)?;
    // (Printable ASCII, nearly every text, is checked byte by byte.)
    let printed_as_is = |t: &str| {
        t.bytes().all(|b| (b' '..=b'~').contains(&b))
            || !t.chars().any(|c| {
                c.is_control() || ('\u{2000}'..='\u{206f}').contains(&c) || c == '\u{feff}'
            })
    };
    let (shown_places, more) = shown_occurrences(d, sources);
    if more.as_deref().is_some_and(|m| !printed_as_is(m)) {
        return None;
    }
    if !printed_as_is(&d.message)
        || !printed_as_is(&file.path)
        || d.help.as_deref().is_some_and(|h| !printed_as_is(h))
    {
        return None;
    }
    let marked = std::iter::once((span, "", true)).chain(
        d.secondary
            .iter()
            .chain(shown_places)
            .map(|l| (l.span, l.note.as_str(), false)),
    );
    let mut marks: Vec<PlainMark<'_>> = Vec::new();
    for (s, note, primary) in marked {
        if s.file != span.file || !printed_as_is(note) {
            return None;
        }
        let line = file.line_col(s.start).0;
        let at = (s.start as usize).checked_sub(file.line_start(line))?;
        let len = (s.end as usize).checked_sub(s.start as usize)?;
        let text = plain_line(file, line)?;
        if len == 0 || len > 80 || at + len > text.len() {
            return None;
        }
        marks.push(PlainMark {
            line,
            at,
            len,
            primary,
            note,
        });
    }
    // (By line only, in their order within a line: a snippet's `:::` names its first mark.)
    marks.sort_by_key(|m| m.line);
    if !marks.chunk_by(|a, b| a.line == b.line).all(shares_its_line) {
        return None;
    }
    // Snippets: runs of marks at most SNIPPET_GAP lines apart, the primary's first.
    let mut snippets: Vec<&[PlainMark<'_>]> = marks
        .chunk_by(|a, b| b.line - a.line <= SNIPPET_GAP)
        .collect();
    let primary = snippets.iter().position(|g| g.iter().any(|m| m.primary))?;
    let first = snippets.remove(primary);
    snippets.insert(0, first);
    let digits = marks.last()?.line.to_string().len();
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    let (line, col) = file.line_col(span.start);
    let pad = " ".repeat(digits);
    let mut out = String::with_capacity(512 + d.message.len());
    let _ = write!(
        out,
        "{level}[{}]: {}\n{pad}--> {}:{line}:{col}\n{pad} |",
        d.code.as_str(),
        d.message,
        file.path
    );
    for (k, snippet) in snippets.iter().enumerate() {
        if k > 0 {
            let (line, col) =
                file.line_col(file.line_start(snippet[0].line) as u32 + snippet[0].at as u32);
            let _ = write!(
                out,
                "\n{pad} |\n{pad}::: {}:{line}:{col}\n{pad} |",
                file.path
            );
        }
        draw_plain_snippet(&mut out, file, snippet, digits)?;
    }
    if let Some(more) = &more {
        let _ = write!(out, "\n{pad} |\n{pad} = {more}");
    }
    if let Some(help) = &d.help {
        if more.is_none() {
            let _ = write!(out, "\n{pad} |");
        }
        let _ = write!(out, "\n{pad} = help: {help}");
    }
    out.push('\n');
    Some(out)
}

/// The occurrences drawn as snippets (the first [`SHOWN_OCCURRENCES`]), and the line that lists
/// the others by place, when there are others.
fn shown_occurrences<'d>(d: &'d Diagnostic, sources: &SourceMap) -> (&'d [Label], Option<String>) {
    let (shown, rest) = d
        .occurrences
        .split_at(d.occurrences.len().min(SHOWN_OCCURRENCES));
    let more = (!rest.is_empty()).then(|| {
        format!(
            "and {} more place(s): {}",
            rest.len(),
            sources.positions(rest, LISTED_OCCURRENCES)
        )
    });
    (shown, more)
}

/// Whether marks on one line are drawn directly: one alone, or several that do not overlap,
/// each with a label (not the primary span, which has none).
fn shares_its_line(on_line: &[PlainMark<'_>]) -> bool {
    on_line.len() == 1
        || (on_line.iter().all(|m| !m.primary && !m.note.is_empty())
            && by_column(on_line)
                .windows(2)
                .all(|w| w[0].at + w[0].len <= w[1].at))
}

/// Marks of one line from left to right.
fn by_column<'m, 'a>(on_line: &'m [PlainMark<'a>]) -> Vec<&'m PlainMark<'a>> {
    let mut sorted: Vec<&PlainMark<'a>> = on_line.iter().collect();
    sorted.sort_by_key(|m| m.at);
    sorted
}

/// A place [`render_plain_snippets`] marks: its line, where it starts in the line and how long
/// it is, whether it is the primary one, and its label.
struct PlainMark<'a> {
    line: usize,
    at: usize,
    len: usize,
    primary: bool,
    note: &'a str,
}

/// The lines of one snippet of [`render_plain_snippets`]: each marked line with its underline
/// and label, one line between two marks shown, more folded into `...`.
fn draw_plain_snippet(
    out: &mut String,
    file: &SourceFile,
    marks: &[PlainMark<'_>],
    digits: usize,
) -> Option<()> {
    use std::fmt::Write as _;
    let window = Window::of(marks, file, digits)?;
    let pad = " ".repeat(digits);
    let lines: Vec<&[PlainMark<'_>]> = marks.chunk_by(|a, b| a.line == b.line).collect();
    for (k, on_line) in lines.iter().enumerate() {
        let line = on_line[0].line;
        // (Marked lines were checked to be plain when the marks were made.)
        let (shown, from) = window.cut(file.line_text(line))?;
        let _ = write!(out, "\n{line:>digits$} | {shown}");
        match on_line {
            [m] => {
                let mark = if m.primary { "^" } else { "-" };
                let _ = write!(
                    out,
                    "\n{pad} | {}{}",
                    " ".repeat(m.at - from),
                    mark.repeat(m.len)
                );
                if !m.note.is_empty() {
                    let _ = write!(out, " {}", m.note);
                }
            }
            _ => draw_labels_of_one_line(out, on_line, from, &pad),
        }
        match lines.get(k + 1).map(|next| next[0].line - line) {
            Some(2) => {
                let (shown, _) = window.cut(plain_line(file, line + 1)?)?;
                let _ = write!(out, "\n{:>digits$} | {shown}", line + 1);
            }
            Some(gap) if gap > 2 => out.push_str("\n..."),
            _ => {}
        }
    }
    Some(())
}

/// The rows under a line holding several labelled marks (`on_line`, apart from one another;
/// `from`: the first column shown), laid out as annotate-snippets lays them out (rustc's
/// layout): the underlines on one row; from the rightmost mark leftwards, each label beside its
/// underline while it does not run into the next mark's label, else on a row of its own below
/// the previous ones, hung from its mark by `|`.
fn draw_labels_of_one_line(out: &mut String, on_line: &[PlainMark<'_>], from: usize, pad: &str) {
    let on_line = by_column(on_line);
    // Each mark's row of labels, 0 for the underlines' own row, from the rightmost mark.
    let mut placed: Vec<(usize, &PlainMark<'_>)> = Vec::with_capacity(on_line.len());
    let mut row = 0;
    for (i, m) in on_line.iter().enumerate().rev() {
        placed.push((row, m));
        // (A label further left, two columns of room after it, would reach this mark.)
        if on_line[..i]
            .iter()
            .any(|left| left.at + left.len + left.note.len() + 2 > m.at)
        {
            row += 1;
        }
    }
    let rows = if row == 0 { 1 } else { row + 2 };
    let mut grid: Vec<Vec<u8>> = vec![Vec::new(); rows];
    let mut put = |row: usize, col: usize, text: &[u8]| {
        let line = &mut grid[row];
        if line.len() < col + text.len() {
            line.resize(col + text.len(), b' ');
        }
        line[col..col + text.len()].copy_from_slice(text);
    };
    for &(row, m) in &placed {
        for r in 1..=row {
            put(r, m.at - from, b"|");
        }
    }
    for &(row, m) in &placed {
        match row {
            0 => put(0, m.at + m.len + 1 - from, m.note.as_bytes()),
            _ => put(row + 1, m.at - from, m.note.as_bytes()),
        }
    }
    for &(_, m) in &placed {
        let mark = if m.primary { b'^' } else { b'-' };
        put(0, m.at - from, &vec![mark; m.len]);
    }
    for line in &grid {
        let end = line.iter().rposition(|b| *b != b' ').map_or(0, |e| e + 1);
        out.push('\n');
        out.push_str(pad);
        out.push_str(" |");
        if end > 0 {
            out.push(' ');
            // (Marks and labels are plain text: the rows are too.)
            out.push_str(std::str::from_utf8(&line[..end]).unwrap_or_default());
        }
    }
}

/// Line `line` of `file` when it is plain ASCII, not empty and not ending in a space (what the
/// direct drawing handles).
fn plain_line(file: &SourceFile, line: usize) -> Option<&str> {
    let text = file.line_text(line);
    (!text.is_empty() && !text.ends_with(' ') && text.bytes().all(|b| (b' '..=b'~').contains(&b)))
        .then_some(text)
}

/// The columns of a snippet annotate-snippets shows (its terminal width of 140 columns, the
/// marked spans and their labels kept in view): a port of its `Margin` for marks on lines of
/// plain ASCII.
struct Window {
    /// The first column shown; more than 0: lines are cut on the left.
    left: usize,
    right: usize,
    /// The columns left for code beside the line numbers.
    width: usize,
}

impl Window {
    fn of(marks: &[PlainMark<'_>], file: &SourceFile, digits: usize) -> Option<Window> {
        const PASSING: usize = 6;
        let width = 140 - (3 + digits);
        let texts: Vec<&str> = marks.iter().map(|m| file.line_text(m.line)).collect();
        let whitespace = texts
            .iter()
            .map(|t| t.bytes().take_while(|b| *b == b' ').count())
            .min()?;
        let max_line_len = texts.iter().map(|t| t.len()).max()?;
        let span_left = marks.iter().map(|m| m.at).min()?;
        let span_right = marks.iter().map(|m| m.at + m.len).max()?;
        let label_right = marks
            .iter()
            .map(|m| {
                m.at + m.len
                    + if m.note.is_empty() {
                        0
                    } else {
                        m.note.len() + 1
                    }
            })
            .max()?;
        let whitespace_left = whitespace.min(span_left).saturating_sub(PASSING);
        let (span_left, span_right) = (span_left.saturating_sub(PASSING), span_right + PASSING);
        let label_right = label_right + PASSING;
        let mut left = if whitespace_left > 20 {
            whitespace_left - 16
        } else {
            0
        };
        let mut right = max_line_len.max(left);
        if right - left > width {
            left = if label_right.saturating_sub(whitespace_left) <= width
                && label_right >= whitespace_left
            {
                whitespace_left
            } else if label_right - span_left <= width {
                span_left.saturating_sub((width - (label_right - span_left)) / 2)
            } else if span_right - span_left <= width {
                span_left.saturating_sub((width - (span_right - span_left)) / 5 * 2)
            } else {
                return None;
            };
            right = left + width;
        }
        Some(Window { left, right, width })
    }

    /// What is shown of a line (`...` where it is cut) and the byte it starts from; `None`
    /// where the cut would leave too little to show.
    fn cut(&self, text: &str) -> Option<(String, usize)> {
        let line_len = text.len();
        let from = self.left.min(line_len);
        let to = if line_len.saturating_sub(self.left) <= self.width {
            line_len
        } else {
            line_len.min(self.right)
        };
        let mut shown = text[from..to].to_string();
        let (cut_left, cut_right) = (self.left > 0, line_len > to);
        if (cut_left || cut_right) && shown.len() < 7 {
            return None;
        }
        if cut_left {
            shown.replace_range(..3, "...");
        }
        if cut_right {
            let end = shown.len();
            shown.replace_range(end - 3.., "...");
        }
        Some((shown, from))
    }
}

/// Any diagnostic, drawn by annotate-snippets.
fn render_with_snippets(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let (shown, more) = shown_occurrences(d, sources);
    let marks: Vec<Mark> = d
        .span
        .map(|span| Mark {
            span,
            note: "",
            primary: true,
        })
        .into_iter()
        .chain(d.secondary.iter().chain(shown).map(|l| Mark {
            span: l.span,
            note: &l.note,
            primary: false,
        }))
        .filter(|m| sources.file(m.span).is_some())
        .collect();
    let mut group = Group::with_title(level.primary_title(d.message.as_str()).id(d.code.as_str()));
    if let Some(path) = d
        .path
        .as_deref()
        .filter(|_| !marks.iter().any(|m| m.primary))
    {
        group = group.element(Origin::path(path));
    }
    for excerpt in excerpts(&marks, sources) {
        let file = excerpt.file;
        let (start, end) = (
            file.line_start(excerpt.first_line),
            file.line_end(excerpt.last_line),
        );
        let local = |offset: u32| file.char_boundary(offset as usize).clamp(start, end) - start;
        let annotations = excerpt.marks.iter().map(|m| {
            let kind = if m.primary {
                AnnotationKind::Primary
            } else {
                AnnotationKind::Context
            };
            let start = local(m.span.start);
            let annotation = kind.span(start..local(m.span.end).max(start));
            if m.note.is_empty() {
                annotation
            } else {
                annotation.label(m.note)
            }
        });
        group = group.element(
            Snippet::source(&file.text[start..end])
                .line_start(excerpt.first_line)
                .path(file.path.as_str())
                .annotations(annotations),
        );
    }
    if let Some(more) = more {
        group = group.element(Level::NOTE.no_name().message(more));
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_ref()));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = renderer.render(&[group]);
    if marks.is_empty() && d.path.is_none() {
        // Nothing to show a place for: no bare gutter line between the title and the help.
        out = out
            .lines()
            .filter(|l| without_ansi(l).trim() != "|")
            .collect::<Vec<_>>()
            .join("\n");
    }
    out.push('\n');
    out
}

/// The visible text of a line (terminal colour codes removed).
fn without_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // `ESC [ … letter`
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Groups marks into excerpts: by file (the primary's first, then in order of appearance), and
/// within a file into runs of lines at most [`SNIPPET_GAP`] apart, in source order. The excerpt
/// holding the primary span comes first. Only the lines of an excerpt reach the renderer, so the
/// cost of a rendering does not grow with the size of the file.
fn excerpts<'a>(marks: &'a [Mark<'a>], sources: &'a SourceMap) -> Vec<Excerpt<'a>> {
    let mut files: Vec<u32> = Vec::new();
    for m in marks {
        if !files.contains(&m.span.file) {
            files.push(m.span.file);
        }
    }
    let mut placed: Vec<(usize, usize, usize, &Mark)> = marks
        .iter()
        .filter_map(|m| {
            let file = sources.file(m.span)?;
            let rank = files.iter().position(|&f| f == m.span.file)?;
            let first = file.line_col(m.span.start).0;
            let last = file
                .line_col(m.span.end.max(m.span.start.saturating_add(1)) - 1)
                .0
                .max(first);
            Some((rank, first, last, m))
        })
        .collect();
    placed.sort_by_key(|&(rank, first, last, _)| (rank, first, last));
    let mut out: Vec<Excerpt> = Vec::new();
    for (_, first, last, m) in placed {
        let file = &sources.files[m.span.file as usize];
        match out.last_mut() {
            Some(e) if std::ptr::eq(e.file, file) && first <= e.last_line + SNIPPET_GAP => {
                e.last_line = e.last_line.max(last);
                e.marks.push(m);
            }
            _ => out.push(Excerpt {
                file,
                first_line: first,
                last_line: last,
                marks: vec![m],
            }),
        }
    }
    if let Some(i) = out.iter().position(|e| e.marks.iter().any(|m| m.primary)) {
        let primary = out.remove(i);
        out.insert(0, primary);
    }
    out
}

/// The JSON shape of one diagnostic (`--format json`), borrowed from the diagnostic and its
/// sources (tens of thousands are written in a large migration).
#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    /// Serialized as its identifier (`"AM0100"`).
    pub code: Code,
    pub severity: Severity,
    pub message: &'a str,
    pub file: Option<&'a str>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secondary: Vec<JsonLabel<'a>>,
    /// Every other place the diagnostic applies to (all of them, in source order).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub occurrences: Vec<JsonOccurrence<'a>>,
}

#[derive(Serialize)]
pub struct JsonLabel<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub note: &'a str,
}

#[derive(Serialize)]
pub struct JsonOccurrence<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub note: &'a str,
}

pub fn to_json<'a>(d: &'a Diagnostic, sources: &'a SourceMap) -> JsonDiagnostic<'a> {
    let placed = d.span.and_then(|s| sources.file(s).map(|f| (f, s)));
    let (file, pos, end) = match placed {
        Some((f, s)) => (
            Some(f.path.as_str()),
            Some(f.line_col(s.start)),
            Some(f.line_col(s.end)),
        ),
        None => (d.path.as_deref(), None, None),
    };
    JsonDiagnostic {
        code: d.code,
        severity: d.severity,
        message: &d.message,
        file,
        line: pos.map(|p| p.0),
        column: pos.map(|p| p.1),
        end_line: end.map(|p| p.0),
        end_column: end.map(|p| p.1),
        help: d.help.as_deref(),
        secondary: d
            .secondary
            .iter()
            .filter_map(|l| {
                let f = sources.file(l.span)?;
                let (line, column) = f.line_col(l.span.start);
                Some(JsonLabel {
                    file: &f.path,
                    line,
                    column,
                    note: &l.note,
                })
            })
            .collect(),
        occurrences: d
            .occurrences
            .iter()
            .filter_map(|l| {
                let f = sources.file(l.span)?;
                let (line, column) = f.line_col(l.span.start);
                let (end_line, end_column) = f.line_col(l.span.end);
                Some(JsonOccurrence {
                    file: &f.path,
                    line,
                    column,
                    end_line,
                    end_column,
                    note: &l.note,
                })
            })
            .collect(),
    }
}

/// A GitHub Actions workflow command (`::warning file=…,line=…,col=…::message`).
pub fn render_github(d: &Diagnostic, sources: &SourceMap) -> String {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let (file, pos) = sources.locate(d);
    let mut props = Vec::new();
    if let Some(f) = file {
        props.push(format!("file={}", escape_github_property(&f)));
    }
    if let Some((line, col)) = pos {
        props.push(format!("line={line}"));
        props.push(format!("col={col}"));
    }
    props.push(format!("title={}", escape_github_property(d.code.as_str())));
    let mut message = format!("{} [{}]", d.message, d.code);
    if !d.occurrences.is_empty() {
        message.push_str("\nalso at: ");
        message.push_str(&sources.positions(&d.occurrences, LISTED_OCCURRENCES));
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{level} {}::{}",
        props.join(","),
        escape_github_data(&message)
    )
}

fn escape_github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_github_property(s: &str) -> String {
    escape_github_data(s)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// One line per diagnostic, for golden files: `path:line:col: severity[CODE]: message`.
pub fn render_short(d: &Diagnostic, sources: &SourceMap) -> String {
    let (file, pos) = sources.locate(d);
    let loc = match (file, pos) {
        (Some(f), Some((l, c))) => format!("{f}:{l}:{c}: "),
        (Some(f), None) => format!("{f}: "),
        _ => String::new(),
    };
    let mut s = format!("{loc}{}[{}]: {}", d.severity.as_str(), d.code, d.message);
    if !d.occurrences.is_empty() {
        s.push_str("\n    also at: ");
        s.push_str(&sources.positions(&d.occurrences, LISTED_OCCURRENCES));
    }
    if let Some(help) = &d.help {
        s.push_str("\n    help: ");
        s.push_str(&help.replace('\n', "\n          "));
    }
    s
}

/// How many diagnostics of each code, in code order: `AM0300 ×3, AM0408 ×2` (empty when there
/// are none). Ends the human output, so that a long list still shows what it is made of.
pub fn count_by_code(diags: &[Diagnostic]) -> String {
    let mut counts: std::collections::BTreeMap<Code, usize> = std::collections::BTreeMap::new();
    for d in diags {
        *counts.entry(d.code).or_default() += 1;
    }
    counts
        .iter()
        .map(|(code, n)| format!("{code} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source's line starts: after every line break, found as a byte-by-byte search finds
    /// them.
    #[test]
    fn line_starts_follow_every_line_break() {
        let long = "x\n".repeat(100) + &"é\r\n".repeat(40);
        for text in ["", "one", "one\n", "\n\n", "a\nb\r\nc", long.as_str()] {
            let file = SourceFile::new("f".into(), text);
            let mut expected = vec![0u32];
            for (i, b) in text.bytes().enumerate() {
                if b == b'\n' {
                    expected.push(i as u32 + 1);
                }
            }
            assert_eq!(&file.line_starts[..], &expected[..], "{text:?}");
        }
    }

    /// Every permutation of five items (and a longer one) puts each item where the order says.
    #[test]
    fn permute_moves_each_item_where_the_order_says() {
        fn permutations(n: usize) -> Vec<Vec<usize>> {
            if n == 0 {
                return vec![vec![]];
            }
            let mut out = Vec::new();
            for p in permutations(n - 1) {
                for k in 0..n {
                    let mut q = p.clone();
                    q.insert(k, n - 1);
                    out.push(q);
                }
            }
            out
        }
        let long: Vec<usize> = (0..1000).map(|i| (i * 7919) % 1000).collect();
        for order in permutations(5).into_iter().chain([long]) {
            let mut items: Vec<String> = (0..order.len()).map(|i| format!("item {i}")).collect();
            let expected: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            permute(&mut items, order);
            assert_eq!(items, expected);
        }
    }

    /// One file `a.toml` with three lines and one `b.toml`.
    fn sources() -> SourceMap {
        SourceMap {
            files: vec![
                SourceFile::new("a.toml".into(), "one = 1\ntwo = 2\nthree = 3\n"),
                SourceFile::new("b.toml".into(), "x = 1\n"),
            ],
        }
    }

    /// Draws `d` in a file `path` of `text` directly and with annotate-snippets: the same
    /// text, when the direct drawing takes it.
    fn drawn_alike(
        d: &Diagnostic,
        path: impl Into<String>,
        text: String,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let sources = SourceMap {
            files: vec![SourceFile::new(path.into(), text)],
        };
        if let Some(fast) = render_plain_snippets(d, &sources) {
            proptest::prop_assert_eq!(fast, render_with_snippets(d, &sources, false));
        }
        Ok(())
    }

    /// `d` with a label (`label`) or an occurrence at `place`, its note trimmed.
    fn with_place(d: Diagnostic, label: bool, place: Span, note: &str) -> Diagnostic {
        if label {
            d.with_label(place, note.trim())
        } else {
            d.with_occurrence(place, note.trim())
        }
    }

    fn line(file: u32, n: usize) -> Span {
        let starts = [0, 8, 16];
        Span::new(file, starts[n - 1], starts[n - 1] + 3)
    }

    /// The direct drawing of the common cases is byte for byte annotate-snippets' (and is taken
    /// for them: a config line with one key marked; a label on another line).
    #[test]
    fn one_line_diagnostics_are_drawn_as_annotate_snippets_draws_them() {
        let d = Diagnostic::warning(Code::NotInherited, "`x` is not inherited").at(line(0, 2));
        let fast = render_plain_snippets(&d, &sources()).expect("the common case");
        assert_eq!(fast, render_with_snippets(&d, &sources(), false));
        assert_eq!(
            fast,
            "warning[AM0300]: `x` is not inherited\n --> a.toml:2:1\n  |\n2 | two = 2\n  | ^^^\n"
        );
        // A label two lines above the primary span: the line between is shown.
        let d = Diagnostic::warning(Code::NotInherited, "`x` is not inherited")
            .at(line(0, 3))
            .with_label(line(0, 1), "set here");
        let fast = render_plain_snippets(&d, &sources()).expect("labels on lines of their own");
        assert_eq!(fast, render_with_snippets(&d, &sources(), false));
        assert_eq!(
            fast,
            "warning[AM0300]: `x` is not inherited\n --> a.toml:3:1\n  |\n1 | one = 1\n  | --- set here\n2 | two = 2\n3 | three = 3\n  | ^^^\n"
        );
    }

    proptest::proptest! {
        #[test]
        fn the_direct_drawing_matches_annotate_snippets(
            lines in proptest::collection::vec(proptest::prop_oneof![
                6 => "[ -~]{1,60}",
                2 => "[ -~]{95,400}",
                1 => " {20,60}[ -~]{60,300}",
                1 => "[ a-z\t\r\u{e9}\u{200b}]{0,12}",
            ], 1..14),
            pick in 0usize..14,
            start in 0usize..400,
            len in 0usize..90,
            message in proptest::prop_oneof![
                6 => "[ -~\u{e9}\u{2192}]{0,200}",
                1 => "[a-z\t\n\u{200b}\u{7}]{0,8}",
            ],
            help in proptest::option::of(proptest::prop_oneof![
                6 => "[ -~\u{e9}]{0,40}",
                1 => "[a-z\n\t]{0,6}",
            ]),
            severity in 0u8..3,
            path in proptest::prop_oneof![6 => "[a-z/]{1,20}(\\.toml)?", 1 => "[a-z\u{200b}]{1,4}"],
        ) {
            let text = lines.join("\n");
            let n = pick % lines.len();
            let line_start: usize = lines[..n].iter().map(|l| l.len() + 1).sum();
            let from = (line_start + start).min(text.len());
            let span = Span::new(0, from, (from + len).min(text.len()));
            let mut d = match severity {
                0 => Diagnostic::error(Code::NotInherited, message),
                1 => Diagnostic::warning(Code::NotInherited, message),
                _ => Diagnostic::info(Code::NotInherited, message),
            }
            .at(span);
            d.help = help.map(std::borrow::Cow::Owned);
            drawn_alike(&d, path, text)?;
        }

        /// A primary span, labels and occurrences on other lines, in one snippet or several,
        /// occurrences past the shown ones listed by place (what AM0300 draws).
        #[test]
        fn the_direct_drawing_of_labels_matches_annotate_snippets(
            lines in proptest::collection::vec(proptest::prop_oneof![
                6 => "[ -~]{0,58}[!-~]",
                2 => "[ -~]{95,260}[!-~]",
                1 => " {20,40}[ -~]{40,200}[!-~]",
                1 => "[ a-z]{0,3}",
            ], 2..30),
            places in proptest::collection::vec(
                (0usize..30, 0usize..200, 0usize..30, "[ -~]{0,60}"),
                1..10,
            ),
            help in proptest::option::of("[ -~]{0,40}"),
        ) {
            let text = lines.join("\n");
            // (Mostly spans inside their line; some reach past it, or are empty.)
            let span_at = |(pick, start, len): (usize, usize, usize)| {
                let n = pick % lines.len();
                let line_start: usize = lines[..n].iter().map(|l| l.len() + 1).sum();
                let l = lines[n].len();
                let (start, len) = match (l, len) {
                    (0, _) | (_, 0) => (0, len),
                    _ if len > 25 => (start % l, len),
                    _ => (start % l, 1 + len % (l - start % l).min(30)),
                };
                let from = line_start + start;
                Span::new(0, from, (from + len).min(text.len()))
            };
            let (first, rest) = places.split_first().expect("a place");
            let mut d = Diagnostic::warning(Code::NotInherited, "keys are not inherited")
                .at(span_at((first.0, first.1, first.2)));
            for (k, (pick, start, len, note)) in rest.iter().enumerate() {
                let place = span_at((*pick, *start, *len));
                d = with_place(d, k % 2 == 0, place, note);
            }
            d.help = help.map(std::borrow::Cow::Owned);
            drawn_alike(&d, "app/wrangler.json", text)?;
        }
    }

    proptest::proptest! {
        // (Most random layouts overlap and are left to annotate-snippets: enough cases for a
        // few hundred drawn directly.)
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Labels sharing a line with others (what AM0300 draws for the `vars` of a JSON
        /// config): drawn directly as annotate-snippets draws them.
        #[test]
        fn labels_sharing_a_line_are_drawn_as_annotate_snippets_draws_them(
            lines in proptest::collection::vec(proptest::prop_oneof![
                3 => "[ -~]{20,100}[!-~]",
                1 => "[ -~]{140,300}[!-~]",
                1 => " {20,40}[ -~]{40,200}[!-~]",
            ], 1..4),
            places in proptest::collection::vec(
                (0usize..4, 0usize..300, 1usize..12, "[ -~]{0,50}[!-~]"),
                2..9,
            ),
            primary_line in 0usize..4,
            help in proptest::option::of("[ -~]{0,40}"),
        ) {
            let text = lines.join("\n");
            let line_start = |n: usize| -> usize { lines[..n].iter().map(|l| l.len() + 1).sum() };
            let primary = {
                let n = primary_line % lines.len();
                Span::new(0, line_start(n), line_start(n) + 1)
            };
            let mut d = Diagnostic::warning(Code::NotInherited, "vars are not inherited").at(primary);
            for (k, (pick, start, len, note)) in places.iter().enumerate() {
                let n = pick % lines.len();
                let at = start % lines[n].len();
                let end = (at + len).min(lines[n].len());
                let place = Span::new(0, line_start(n) + at, line_start(n) + end);
                d = with_place(d, k % 3 == 0, place, note);
            }
            d.help = help.map(std::borrow::Cow::Owned);
            drawn_alike(&d, "app/wrangler.json", text)?;
        }
    }

    proptest::proptest! {
        /// More occurrences than are shown, each on a line of its own: the first ones drawn,
        /// the others listed by place, as annotate-snippets lists them.
        #[test]
        fn occurrences_past_the_shown_ones_are_listed_as_annotate_snippets_lists_them(
            lines in proptest::collection::vec("[ -~]{0,100}[!-~]", 14..40),
            places in proptest::collection::vec((0usize..100, 1usize..8, "[ -~]{0,30}"), 4..14),
            help in proptest::option::of("[ -~]{0,40}"),
        ) {
            let text = lines.join("\n");
            let line_start = |n: usize| -> usize { lines[..n].iter().map(|l| l.len() + 1).sum() };
            let mut d = Diagnostic::info(Code::NotInherited, "var is not inherited")
                .at(Span::new(0, line_start(0), line_start(0) + 1));
            for (k, (start, len, note)) in places.iter().enumerate() {
                let n = (1 + k * 3) % lines.len();
                let at = start % lines[n].len();
                let end = (at + len).min(lines[n].len());
                d = d.with_occurrence(Span::new(0, line_start(n) + at, line_start(n) + end), note.trim());
            }
            d.help = help.map(std::borrow::Cow::Owned);
            drawn_alike(&d, "app/wrangler.toml", text)?;
        }
    }

    /// The case the property test above stands for: three labels on one line, one beside its
    /// underline, two hung below it.
    #[test]
    fn labels_sharing_a_line_hang_below_it() {
        let text = "vars = { A = 1, B = 2, C = 3 }\nenv = 1\n";
        let sources = SourceMap {
            files: vec![SourceFile::new("w.toml".into(), text)],
        };
        let d = Diagnostic::warning(Code::NotInherited, "not inherited")
            .at(Span::new(0, 31, 34))
            .with_label(Span::new(0, 9, 10), "A here")
            .with_label(Span::new(0, 16, 17), "B here")
            .with_occurrence(Span::new(0, 23, 24), "C here");
        let fast = render_plain_snippets(&d, &sources).expect("labels sharing a line");
        assert_eq!(fast, render_with_snippets(&d, &sources, false));
        assert_eq!(
            fast,
            "warning[AM0300]: not inherited\n --> w.toml:2:1\n  |\n1 | vars = { A = 1, B = 2, C = 3 }\n  |          -      -      - C here\n  |          |      |\n  |          |      B here\n  |          A here\n2 | env = 1\n  | ^^^\n"
        );
    }

    #[test]
    fn grouped_takes_the_first_place_as_primary_and_keeps_the_rest_in_order() {
        let d = Diagnostic::warning(Code::NotInherited, "m").grouped([
            Label::new(line(1, 1), "in b"),
            Label::new(line(0, 3), "third"),
            Label::new(line(0, 2), "second"),
            Label::new(line(0, 3), "third again"),
        ]);
        assert_eq!(d.span, Some(line(0, 2)));
        let places: Vec<(Span, &str)> = d
            .occurrences
            .iter()
            .map(|l| (l.span, l.note.as_str()))
            .collect();
        assert_eq!(places, vec![(line(0, 3), "third"), (line(1, 1), "in b")]);
    }

    #[test]
    fn grouped_keeps_a_primary_span_and_does_not_repeat_it() {
        let d = Diagnostic::warning(Code::NotInherited, "m")
            .at(line(0, 1))
            .with_occurrence(line(0, 3), "")
            .grouped([Label::new(line(0, 1), ""), Label::new(line(0, 2), "")]);
        assert_eq!(d.span, Some(line(0, 1)));
        let spans: Vec<Span> = d.occurrences.iter().map(|l| l.span).collect();
        assert_eq!(spans, vec![line(0, 2), line(0, 3)]);
        let empty = Diagnostic::info(Code::NotInherited, "m").grouped([]);
        assert_eq!((empty.span, empty.occurrences.len()), (None, 0));
    }

    #[test]
    fn json_lists_every_occurrence() {
        let places: Vec<Label> = (0..20)
            .map(|i| Label::new(Span::new(0, i, i + 1), if i == 1 { "n" } else { "" }))
            .collect();
        let d = Diagnostic::warning(Code::NotInherited, "m").grouped(places);
        let v = serde_json::to_value(to_json(&d, &sources())).unwrap();
        let occ = v["occurrences"].as_array().unwrap();
        assert_eq!(occ.len(), 19);
        assert_eq!(
            occ[0],
            serde_json::json!({ "file": "a.toml", "line": 1, "column": 2, "end_line": 1, "end_column": 3, "note": "n" })
        );
        assert!(occ[1].get("note").is_none());
        let plain = serde_json::to_value(to_json(
            &Diagnostic::info(Code::NotInherited, "m"),
            &sources(),
        ));
        assert!(plain.unwrap().get("occurrences").is_none());
    }

    /// A config for the renderer's cases, and `other.toml`.
    const CONFIG: &str = "name = \"api\"\nmain = \"src/index.ts\"\nnode_compat = true\n\n[env.staging]\nroutes = [\n  \"a.example/*\",\n  \"b.example/*\",\n]\n";

    fn config() -> SourceMap {
        SourceMap {
            files: vec![
                SourceFile::new("app/wrangler.toml".into(), CONFIG),
                SourceFile::new("other.toml".into(), "name = \"api\"\n"),
            ],
        }
    }

    /// The span of the first `needle` in the config.
    fn find(needle: &str) -> Span {
        let start = CONFIG.find(needle).unwrap();
        Span::new(0, start, start + needle.len())
    }

    /// Renders `d` without colour and compares it with `expect` (its first newline dropped).
    fn check(d: Diagnostic, expect: &str) {
        let actual = render_human(&d, &config(), false);
        let expect = expect.strip_prefix('\n').unwrap_or(expect);
        assert!(actual == expect, "expected:\n{expect}\nactual:\n{actual}");
    }

    #[test]
    fn human_single_line_span_with_help() {
        check(
            codes::removed_key_error(
                find("node_compat"),
                "node_compat",
                "use `compatibility_flags`",
            ),
            r#"
error[AM0204]: `node_compat` is no longer supported by wrangler v4
 --> app/wrangler.toml:3:1
  |
3 | node_compat = true
  | ^^^^^^^^^^^
  |
  = help: use `compatibility_flags`
"#,
        );
    }

    #[test]
    fn human_multi_line_span() {
        check(
            Diagnostic::warning(Code::InheritedCustomDomains, "a multi-line value")
                .at(find("[\n  \"a.example/*\",\n  \"b.example/*\",\n]")),
            r#"
warning[AM0304]: a multi-line value
 --> app/wrangler.toml:6:10
  |
6 |   routes = [
  |  __________^
7 | |   "a.example/*",
8 | |   "b.example/*",
9 | | ]
  | |_^
"#,
        );
    }

    #[test]
    fn human_several_labels_in_one_snippet_and_one_per_other_file() {
        check(
            Diagnostic::error(Code::DuplicateWorker, "two configs deploy `api`")
                .at(find("name = \"api\""))
                .with_label(find("main"), "its entry")
                .with_label(find("routes"), "routed here")
                .with_label(Span::new(1, 0, 12), "first declared here")
                .with_help("rename one"),
            r#"
error[AM0407]: two configs deploy `api`
 --> app/wrangler.toml:1:1
  |
1 | name = "api"
  | ^^^^^^^^^^^^
2 | main = "src/index.ts"
  | ---- its entry
...
6 | routes = [
  | ------ routed here
  |
 ::: other.toml:1:1
  |
1 | name = "api"
  | ------------ first declared here
  |
  = help: rename one
"#,
        );
    }

    #[test]
    fn human_occurrences_past_the_first_ones_are_counted() {
        let places = ["name", "main", "node_compat", "routes", "a.example"]
            .map(|k| Label::new(find(k), format!("`{k}`")));
        check(
            Diagnostic::warning(Code::NotInherited, "the fact").grouped(places),
            r#"
warning[AM0300]: the fact
 --> app/wrangler.toml:1:1
  |
1 | name = "api"
  | ^^^^
2 | main = "src/index.ts"
  | ---- `main`
3 | node_compat = true
  | ----------- `node_compat`
...
6 | routes = [
  | ------ `routes`
  |
  = and 1 more place(s): app/wrangler.toml:7:4
"#,
        );
    }

    #[test]
    fn colour_codes_are_not_text() {
        for (line, want) in [
            (" |", " |"),
            ("\u{1b}[1m\u{1b}[94m |\u{1b}[0m", " |"),
            ("plain", "plain"),
        ] {
            assert_eq!(without_ansi(line), want);
        }
    }

    #[test]
    fn human_without_a_span() {
        check(
            codes::unreadable("app/missing.toml", "not found"),
            r#"
error[AM0100]: cannot read `app/missing.toml`: not found
--> app/missing.toml
 = help: check that the path exists and is readable
"#,
        );
        check(
            codes::no_api_token(),
            r#"
error[AM0710]: `CLOUDFLARE_API_TOKEN` is not set: preflight reads the live account through Cloudflare's API
 = help: export CLOUDFLARE_API_TOKEN with a token that can read Workers scripts, D1, R2, KV and Queues of the account
"#,
        );
    }

    #[test]
    fn human_places_far_apart_in_one_file_have_their_own_snippets_the_primary_first() {
        let text: String = (1..=30).map(|i| format!("k{i} = {i}\n")).collect();
        let at = |k: &str| {
            let start = text.find(&format!("{k} =")).unwrap();
            Span::new(0, start, start + k.len())
        };
        let sources = SourceMap {
            files: vec![SourceFile::new("w.toml".into(), text.clone())],
        };
        let d = Diagnostic::warning(Code::DuplicateKey, "m")
            .at(at("k25"))
            .with_label(at("k2"), "first");
        let actual = render_human(&d, &sources, false);
        let expect = r#"warning[AM0109]: m
  --> w.toml:25:1
   |
25 | k25 = 25
   | ^^^
   |
  ::: w.toml:2:1
   |
 2 | k2 = 2
   | -- first
"#;
        assert!(actual == expect, "expected:\n{expect}\nactual:\n{actual}");
    }

    #[test]
    fn json_shape_is_stable() {
        let d = codes::duplicate_key(find("main"), find("name"), "k")
            .with_occurrence(find("routes"), "")
            .with_occurrence(find("a.example"), "here");
        let json = serde_json::to_string(&to_json(&d, &config())).unwrap();
        assert_eq!(
            json,
            r#"{"code":"AM0109","severity":"warning","message":"key `k` appears twice; the last value is used","file":"app/wrangler.toml","line":2,"column":1,"end_line":2,"end_column":5,"help":"remove one of them","secondary":[{"file":"app/wrangler.toml","line":1,"column":1,"note":"first defined here"}],"occurrences":[{"file":"app/wrangler.toml","line":6,"column":1,"end_line":6,"end_column":7},{"file":"app/wrangler.toml","line":7,"column":4,"end_line":7,"end_column":13,"note":"here"}]}"#
        );
        let bare = serde_json::to_string(&to_json(&codes::no_account(), &config())).unwrap();
        assert_eq!(
            bare,
            r#"{"code":"AM0711","severity":"error","message":"no Cloudflare account: neither `CLOUDFLARE_ACCOUNT_ID`, an `account_id` in the configs, nor --account-id is set","file":null,"line":null,"column":null,"help":"export CLOUDFLARE_ACCOUNT_ID, or pass --account-id ID"}"#
        );
    }

    /// Spans past the end, reversed or inside a character render without panicking.
    #[test]
    fn human_survives_odd_spans() {
        let sources = SourceMap {
            files: vec![SourceFile::new("é.toml".into(), "k = \"é\"\n\nx")],
        };
        let odd = [
            Span::new(0, 0, 10_000),
            Span::new(0, 5, 6),
            Span {
                file: 0,
                start: 7,
                end: 2,
            },
            Span::new(0, 11, 11),
            Span::new(0, u32::MAX as usize, u32::MAX as usize),
            Span::new(7, 0, 1),
        ];
        for span in odd {
            let d = Diagnostic::warning(Code::NotInherited, "m")
                .at(span)
                .with_label(Span::new(0, 6, 5), "n")
                .with_occurrence(span, "o");
            let text = render_human(&d, &sources, false);
            assert!(text.starts_with("warning[AM0300]: m\n"), "{span:?}: {text}");
        }
    }

    #[test]
    fn human_colours_only_when_asked() {
        let d = codes::removed_key_error(find("node_compat"), "node_compat", "h");
        assert!(!render_human(&d, &config(), false).contains('\x1b'));
        let styled = render_human(&d, &config(), true);
        assert!(
            styled.contains("\x1b[") && styled.contains("AM0204"),
            "{styled}"
        );
    }

    #[test]
    fn short_and_github_renderings_list_a_bounded_number_of_places() {
        let places: Vec<Label> = (0..15)
            .map(|i| Label::new(Span::new(0, i, i), ""))
            .collect();
        let d = Diagnostic::warning(Code::NotInherited, "m").grouped(places);
        let short = render_short(&d, &sources());
        assert!(
            short.ends_with("also at: a.toml:1:2, a.toml:1:3, a.toml:1:4, a.toml:1:5, a.toml:1:6, a.toml:1:7, a.toml:1:8, a.toml:2:1, a.toml:2:2, a.toml:2:3, and 4 more"),
            "{short}"
        );
        let github = render_github(&d, &sources());
        assert_eq!(github.lines().count(), 1, "one annotation: {github}");
        assert!(github.contains("%0Aalso at: a.toml:1:2, "), "{github}");
    }

    #[test]
    fn counts_per_code_in_code_order() {
        let d = |code| Diagnostic::warning(code, "m");
        let diags = [
            d(Code::UntypedService),
            d(Code::NotInherited),
            d(Code::UntypedService),
            d(Code::NotInherited),
            d(Code::NotInherited),
        ];
        assert_eq!(count_by_code(&diags), "AM0300 ×3, AM0408 ×2");
        assert_eq!(count_by_code(&[]), "");
    }
}
