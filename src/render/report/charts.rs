//! The charts the run wrote into `charts/`, found on disk, put in reading
//! order and captioned.
//!
//! The report does not re-render anything: it inlines each `charts/*.svg`
//! into the HTML and links each `charts/*.png` from the Markdown, so the
//! report shows exactly the files beside it.

use std::path::Path;

use super::doc::Chart;
use crate::model::Model;

/// Every chart in `dir` (the `charts/` directory), in reading order.
pub fn collect(m: &Model, dir: &Path) -> Result<Vec<Chart>, String> {
    let mut stems: Vec<String> = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str());
        if !matches!(ext, Some("svg" | "png")) {
            continue;
        }
        if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
            if !stems.iter().any(|s| s == stem) {
                stems.push(stem.to_string());
            }
        }
    }
    stems.sort_by_key(|s| (rank(m, s), s.clone()));
    stems
        .into_iter()
        .map(|name| {
            let svg_path = dir.join(format!("{name}.svg"));
            let svg = if svg_path.is_file() {
                let text = std::fs::read_to_string(&svg_path)
                    .map_err(|e| format!("{}: {e}", svg_path.display()))?;
                Some(text)
            } else {
                None
            };
            Ok(Chart {
                caption: caption(m, &name),
                png: dir.join(format!("{name}.png")).is_file(),
                svg,
                name,
            })
        })
        .collect()
}

/// Reading order: the whole deal first, then the lab's cash, caps, tranches,
/// then each party's flows in the scenario's party order.
fn rank(m: &Model, stem: &str) -> (u8, usize) {
    let party = |id: &str| m.party_index(id).unwrap_or(usize::MAX);
    if stem == "cumulative-net" {
        (0, 0)
    } else if let Some(id) = stem.strip_prefix("lab-cash-") {
        (1, party(id))
    } else if let Some(id) = stem.strip_prefix("revenue-share-") {
        let ix = m.revenue_shares.iter().position(|r| r.id == id);
        (2, ix.unwrap_or(usize::MAX))
    } else if stem == "tranches" {
        (3, 0)
    } else if let Some(id) = stem.strip_prefix("flows-") {
        (4, party(id))
    } else {
        (5, 0)
    }
}

fn caption(m: &Model, stem: &str) -> String {
    let name = |id: &str| {
        m.party_index(id)
            .and_then(|i| m.parties.get(i))
            .map_or_else(|| id.to_string(), |p| p.name.clone())
    };
    if stem == "cumulative-net" {
        let tv = if m.exits.is_empty() {
            ""
        } else {
            "; the jump at the end is the terminal value of equity stakes"
        };
        format!("Each party's cumulative net flow over the window{tv}.")
    } else if let Some(id) = stem.strip_prefix("lab-cash-") {
        format!(
            "{}'s cash balance against its cumulative committed compute spend.",
            name(id)
        )
    } else if let Some(id) = stem.strip_prefix("revenue-share-") {
        format!("Revenue share {id}: payments over time against the cap.")
    } else if stem == "tranches" {
        "When each investment tranche is paid, or the deadline by which it lapses.".into()
    } else if let Some(id) = stem.strip_prefix("flows-") {
        format!(
            "{}: flows by kind per period (bars) and cumulative net (line).",
            name(id)
        )
    } else {
        stem.to_string()
    }
}

/// An SVG document ready to inline in HTML: from its `<svg` tag on (no XML
/// prolog), labelled for screen readers, with the report's chart class.
pub fn inline_svg(svg: &str, label: &str) -> Option<String> {
    let start = svg.find("<svg")?;
    let body = svg[start..].trim_end();
    let rest = body.strip_prefix("<svg")?;
    Some(format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{}\"{rest}",
        super::fmt::html(label)
    ))
}
