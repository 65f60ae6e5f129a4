//! `report.md`: the [`Doc`] as Markdown (GitHub-flavoured pipe tables) for
//! pasting into a memo, with the PNG charts linked as `charts/<name>.png`.

use std::fmt::Write as _;

use super::doc::{Block, Chart, Doc, Inline, Notes, Section, Table};
use super::fmt::markdown as esc;

/// The Markdown for `doc`.
pub fn render(doc: &Doc) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# {}\n", esc(&doc.title));
    if !doc.description.is_empty() {
        let _ = writeln!(o, "{}\n", esc(&doc.description));
    }
    for (k, v) in &doc.facts {
        let _ = writeln!(o, "- **{}:** {}", esc(k), esc(v));
    }
    let _ = writeln!(o, "\n_{}_\n", esc(&doc.colophon));
    let mut notes = Notes::default();
    for s in &doc.sections {
        section(&mut o, s, &mut notes);
    }
    while o.ends_with("\n\n") {
        o.pop();
    }
    o
}

fn section(o: &mut String, s: &Section, notes: &mut Notes) {
    let _ = writeln!(o, "## {}\n", esc(&s.title));
    for b in &s.blocks {
        match b {
            Block::Heading(h) => {
                let _ = writeln!(o, "### {}\n", esc(h));
            }
            Block::Para(inlines) => {
                let _ = writeln!(o, "{}\n", para(inlines));
            }
            Block::List { items, ordered } => {
                for (i, item) in items.iter().enumerate() {
                    if *ordered {
                        let _ = writeln!(o, "{}. {}", i + 1, esc(item));
                    } else {
                        let _ = writeln!(o, "- {}", esc(item));
                    }
                }
                o.push('\n');
            }
            Block::Table(t) => table(o, t, notes),
            Block::Chart(c) => chart(o, c),
            Block::Small(text) => {
                let _ = writeln!(o, "_{}_\n", esc(text));
            }
        }
    }
}

fn para(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Text(t) => esc(t),
            Inline::Strong(t) => format!("**{}**", esc(t)),
            Inline::Code(t) => format!("`{}`", t.replace('`', "'")),
        })
        .collect()
}

fn table(o: &mut String, t: &Table, notes: &mut Notes) {
    let _ = writeln!(o, "**{}**\n", esc(&t.caption));
    let head: Vec<String> = t.head.iter().map(|h| esc(h)).collect();
    let _ = writeln!(o, "| {} |", head.join(" | "));
    let rule: Vec<&str> = t
        .numeric
        .iter()
        .map(|&n| if n { "---:" } else { "---" })
        .collect();
    let _ = writeln!(o, "| {} |", rule.join(" | "));
    for row in &t.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                let text = if c.code {
                    format!("`{}`", c.text.replace('`', "'").replace('|', "\\|"))
                } else {
                    esc(&c.text)
                };
                match &c.note {
                    Some(note) => format!("{text} [{}]", notes.number(note)),
                    None => text,
                }
            })
            .collect();
        let _ = writeln!(o, "| {} |", cells.join(" | "));
    }
    o.push('\n');
    let table_notes = notes.of_table(t);
    for (n, text) in &table_notes {
        let _ = writeln!(o, "[{n}] {}  ", esc(text));
    }
    if !table_notes.is_empty() {
        o.push('\n');
    }
}

fn chart(o: &mut String, c: &Chart) {
    if c.png {
        let _ = writeln!(o, "![{}](charts/{}.png)\n", esc(&c.caption), c.name);
    }
    let _ = writeln!(o, "_{}_\n", esc(&c.caption));
}
