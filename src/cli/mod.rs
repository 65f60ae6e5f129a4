//! What each subcommand does, in terms of the library. `main.rs` only parses
//! arguments and maps the returned [`Error`] to an exit code.

mod stress;

use std::path::{Path, PathBuf};

pub use stress::{replay_json, solve, stress, Replay, SolveOptions, StressOptions};

use crate::diagnostic::Report;
use crate::output::Staging;
use crate::render::{charts, report, summary, tables, xlsx};
use crate::{load_model, Error, Run};

/// Writes to stdout, ignoring a closed pipe (`dealsim run ... | head`).
fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

macro_rules! say {
    ($($t:tt)*) => { emit(&format!($($t)*)) };
}

macro_rules! sayln {
    ($($t:tt)*) => { emit(&(format!($($t)*) + "\n")) };
}

impl Error {
    /// The error as the user sees it on stderr.
    pub fn render(&self, color: bool) -> String {
        match self {
            Error::Scenario(r) => r.render(color),
            Error::Quiet(_) => String::new(),
            other => format!("error: {other}\n"),
        }
    }
}

/// Loads and runs every file first (runs are cheap and in memory), so one
/// bad file, or a warning under `--deny-warnings`, stops everything before
/// anything is written.
fn run_all(
    files: &[PathBuf],
    sets: &[(String, f64)],
    deny_warnings: bool,
    replay: Option<&Replay>,
    color: bool,
) -> Result<Vec<Run>, Error> {
    let mut runs = Vec::new();
    for f in files {
        let (mut model, warnings) = load_model(f, sets)?;
        if let Some(r) = replay {
            let (values, line) = stress::replay_values(&model, r)?;
            model.params.values = values;
            eprintln!("{line}");
        }
        let run = Run::new(model, warnings);
        if run.warnings.diagnostics.is_empty() {
        } else if deny_warnings {
            return Err(Error::Scenario(promote(run.warnings)));
        } else {
            eprint!("{}", run.warnings.render(color));
        }
        runs.push(run);
    }
    Ok(runs)
}

fn promote(mut r: Report) -> Report {
    for d in &mut r.diagnostics {
        d.severity = crate::diagnostic::Severity::Error;
    }
    r
}

/// What `dealsim run` was asked to do besides which files.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Output directory; `outputs/<file stem>` when `None`.
    pub out: Option<PathBuf>,
    /// `--set` overrides, applied to every file.
    pub sets: Vec<(String, f64)>,
    /// Chart size in pixels.
    pub size: (u32, u32),
    /// Which chart files to keep.
    pub formats: Formats,
    pub deny_warnings: bool,
    pub quiet: bool,
    /// Replay this stress path instead of the base case.
    pub replay: Option<Replay>,
}

/// Where each file's outputs go: `--out` itself for one file, `--out/<stem>`
/// for several, `outputs/<stem>` by default. Refuses a target that is a
/// user's own file or directory, and two files writing to one place.
fn targets(files: &[PathBuf], out: Option<&Path>) -> Result<Vec<PathBuf>, Error> {
    let several = files.len() > 1;
    let mut targets: Vec<PathBuf> = Vec::new();
    for file in files {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into());
        let target = match out {
            Some(dir) if several => dir.join(&stem),
            Some(dir) => dir.to_path_buf(),
            None => Path::new("outputs").join(&stem),
        };
        if targets.contains(&target) {
            return Err(Error::Usage(format!(
                "two scenario files would both write to `{}`; rename one of them",
                target.display()
            )));
        }
        crate::output::check_target(&target).map_err(Error::Usage)?;
        targets.push(target);
    }
    Ok(targets)
}

/// Which chart files a run keeps. Both are always drawn: `report.html`
/// inlines the SVGs (so it is whole either way) and `report.md` links the
/// PNGs, or the SVGs when PNGs are not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub png: bool,
    pub svg: bool,
}

/// Removes the chart files that were not asked for, keeping `report.md`'s links whole.
fn keep_formats(dir: &Path, formats: Formats) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Output(e.to_string());
    let charts = dir.join("charts");
    for entry in std::fs::read_dir(&charts).map_err(io)?.flatten() {
        let p = entry.path();
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if (ext == "png" && !formats.png) || (ext == "svg" && !formats.svg) {
            std::fs::remove_file(&p).map_err(io)?;
        }
    }
    let md = dir.join("report.md");
    if !formats.png && md.is_file() {
        let text = std::fs::read_to_string(&md).map_err(io)?;
        std::fs::write(&md, text.replace(".png)", ".svg)")).map_err(io)?;
    }
    Ok(())
}

/// `dealsim run`.
pub fn run(files: &[PathBuf], options: &RunOptions, color: bool) -> Result<(), Error> {
    // Every input and every target is checked before anything is written.
    if options.replay.is_some() && files.len() > 1 {
        return Err(Error::Usage(
            "--path replays a path of one scenario; give one file".into(),
        ));
    }
    let runs = run_all(
        files,
        &options.sets,
        options.deny_warnings,
        options.replay.as_ref(),
        color,
    )?;
    let targets = match (&options.replay, &options.out) {
        // A replayed path gets its own directory beside the base case's.
        (Some(r), None) => {
            let t = Path::new("outputs").join(format!("{}-path-{}", stem_of(&files[0]), r.path));
            crate::output::check_target(&t).map_err(Error::Usage)?;
            vec![t]
        }
        _ => targets(files, options.out.as_deref())?,
    };
    for ((run, target), file) in runs.iter().zip(targets).zip(files) {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into());
        // A replayed path says so beside its outputs.
        let extra: Vec<(&str, String)> = match &options.replay {
            Some(r) => vec![("replay.json", stress::replay_json(&run.model, r)?)],
            None => Vec::new(),
        };
        let written = write_outputs(run, &target, &stem, options.size, options.formats, &extra)?;
        if !options.quiet {
            say!("{}", summary::to_text(&run.summary));
        }
        sayln!(
            "wrote {} ({} files)",
            written.display(),
            count_files(&written)
        );
    }
    Ok(())
}

/// Writes every output of a run into `target`, atomically, charts at `size`
/// pixels; the workbook is named after the scenario file's `stem`.
pub fn write_outputs(
    run: &Run,
    target: &Path,
    stem: &str,
    size: (u32, u32),
    formats: Formats,
    extra: &[(&str, String)],
) -> Result<PathBuf, Error> {
    let staging = Staging::new(target).map_err(Error::Output)?;
    let dir = staging.path();
    for (name, text) in extra {
        std::fs::write(dir.join(name), text).map_err(|e| Error::Output(e.to_string()))?;
    }
    let mut cash = tables::cashflows(run).map_err(|e| Error::Output(e.to_string()))?;
    tables::write_csv(&mut cash, &dir.join("cashflows.csv")).map_err(Error::Output)?;
    tables::write_parquet(&mut cash, &dir.join("cashflows.parquet")).map_err(Error::Output)?;
    let mut periods = tables::periods(run).map_err(|e| Error::Output(e.to_string()))?;
    tables::write_csv(&mut periods, &dir.join("periods.csv")).map_err(Error::Output)?;
    std::fs::write(dir.join("summary.json"), summary::to_json(&run.summary))
        .map_err(|e| Error::Output(e.to_string()))?;
    charts::render_all_sized(run, &dir.join("charts"), size.0, size.1).map_err(Error::Output)?;
    xlsx::write(run, &dir.join(format!("{stem}.xlsx"))).map_err(Error::Output)?;
    report::write(run, dir).map_err(Error::Output)?;
    keep_formats(dir, formats)?;
    staging.commit_keeping(&["stress"]).map_err(Error::Output)
}

fn stem_of(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into())
}

/// Files a run wrote (not the `stress/` results kept beside them).
fn count_files(dir: &Path) -> usize {
    walk(dir)
        .iter()
        .filter(|p| !p.strip_prefix(dir).is_ok_and(|r| r.starts_with("stress")))
        .count()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// `dealsim compare`: the runs side by side, in the terminal, a CSV and charts.
pub fn compare(
    files: &[PathBuf],
    out: Option<&Path>,
    sets: &[(String, f64)],
    size: (u32, u32),
    color: bool,
) -> Result<(), Error> {
    let runs = run_all(files, sets, false, None, color)?;
    let stems: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "scenario".into())
        })
        .collect();
    let target = match out {
        Some(dir) => dir.to_path_buf(),
        None => Path::new("outputs").join(format!("compare-{}", stems.join("-vs-"))),
    };
    crate::output::check_target(&target).map_err(Error::Usage)?;
    let refs: Vec<&Run> = runs.iter().collect();
    let comparison = crate::compare::Comparison::new(&refs, &stems);
    let staging = Staging::new(&target).map_err(Error::Output)?;
    let dir = staging.path();
    std::fs::write(dir.join("compare.csv"), comparison.to_csv())
        .map_err(|e| Error::Output(e.to_string()))?;
    std::fs::write(dir.join("compare.txt"), comparison.to_text())
        .map_err(|e| Error::Output(e.to_string()))?;
    charts::compare::render(&refs, &dir.join("charts"), size.0, size.1).map_err(Error::Output)?;
    report::write_comparison(&comparison, &refs, dir).map_err(Error::Output)?;
    let written = staging.commit().map_err(Error::Output)?;
    say!("{}", comparison.to_text());
    sayln!(
        "wrote {} ({} files)",
        written.display(),
        count_files(&written)
    );
    Ok(())
}

/// `dealsim validate`.
pub fn validate(
    files: &[PathBuf],
    deny_warnings: bool,
    params: bool,
    color: bool,
) -> Result<(), Error> {
    let mut first_error = None;
    for f in files {
        match load_model(f, &[]) {
            Ok((model, warnings)) => {
                let run = Run::new(model, warnings);
                let (model, warnings) = (&run.model, &run.warnings);
                if deny_warnings && !warnings.diagnostics.is_empty() {
                    let e = Error::Scenario(promote(run.warnings));
                    eprint!("{}", e.render(color));
                    first_error.get_or_insert(e);
                    continue;
                }
                if !warnings.diagnostics.is_empty() {
                    eprint!("{}", warnings.render(color));
                }
                sayln!(
                    "{}: ok ({}, {} periods, {} parties)",
                    f.display(),
                    model.meta.name,
                    model.grid.len(),
                    model.parties.len() - 1
                );
                if params {
                    for (i, info) in model.params.info.iter().enumerate() {
                        sayln!("  {} = {}", info.address, model.params.values[i]);
                    }
                }
            }
            Err(e) => {
                eprint!("{}", e.render(color));
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        // Already printed; return a quiet error with the right exit code.
        Some(e) => Err(Error::Quiet(e.exit_code())),
        None => Ok(()),
    }
}

/// `dealsim list`.
pub fn list(dir: &Path) -> Result<(), Error> {
    let rd = std::fs::read_dir(dir).map_err(|e| {
        Error::Load(crate::scenario::LoadError::Io {
            path: dir.display().to_string(),
            source: e,
        })
    })?;
    let mut files: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for f in files {
        match crate::scenario::load(&f) {
            Ok((_, raw)) => {
                let h = raw.scenario.get_ref();
                let first = h.description.lines().next().unwrap_or("").trim();
                sayln!(
                    "{:<40} {}{}",
                    f.display(),
                    h.name.get_ref(),
                    if first.is_empty() {
                        String::new()
                    } else {
                        format!(": {first}")
                    }
                );
            }
            Err(_) => sayln!(
                "{:<40} (does not parse: run `dealsim validate {}`)",
                f.display(),
                f.display()
            ),
        }
    }
    Ok(())
}
