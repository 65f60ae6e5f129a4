//! Memo charts (placeholder until the chart module lands).

use std::path::{Path, PathBuf};

use crate::Run;

/// Writes every chart of a run into `dir` as PNG and SVG; returns the files written.
pub fn render_all(_run: &Run, _dir: &Path) -> Result<Vec<PathBuf>, String> {
    Ok(Vec::new())
}
