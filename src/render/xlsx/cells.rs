//! Cell addresses, formulas with their cached results, and Excel dates.
//!
//! Every formula the workbook holds is written by [`formula`] together with
//! the value dealsim computed for it, so a viewer that does not recalculate
//! shows dealsim's number and one that does shows Excel's.

use chrono::NaiveDate;
use rust_xlsxwriter::utility::{
    column_number_to_name, quote_sheet_name, row_col_to_cell, row_col_to_cell_absolute,
};
use rust_xlsxwriter::{ColNum, Format, Formula, RowNum, Worksheet, XlsxError};

/// Excel's serial number of a date (days since 1899-12-30; real Excel dates
/// for anything after February 1900).
pub fn serial(d: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or(NaiveDate::MIN);
    (d - epoch).num_days() as f64
}

/// `$B$3`.
pub fn abs(row: RowNum, col: ColNum) -> String {
    row_col_to_cell_absolute(row, col)
}

/// `B3`.
pub fn rel(row: RowNum, col: ColNum) -> String {
    row_col_to_cell(row, col)
}

/// `$B3`: the column fixed, the row relative.
pub fn fixed_col(row: RowNum, col: ColNum) -> String {
    format!("${}{}", column_number_to_name(col), row + 1)
}

/// `'Cash flows'!$B$3`.
pub fn at(sheet: &str, row: RowNum, col: ColNum) -> String {
    format!("{}!{}", quote_sheet_name(sheet), abs(row, col))
}

/// `'Cash flows'!$B$3:$B$9`, one column.
pub fn column(sheet: &str, col: ColNum, first: RowNum, last: RowNum) -> String {
    format!(
        "{}!{}:{}",
        quote_sheet_name(sheet),
        abs(first, col),
        abs(last, col)
    )
}

/// A string literal in a formula: `"openai"`.
pub fn text(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A number as a formula's cached result, exactly (round-trip precision).
pub fn result(v: f64) -> String {
    if v == 0.0 || (1e-5..1e15).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Writes `formula` (without the leading `=`) with `value` as its cached result.
pub fn formula(
    ws: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    formula: &str,
    value: f64,
    format: &Format,
) -> Result<(), XlsxError> {
    let f = Formula::new(formula).set_result(result(value));
    ws.write_formula_with_format(row, col, f, format)?;
    Ok(())
}

/// Column `base + offset` as a column number, or an error past Excel's last column.
pub fn col(base: usize, offset: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(base + offset)
        .ok()
        .filter(|c| *c < 16_384)
        .ok_or(XlsxError::RowColumnLimitError)
}

/// Row `base + offset` as a row number, or an error past Excel's last row.
pub fn row(base: usize, offset: usize) -> Result<RowNum, XlsxError> {
    RowNum::try_from(base + offset)
        .ok()
        .filter(|r| *r < 1_048_576)
        .ok_or(XlsxError::RowColumnLimitError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_match_excel() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("valid date");
        assert_eq!(serial(d(1900, 3, 1)), 61.0);
        assert_eq!(serial(d(2026, 1, 1)), 46023.0);
    }

    #[test]
    fn results_round_trip() {
        for v in [0.0, 1.5, -2.25e-14, 3_315.531_212_3, 1e300, 0.1 + 0.2] {
            assert_eq!(result(v).parse::<f64>().ok(), Some(v), "{v}");
        }
    }

    #[test]
    fn addresses() {
        assert_eq!(at("Cash flows", 2, 1), "'Cash flows'!$B$3");
        assert_eq!(column("Ledger", 7, 1, 9), "Ledger!$H$2:$H$10");
        assert_eq!(text("a\"b"), "\"a\"\"b\"");
        assert_eq!(fixed_col(3, 4), "$E4");
    }
}
