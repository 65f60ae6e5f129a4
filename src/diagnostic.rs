//! Problems found in a scenario, with where they are, rendered like a compiler.
//!
//! Loading and validation never stop at the first problem: they collect
//! [`Diagnostic`]s (errors and warnings, each with a byte span into the file,
//! the field it concerns and a hint) into a [`Report`], which the CLI renders
//! once, at the edge, with the source line and a caret under the value:
//!
//! ```text
//!   × commitment `aws-2025`: take_or_pay must be between 0 and 1, got 1.4
//!    ╭─[scenarios/deal.toml:31:15]
//!  30 │ total = 38.0
//!  31 │ take_or_pay = 1.4
//!    ·               ─┬─
//!    ·                ╰── commitment.aws-2025.take_or_pay
//!    ╰────
//!   help: a share of the scheduled spend: 0.8 means 80% is owed
//! ```

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The scenario cannot be run.
    Error,
    /// Legal but suspicious; `--deny-warnings` turns it into an error.
    Warning,
}

/// One problem at one place.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    /// What is wrong, naming the value, e.g. "take_or_pay must be between 0 and 1, got 1.4".
    pub message: String,
    /// Byte range of the offending value; `None` when it is not in the file
    /// (a default, or a whole-file problem).
    pub span: Option<Range<usize>>,
    /// The field's address, e.g. `commitment.aws-2025.take_or_pay`.
    pub field: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(
        field: impl Into<String>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            field: field.into(),
            hint: None,
        }
    }

    pub fn warning(
        field: impl Into<String>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(field, span, message)
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// A scenario's text and the name it is shown under.
///
/// A scenario that `extends` another is read as one text made of the files of
/// its chain, each a [`Part`]; spans index that whole text, and
/// [`SourceFile::locate`] finds the file a span belongs to, so a diagnostic
/// points into the file that holds the bad value.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    pub parts: Vec<Part>,
}

/// One file of a [`SourceFile`]: its name, its byte range in the whole text,
/// and its own text (what a diagnostic shows).
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub range: std::ops::Range<usize>,
    pub text: String,
}

impl SourceFile {
    /// A source made of one file.
    pub fn single(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let (name, text) = (name.into(), text.into());
        let parts = vec![Part {
            name: name.clone(),
            range: 0..text.len(),
            text: text.clone(),
        }];
        SourceFile { name, text, parts }
    }

    /// The part holding byte `offset` of the whole text.
    pub fn locate(&self, offset: usize) -> &Part {
        self.parts
            .iter()
            .find(|p| p.range.contains(&offset) || p.range.end == offset)
            .or(self.parts.last())
            .expect("a source has at least one part")
    }

    /// File name and 1-based line and column of a byte offset (columns count characters).
    pub fn line_col(&self, offset: usize) -> (&str, usize, usize) {
        let part = self.locate(offset);
        let offset = offset.clamp(part.range.start, part.range.end);
        let before = &self.text[part.range.start..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (&part.name, line, col)
    }
}

/// Every diagnostic found in one file.
#[derive(Debug)]
pub struct Report {
    pub file: Arc<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// Renders every diagnostic with its source line, optionally in colour.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(120)
            .with_wrap_lines(false)
            .with_links(false);
        let mut out = String::new();
        // In file order, as a reader fixes them; problems without a place first.
        let mut ordered: Vec<&Diagnostic> = self.diagnostics.iter().collect();
        ordered.sort_by_key(|d| d.span.as_ref().map(|s| s.start));
        for d in ordered {
            let shown = Shown {
                d,
                file: &self.file,
            };
            // Writing into a String cannot fail.
            let _ = handler.render_report(&mut out, &shown);
        }
        let (e, w) = (self.errors().count(), self.warnings().count());
        out.push_str(&format!(
            "{}: {} error{}, {} warning{}\n",
            self.file.name,
            e,
            plural(e),
            w,
            plural(w)
        ));
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A diagnostic borrowed together with its file, in the shape miette renders.
struct Shown<'a> {
    d: &'a Diagnostic,
    file: &'a SourceFile,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.d.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.d.span {
            Some(ref s) => {
                let (name, line, col) = self.file.line_col(s.start);
                write!(f, "{name}:{line}:{col}: {}", self.d.message)
            }
            None => write!(f, "{}: {}", self.file.name, self.d.message),
        }
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d
            .hint
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        // Only the part (file) holding the span is shown; spans are made local to it.
        let s = self.d.span.as_ref()?;
        let part = self.file.locate(s.start);
        Some(&part.text as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let s = self.d.span.clone()?;
        let start = self.file.locate(s.start).range.start;
        let span = SourceSpan::from(s.start - start..s.end.max(s.start) - start);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.d.field.clone()),
            span,
        ))))
    }
}
