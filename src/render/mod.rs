//! Stage 5 of the pipeline: what a run looks like outside the program.
//!
//! [`tables`] writes the ledger and the period table (CSV, Parquet via
//! polars), [`summary`] the metrics (JSON and a terminal table), and
//! [`charts`] the memo charts (PNG and SVG, plotters, bundled font).

pub mod charts;
pub mod summary;
pub mod tables;
