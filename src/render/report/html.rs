//! `report.html`: the [`Doc`] as one self-contained page.
//!
//! Everything is inline: the CSS, the bundled DejaVu faces as base64
//! `@font-face` data (so the inline SVG charts, whose `<text>` asks for
//! "DejaVu Sans", look as they do in the PNGs), and the SVG charts
//! themselves. No scripts, no external `src`/`href`: it opens offline and
//! prints from any browser.

use std::fmt::Write as _;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::charts::inline_svg;
use super::doc::{Block, Cell, Chart, Doc, Inline, Notes, Section, Table, TableKind};
use super::fmt::html as esc;

const CSS: &str = include_str!("style.css");
const REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");
const CONDENSED: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansCondensed.ttf");

/// The page for `doc`.
pub fn render(doc: &Doc) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"dealsim {}\">\n<title>{} \u{b7} dealsim report</title>\n\
         <style>\n{}{CSS}</style>\n</head>\n<body>\n<main class=\"report\">\n",
        env!("CARGO_PKG_VERSION"),
        esc(&doc.title),
        font_faces(doc),
    );
    masthead(&mut o, doc);
    let mut notes = Notes::default();
    let mut listed = Vec::new();
    for s in &doc.sections {
        section(&mut o, s, &mut notes, &mut listed);
    }
    o.push_str("</main>\n</body>\n</html>\n");
    o
}

/// `@font-face` rules for the faces the page and its charts use: regular and
/// bold always, the condensed face only if a chart asks for it.
fn font_faces(doc: &Doc) -> String {
    let uses_condensed = charts(doc).any(|c| {
        c.svg
            .as_deref()
            .is_some_and(|s| s.contains("DejaVu Sans Condensed"))
    });
    let mut faces = vec![
        ("DejaVu Sans", "normal", REGULAR),
        ("DejaVu Sans", "bold", BOLD),
    ];
    if uses_condensed {
        faces.push(("DejaVu Sans Condensed", "normal", CONDENSED));
    }
    faces
        .into_iter()
        .map(|(family, weight, bytes)| {
            format!(
                "@font-face {{ font-family: \"{family}\"; font-style: normal; font-weight: {weight}; \
                 src: url(data:font/ttf;base64,{}) format(\"truetype\"); }}\n",
                STANDARD.encode(bytes)
            )
        })
        .collect()
}

fn charts(doc: &Doc) -> impl Iterator<Item = &Chart> {
    doc.sections
        .iter()
        .flat_map(|s| &s.blocks)
        .filter_map(|b| match b {
            Block::Chart(c) => Some(c),
            _ => None,
        })
}

fn masthead(o: &mut String, doc: &Doc) {
    o.push_str("<header class=\"masthead\">\n<p class=\"kicker\">Deal report</p>\n");
    let _ = writeln!(o, "<h1>{}</h1>", esc(&doc.title));
    if !doc.description.is_empty() {
        let _ = writeln!(o, "<p class=\"lede\">{}</p>", esc(&doc.description));
    }
    o.push_str("<dl class=\"facts\">\n");
    for (k, v) in &doc.facts {
        let _ = writeln!(o, "<div><dt>{}</dt><dd>{}</dd></div>", esc(k), esc(v));
    }
    o.push_str("</dl>\n");
    let _ = writeln!(o, "<p class=\"colophon\">{}</p>", esc(&doc.colophon));
    o.push_str("</header>\n<nav class=\"toc\" aria-label=\"Contents\"><ol>\n");
    for s in &doc.sections {
        let _ = writeln!(o, "<li><a href=\"#{}\">{}</a></li>", s.id, esc(&s.title));
    }
    o.push_str("</ol></nav>\n");
}

fn section(o: &mut String, s: &Section, notes: &mut Notes, listed: &mut Vec<usize>) {
    let class = if s.omitted { " class=\"omitted\"" } else { "" };
    let _ = writeln!(o, "<section id=\"{}\"{class}>", s.id);
    let _ = writeln!(o, "<h2>{}</h2>", esc(&s.title));
    for b in &s.blocks {
        match b {
            Block::Heading(h) => {
                let _ = writeln!(o, "<h3>{}</h3>", esc(h));
            }
            Block::Para(inlines) => {
                let _ = writeln!(o, "<p>{}</p>", para(inlines));
            }
            Block::List { items, ordered } => {
                let tag = if *ordered { "ol" } else { "ul" };
                let _ = writeln!(o, "<{tag} class=\"sources\">");
                for i in items {
                    let _ = writeln!(o, "<li>{}</li>", esc(i));
                }
                let _ = writeln!(o, "</{tag}>");
            }
            Block::Table(t) => table(o, t, notes, listed),
            Block::Chart(c) => chart(o, c),
            Block::Small(text) => {
                let _ = writeln!(o, "<p class=\"small\">{}</p>", esc(text));
            }
        }
    }
    o.push_str("</section>\n");
}

fn para(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Text(t) => esc(t),
            Inline::Strong(t) => format!("<strong>{}</strong>", esc(t)),
            Inline::Code(t) => format!("<code>{}</code>", esc(t)),
        })
        .collect()
}

fn table(o: &mut String, t: &Table, notes: &mut Notes, listed: &mut Vec<usize>) {
    let class = match t.kind {
        TableKind::Figures => "figures",
        TableKind::Inputs => "inputs",
    };
    // A long list of inputs is folded into two column pairs to halve its length.
    let fold = t.kind == TableKind::Inputs && t.rows.len() > 12;
    let folded = if fold { " folded" } else { "" };
    let _ = writeln!(o, "<table class=\"{class}{folded}\">");
    let _ = writeln!(o, "<caption>{}</caption>", esc(&t.caption));
    let half = t.rows.len().div_ceil(2);
    o.push_str("<thead><tr>");
    let pairs = if fold { 2 } else { 1 };
    for _ in 0..pairs {
        for (h, num) in t.head.iter().zip(&t.numeric) {
            let _ = write!(o, "<th{}>{}</th>", num_class(*num, false, false), esc(h));
        }
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    let rows: Vec<Vec<&Vec<Cell>>> = if fold {
        (0..half)
            .map(|i| {
                [t.rows.get(i), t.rows.get(i + half)]
                    .into_iter()
                    .flatten()
                    .collect()
            })
            .collect()
    } else {
        t.rows.iter().map(|r| vec![r]).collect()
    };
    for row in rows {
        o.push_str("<tr>");
        for cells in &row {
            for (cell, num) in cells.iter().zip(&t.numeric) {
                o.push_str(&td(cell, *num, notes));
            }
        }
        if fold && row.len() < 2 {
            for _ in &t.head {
                o.push_str("<td></td>");
            }
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody>\n</table>\n");
    let table_notes = notes.of_table(t);
    if !table_notes.is_empty() {
        o.push_str("<ol class=\"notes\">\n");
        for (n, text) in table_notes {
            let id = if listed.contains(&n) {
                String::new()
            } else {
                listed.push(n);
                format!(" id=\"note-{n}\"")
            };
            let _ = writeln!(o, "<li value=\"{n}\"{id}>{}</li>", esc(&text));
        }
        o.push_str("</ol>\n");
    }
}

fn num_class(num: bool, code: bool, undefined: bool) -> String {
    let classes: Vec<&str> = [(num, "num"), (code, "code"), (undefined, "undefined")]
        .into_iter()
        .filter_map(|(on, c)| on.then_some(c))
        .collect();
    if classes.is_empty() {
        String::new()
    } else {
        format!(" class=\"{}\"", classes.join(" "))
    }
}

fn td(cell: &Cell, num: bool, notes: &mut Notes) -> String {
    let text = esc(&cell.text);
    match &cell.note {
        Some(note) => {
            let n = notes.number(note);
            format!(
                "<td{} title=\"{}\">{text}<sup class=\"ref\"><a href=\"#note-{n}\">{n}</a></sup></td>",
                num_class(num, cell.code, cell.text == "undefined"),
                esc(note)
            )
        }
        None => format!("<td{}>{text}</td>", num_class(num, cell.code, false)),
    }
}

fn chart(o: &mut String, c: &Chart) {
    let _ = writeln!(o, "<figure class=\"chart\" id=\"chart-{}\">", esc(&c.name));
    match c.svg.as_deref().and_then(|s| inline_svg(s, &c.caption)) {
        Some(svg) => {
            o.push_str(&svg);
            o.push('\n');
        }
        None => {
            let _ = writeln!(
                o,
                "<p class=\"small\">charts/{}.svg is missing or unreadable.</p>",
                esc(&c.name)
            );
        }
    }
    let _ = writeln!(
        o,
        "<figcaption>{} <span class=\"file\">charts/{}.svg</span></figcaption>\n</figure>",
        esc(&c.caption),
        esc(&c.name)
    );
}
