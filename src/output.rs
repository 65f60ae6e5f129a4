//! Writing a run's outputs all at once, or not at all, and never over a
//! user's own files.
//!
//! Outputs are written into a fresh hidden directory beside the target and
//! renamed into place only when every file is complete, so a failed or
//! interrupted run leaves the previous outputs as they were. Every output
//! directory carries a [`MARKER`] file; dealsim replaces only a directory
//! that has it (or an empty one), and refuses anything else.

use std::path::{Path, PathBuf};

/// The file that marks a directory as dealsim's to replace.
pub const MARKER: &str = ".dealsim-output";

/// Staging directories being filled now: what an interrupt removes.
static STAGED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Removes every staging directory being filled and exits with 130 (as a
/// shell does on Ctrl-C): earlier outputs stay as they were and nothing
/// half-written is left beside them. `main` calls this on SIGINT.
pub fn abandon() -> ! {
    if let Ok(staged) = STAGED.lock() {
        for dir in staged.iter() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    std::process::exit(130)
}

/// Checks that `target` may be written: absent, empty, or an earlier dealsim output.
pub fn check_target(target: &Path) -> Result<(), String> {
    if !target.exists() {
        return Ok(());
    }
    if !target.is_dir() {
        return Err(format!(
            "`{}` exists and is not a directory; choose another --out",
            target.display()
        ));
    }
    let empty = std::fs::read_dir(target)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if empty || target.join(MARKER).is_file() {
        Ok(())
    } else {
        Err(format!(
            "`{}` exists and is not a dealsim output directory (it has no {MARKER} file); \
             dealsim will not replace it: choose another --out, or remove it yourself",
            target.display()
        ))
    }
}

/// A directory being filled, to be renamed over `target` by [`Staging::commit`].
pub struct Staging {
    target: PathBuf,
    dir: tempfile::TempDir,
}

impl Staging {
    /// Creates the staging directory next to `target` (creating `target`'s parent).
    pub fn new(target: &Path) -> Result<Staging, String> {
        check_target(target)?;
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
        std::fs::write(
            dir.path().join(MARKER),
            "dealsim output directory: dealsim may replace it on the next run\n",
        )
        .map_err(|e| format!("{}: {e}", dir.path().display()))?;
        if let Ok(mut staged) = STAGED.lock() {
            staged.push(dir.path().to_path_buf());
        }
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
        })
    }

    /// Where to write files now.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Moves the finished directory into place, replacing an earlier output.
    /// On failure the staging directory is removed and the earlier output kept.
    pub fn commit(self) -> Result<PathBuf, String> {
        self.commit_keeping(&[])
    }

    /// Like [`Staging::commit`], but the earlier output's subdirectories
    /// named in `keep` move into the new one: `dealsim run` keeps the
    /// `stress/` results that `dealsim stress` wrote beside it.
    pub fn commit_keeping(self, keep: &[&str]) -> Result<PathBuf, String> {
        let Staging { target, dir } = self;
        // Held to the end: an interrupt waits for the renames to finish,
        // so the target is never left half-swapped.
        let mut staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
        staged.retain(|d| d != dir.path());
        // Checked again: something may have appeared at `target` during the run.
        check_target(&target)?;
        let err = |e: std::io::Error| format!("{}: {e}", target.display());
        if !target.exists() {
            let staged = dir.keep();
            return match std::fs::rename(&staged, &target) {
                Ok(()) => Ok(target),
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&staged);
                    Err(err(e))
                }
            };
        }
        let old = dir.path().with_extension("old");
        std::fs::rename(&target, &old).map_err(err)?;
        let staged = dir.keep();
        // Subdirectories to keep move from the earlier output into the new one
        // (only dealsim's own, and only if the new one has none of that name).
        let kept: Vec<&str> = keep
            .iter()
            .copied()
            .filter(|sub| old.join(sub).join(MARKER).is_file() && !staged.join(sub).exists())
            .filter(|sub| std::fs::rename(old.join(sub), staged.join(sub)).is_ok())
            .collect();
        if let Err(e) = std::fs::rename(&staged, &target) {
            // Put the earlier output back, whole; drop what was staged.
            for sub in kept {
                let _ = std::fs::rename(staged.join(sub), old.join(sub));
            }
            let _ = std::fs::rename(&old, &target);
            let _ = std::fs::remove_dir_all(&staged);
            return Err(err(e));
        }
        // `old` holds only an earlier dealsim output (checked above).
        std::fs::remove_dir_all(&old).map_err(|e| format!("{}: {e}", old.display()))?;
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_directory_or_file_is_never_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let mine = tmp.path().join("reports");
        std::fs::create_dir(&mine).unwrap();
        std::fs::write(mine.join("memo.txt"), "thesis").unwrap();
        assert!(Staging::new(&mine).is_err());
        assert_eq!(
            std::fs::read_to_string(mine.join("memo.txt")).unwrap(),
            "thesis"
        );
        let file = tmp.path().join("notes");
        std::fs::write(&file, "notes").unwrap();
        assert!(Staging::new(&file).is_err());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "notes");
        // Nothing was left behind beside them.
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_kept_subdirectory_survives_a_new_output() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        Staging::new(&out).unwrap().commit().unwrap();
        let s = Staging::new(&out.join("stress")).unwrap();
        std::fs::write(s.path().join("stress.json"), "{}").unwrap();
        s.commit().unwrap();
        let s = Staging::new(&out).unwrap();
        std::fs::write(s.path().join("b.csv"), "2").unwrap();
        s.commit_keeping(&["stress"]).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("stress/stress.json")).unwrap(),
            "{}"
        );
        // Without `keep`, a new output replaces everything.
        Staging::new(&out).unwrap().commit().unwrap();
        assert!(!out.join("stress").exists());
    }

    #[test]
    fn an_earlier_output_is_replaced_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let s = Staging::new(&out).unwrap();
        std::fs::write(s.path().join("a.csv"), "1").unwrap();
        s.commit().unwrap();
        let s = Staging::new(&out).unwrap();
        std::fs::write(s.path().join("b.csv"), "2").unwrap();
        s.commit().unwrap();
        assert!(
            !out.join("a.csv").exists(),
            "stale files from the earlier run remain"
        );
        assert_eq!(std::fs::read_to_string(out.join("b.csv")).unwrap(), "2");
        assert!(out.join(MARKER).is_file());
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            1,
            "staging left behind"
        );
    }
}
