//! The Excel workbook an analyst can audit: `<out>/<name>.xlsx`, written by
//! `dealsim run` beside the CSV tables and charts.
//!
//! Sheets, in order:
//!
//! - `Summary`: every figure of `summary.json`, with an Excel formula beside
//!   each one an analyst would check and the difference (see `summary`);
//! - `Charts`: native charts over the sheets' cells (`charts`);
//! - `Cash flows`, `Flows by kind`: per party and period (`flows`);
//! - `Dated flows`: each party's net flow by date, for `XNPV`/`XIRR` (`dated`);
//! - `Revenue share`: payments against the cap, when the scenario has one (`shares`);
//! - `Ledger`: every flow, the data everything else adds up (`ledger`);
//! - `Assumptions`: every input, its unit and its line in the scenario (`assumptions`).
//!
//! Every formula is written with dealsim's own value as its cached result
//! (`cells::formula`), so a viewer that does not recalculate shows
//! dealsim's numbers and one that does (Excel, `tests/xlsx.rs` with
//! LibreOffice) shows its own; the two agree to rounding. Formulas aggregate
//! the ledger with `SUMIFS`, never dealsim's aggregates, so they check the
//! aggregation and the metrics, not just copy them. The ledger itself is
//! values: changing an input on `Assumptions` updates the formulas that read
//! it, not the flows; re-run dealsim with `--set` for that.

mod assumptions;
mod cells;
mod charts;
mod dated;
mod flows;
mod ledger;
mod shares;
mod style;
mod summary;

// The party and flow-kind colours of the PNG charts, so the workbook's
// charts use the very same colours.
use crate::render::charts::palette;

use std::path::Path;

use rust_xlsxwriter::{DocProperties, Workbook, XlsxError};

use crate::Run;

/// Writes `<scenario>.xlsx` for `run` at `path`.
pub fn write(run: &Run, path: &Path) -> Result<(), String> {
    let mut workbook = build(run).map_err(|e| format!("{}: {e}", path.display()))?;
    workbook
        .save(path)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The workbook of a run, in memory.
fn build(run: &Run) -> Result<Workbook, XlsxError> {
    let st = style::Styles::new();
    let colors = palette::Parties::of(&run.model);
    let (ledger_ws, ledger) = ledger::write(run, &st)?;
    let (inputs_ws, inputs) = assumptions::write(run, &st)?;
    let (cash_ws, cash) = flows::write_cash(run, &st, &colors, &ledger, &inputs)?;
    let (kinds_ws, kinds) = flows::write_kinds(run, &st, &colors, &ledger)?;
    let (dated_ws, dated) = dated::write(run, &st, &colors, &ledger)?;
    let shares = shares::write(run, &st, &ledger, &inputs)?;
    let share_layout = shares.as_ref().map_or(&[][..], |(_, s)| s.as_slice());
    let refs = summary::Refs {
        ledger: &ledger,
        inputs: &inputs,
        cash: &cash,
        dated: &dated,
        shares: share_layout,
    };
    let summary_ws = summary::write(run, &st, &refs)?;
    let charts_ws = charts::write(run, &colors, &cash, &kinds, share_layout)?;

    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(&run.model.meta.name)
            .set_comment("Written by dealsim; formulas are cached with dealsim's values."),
    );
    for ws in [summary_ws, charts_ws, cash_ws, kinds_ws, dated_ws] {
        wb.push_worksheet(ws);
    }
    if let Some((ws, _)) = shares {
        wb.push_worksheet(ws);
    }
    wb.push_worksheet(ledger_ws);
    wb.push_worksheet(inputs_ws);
    Ok(wb)
}
