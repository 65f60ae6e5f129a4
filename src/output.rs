//! Writing a run's outputs all at once, or not at all.
//!
//! Outputs are written into a fresh hidden directory beside the target and
//! renamed into place only when every file is complete. A failed or
//! interrupted run leaves the previous outputs as they were.

use std::path::{Path, PathBuf};

/// A directory being filled, to be renamed over `target` by [`Staging::commit`].
pub struct Staging {
    target: PathBuf,
    dir: tempfile::TempDir,
}

impl Staging {
    /// Creates the staging directory next to `target` (creating `target`'s parent).
    pub fn new(target: &Path) -> Result<Staging, String> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.partial-"))
            .tempdir_in(&parent)
            .map_err(|e| format!("{}: {e}", parent.display()))?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
        })
    }

    /// Where to write files now.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Moves the finished directory into place, replacing an older one.
    pub fn commit(self) -> Result<PathBuf, String> {
        let Staging { target, dir } = self;
        let staged = dir.keep();
        let err = |e: std::io::Error| format!("{}: {e}", target.display());
        if target.exists() {
            let old = staged.with_extension("old");
            std::fs::rename(&target, &old).map_err(err)?;
            std::fs::rename(&staged, &target).map_err(err)?;
            std::fs::remove_dir_all(&old).map_err(err)?;
        } else {
            std::fs::rename(&staged, &target).map_err(err)?;
        }
        Ok(target)
    }
}
