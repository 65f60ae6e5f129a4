//! Memo charts of a run, as PNG and SVG (plotters, bundled DejaVu fonts).
//!
//! [`render_all`] is the last step of `dealsim run`: it writes, for a run,
//!
//! - `flows-<party>`: each party's flows by kind and cumulative net (`flows`);
//! - `cumulative-net`: every party's cumulative net (`cumulative`);
//! - `lab-cash-<lab>`: each lab's cash against its commitments (`lab_cash`);
//! - `revenue-share-<id>`: payments against the cap (`revenue_share`);
//! - `tranches`: when each investment tranche is paid (`tranches`);
//!
//! skipping a chart with nothing to show. [`compare::render`] draws a
//! comparison of runs, [`stress::render`] the charts of a stress run. Each chart is laid out once into a
//! `scene::Scene` of pixel shapes on a shared `frame::Frame` (title,
//! subtitle `<scenario> · <unit> · <period>ly`, legend, axes), then painted
//! twice: a PNG drawn at double size and averaged down, and an SVG.
//!
//! Conventions: ticks step by 1, 2 or 5 x 10^n; money axes include zero and
//! carry the unit in their title and clear the data by a margin; every party
//! keeps one colour on every chart of a run, and well-known parties the same
//! colour in every scenario (`palette::Parties`, built once per run); time
//! axes have gridlines at year (or quarter) boundaries and each label centred
//! under its year's (or quarter's) span, by quarter on runs of two years or
//! less; bars are summed by quarter (or year) when a
//! run has more than 40 periods, and the subtitle says so.

pub mod compare;
mod cumulative;
mod flows;
mod font;
mod frame;
mod lab_cash;
pub(crate) mod palette;
mod revenue_share;
mod scale;
mod scene;
mod series;
pub mod stress;
mod tranches;

use std::path::{Path, PathBuf};

use plotters::style::RGBColor;

use crate::model::PeriodKind;
use crate::Run;
use frame::{Frame, Style};
use scene::Scene;

/// Size of the charts `render_all` writes.
pub const DEFAULT_SIZE: (u32, u32) = (1600, 900);

/// Writes every chart of a run into `dir` as PNG and SVG; returns the files written.
pub fn render_all(run: &Run, dir: &Path) -> Result<Vec<PathBuf>, String> {
    render_all_sized(run, dir, DEFAULT_SIZE.0, DEFAULT_SIZE.1)
}

/// [`render_all`] at `width` x `height` pixels (the SVG's size too).
pub fn render_all_sized(
    run: &Run,
    dir: &Path,
    width: u32,
    height: u32,
) -> Result<Vec<PathBuf>, String> {
    if width < 200 || height < 120 {
        return Err(format!(
            "chart size {width}x{height} is too small (at least 200x120)"
        ));
    }
    font::register()?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write_scenes(dir, charts(run, Style::new(width, height)))
}

/// Which files each chart is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// `<name>.png`, the same on every machine.
    pub png: bool,
    /// `<name>.svg`, its text drawn with the viewer's fonts.
    pub svg: bool,
}

impl Formats {
    pub const BOTH: Formats = Formats {
        png: true,
        svg: true,
    };
}

/// Paints each named scene to `<name>.png` and `<name>.svg` in `dir`.
fn write_scenes(dir: &Path, scenes: Vec<(String, Scene)>) -> Result<Vec<PathBuf>, String> {
    write_scenes_as(dir, scenes, Formats::BOTH)
}

/// Paints each named scene in `dir` in each of `formats`.
fn write_scenes_as(
    dir: &Path,
    scenes: Vec<(String, Scene)>,
    formats: Formats,
) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for (name, scene) in scenes {
        if formats.png {
            let png = dir.join(format!("{name}.png"));
            scene::write_png(&scene, &png)?;
            written.push(png);
        }
        if formats.svg {
            let svg = dir.join(format!("{name}.svg"));
            scene::write_svg(&scene, &svg)?;
            written.push(svg);
        }
    }
    Ok(written)
}

/// Every chart with something to show, with its file name (no extension).
fn charts(run: &Run, style: Style) -> Vec<(String, Scene)> {
    let m = &run.model;
    let colors = &palette::Parties::of(m);
    let mut out = Vec::new();
    let parties: Vec<usize> = m
        .deal_parties()
        .map(|(i, _)| i)
        .filter(|&i| series::has_flows(run, i))
        .collect();
    for &p in &parties {
        out.push((
            format!("flows-{}", file_part(&m.parties[p].id)),
            flows::chart(run, colors, p, style),
        ));
    }
    if !parties.is_empty() {
        out.push((
            "cumulative-net".to_string(),
            cumulative::chart(run, colors, &parties, style),
        ));
    }
    for lab in m.labs() {
        out.push((
            format!("lab-cash-{}", file_part(&m.parties[lab].id)),
            lab_cash::chart(run, colors, lab, style),
        ));
    }
    for (s, rs) in m.revenue_shares.iter().enumerate() {
        out.push((
            format!("revenue-share-{}", file_part(&rs.id)),
            revenue_share::chart(run, colors, s, style),
        ));
    }
    if !run.summary.tranches.is_empty() {
        out.push(("tranches".to_string(), tranches::chart(run, colors, style)));
    }
    out
}

/// An id made safe for a file name: anything but letters, digits, `-`, `_`
/// and `.` becomes `_`, so an id can never name another directory.
fn file_part(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.chars().all(|c| c == '.') {
        "_".to_string()
    } else {
        s
    }
}

/// "<scenario> · <unit> · <period>ly", plus how bars were summed if they were.
fn subtitle(run: &Run, summed: Option<PeriodKind>) -> String {
    let m = &run.model;
    let name = m.meta.name.replace("->", "\u{2192}");
    let base = format!(
        "{name} \u{b7} {} \u{b7} {}",
        m.meta.money_label(),
        scale::adverb(m.grid.kind)
    );
    match summed {
        Some(kind) => format!("{base} model, bars summed by {}", kind.name()),
        None => base,
    }
}

/// A party's line: its colour over a white halo, so it reads over bars and areas.
fn party_line(frame: &mut Frame, points: Vec<(f64, f64)>, color: RGBColor) {
    let w = frame.style.px(4.0);
    frame
        .scene
        .line(points.clone(), palette::WHITE, w + frame.style.px(4.0));
    frame.scene.line(points, color, w);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(file: &str) -> Run {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(file);
        Run::from_file(&path, &[]).expect("scenario runs")
    }

    #[test]
    fn render_all_writes_non_empty_png_and_svg_files() {
        let run = run("microsoft-revenue-share.toml");
        let dir = tempfile::tempdir().unwrap();
        let files = render_all_sized(&run, dir.path(), 400, 225).unwrap();
        let names: Vec<String> = files
            .iter()
            .filter_map(|f| f.file_name()?.to_str().map(String::from))
            .collect();
        for expected in [
            "flows-openai.png",
            "cumulative-net.svg",
            "lab-cash-openai.png",
            "revenue-share-microsoft.png",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} missing from {names:?}"
            );
        }
        // No tranches in this scenario: no tranche chart.
        assert!(!names.iter().any(|n| n.starts_with("tranches")));
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            assert!(bytes.len() > 1000, "{} is nearly empty", f.display());
            if f.extension().is_some_and(|e| e == "png") {
                assert_eq!(&bytes[1..4], b"PNG");
            }
        }
    }

    #[test]
    fn file_parts_stay_in_the_directory() {
        assert_eq!(file_part("amazon-2026"), "amazon-2026");
        assert_eq!(file_part("../x/y"), ".._x_y");
        assert_eq!(file_part(".."), "_");
    }
}
