//! Stage 1 of the pipeline: a scenario file's text becomes [`file::ScenarioFile`].
//!
//! Parsing reports TOML syntax errors, wrong types and unknown keys with their
//! span; an unknown key gets a did-you-mean from the keys the section allows.
//! What the values mean is checked by the next stage, [`crate::model`].

pub mod extends;
pub mod file;

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Report, SourceFile};
use crate::suggest::did_you_mean;

pub use file::ScenarioFile;

use file::S;
use serde::Deserialize;

/// Why a scenario could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read scenario `{path}`: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("scenario `{}` has errors", .0.file.name)]
    Invalid(Report),
}

/// Reads and parses a scenario file, with the files it `extends`.
pub fn load(path: &Path) -> Result<(Arc<SourceFile>, ScenarioFile), LoadError> {
    let file = Arc::new(extends::read_chain(path)?);
    let parsed = parse(&file).map_err(LoadError::Invalid)?;
    Ok((file, parsed))
}

/// The sections a scenario file may have (top-level keys).
const SECTIONS: [&str; 10] = [
    "scenario",
    "party",
    "revenue",
    "milestone",
    "investment",
    "commitment",
    "revenue_share",
    "payment",
    "exit",
    "stress",
];

/// Parses scenario text already in memory.
///
/// Every syntax error is reported, and each section entry is read on its own,
/// so a typo in one `[[commitment]]` does not hide a problem in another.
pub fn parse(file: &Arc<SourceFile>) -> Result<ScenarioFile, Report> {
    let report = |diagnostics| Report {
        file: Arc::clone(file),
        diagnostics,
    };
    let (root, mut diags, syntax) = extends::merged_tree(file);
    if syntax {
        return Err(report(diags));
    }
    let mut header = None;
    let mut stress = None;
    let (mut parties, mut revenues, mut milestones, mut investments) =
        (vec![], vec![], vec![], vec![]);
    let (mut commitments, mut revenue_shares, mut payments, mut exits) =
        (vec![], vec![], vec![], vec![]);
    for (key, value) in root {
        let name = key.get_ref().as_ref();
        match name {
            "scenario" => {
                match S::<file::Header>::deserialize(toml::de::ValueDeserializer::from(value)) {
                    Ok(h) => header = Some(h),
                    Err(e) => diags.push(from_toml_error(&file.text, &e)),
                }
            }
            "party" => parties = entries(&file.text, name, value, &mut diags),
            "revenue" => revenues = entries(&file.text, name, value, &mut diags),
            "milestone" => milestones = entries(&file.text, name, value, &mut diags),
            "investment" => investments = entries(&file.text, name, value, &mut diags),
            "commitment" => commitments = entries(&file.text, name, value, &mut diags),
            "revenue_share" => revenue_shares = entries(&file.text, name, value, &mut diags),
            "payment" => payments = entries(&file.text, name, value, &mut diags),
            "exit" => exits = entries(&file.text, name, value, &mut diags),
            "stress" => {
                match S::<file::Stress>::deserialize(toml::de::ValueDeserializer::from(value)) {
                    Ok(s) => stress = Some(s),
                    Err(e) => diags.push(from_toml_error(&file.text, &e)),
                }
            }
            other => {
                let hint = match did_you_mean(other, SECTIONS) {
                    Some(best) => {
                        format!("did you mean `{best}`? sections: {}", SECTIONS.join(", "))
                    }
                    None => format!("sections: {}", SECTIONS.join(", ")),
                };
                diags.push(
                    Diagnostic::error(
                        other,
                        Some(key.span()),
                        format!("unknown section `{other}`"),
                    )
                    .hint(hint),
                );
            }
        }
    }
    match header {
        Some(scenario) if diags.is_empty() => Ok(ScenarioFile {
            scenario,
            parties,
            revenues,
            milestones,
            investments,
            commitments,
            revenue_shares,
            payments,
            exits,
            stress,
        }),
        None if diags.is_empty() || !diags.iter().any(|d| d.field == "scenario") => {
            diags.insert(
                0,
                Diagnostic::error("scenario", None, "the file has no [scenario] section").hint(
                    "start with [scenario] giving name, start, end, period and discount_rate; see docs/scenario-format.md",
                ),
            );
            Err(report(diags))
        }
        _ => Err(report(diags)),
    }
}

/// Reads each entry of an array of tables (`[[party]]` ...) on its own.
fn entries<T: serde::de::DeserializeOwned>(
    text: &str,
    name: &str,
    value: toml::Spanned<toml::de::DeValue<'_>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<S<T>> {
    let span = value.span();
    let toml::de::DeValue::Array(items) = value.into_inner() else {
        diags.push(
            Diagnostic::error(
                name,
                Some(span),
                format!("`{name}` must be written as [[{name}]] entries"),
            )
            .hint(format!(
                "each {name} is an array-of-tables entry: [[{name}]]"
            )),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items.iter() {
        match S::<T>::deserialize(toml::de::ValueDeserializer::from(item.clone())) {
            Ok(v) => out.push(v),
            Err(e) => diags.push(from_toml_error(text, &e)),
        }
    }
    out
}

pub(crate) fn from_toml_error(text: &str, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().to_string();
    let span = e.span();
    let field = span
        .as_ref()
        .map(|s| key_path_at(text, s.start))
        .unwrap_or_default();
    let mut d = Diagnostic::error(field, span, message.clone());
    if let Some((unknown, expected)) = parse_unknown_field(&message) {
        let hint = match did_you_mean(&unknown, expected.iter().map(String::as_str)) {
            Some(best) => format!(
                "did you mean `{best}`? allowed here: {}",
                expected.join(", ")
            ),
            None => format!("allowed here: {}", expected.join(", ")),
        };
        d = d.hint(hint);
    } else if message.contains("missing field") {
        d = d.hint("see docs/scenario-format.md for the fields each section needs");
    } else if message.contains("expected f64") || message.contains("expected a number") {
        d = d.hint("write a number without quotes, e.g. 38.0");
    } else if message.contains("TOML datetime")
        || message.contains("local date")
        || message.contains("is not a calendar date")
    {
        d = d.hint("write dates as TOML dates without quotes, e.g. 2026-03-31");
    }
    d
}

/// `unknown field `grwth`, expected one of `a`, `b`` -> ("grwth", ["a", "b"]).
fn parse_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect();
    Some((unknown.to_string(), expected))
}

/// The `[table]` header above `offset` and the key at it, for labelling a
/// parse error, e.g. `commitment.take_or_pay`.
fn key_path_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let key = line.split('=').next().unwrap_or("").trim();
    if key.starts_with('[') {
        // The error is in a table header itself.
        return key.trim_matches(|c| c == '[' || c == ']').to_string();
    }
    let table = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').to_string())
        .unwrap_or_default();
    match (table.is_empty(), key.is_empty() || key.starts_with('[')) {
        (true, _) => key.to_string(),
        (false, true) => table,
        (false, false) => format!("{table}.{key}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_message_is_split() {
        let (u, e) =
            parse_unknown_field("unknown field `grwth`, expected one of `party`, `growth`")
                .unwrap();
        assert_eq!(u, "grwth");
        assert_eq!(e, vec!["party", "growth"]);
    }

    #[test]
    fn key_path_names_table_and_key() {
        let text = "[scenario]\nname = 1\n[[commitment]]\nid = \"a\"\ntake_or_pay = 2\n";
        let at = text.find("take_or_pay").unwrap();
        assert_eq!(key_path_at(text, at), "commitment.take_or_pay");
    }
}
