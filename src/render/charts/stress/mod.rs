//! Charts of a stress run (`dealsim stress`), written into one directory as
//! PNG and/or SVG by [`render`]:
//!
//! - `fan-<series>-<party>` ([`Fan`]): a party's cumulative net or cash
//!   balance over time across paths, P5–P95 and P25–P75 bands in tints of
//!   the party's colour, the median in its colour, the base case dashed;
//! - `histogram-<metric>-<party>` ([`Histogram`]): a metric across paths,
//!   bars below break-even (0 for rates and money, 1 for multiples) in a
//!   muted red, base case, mean, P5 and P95 marked, paths without a value
//!   counted in a footnote;
//! - `tornado-<id>` ([`Tornado`]): the metric with each driver at its low
//!   and high input, the others at base, bars from the base value;
//! - `heatmap-<id>` ([`Heatmap`]): the metric over a grid of two drivers, on
//!   a diverging scale around a reference (break-even), undefined cells grey;
//! - `cases-<party>` ([`Cases`]): a party's cumulative net in the base case
//!   and each named case.
//!
//! The inputs are plain numbers and labels, filled by the stress command;
//! charts with nothing to show are skipped. Conventions are those of every
//! chart (see [`super`]): the subtitle says `<scenario> · <unit> · <how>`,
//! parties keep their colours ([`Parties`]), value axes step by 1, 2 or 5 x
//! 10^n, rates are written as percents (`14.2%`), multiples as `1.52x` and
//! amounts as `$7.5B`. Non-finite numbers are left out, never drawn.

mod cases;
mod fan;
mod heatmap;
mod histogram;
#[cfg(test)]
mod tests;
mod tornado;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use plotters::style::RGBColor;
use rayon::prelude::*;

use super::cumulative::spread;
use super::frame::{Frame, Style};
use super::palette::{self, Parties};
use super::scale::{number, Format};
use super::scene::{Align, Scene};
use super::{file_part, font, Formats};

/// Everything `dealsim stress` draws.
///
/// ```
/// use dealsim::render::charts::stress::{Histogram, Kind, Metric, Party, StressCharts};
///
/// // IRR in 1-point bins from 0% to 3%, 2 of 10 paths without one.
/// let irr = Histogram {
///     party: Party { index: 1, id: "amazon".into(), name: "Amazon".into() },
///     metric: Metric { id: "irr".into(), name: "IRR".into(), kind: Kind::Percent },
///     edges: vec![0.0, 0.01, 0.02, 0.03],
///     counts: vec![2, 5, 1],
///     undefined: vec![("no sign change".into(), 2)],
///     ..Histogram::default()
/// };
/// let charts = StressCharts {
///     scenario: "Amazon -> OpenAI".into(),
///     unit: "$B".into(),
///     paths: 10,
///     histograms: vec![irr],
///     ..StressCharts::default()
/// };
/// assert_eq!(charts.histograms[0].metric.kind.break_even(), 0.0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct StressCharts {
    /// The scenario's name; `->` is written as an arrow.
    pub scenario: String,
    /// The money label of every amount: `$B`.
    pub unit: String,
    /// Paths run (for titles and footnotes); 0 when there was no Monte Carlo.
    pub paths: u64,
    /// How paths were sampled: `Monte Carlo`, `Latin hypercube`, `Sobol`.
    pub sampling: String,
    pub fans: Vec<Fan>,
    pub histograms: Vec<Histogram>,
    pub tornadoes: Vec<Tornado>,
    pub heatmaps: Vec<Heatmap>,
    pub cases: Vec<Cases>,
}

/// The party a chart is about.
#[derive(Debug, Clone, Default)]
pub struct Party {
    /// Its index in the model, for its colour in [`Parties`].
    pub index: usize,
    /// Its id, for file names (made safe there).
    pub id: String,
    /// Its name, for titles: `Amazon / AWS`.
    pub name: String,
}

/// What a number measures, which decides how it is written and where
/// break-even is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// A rate such as IRR, as a fraction: 0.142 is written `14.2%`;
    /// break-even 0.
    #[default]
    Percent,
    /// A multiple such as MOIC: `1.52x`; break-even 1.
    Multiple,
    /// An amount in [`StressCharts::unit`], such as NPV: `$7.5B`; break-even 0.
    Money,
}

impl Kind {
    /// The value below which a path loses money.
    pub fn break_even(self) -> f64 {
        match self {
            Kind::Multiple => 1.0,
            Kind::Percent | Kind::Money => 0.0,
        }
    }

    fn format(self) -> Format {
        match self {
            Kind::Percent => Format::Percent,
            Kind::Multiple => Format::Multiple,
            Kind::Money => Format::Number,
        }
    }
}

/// A per-party metric.
#[derive(Debug, Clone, Default)]
pub struct Metric {
    /// For file names: `irr`.
    pub id: String,
    /// For titles and axes: `IRR`.
    pub name: String,
    pub kind: Kind,
}

/// What a fan chart follows over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Series {
    /// Cumulative net flows from the first day (0 there).
    #[default]
    CumulativeNet,
    /// Cash balance, opening cash included.
    Cash,
}

impl Series {
    fn slug(self) -> &'static str {
        match self {
            Series::CumulativeNet => "cumulative-net",
            Series::Cash => "cash",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Series::CumulativeNet => "cumulative net",
            Series::Cash => "cash balance",
        }
    }
}

/// A series over time across paths, for one party (`fan-<series>-<party>`).
#[derive(Debug, Clone, Default)]
pub struct Fan {
    pub party: Party,
    pub series: Series,
    /// The first day shown (the start of the first period).
    pub start: NaiveDate,
    /// The value on `start`, the same on every path (0 for cumulative net,
    /// opening cash for cash), so the bands open from a point; `None` starts
    /// the bands at the first period end.
    pub opening: Option<f64>,
    /// Period end dates, ascending.
    pub dates: Vec<NaiveDate>,
    /// P5, P25, P50, P75 and P95 across paths at each period end.
    pub percentiles: Vec<[f64; 5]>,
    /// The deterministic base case at each period end.
    pub base: Option<Vec<f64>>,
}

/// A metric across paths as fixed bins (`histogram-<metric>-<party>`).
/// Empty bins at either end are not drawn.
#[derive(Debug, Clone, Default)]
pub struct Histogram {
    pub party: Party,
    pub metric: Metric,
    /// Bin edges, ascending: bin `i` is `edges[i]..edges[i + 1]`.
    pub edges: Vec<f64>,
    /// Paths in each bin (one fewer than `edges`).
    pub counts: Vec<u64>,
    /// Paths below the first edge and above the last (not drawn).
    pub below: u64,
    pub above: u64,
    pub base: Option<f64>,
    pub mean: Option<f64>,
    pub p5: Option<f64>,
    pub p95: Option<f64>,
    /// Share of paths (0 to 1) that lose money, as the stress run counts it.
    pub p_loss: Option<f64>,
    /// Paths with no value, by reason: `("no sign change", 2300)`.
    pub undefined: Vec<(String, u64)>,
}

/// A metric with one driver at a time at its low and high input
/// (`tornado-<id>`).
#[derive(Debug, Clone, Default)]
pub struct Tornado {
    /// For the file name.
    pub id: String,
    pub party: Party,
    pub metric: Metric,
    /// The metric with every driver at base.
    pub base: f64,
    /// Drawn top to bottom in this order: sort by swing, largest first.
    pub rows: Vec<TornadoRow>,
}

/// One driver of a [`Tornado`].
#[derive(Debug, Clone, Default)]
pub struct TornadoRow {
    /// `growth`.
    pub driver: String,
    /// The inputs as written at the bar ends: `0.45`, `0.80`.
    pub low: String,
    pub high: String,
    /// The metric with the driver at its low and high input; `None` where
    /// it is undefined (written `n/a`).
    pub at_low: Option<f64>,
    pub at_high: Option<f64>,
}

/// A metric over a grid of two drivers (`heatmap-<id>`).
#[derive(Debug, Clone, Default)]
pub struct Heatmap {
    /// For the file name.
    pub id: String,
    pub party: Party,
    pub metric: Metric,
    /// Across, left to right.
    pub x: Driver,
    /// Up, bottom to top.
    pub y: Driver,
    /// `cells[row][column]`: row `j` is `y.values[j]`, column `i` is
    /// `x.values[i]`; `None` where the metric is undefined.
    pub cells: Vec<Vec<Option<f64>>>,
    /// The middle of the diverging colour scale: break-even, usually.
    pub reference: f64,
    /// `(column, row)` of the base case, when it is on the grid: outlined.
    pub base: Option<(usize, usize)>,
}

/// A driver of a [`Heatmap`] and its values, as written on the axis.
#[derive(Debug, Clone, Default)]
pub struct Driver {
    pub name: String,
    pub values: Vec<String>,
}

/// A party's cumulative net in the base case and each named case
/// (`cases-<party>`).
#[derive(Debug, Clone, Default)]
pub struct Cases {
    pub party: Party,
    /// The first day shown; every line starts there at 0.
    pub start: NaiveDate,
    /// Period end dates, ascending.
    pub dates: Vec<NaiveDate>,
    /// The base case at each period end.
    pub base: Vec<f64>,
    /// Each case's name and values at each period end.
    pub cases: Vec<(String, Vec<f64>)>,
}

/// Writes every chart of `charts` with something to show into `dir`, at
/// `width` x `height` pixels, in each of `formats`; returns the files written.
pub fn render(
    charts: &StressCharts,
    colors: &Parties,
    dir: &Path,
    width: u32,
    height: u32,
    formats: Formats,
) -> Result<Vec<PathBuf>, String> {
    if width < 200 || height < 120 {
        return Err(format!(
            "chart size {width}x{height} is too small (at least 200x120)"
        ));
    }
    font::register()?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let scenes = scenes(charts, colors, Style::new(width, height));
    // Each chart is painted and encoded on its own: one per core. The
    // bytes of a file do not depend on which thread wrote it.
    let written: Vec<Vec<PathBuf>> = scenes
        .into_par_iter()
        .map(|(name, scene)| super::write_scenes_as(dir, vec![(name, scene)], formats))
        .collect::<Result<_, String>>()?;
    Ok(written.into_iter().flatten().collect())
}

/// Every chart with something to show, with a file name no other has.
fn scenes(c: &StressCharts, colors: &Parties, style: Style) -> Vec<(String, Scene)> {
    let mut out: Vec<(String, Scene)> = Vec::new();
    let mut add = |stem: String, scene: Option<Scene>| {
        if let Some(scene) = scene {
            let stem = unique(&out, stem);
            out.push((stem, scene));
        }
    };
    for f in &c.fans {
        let stem = format!("fan-{}-{}", f.series.slug(), file_part(&f.party.id));
        add(stem, fan::chart(c, f, colors, style));
    }
    for h in &c.histograms {
        let (metric, party) = (file_part(&h.metric.id), file_part(&h.party.id));
        add(
            format!("histogram-{metric}-{party}"),
            histogram::chart(c, h, colors, style),
        );
    }
    for t in &c.tornadoes {
        let stem = format!("tornado-{}", file_part(&t.id));
        add(stem, tornado::chart(c, t, colors, style));
    }
    for h in &c.heatmaps {
        let stem = format!("heatmap-{}", file_part(&h.id));
        add(stem, heatmap::chart(c, h, style));
    }
    for k in &c.cases {
        let stem = format!("cases-{}", file_part(&k.party.id));
        add(stem, cases::chart(c, k, style));
    }
    out
}

/// `stem`, or `stem-2`, `stem-3`... when an earlier chart has it (two ids
/// that differ only in characters a file name cannot hold).
fn unique(taken: &[(String, Scene)], stem: String) -> String {
    let free = |s: &str| !taken.iter().any(|(t, _)| t == s);
    if free(&stem) {
        return stem;
    }
    (2..)
        .map(|n| format!("{stem}-{n}"))
        .find(|s| free(s))
        .unwrap_or(stem)
}

/// "<scenario> · <unit> · <how>", the unit only on charts of amounts.
fn subtitle(c: &StressCharts, money: bool, how: &str) -> String {
    let mut parts = vec![c.scenario.replace("->", "\u{2192}")];
    if money && !c.unit.is_empty() {
        parts.push(c.unit.clone());
    }
    if !how.is_empty() {
        parts.push(how.to_string());
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" \u{b7} ")
}

/// "Latin hypercube sampling", or nothing when unnamed.
fn sampling(c: &StressCharts) -> String {
    if c.sampling.is_empty() {
        String::new()
    } else {
        format!("{} sampling", c.sampling)
    }
}

/// A count with thousands separators: `100,000`.
fn count(n: u64) -> String {
    number(n as f64, 0)
}

/// `v` as a reader writes it: `14.2%`, `1.52x`, `$7.5B`.
fn value(kind: Kind, unit: &str, v: f64) -> String {
    match kind {
        Kind::Percent => format!("{}%", number(v * 100.0, 1)),
        Kind::Multiple => format!("{}x", number(v, if v.abs() < 10.0 { 2 } else { 1 })),
        Kind::Money => money(unit, v),
    }
}

/// An amount with the unit's symbol in front and its scale after when the
/// unit is written that way (`$B`: `$7.5B`, `−$12B`), else after it
/// (`7.5 CHF M`); one decimal at most, none above 100 or when whole.
fn money(unit: &str, v: f64) -> String {
    let decimals = if v.abs() >= 100.0 || (v * 10.0).round() % 10.0 == 0.0 {
        0
    } else {
        1
    };
    with_unit(unit, number(v, decimals))
}

/// A written number `n` with the money unit, as [`money`] places it.
fn with_unit(unit: &str, n: String) -> String {
    let mut chars = unit.chars();
    let symbol = chars.next();
    let suffix = chars.as_str();
    match symbol {
        Some(s) if !s.is_alphanumeric() && suffix.chars().all(|c| c.is_ascii_uppercase()) => {
            match n.strip_prefix('\u{2212}') {
                Some(pos) => format!("\u{2212}{s}{pos}{suffix}"),
                None => format!("{s}{n}{suffix}"),
            }
        }
        None => n,
        Some(_) => format!("{n} {unit}"),
    }
}

/// `v` with as few decimals (up to 3) as it needs: `1`, `2.5`, `0.05`.
fn exact(v: f64) -> String {
    let decimals = (0..=3)
        .find(|d| {
            let f = 10f64.powi(*d);
            ((v * f).round() / f - v).abs() <= v.abs().max(1.0) * 1e-9
        })
        .unwrap_or(3);
    number(v, decimals as usize)
}

/// A label with a plus sign on gains: `+$187B`, `−$10.4B`, `$0`.
fn signed(text: String, v: f64) -> String {
    if v > 0.0
        && !text.starts_with('\u{2212}')
        && text.chars().any(|c| c.is_ascii_digit() && c != '0')
    {
        format!("+{text}")
    } else {
        text
    }
}

/// The title of a metric's axis: `IRR`, `NPV, $B`.
fn axis_title(metric: &Metric, unit: &str) -> String {
    match metric.kind {
        Kind::Money if !unit.is_empty() => format!("{}, {unit}", metric.name),
        _ => metric.name.clone(),
    }
}

/// Lowest and highest of the finite `values`, if any.
fn range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// A label right of the plot at a line's last value.
struct EndLabel {
    text: String,
    /// Pixel y of the value it names.
    at: f64,
    color: RGBColor,
}

/// Room right of the plot for `texts` as end labels, or 0 when they would
/// take more than a third of the chart (the legend names the lines then).
fn end_gutter(style: &Style, texts: &[&str]) -> f64 {
    let w = texts
        .iter()
        .map(|t| style.legend.width(t))
        .fold(0.0, f64::max);
    let gutter = w + style.px(22.0);
    if gutter > f64::from(style.width) / 3.0 {
        0.0
    } else {
        gutter
    }
}

/// Writes `labels` right of the plot, spread apart so none overlap, with
/// a short leader to each that had to move.
/// Labels `(text, value, colour)` at the right end of their lines.
fn label_ends(frame: &mut Frame, labels: Vec<(String, f64, RGBColor)>) {
    let labels: Vec<EndLabel> = labels
        .into_iter()
        .map(|(text, v, color)| EndLabel {
            text,
            at: frame.y(v),
            color,
        })
        .collect();
    end_labels(frame, &labels);
}

fn end_labels(frame: &mut Frame, labels: &[EndLabel]) {
    let font = frame.style.legend;
    let pad = frame.style.px(22.0);
    let half = font.cap_height() / 2.0;
    let mut order: Vec<(f64, usize)> = labels.iter().enumerate().map(|(i, l)| (l.at, i)).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let wanted: Vec<f64> = order.iter().map(|o| o.0).collect();
    let (top, bottom) = (frame.plot.top + half, frame.plot.bottom - half);
    let placed = spread(&wanted, font.size * 1.1, top, bottom.max(top));
    let x = frame.plot.right;
    for ((want, i), at) in order.iter().zip(placed) {
        let label = &labels[*i];
        if (at - want).abs() > 1.0 {
            let lead = vec![
                (x + frame.style.px(3.0), *want),
                (x + pad - frame.style.px(5.0), at),
            ];
            let color = palette::tint(label.color, 0.5);
            frame.scene.line(lead, color, frame.style.px(1.5));
        }
        frame.scene.text(
            label.text.clone(),
            (x + pad, at + half),
            font,
            Align::Left,
            label.color,
        );
    }
}

/// A line over the time axis: `opening` on `start` (if any), then each
/// value at the end of its period; non-finite values are skipped.
fn time_path(
    frame: &Frame,
    start: NaiveDate,
    opening: Option<f64>,
    dates: &[NaiveDate],
    values: &[f64],
) -> Vec<(f64, f64)> {
    let first = opening
        .filter(|v| v.is_finite())
        .map(|v| (frame.x_date(start), frame.y(v)));
    first
        .into_iter()
        .chain(
            dates
                .iter()
                .zip(values)
                .filter(|(_, v)| v.is_finite())
                .map(|(d, v)| (frame.x_date_end(*d), frame.y(*v))),
        )
        .collect()
}
