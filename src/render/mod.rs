//! Stage 6 of the pipeline: what a run looks like outside the program.
//!
//! [`tables`] writes the ledger and the period table (CSV, Parquet via
//! polars), [`summary`] the metrics (JSON and a terminal table), [`charts`]
//! the memo charts (PNG and SVG, plotters, bundled font), [`xlsx`] the
//! workbook with live formulas, and [`report`] the one-file HTML report and
//! its Markdown twin.

pub mod charts;
pub mod report;
pub mod stress;
pub mod summary;
pub mod tables;
pub mod xlsx;
