//! Charts of a comparison (placeholder until it lands).

use std::path::{Path, PathBuf};

use crate::Run;

/// Writes the comparison charts of `runs` (the first is the reference) into `dir`.
pub fn render(
    _runs: &[&Run],
    _dir: &Path,
    _width: u32,
    _height: u32,
) -> Result<Vec<PathBuf>, String> {
    Ok(Vec::new())
}
