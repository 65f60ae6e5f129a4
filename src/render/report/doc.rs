//! The report as a small document tree, built once and rendered twice.
//!
//! [`super::write`] builds a [`Doc`] from a run; `html` and `markdown` turn the
//! same tree into `report.html` and `report.md`, so the two always say the
//! same thing. Text in the tree is plain (unescaped); each renderer escapes it.

/// The whole report.
#[derive(Debug, Clone)]
pub struct Doc {
    pub title: String,
    pub description: String,
    /// Label/value pairs under the title (window, unit, discount rate, ...).
    pub facts: Vec<(String, String)>,
    /// The one line that says which dealsim made the report, and when.
    pub colophon: String,
    pub sections: Vec<Section>,
}

/// A top-level section (`<section>` / `##`).
#[derive(Debug, Clone)]
pub struct Section {
    /// Anchor id; fixed text, never from the scenario.
    pub id: &'static str,
    pub title: String,
    pub blocks: Vec<Block>,
    /// A placeholder for results this run does not have (styled apart).
    pub omitted: bool,
}

#[derive(Debug, Clone)]
pub enum Block {
    /// A sub-heading (`<h3>` / `###`).
    Heading(String),
    Para(Vec<Inline>),
    /// A bulleted list, or a numbered one when `ordered`.
    List {
        items: Vec<String>,
        ordered: bool,
    },
    Table(Table),
    Chart(Chart),
    /// Small print under a table or chart.
    Small(String),
}

/// A run of text in a paragraph.
#[derive(Debug, Clone)]
pub enum Inline {
    Text(String),
    Strong(String),
    /// Monospace: a command, an address.
    Code(String),
}

/// A table; cells may carry a footnote (the reason a figure is undefined).
#[derive(Debug, Clone)]
pub struct Table {
    pub caption: String,
    pub head: Vec<String>,
    /// Right-align the column (numbers).
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<Cell>>,
    pub kind: TableKind,
}

/// How a table is laid out where the medium allows a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// A table of figures.
    Figures,
    /// A long two-column list of inputs: HTML folds it into two column pairs.
    Inputs,
}

#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    /// A footnote for this cell (why a figure is undefined, or a caveat).
    pub note: Option<String>,
    /// Monospace (addresses, ids).
    pub code: bool,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            ..Cell::default()
        }
    }

    pub fn code(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            code: true,
            ..Cell::default()
        }
    }

    pub fn noted(s: impl Into<String>, note: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            note: Some(note.into()),
            code: false,
        }
    }
}

/// One chart: the SVG inlined in HTML, the PNG linked from Markdown.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem under `charts/`, e.g. `flows-amazon`.
    pub name: String,
    /// What the chart shows, in a sentence.
    pub caption: String,
    /// The SVG document, when `charts/<name>.svg` exists.
    pub svg: Option<String>,
    /// Whether `charts/<name>.png` exists.
    pub png: bool,
}

/// Footnote numbering shared by a renderer: one number per distinct text, in
/// the order first referenced.
#[derive(Debug, Default)]
pub struct Notes {
    texts: Vec<String>,
}

impl Notes {
    /// The number (from 1) of `text`, adding it if new.
    pub fn number(&mut self, text: &str) -> usize {
        match self.texts.iter().position(|t| t == text) {
            Some(i) => i + 1,
            None => {
                self.texts.push(text.to_string());
                self.texts.len()
            }
        }
    }

    /// The notes referenced in `table`, numbered, in first-use order.
    pub fn of_table(&mut self, table: &Table) -> Vec<(usize, String)> {
        let mut out: Vec<(usize, String)> = Vec::new();
        for cell in table.rows.iter().flatten() {
            if let Some(note) = &cell.note {
                let n = self.number(note);
                if !out.iter().any(|(k, _)| *k == n) {
                    out.push((n, note.clone()));
                }
            }
        }
        out
    }
}
