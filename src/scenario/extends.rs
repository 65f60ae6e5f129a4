//! `extends`: a variant written as the changes to another scenario.
//!
//! ```toml
//! extends = "amazon-openai-2026.toml"   # relative to this file
//! drop = ["commitment.aws-2026"]        # entries of the base to remove
//!
//! [scenario]
//! name = "Amazon -> OpenAI, counter-offer"   # only the keys written change
//!
//! [[investment]]
//! id = "amazon-2026"                         # same id: merged field by field
//! [[investment.tranche]]
//! id = "on-funding-event"
//! amount = 25.0
//! ```
//!
//! The files of the chain (base first) are read into one [`SourceFile`] made
//! of [`Part`]s. Each part is parsed on its own, its spans moved to its place
//! in the whole text, and the trees merged: `[scenario]` key by key, and an
//! entry of a `[[section]]` onto the base entry with the same id (`party` for
//! `[[revenue]]`, `company` for `[[exit]]`; tranches by `id` inside their
//! investment), field by field; new ids are appended. Because spans stay
//! attached to values, an error in an inherited value points into the file
//! that holds it.

use std::path::{Path, PathBuf};

use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use super::LoadError;
use crate::diagnostic::{Diagnostic, Part, Report, SourceFile};

/// How many files a chain may have (a guard against runaway chains).
const MAX_CHAIN: usize = 16;

/// Reads `path` and, following `extends`, the scenarios it builds on.
pub fn read_chain(path: &Path) -> Result<SourceFile, LoadError> {
    let mut chain: Vec<(String, String)> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut next = Some(path.to_path_buf());
    while let Some(p) = next.take() {
        let name = p.display().to_string();
        let text = std::fs::read_to_string(&p).map_err(|source| LoadError::Io {
            path: name.clone(),
            source,
        })?;
        let canonical = p.canonicalize().unwrap_or_else(|_| p.clone());
        seen.push(canonical);
        if let Some((target, span)) = extends_of(&text) {
            let base = p.parent().unwrap_or(Path::new(".")).join(&target);
            let problem = if seen.contains(&base.canonicalize().unwrap_or_else(|_| base.clone())) {
                Some(format!(
                    "`{target}` extends back to a file of its own chain"
                ))
            } else if seen.len() >= MAX_CHAIN {
                Some(format!(
                    "a chain of `extends` is limited to {MAX_CHAIN} files"
                ))
            } else if !base.is_file() {
                Some(format!("cannot read `{}`: no such file", base.display()))
            } else {
                None
            };
            if let Some(message) = problem {
                let file = std::sync::Arc::new(SourceFile::single(name, text));
                let d = Diagnostic::error("extends", Some(span), message)
                    .hint("`extends` names another scenario file, relative to this one");
                return Err(LoadError::Invalid(Report {
                    file,
                    diagnostics: vec![d],
                }));
            }
            next = Some(base);
        }
        chain.push((name, text));
    }
    // Base first: later files override earlier ones.
    chain.reverse();
    let mut text = String::new();
    let mut parts = Vec::new();
    for (name, t) in chain {
        let start = text.len();
        text.push_str(&t);
        parts.push(Part {
            name,
            range: start..text.len(),
            text: t,
        });
        text.push('\n');
    }
    Ok(SourceFile {
        name: path.display().to_string(),
        text,
        parts,
    })
}

/// The `extends` value of a file and its span, if the file has one.
fn extends_of(text: &str) -> Option<(String, std::ops::Range<usize>)> {
    let root = DeTable::parse(text).ok()?.into_inner();
    root.iter()
        .find_map(|(k, v)| match (k.get_ref().as_ref(), v.get_ref()) {
            ("extends", DeValue::String(s)) => Some((s.to_string(), v.span())),
            _ => None,
        })
}

/// Parses every part of `file` and merges them, base first. Returns the
/// merged tree and the diagnostics found on the way; `syntax` is true when a
/// part did not parse (the tree is then not worth deserializing).
pub fn merged_tree(file: &SourceFile) -> (DeTable<'_>, Vec<Diagnostic>, bool) {
    let mut merged = DeTable::new();
    let mut diags = Vec::new();
    let mut syntax = false;
    for (i, part) in file.parts.iter().enumerate() {
        let (tree, errors) = DeTable::parse_recoverable(&part.text);
        let offset = part.range.start;
        for e in &errors {
            let mut d = super::from_toml_error(&part.text, e);
            d.span = d.span.map(|s| s.start + offset..s.end + offset);
            diags.push(d);
            syntax = true;
        }
        let mut tree = shift_table(tree.into_inner(), offset);
        if let Some(d) = tree.remove("drop") {
            if i == 0 {
                diags.push(
                    Diagnostic::error(
                        "drop",
                        Some(d.span()),
                        "`drop` removes entries of the scenario this one extends, but this file extends none",
                    )
                    .hint("add `extends = \"<base>.toml\"` or remove `drop`"),
                );
            } else {
                apply_drop(&mut merged, d, &mut diags);
            }
        }
        tree.remove("extends");
        merge_document(&mut merged, tree);
    }
    (merged, diags, syntax)
}

fn shift<T>(v: Spanned<T>, offset: usize) -> (std::ops::Range<usize>, T) {
    let s = v.span();
    (s.start + offset..s.end + offset, v.into_inner())
}

fn shift_value(v: Spanned<DeValue<'_>>, offset: usize) -> Spanned<DeValue<'_>> {
    let (span, value) = shift(v, offset);
    let value = match value {
        DeValue::Table(t) => DeValue::Table(shift_table(t, offset)),
        DeValue::Array(mut a) => {
            for item in a.iter_mut() {
                let taken = std::mem::replace(item, Spanned::new(0..0, DeValue::Boolean(false)));
                *item = shift_value(taken, offset);
            }
            DeValue::Array(a)
        }
        other => other,
    };
    Spanned::new(span, value)
}

fn shift_table(t: DeTable<'_>, offset: usize) -> DeTable<'_> {
    t.into_iter()
        .map(|(k, v)| {
            let (ks, key) = shift(k, offset);
            (Spanned::new(ks, key), shift_value(v, offset))
        })
        .collect()
}

/// The key that identifies an entry of a section.
fn id_key(section: &str) -> &'static str {
    match section {
        "revenue" => "party",
        "exit" => "company",
        _ => "id",
    }
}

fn id_of<'a>(entry: &'a Spanned<DeValue<'_>>, key: &str) -> Option<&'a str> {
    match entry.get_ref() {
        DeValue::Table(t) => {
            t.iter()
                .find_map(|(k, v)| match (k.get_ref().as_ref() == key, v.get_ref()) {
                    (true, DeValue::String(s)) => Some(s.as_ref()),
                    _ => None,
                })
        }
        _ => None,
    }
}

/// Merges a document onto `base`: `[scenario]` key by key, sections by id.
fn merge_document<'a>(base: &mut DeTable<'a>, over: DeTable<'a>) {
    for (key, value) in over {
        let name = key.get_ref().to_string();
        match base.get_mut(name.as_str()) {
            None => {
                base.insert(key, value);
            }
            Some(existing) => merge_value(existing, value, &name),
        }
    }
}

fn merge_value<'a>(base: &mut Spanned<DeValue<'a>>, over: Spanned<DeValue<'a>>, section: &str) {
    let over_span = over.span();
    match (base.get_mut(), over.into_inner()) {
        (DeValue::Table(b), DeValue::Table(o)) => {
            for (k, v) in o {
                let name = k.get_ref().to_string();
                match b.get_mut(name.as_str()) {
                    // Tranches inside an investment merge by id like a section.
                    Some(existing) if name == "tranche" => merge_value(existing, v, "tranche"),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (DeValue::Array(b), DeValue::Array(o)) => {
            let key = id_key(section);
            for item in o {
                let id = id_of(&item, key).map(str::to_string);
                let same = id
                    .as_deref()
                    .and_then(|id| b.iter_mut().find(|e| id_of(e, key) == Some(id)));
                match same {
                    Some(existing) => merge_value(existing, item, section),
                    None => b.push(item),
                }
            }
        }
        (_, other) => *base = Spanned::new(over_span, other),
    }
}

/// Removes the entries named in `drop = ["section.id", ...]` from `base`.
fn apply_drop<'a>(base: &mut DeTable<'a>, drop: Spanned<DeValue<'a>>, diags: &mut Vec<Diagnostic>) {
    let span = drop.span();
    let DeValue::Array(items) = drop.into_inner() else {
        diags.push(
            Diagnostic::error(
                "drop",
                Some(span),
                "`drop` is a list of \"section.id\" strings",
            )
            .hint("e.g. drop = [\"commitment.aws-2026\"]"),
        );
        return;
    };
    for item in items {
        let span = item.span();
        let DeValue::String(s) = item.get_ref() else {
            diags.push(Diagnostic::error(
                "drop",
                Some(span),
                "`drop` entries are \"section.id\" strings",
            ));
            continue;
        };
        let Some((section, id)) = s.split_once('.') else {
            diags.push(
                Diagnostic::error("drop", Some(span), format!("`{s}` is not \"section.id\""))
                    .hint("e.g. \"commitment.aws-2026\""),
            );
            continue;
        };
        let key = id_key(section);
        let removed = match base.get_mut(section).map(Spanned::get_mut) {
            Some(DeValue::Array(entries)) => {
                let before = entries.len();
                let kept: Vec<_> = entries
                    .iter()
                    .filter(|e| id_of(e, key) != Some(id))
                    .cloned()
                    .collect();
                let removed = kept.len() != before;
                let mut rebuilt = DeArray::new();
                for e in kept {
                    rebuilt.push(e);
                }
                // Keep the array's kind (array of tables) by replacing the items in place.
                *entries = rebuilt;
                removed
            }
            _ => false,
        };
        if !removed {
            diags.push(
                Diagnostic::error(
                    "drop",
                    Some(span),
                    format!("the base scenario has no `{section}` with {key} `{id}`"),
                )
                .hint("name an entry of the scenario this one extends, as \"section.id\""),
            );
        }
    }
}
