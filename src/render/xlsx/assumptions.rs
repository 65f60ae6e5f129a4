//! The `Assumptions` sheet: every input of the run (each parameter address
//! `--set` accepts) with its value, unit, allowed range, and where it was
//! written: file, line and the comment on that line, which is where the
//! shipped scenarios say whether a number is reported, derived or assumed.
//!
//! Formulas on other sheets that use an input (the discount rate, opening
//! cash, caps, tranche amounts) read it from here.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::cells::{at, row};
use super::style::{Num, Styles};
use crate::diagnostic::SourceFile;
use crate::model::params::Range;
use crate::model::{Condition, Model, P};
use crate::Run;

pub const SHEET: &str = "Assumptions";

/// Row of the column headers; inputs follow.
const HEADER: u32 = 2;
const VALUE_COL: u16 = 1;

/// Where each input's value cell is.
pub struct Inputs {
    rows: Vec<u32>,
}

impl Inputs {
    /// `Assumptions!$B$k`, the value cell of parameter `p`.
    pub fn cell(&self, p: P) -> String {
        at(SHEET, self.rows[p.ix()], VALUE_COL)
    }
}

/// What an input measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Money,
    MoneyPerYear,
    Share,
    Rate,
    Multiple,
    PerYear,
    Months,
    Plain,
}

impl Kind {
    fn label(self, money: &str) -> String {
        match self {
            Kind::Money => money.to_string(),
            Kind::MoneyPerYear => format!("{money}/yr"),
            Kind::Share => "%".into(),
            Kind::Rate => "%/yr".into(),
            Kind::Multiple => "x".into(),
            Kind::PerYear => "/yr".into(),
            Kind::Months => "months".into(),
            Kind::Plain => String::new(),
        }
    }

    fn num(self) -> Num {
        match self {
            Kind::Money | Kind::MoneyPerYear => Num::Money,
            Kind::Share | Kind::Rate => Num::Percent,
            Kind::Multiple => Num::Multiple,
            Kind::Months => Num::Count,
            Kind::PerYear | Kind::Plain => Num::Plain,
        }
    }
}

/// The kind of parameter `p` from its field name (the last part of its
/// address that is not a number), else from its allowed range.
fn kind(m: &Model, p: usize) -> Kind {
    let info = &m.params.info[p];
    let field = info
        .address
        .rsplit('.')
        .find(|s| s.parse::<u32>().is_err())
        .unwrap_or("");
    match field {
        "opening_cash" | "amount" | "post_money" | "total" | "cap" | "paid_to_date"
        | "valuation" => Kind::Money,
        "run_rate" | "ceiling" | "fixed_opex" => Kind::MoneyPerYear,
        "at_least" => at_least_kind(m, p),
        "gross_margin" | "opex_share" | "probability" | "credit_share" | "take_or_pay"
        | "demand_share" | "rate" => Kind::Share,
        "growth" | "growth_path" | "discount_rate" => Kind::Rate,
        "revenue_multiple" => Kind::Multiple,
        "steepness" => Kind::PerYear,
        "delay_months" => Kind::Months,
        _ => match info.range {
            Range::Share | Range::Margin => Kind::Share,
            Range::Rate | Range::Discount => Kind::Rate,
            Range::Months => Kind::Months,
            _ => Kind::Plain,
        },
    }
}

/// A milestone threshold is a run-rate ($B/yr) or a cumulative spend ($B).
fn at_least_kind(m: &Model, p: usize) -> Kind {
    let run_rate = m.milestones.iter().any(|ms| {
        matches!(ms.condition, Some(Condition::RevenueRunRate { at_least, .. }) if at_least.ix() == p)
    });
    if run_rate {
        Kind::MoneyPerYear
    } else {
        Kind::Money
    }
}

/// File, line and the comment on the line of a value written at byte `start`.
fn source(file: &SourceFile, start: usize, end: usize) -> Option<(String, u32, String)> {
    let text = file.text.as_str();
    if end > text.len() || !text.is_char_boundary(end) || !text.is_char_boundary(start) {
        return None;
    }
    let (name, line, _) = file.line_col(start);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let comment = comment_after(&text[end..line_end]).unwrap_or_default();
    Some((base_name(name), line as u32, comment))
}

/// A file's name without its directory (the workbook may travel).
pub fn base_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

/// The number written at `span` in the file, if it reads as one (TOML allows `1_000`).
fn written(file: &SourceFile, span: &std::ops::Range<usize>) -> Option<f64> {
    let raw = file.text.get(span.clone())?;
    raw.trim().replace('_', "").parse().ok()
}

/// The text of a `#` comment in `rest` (what follows a value on its line),
/// skipping `#` inside quoted strings.
fn comment_after(rest: &str) -> Option<String> {
    let mut quote: Option<char> = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '#') => return Some(rest[i + 1..].trim().to_string()),
            _ => {}
        }
    }
    None
}

/// Writes the sheet.
pub fn write(run: &Run, st: &Styles) -> Result<(Worksheet, Inputs), XlsxError> {
    let m = &run.model;
    let money = m.meta.money_label();
    let mut ws = Worksheet::new();
    ws.set_name(SHEET)?;
    ws.write_string_with_format(0, 0, "Inputs of the run", &st.title)?;
    ws.write_string_with_format(
        1,
        0,
        "Every number `--set ADDRESS=VALUE` can change, after overrides. Formulas that use an \
         input read it here; the ledger does not: re-run dealsim to re-model a change.",
        &st.note,
    )?;
    let headers = [
        "Address",
        "Value",
        "Unit",
        "Allowed",
        "File",
        "Line",
        "Comment in the scenario",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(HEADER, c as u16, *h, &st.header)?;
    }
    let file = &run.warnings.file;
    let mut rows = Vec::with_capacity(m.params.values.len());
    for (i, (info, &value)) in m.params.info.iter().zip(&m.params.values).enumerate() {
        let r = row(HEADER as usize + 1, i)?;
        rows.push(r);
        let k = kind(m, i);
        ws.write_string(r, 0, &info.address)?;
        ws.write_number_with_format(r, VALUE_COL, value, st.input(k.num()))?;
        ws.write_string(r, 2, k.label(&money))?;
        ws.write_string(r, 3, info.range.describe())?;
        match info
            .span
            .as_ref()
            .and_then(|s| source(file, s.start, s.end))
        {
            Some((name, line, comment)) => {
                ws.write_string(r, 4, name)?;
                ws.write_number_with_format(r, 5, f64::from(line), st.input(Num::Count))?;
                let in_file = info.span.as_ref().and_then(|s| written(file, s));
                let comment = match in_file {
                    Some(v) if v != value => {
                        format!("set on the command line; the file has {v}. {comment}")
                    }
                    _ => comment,
                };
                ws.write_string(r, 6, comment.trim_end())?;
            }
            None => {
                ws.write_string_with_format(r, 4, "(not in the file: a default)", &st.note)?;
            }
        }
    }
    ws.set_freeze_panes(HEADER + 1, 1)?;
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(HEADER, HEADER)?;
    for (c, w) in [44.0, 11.0, 8.0, 26.0, 28.0, 6.0, 90.0]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, w)?;
    }
    Ok((ws, Inputs { rows }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_after_values() {
        assert_eq!(
            comment_after("           # A: window start").as_deref(),
            Some("A: window start")
        );
        assert_eq!(comment_after("  ").as_deref(), None);
        assert_eq!(
            comment_after(", note = \"a#b\" } # R").as_deref(),
            Some("R")
        );
    }
}
