//! Charts of a comparison (`dealsim compare`): two or more runs, the first
//! the reference, written into one directory as PNG and SVG:
//!
//! - `compare-cumulative-net`: one small panel per party (any party with
//!   flows in any run), its cumulative net in each scenario, each panel on
//!   its own scale; the reference solid in the party's colour, every other
//!   scenario in a darker shade with its own dash pattern (so lines that
//!   coincide still show both), each line named at its end;
//! - `compare-lab-cash-<lab>`: each lab's cash balance in each scenario,
//!   with where it first goes below zero and its low point while negative;
//! - `compare-differences`: horizontal bars of each party's change in net
//!   and in NPV from the reference, when some party is in two runs.
//!
//! Parties are matched by id and keep one colour on every chart (assigned
//! over the union of the runs' parties, well-known ids as on every chart).
//! Time axes run over the union of the runs' windows, on real dates; amounts
//! are in the reference's unit (runs in another unit are rescaled).
//!
//! Scenarios are named at line ends by a short label: what is left of their
//! names once the part all of them share is cut (`Amazon -> OpenAI, Feb
//! 2026` and `..., counter-offer` become `Feb 2026` and `counter-offer`), or
//! letters `A`, `B`, ... when that is not short and distinct; the legend
//! gives the full names.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use plotters::style::RGBColor;

use crate::engine::FlowKind;
use crate::metrics::Figure;
use crate::model::{Meta, PartyKind, PeriodKind, Unit};
use crate::Run;

use super::cumulative::spread;
use super::font::{self, Face, Font};
use super::frame::{self, Frame, LegendItem, Spec, Style, Swatch, YAxis};
use super::palette::{self, Parties};
use super::scale::{amount, number, period_end, year_frac_end, Ticks};
use super::scene::{Align, Scene, Shape};
use super::{file_part, series};

/// Short labels longer than this many characters give way to letters.
const MAX_LABEL: usize = 16;

/// Writes the comparison charts of `runs` (the first is the reference) into `dir`.
pub fn render(runs: &[&Run], dir: &Path, width: u32, height: u32) -> Result<Vec<PathBuf>, String> {
    if width < 200 || height < 120 {
        return Err(format!(
            "chart size {width}x{height} is too small (at least 200x120)"
        ));
    }
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    font::register()?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let set = Set::new(runs);
    super::write_scenes(dir, charts(&set, Style::new(width, height)))
}

/// Every comparison chart with something to show, with its file name.
fn charts(set: &Set, style: Style) -> Vec<(String, Scene)> {
    let mut out = Vec::new();
    if !set.parties.is_empty() {
        out.push((
            "compare-cumulative-net".to_string(),
            cumulative_net(set, style),
        ));
    }
    for (p, party) in set.parties.iter().enumerate() {
        if party.lab {
            out.push((
                format!("compare-lab-cash-{}", file_part(&party.id)),
                lab_cash(set, p, style),
            ));
        }
    }
    if let Some(scene) = differences(set, style) {
        out.push(("compare-differences".to_string(), scene));
    }
    out
}

/// The runs, how to name them, and the union of their parties.
struct Set<'a> {
    runs: Vec<&'a Run>,
    /// Full names, `->` written as an arrow.
    names: Vec<String>,
    /// Short labels for line ends (see the module doc).
    labels: Vec<String>,
    /// Whether the labels are letters (the legend must say which is which).
    lettered: bool,
    /// The start of the names all runs share, when the labels are what is
    /// left of them (`Amazon → OpenAI`).
    common: Option<String>,
    parties: Vec<UnionParty>,
    colors: Parties,
    /// First and last day of any run.
    dates: (NaiveDate, NaiveDate),
    /// Factor from each run's unit to the reference's.
    factor: Vec<f64>,
}

/// A party of any run, matched across runs by id.
struct UnionParty {
    id: String,
    /// Its name in the first run that has it, without a parenthetical.
    name: String,
    /// Its index in each run, if there.
    index: Vec<Option<usize>>,
    /// A lab in some run.
    lab: bool,
}

impl<'a> Set<'a> {
    fn new(runs: &[&'a Run]) -> Set<'a> {
        let names: Vec<String> = runs.iter().map(|r| arrows(&r.model.meta.name)).collect();
        let (labels, lettered, common) = short_labels(&names);
        let mut parties: Vec<UnionParty> = Vec::new();
        for (k, run) in runs.iter().enumerate() {
            let m = &run.model;
            for (i, party) in m.deal_parties() {
                let pos = match parties.iter().position(|u| u.id == party.id) {
                    Some(pos) => pos,
                    None => {
                        parties.push(UnionParty {
                            id: party.id.clone(),
                            name: short_name(&party.name).to_string(),
                            index: vec![None; runs.len()],
                            lab: false,
                        });
                        parties.len() - 1
                    }
                };
                parties[pos].index[k] = Some(i);
                parties[pos].lab |= party.kind == PartyKind::Lab;
            }
        }
        // Parties with no flow in any run have nothing to show.
        parties.retain(|u| {
            u.index
                .iter()
                .zip(runs)
                .any(|(i, r)| i.is_some_and(|i| series::has_flows(r, i)))
        });
        let ids: Vec<&str> = std::iter::once("external")
            .chain(parties.iter().map(|u| u.id.as_str()))
            .collect();
        let colors = Parties::of_ids(&ids);
        let start = runs.iter().map(|r| r.model.grid.start).min();
        let end = runs.iter().map(|r| r.model.grid.end).max();
        let reference = runs[0].model.meta.unit;
        let factor = runs
            .iter()
            .map(|r| unit_size(r.model.meta.unit) / unit_size(reference))
            .collect();
        Set {
            runs: runs.to_vec(),
            names,
            labels,
            lettered,
            common,
            parties,
            colors,
            dates: (start.unwrap_or_default(), end.unwrap_or_default()),
            factor,
        }
    }

    fn meta(&self) -> &Meta {
        &self.runs[0].model.meta
    }

    /// The colour of union party `p`.
    fn color(&self, p: usize) -> RGBColor {
        self.colors.color(p + 1)
    }

    /// Its colour dark enough for text.
    fn text_color(&self, p: usize) -> RGBColor {
        self.colors.text(p + 1)
    }

    /// `v` as a signed amount in the reference's unit: `+$187B`, `−$10.4B`.
    fn signed(&self, v: f64) -> String {
        let text = amount(self.meta(), v);
        if text.starts_with('\u{2212}') || text.trim_start_matches(['$', '€', '£']) == "0" {
            text
        } else {
            format!("+{text}")
        }
    }

    /// "$B" and, when runs differ in period length, each one.
    fn unit_and_periods(&self) -> String {
        let mut kinds: Vec<PeriodKind> = Vec::new();
        for r in &self.runs {
            if !kinds.contains(&r.model.grid.kind) {
                kinds.push(r.model.grid.kind);
            }
        }
        let kinds: Vec<String> = kinds.iter().map(|k| super::scale::adverb(*k)).collect();
        format!(
            "{} \u{b7} {}",
            self.meta().money_label(),
            kinds.join(" and ")
        )
    }

    /// What the scenarios are: the shared part of their names, or "A vs B".
    fn what(&self) -> String {
        match &self.common {
            Some(common) => common.clone(),
            None if !self.lettered => self.names.join(" vs "),
            None => String::new(),
        }
    }

    /// "Feb 2026 vs counter-offer", or "A vs B".
    fn versus(&self) -> String {
        self.labels.join(" vs ")
    }

    /// The legend: the line style of each scenario, drawn in `color`.
    fn legend(&self, style: &Style, color: impl Fn(usize) -> RGBColor) -> Vec<LegendItem> {
        self.names
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let (width, dash) = stroke(style, k);
                let name = if self.lettered {
                    format!("{}: {name}", self.labels[k])
                } else if self.common.is_some() {
                    self.labels[k].clone()
                } else {
                    name.clone()
                };
                let label = if k == 0 {
                    format!("{name} (reference)")
                } else {
                    name
                };
                LegendItem::new(
                    Swatch::Line {
                        color: color(k),
                        width,
                        dash,
                    },
                    label,
                )
            })
            .collect()
    }
}

/// Parts joined by middle dots, the first letter a capital.
fn sentence(parts: &[String]) -> String {
    let text = parts.join(" \u{b7} ");
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// Size of one unit, to rescale runs written in different units.
fn unit_size(unit: Unit) -> f64 {
    match unit {
        Unit::Ones => 1.0,
        Unit::Thousands => 1e3,
        Unit::Millions => 1e6,
        Unit::Billions => 1e9,
    }
}

fn arrows(name: &str) -> String {
    name.replace("->", "\u{2192}")
}

/// A party name without its parenthetical: "Oracle (Stargate)" -> "Oracle".
fn short_name(name: &str) -> &str {
    match name.split_once(" (") {
        Some((short, _)) if !short.trim().is_empty() => short.trim(),
        _ => name,
    }
}

/// Short labels for `names`, whether they are letters, and the shared start
/// of the names they were cut from (see the module doc).
fn short_labels(names: &[String]) -> (Vec<String>, bool, Option<String>) {
    let distinct = |labels: &[String]| {
        labels
            .iter()
            .enumerate()
            .all(|(i, a)| !a.is_empty() && labels[i + 1..].iter().all(|b| b != a))
    };
    let short = |labels: &[String]| labels.iter().all(|l| l.chars().count() <= MAX_LABEL);
    // The longest shared start that ends at a separator: ", ", ": ", " - ".
    let first = names.first().map_or("", String::as_str);
    let mut cut = 0;
    for (i, _) in first.char_indices() {
        let prefix = &first[..i];
        if !names.iter().all(|n| n.starts_with(prefix)) {
            break;
        }
        if [", ", ": ", " - ", " \u{2013} ", "; "]
            .iter()
            .any(|s| prefix.ends_with(s))
        {
            cut = i;
        }
    }
    if cut > 0 && names.len() > 1 {
        let rest: Vec<String> = names.iter().map(|n| n[cut..].trim().to_string()).collect();
        if distinct(&rest) && short(&rest) {
            let common = first[..cut]
                .trim_end_matches([',', ':', ';', ' ', '-', '\u{2013}'])
                .to_string();
            return (rest, false, Some(common));
        }
    }
    if distinct(names) && short(names) {
        return (names.to_vec(), false, None);
    }
    let letters = (0..names.len()).map(letter).collect();
    (letters, true, None)
}

/// "A", "B", ..., "Z", "AA", ...
fn letter(i: usize) -> String {
    let c = (b'A' + (i % 26) as u8) as char;
    if i < 26 {
        c.to_string()
    } else {
        format!("{}{c}", letter(i / 26 - 1))
    }
}

/// Line width and dash of scenario `k`: the reference solid, the others
/// dashed, dotted, long-dashed, in turn.
fn stroke(style: &Style, k: usize) -> (f64, Option<(f64, f64)>) {
    match k {
        0 => (style.px(4.0), None),
        k => match (k - 1) % 3 {
            0 => (style.px(3.5), Some((style.px(14.0), style.px(8.0)))),
            1 => (style.px(3.5), Some((style.px(3.5), style.px(5.5)))),
            _ => (style.px(3.5), Some((style.px(28.0), style.px(7.0)))),
        },
    }
}

/// The colour of scenario `k`'s line of a party: the party's colour for
/// the reference, a darker shade for the others, so a dashed line over a
/// solid one it coincides with still shows.
fn shade(color: RGBColor, k: usize) -> RGBColor {
    if k == 0 {
        color
    } else {
        palette::darken(color, 0.32)
    }
}

fn draw_line(frame: &mut Frame, style: &Style, points: Vec<(f64, f64)>, color: RGBColor, k: usize) {
    let (width, dash) = stroke(style, k);
    let color = shade(color, k);
    match dash {
        Some(d) => frame.scene.dashed(points, color, width, d),
        None => frame.scene.line(points, color, width),
    }
}

/// The points of a series that starts at `start` on a run's first day and
/// takes `values` at each period end, scaled by `factor`.
fn path(frame: &Frame, run: &Run, start: f64, values: &[f64], factor: f64) -> Vec<(f64, f64)> {
    let grid = &run.model.grid;
    std::iter::once((frame.x_date(grid.start), frame.y(start * factor)))
        .chain(
            grid.periods
                .iter()
                .zip(values)
                .map(|(per, v)| (frame.x_date_end(per.end), frame.y(v * factor))),
        )
        .collect()
}

/// A label right of the plot at a line's last value.
struct EndLabel {
    text: String,
    value_y: f64,
    color: RGBColor,
    /// Where the line ends, when before the plot's right edge.
    ends_at: Option<(f64, f64)>,
}

/// Writes `labels` right of the plot, spread apart, with a leader to each
/// label that moved and to each line that ends before the plot does.
fn end_labels(frame: &mut Frame, font: Font, labels: &[EndLabel], pad: f64, leader: RGBColor) {
    let gap = font.size * 1.08;
    let mut order: Vec<(f64, usize)> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.value_y, i))
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let wanted: Vec<f64> = order.iter().map(|o| o.0).collect();
    let half = font.cap_height() / 2.0;
    let placed = spread(
        &wanted,
        gap,
        frame.plot.top + half,
        frame.plot.bottom - half,
    );
    let x = frame.plot.right;
    let lw = frame.style.px(3.0).max(1.0);
    for ((want, i), at) in order.iter().zip(placed) {
        let label = &labels[*i];
        let from = label.ends_at.map_or(x, |(ex, _)| ex);
        if label.ends_at.is_some() || (at - want).abs() > 1.0 {
            let mut lead = vec![(from + lw, *want)];
            if label.ends_at.is_some() {
                lead.push((x, *want));
            }
            lead.push((x + pad - lw, at));
            frame.scene.line(lead, leader, lw / 2.0);
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

/// Chart 1: a panel per party, its cumulative net in each scenario.
fn cumulative_net(set: &Set, style: Style) -> Scene {
    let terminal = set.parties.iter().any(|u| {
        u.index
            .iter()
            .zip(&set.runs)
            .any(|(i, r)| i.is_some_and(|i| run_terminal(r, i)))
    });
    let what = set.what();
    let mut subtitle = vec![];
    if !what.is_empty() {
        subtitle.push(what);
    }
    subtitle.push(format!("cumulative net, {}", set.unit_and_periods()));
    if terminal {
        subtitle.push("equity stakes valued at the horizon".into());
    }
    subtitle.push("each panel on its own scale".into());
    let grey = palette::REFERENCE;
    let spec = Spec {
        title: format!("Cumulative net by party: {}", set.versus()),
        subtitle: sentence(&subtitle),
        legend: set.legend(&style, |_| grey),
        dates: set.dates,
        y: YAxis::Values {
            ticks: Ticks::covering(0.0, 1.0),
            title: String::new(),
        },
        y2: None,
        right_gutter: 0.0,
        x_pad: 0.0,
    };
    let mut scene = Scene::new(style.width, style.height);
    let top = frame::heading(&mut scene, &style, &spec) + style.px(8.0);
    let n = set.parties.len();
    let (w, h) = (f64::from(style.width), f64::from(style.height));
    let inner = panel_style(style, 100, 100).margin();
    let outer = (style.margin() - inner).max(0.0);
    let area = (outer, top, w - outer, h - outer);
    let (cols, rows) = grid(n, area.2 - area.0, area.3 - area.1);
    let pw = (area.2 - area.0) / cols as f64;
    let ph = (area.3 - area.1) / rows as f64;
    let ps = panel_style(style, pw.floor() as u32, ph.floor() as u32);
    // Change notes share the title's line only if all do, so plots align.
    let inline = (0..n).all(|p| {
        let note = change_note(set, &net_lines(set, p));
        inline_note(&ps, &style, &set.parties[p].name, &note).1
    });
    for p in 0..n {
        let (c, r) = (p % cols, p / cols);
        let panel = net_panel(set, p, ps, style, inline);
        place(
            &mut scene,
            panel,
            (area.0 + c as f64 * pw, area.1 + r as f64 * ph),
        );
    }
    scene
}

fn run_terminal(run: &Run, party: usize) -> bool {
    run.table
        .kind_total(party, FlowKind::TerminalValue, true)
        .abs()
        > 1e-9
}

/// Columns and rows of panels: the layout giving the biggest panels of
/// about 16:9.
fn grid(n: usize, width: f64, height: f64) -> (usize, usize) {
    let n = n.max(1);
    (1..=n)
        .map(|cols| (cols, n.div_ceil(cols)))
        .max_by(|a, b| {
            let size = |(c, r): (usize, usize)| (width / c as f64).min(height / r as f64 * 1.9);
            size(*a).total_cmp(&size(*b))
        })
        .unwrap_or((1, 1))
}

/// The style of a panel: the chart's fonts (titles and ticks a little
/// smaller), tighter margins and spacing.
fn panel_style(chart: Style, width: u32, height: u32) -> Style {
    let k = chart.k;
    Style {
        width,
        height,
        k: k * 0.45,
        title: Font::new(Face::Bold, 25.0 * k),
        subtitle: Font::new(Face::Regular, 20.0 * k),
        legend: chart.legend,
        tick: Font::new(Face::Regular, 20.0 * k),
        note: chart.note,
    }
}

/// Moves `panel`'s shapes by `(dx, dy)` into `scene`.
fn place(scene: &mut Scene, panel: Scene, (dx, dy): (f64, f64)) {
    let mv = |(x, y): (f64, f64)| (x + dx, y + dy);
    for shape in panel.shapes {
        if matches!(&shape, Shape::Text { text, .. } if text.is_empty()) {
            continue;
        }
        scene.push(match shape {
            Shape::Rect {
                x0,
                y0,
                x1,
                y1,
                fill,
            } => Shape::Rect {
                x0: x0 + dx,
                y0: y0 + dy,
                x1: x1 + dx,
                y1: y1 + dy,
                fill,
            },
            Shape::Line {
                points,
                color,
                width,
                dash,
            } => Shape::Line {
                points: points.into_iter().map(mv).collect(),
                color,
                width,
                dash,
            },
            Shape::Polygon { points, fill } => Shape::Polygon {
                points: points.into_iter().map(mv).collect(),
                fill,
            },
            Shape::Circle {
                x,
                y,
                radius,
                fill,
                stroke,
            } => Shape::Circle {
                x: x + dx,
                y: y + dy,
                radius,
                fill,
                stroke,
            },
            Shape::Text {
                text,
                x,
                y,
                font,
                align,
                color,
            } => Shape::Text {
                text,
                x: x + dx,
                y: y + dy,
                font,
                align,
                color,
            },
        });
    }
}

/// The cumulative net of union party `p` in each run that has it.
fn net_lines(set: &Set, p: usize) -> Vec<(usize, Vec<f64>)> {
    set.parties[p]
        .index
        .iter()
        .enumerate()
        .filter_map(|(k, i)| {
            i.map(|i| {
                let f = set.factor[k];
                let v = series::cumulative_net(set.runs[k], i);
                (k, v.into_iter().map(|x| x * f).collect())
            })
        })
        .collect()
}

/// Where a panel's change note starts when it shares the title's line,
/// and whether it fits there.
fn inline_note(style: &Style, chart: &Style, title: &str, note: &str) -> (f64, bool) {
    let margin = style.margin();
    let x = margin + style.title.width(title) + chart.px(16.0);
    (
        x,
        x + style.subtitle.width(note) <= f64::from(style.width) - margin,
    )
}

/// One party's panel: its cumulative net in each run that has it, the
/// change from the reference on the title's line when `inline`, else below it.
fn net_panel(set: &Set, p: usize, mut style: Style, chart: Style, inline: bool) -> Scene {
    let party = &set.parties[p];
    let lines = net_lines(set, p);
    let (lo, hi) = lines
        .iter()
        .flat_map(|(_, v)| v.iter())
        .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let last = |v: &[f64]| v.last().copied().unwrap_or(0.0);
    let texts: Vec<(usize, String, f64)> = lines
        .iter()
        .map(|(k, v)| {
            let text = format!("{} {}", set.labels[*k], set.signed(last(v)));
            (*k, text, last(v))
        })
        .collect();
    let font = Font::new(Face::Condensed, chart.note.size);
    let pad = chart.px(14.0);
    let gutter = texts
        .iter()
        .map(|(_, t, _)| font.width(t))
        .fold(0.0, f64::max)
        + pad;
    let note = change_note(set, &lines);
    let (note_x, _) = inline_note(&style, &chart, &party.name, &note);
    let margin = style.margin();
    let note_font = style.subtitle;
    if inline {
        style.subtitle = Font::new(Face::Regular, 0.0);
    }
    let mut spec = Spec {
        title: party.name.clone(),
        subtitle: if inline { String::new() } else { note.clone() },
        legend: Vec::new(),
        dates: set.dates,
        y: YAxis::Values {
            ticks: Ticks::covering(lo, hi),
            title: String::new(),
        },
        y2: None,
        right_gutter: gutter,
        x_pad: 0.0,
    };
    let mut frame = Frame::new(style, &spec);
    // A short panel keeps fewer ticks, so their labels do not touch.
    let height = frame.plot.bottom - frame.plot.top;
    let ticks = fewer_ticks(Ticks::covering(lo, hi), height, style.tick.size * 1.1);
    if let YAxis::Values { ticks: t, .. } = &mut spec.y {
        if *t != ticks {
            *t = ticks;
            frame = Frame::new(style, &spec);
        }
    }
    if inline {
        frame.scene.text(
            note,
            (note_x, margin + style.title.cap_height()),
            note_font,
            Align::Left,
            palette::MUTED_TEXT,
        );
    }
    let y0 = frame.y(0.0);
    let (l, r) = (frame.plot.left, frame.plot.right);
    frame
        .scene
        .line(vec![(l, y0), (r, y0)], palette::ZERO, chart.px(2.0));
    let color = set.color(p);
    for (k, values) in &lines {
        let points = path(&frame, set.runs[*k], 0.0, values, 1.0);
        draw_line(&mut frame, &chart, points, color, *k);
    }
    let labels: Vec<EndLabel> = lines
        .iter()
        .zip(&texts)
        .map(|((k, _), (_, text, value))| EndLabel {
            text: text.clone(),
            value_y: frame.y(*value),
            color: shade(set.text_color(p), *k),
            ends_at: ends_early(&frame, set, *k, *value),
        })
        .collect();
    end_labels(&mut frame, font, &labels, pad, palette::tint(color, 0.3));
    frame.into_scene()
}

/// `ticks` with the step raised (1, 2, 5 x 10^n) until ticks are at least
/// `spacing` pixels apart on a plot `height` pixels high, or no larger step
/// would leave fewer ticks.
fn fewer_ticks(ticks: Ticks, height: f64, spacing: f64) -> Ticks {
    let mut t = ticks;
    loop {
        let n = t.values().len();
        if n <= 2 || height / (n - 1) as f64 > spacing || !t.step.is_finite() {
            return t;
        }
        let e = 10f64.powf((t.step.log10() + 1e-9).floor());
        let m = t.step / e;
        let step = e * if m < 1.5 {
            2.0
        } else if m < 3.5 {
            5.0
        } else {
            10.0
        };
        let coarser = Ticks {
            min: (t.min / step + 1e-9).floor() * step,
            max: (t.max / step - 1e-9).ceil() * step,
            step,
        };
        if coarser.values().len() >= n {
            return t;
        }
        t = coarser;
    }
}

/// Where run `k`'s line ends, if before the last day shown.
fn ends_early(frame: &Frame, set: &Set, k: usize, value: f64) -> Option<(f64, f64)> {
    let end = set.runs[k].model.grid.end;
    (end < set.dates.1).then(|| (frame.x_date_end(end), frame.y(value)))
}

/// The change in a party's final value from the reference, in words:
/// "−$36.0B in counter-offer", or which runs have the party.
fn change_note(set: &Set, lines: &[(usize, Vec<f64>)]) -> String {
    let last = |v: &[f64]| v.last().copied().unwrap_or(0.0);
    let Some((0, reference)) = lines.first() else {
        let only: Vec<&str> = lines.iter().map(|(k, _)| set.labels[*k].as_str()).collect();
        return format!("Only in {}", only.join(", "));
    };
    if lines.len() == 1 {
        return format!("Only in {}", set.labels[0]);
    }
    let reference = last(reference);
    let changes: Vec<String> = lines[1..]
        .iter()
        .map(|(k, v)| {
            let d = last(v) - reference;
            let change = if d.abs() < 0.05 {
                "no change".to_string()
            } else {
                set.signed(d)
            };
            if set.runs.len() == 2 {
                change
            } else {
                format!("{} {change}", set.labels[*k])
            }
        })
        .collect();
    if set.runs.len() == 2 {
        format!("{} vs {}: {}", set.labels[1], set.labels[0], changes[0])
    } else {
        format!("vs {}: {}", set.labels[0], changes.join(", "))
    }
}

/// Chart 2: one lab's cash balance in each run that has it.
fn lab_cash(set: &Set, p: usize, style: Style) -> Scene {
    let party = &set.parties[p];
    let color = set.color(p);
    let lines: Vec<(usize, usize, Vec<f64>)> = party
        .index
        .iter()
        .enumerate()
        .filter_map(|(k, i)| {
            i.map(|i| {
                let f = set.factor[k];
                let v = series::cash_balance(set.runs[k], i);
                (k, i, v.into_iter().map(|x| x * f).collect())
            })
        })
        .collect();
    let opening = |k: usize, i: usize| set.runs[k].table.opening_cash[i] * set.factor[k];
    let (lo, hi) = lines
        .iter()
        .flat_map(|(k, i, v)| v.iter().copied().chain([opening(*k, *i)]))
        .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let last = |v: &[f64]| v.last().copied().unwrap_or(0.0);
    let texts: Vec<String> = lines
        .iter()
        .map(|(k, _, v)| format!("{} {}", set.labels[*k], amount(set.meta(), last(v))))
        .collect();
    let font = style.legend;
    let pad = style.px(22.0);
    let gutter = texts.iter().map(|t| font.width(t)).fold(0.0, f64::max) + pad;
    let what = set.what();
    let mut subtitle = vec![];
    if !what.is_empty() {
        subtitle.push(what);
    }
    subtitle.push(set.unit_and_periods());
    let lines_in: Vec<&str> = lines
        .iter()
        .map(|(k, _, _)| set.labels[*k].as_str())
        .collect();
    let spec = Spec {
        title: if lines_in.len() == 1 && set.runs.len() > 1 {
            format!("{}: cash balance (only in {})", party.name, lines_in[0])
        } else {
            format!("{}: cash balance, {}", party.name, lines_in.join(" vs "))
        },
        subtitle: sentence(&subtitle),
        legend: set.legend(&style, |k| shade(color, k)),
        dates: set.dates,
        y: YAxis::Values {
            ticks: Ticks::covering(lo, hi),
            title: format!(
                "Cash balance, {} (opening cash included)",
                set.meta().money_label()
            ),
        },
        y2: None,
        right_gutter: gutter,
        x_pad: 0.0,
    };
    let mut frame = Frame::new(style, &spec);
    frame.zero_line();
    for (k, i, values) in &lines {
        let points = path(&frame, set.runs[*k], opening(*k, *i), values, 1.0);
        draw_line(&mut frame, &style, points, color, *k);
    }
    let mut notes = Vec::new();
    for (k, i, values) in &lines {
        notes.extend(negative_cash(&mut frame, set, *k, *i, values));
    }
    place_notes(&mut frame, notes);
    let labels: Vec<EndLabel> = lines
        .iter()
        .zip(&texts)
        .map(|((k, _, v), text)| EndLabel {
            text: text.clone(),
            value_y: frame.y(last(v)),
            color: shade(set.text_color(p), *k),
            ends_at: ends_early(&frame, set, *k, last(v)),
        })
        .collect();
    end_labels(&mut frame, font, &labels, pad, palette::tint(color, 0.3));
    frame.into_scene()
}

/// A note by a mark on the plot: at the top of the plot, or below (above,
/// near the bottom) its point.
struct Note {
    point: (f64, f64),
    text: String,
    at_top: bool,
}

/// Marks where run `k`'s cash first goes below zero (a dashed line, a dot
/// and a note at the top) and its low point while negative (a dot and a
/// note by it).
fn negative_cash(frame: &mut Frame, set: &Set, k: usize, lab: usize, cash: &[f64]) -> Vec<Note> {
    let run = set.runs[k];
    let m = &run.model;
    let Some(figures) = run.summary.labs.iter().find(|l| l.id == m.parties[lab].id) else {
        return Vec::new();
    };
    let Some(first) = figures.first_negative_cash else {
        return Vec::new();
    };
    let kind = m.grid.kind;
    let label = &set.labels[k];
    let value = m
        .grid
        .period_of(first)
        .and_then(|p| cash.get(p))
        .copied()
        .unwrap_or(0.0);
    let dash = frame.style.dash();
    frame.vertical(year_frac_end(first), palette::REFERENCE, Some(dash));
    let point = (frame.x_date_end(first), frame.y(value));
    frame.dot(point);
    let mut notes = vec![Note {
        point,
        text: format!("{label}: below zero from {}", period_end(kind, first)),
        at_top: true,
    }];
    let low = figures.lowest_cash_date;
    if figures.lowest_cash < 0.0 && low != first {
        let v = figures.lowest_cash * set.factor[k];
        let point = (frame.x_date_end(low), frame.y(v));
        frame.dot(point);
        notes.push(Note {
            point,
            text: format!(
                "{label} low {} ({})",
                amount(set.meta(), v),
                period_end(kind, low)
            ),
            at_top: false,
        });
    }
    notes
}

/// Writes the notes (top ones first, left to right), each moved down (or
/// up, from below a point near the bottom) until it overlaps no other.
fn place_notes(frame: &mut Frame, mut notes: Vec<Note>) {
    let font = frame.style.note;
    let line = font.size * 1.3;
    let pad = frame.style.px(10.0);
    notes.sort_by(|a, b| {
        b.at_top
            .cmp(&a.at_top)
            .then(a.point.0.total_cmp(&b.point.0))
    });
    let top = frame.plot.top + font.cap_height() + pad;
    let bottom = frame.plot.bottom - pad;
    if bottom - top < line {
        // No room for a note (a tiny chart): the dots alone.
        return;
    }
    let mut taken: Vec<(f64, f64, f64)> = Vec::new(); // (left, right, baseline)
    for note in notes {
        let (x, y) = note.point;
        let w = font.width(&note.text) + 2.0 * pad;
        let (left, right) = if x + w <= frame.plot.right {
            (x, x + w)
        } else {
            (x - w, x)
        };
        let (mut ty, step) = if note.at_top {
            (top, line)
        } else if y + line * 1.3 <= bottom {
            (y + line * 1.3, line)
        } else {
            (y - line * 0.8, -line)
        };
        while taken
            .iter()
            .any(|(l, r, t)| left < *r && right > *l && (ty - t).abs() < line)
        {
            ty += step;
        }
        taken.push((left, right, ty));
        frame.annotate(&note.text, (x, ty), palette::TEXT);
    }
}

/// One bar of the differences chart.
struct Bar {
    what: &'static str,
    value: Option<f64>,
}

/// Chart 3: each party's change in net and NPV from the reference, one row
/// per party (per party and scenario with three runs or more); `None` when
/// no party is in the reference and another run, or nothing changed.
fn differences(set: &Set, style: Style) -> Option<Scene> {
    let alts = set.runs.len().checked_sub(1).filter(|n| *n > 0)?;
    let find = |k: usize, id: &str| set.runs[k].summary.parties.iter().find(|f| f.id == id);
    let mut rows: Vec<(usize, String, Vec<Bar>)> = Vec::new();
    for (p, party) in set.parties.iter().enumerate() {
        let Some(a) = find(0, &party.id) else {
            continue;
        };
        for k in 1..set.runs.len() {
            let Some(b) = find(k, &party.id) else {
                continue;
            };
            let (fa, fb) = (set.factor[0], set.factor[k]);
            let npv = match (&a.npv, &b.npv) {
                (Figure::Value(x), Figure::Value(y)) => Some(y * fb - x * fa),
                _ => None,
            };
            let label = if alts == 1 {
                party.name.clone()
            } else {
                format!("{}, {}", party.name, set.labels[k])
            };
            let bars = vec![
                Bar {
                    what: "Net",
                    value: Some(b.net * fb - a.net * fa),
                },
                Bar {
                    what: "NPV",
                    value: npv,
                },
            ];
            rows.push((p, label, bars));
        }
    }
    let values: Vec<f64> = rows
        .iter()
        .flat_map(|(_, _, bars)| bars.iter().filter_map(|b| b.value))
        .collect();
    if values.iter().all(|v| v.abs() < 1e-9) {
        return None;
    }
    let (lo, hi) = values
        .iter()
        .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let ticks = Ticks::covering(lo, hi);

    let rates: Vec<f64> = set.runs.iter().map(|r| r.summary.discount_rate).collect();
    let rate = if rates.iter().all(|r| (r - rates[0]).abs() < 1e-12) {
        format!(
            "NPV at {}%",
            number(rates[0] * 100.0, 1).trim_end_matches(".0")
        )
    } else {
        "NPV at each scenario's discount rate".to_string()
    };
    let title = if alts == 1 {
        format!("Change by party: {} minus {}", set.labels[1], set.labels[0])
    } else {
        format!("Change by party from {}", set.labels[0])
    };
    let what = set.what();
    let mut subtitle = vec![];
    if !what.is_empty() {
        subtitle.push(what);
    }
    subtitle.push(set.meta().money_label());
    subtitle.push(format!(
        "net at the horizon{}; {rate}",
        if set.parties.iter().any(|u| u
            .index
            .iter()
            .zip(&set.runs)
            .any(|(i, r)| i.is_some_and(|i| run_terminal(r, i))))
        {
            " (equity stakes at value)"
        } else {
            ""
        }
    ));
    let left_out: Vec<&str> = set
        .parties
        .iter()
        .filter(|u| !rows.iter().any(|(p, _, _)| set.parties[*p].id == u.id))
        .map(|u| u.name.as_str())
        .collect();
    let mut legend = Vec::new();
    if set.lettered {
        let key: Vec<String> = set
            .names
            .iter()
            .zip(&set.labels)
            .map(|(n, l)| format!("{l}: {n}"))
            .collect();
        legend.push(LegendItem::new(Swatch::Note, key.join("  \u{b7}  ")));
    }
    if !left_out.is_empty() {
        let note = format!("Left out, in one scenario only: {}", left_out.join(", "));
        legend.push(LegendItem::new(Swatch::Note, note));
    }
    let spec = Spec {
        title,
        subtitle: sentence(&subtitle),
        legend,
        dates: set.dates,
        y: YAxis::Rows(Vec::new()),
        y2: None,
        right_gutter: 0.0,
        x_pad: 0.0,
    };
    let mut scene = Scene::new(style.width, style.height);
    let below = frame::heading(&mut scene, &style, &spec);
    let tick = style.tick;
    let baseline = below + style.px(22.0) + tick.cap_height();
    let axis = if alts == 1 {
        format!(
            "Change, {} ({} minus {})",
            set.meta().money_label(),
            set.labels[1],
            set.labels[0]
        )
    } else {
        format!(
            "Change from {}, {}",
            set.labels[0],
            set.meta().money_label()
        )
    };
    scene.text(
        axis,
        (style.margin(), baseline),
        tick,
        Align::Left,
        palette::MUTED_TEXT,
    );
    let top = baseline + style.px(16.0);
    Some(draw_bars(set, style, scene, top, &rows, ticks))
}

/// Lays out the rows of bars under `top` on a value axis of `ticks`.
fn draw_bars(
    set: &Set,
    style: Style,
    mut scene: Scene,
    top: f64,
    rows: &[(usize, String, Vec<Bar>)],
    ticks: Ticks,
) -> Scene {
    let (w, h) = (f64::from(style.width), f64::from(style.height));
    let m = style.margin();
    let tick = style.tick;
    let gap = style.px(16.0);
    let labels_w = rows
        .iter()
        .map(|(_, l, _)| style.legend.width(l))
        .fold(0.0, f64::max);
    let left = m + labels_w + gap;
    let right = w - m - tick.width(&ticks.label(ticks.max)) / 2.0;
    let bottom = h - m - tick.size - style.px(10.0);
    let x = |v: f64| left + (v - ticks.min) / (ticks.max - ticks.min).max(1e-12) * (right - left);
    // Gridlines and tick labels.
    let tick_y = bottom + style.px(12.0) + tick.cap_height();
    for v in ticks.values() {
        let px = x(v);
        scene.line(vec![(px, top), (px, bottom)], palette::GRID, style.px(1.5));
        scene.text(
            ticks.label(v),
            (px, tick_y),
            tick,
            Align::Center,
            palette::MUTED_TEXT,
        );
    }
    let row_h = (bottom - top) / rows.len().max(1) as f64;
    let font = style.note;
    let bar_h = (row_h * 0.3).min(style.px(34.0));
    for (r, (p, label, bars)) in rows.iter().enumerate() {
        let mid = top + (r as f64 + 0.5) * row_h;
        if r > 0 {
            let y = top + r as f64 * row_h;
            scene.line(
                vec![(left, y), (right, y)],
                palette::YEAR_GRID,
                style.px(1.5),
            );
        }
        scene.text(
            label.clone(),
            (left - gap, mid + style.legend.cap_height() / 2.0),
            style.legend,
            Align::Right,
            set.text_color(*p),
        );
        let n = bars.len() as f64;
        for (b, bar) in bars.iter().enumerate() {
            let cy = mid + (b as f64 - (n - 1.0) / 2.0) * (bar_h + style.px(6.0));
            let color = if b == 0 {
                set.color(*p)
            } else {
                palette::tint(set.color(*p), 0.5)
            };
            let text = match bar.value {
                Some(v) if v.abs() < 0.05 => format!("{}: no change", bar.what),
                Some(v) => format!("{} {}", bar.what, set.signed(v)),
                None => format!("{}: undefined", bar.what),
            };
            let v = bar.value.unwrap_or(0.0);
            let (x0, x1) = (x(0.0), x(v));
            if (x1 - x0).abs() >= 0.5 {
                scene.rect((x0, cy - bar_h / 2.0), (x1, cy + bar_h / 2.0), color);
            }
            // The label past the bar's end, or inside it when that runs off the plot.
            let tw = font.width(&text);
            let pad = style.px(8.0);
            let base = cy + font.cap_height() / 2.0;
            let fits_right = x1 + pad + tw <= w - m;
            let fits_left = x1 - pad - tw >= left;
            let inside = (x1 - x0).abs() >= tw + 2.0 * pad;
            // Past the bar's end; inside it when that runs off the plot; else
            // on the other side of zero.
            let (tx, align, mut tcolor) = match (v > 0.0, v < 0.0) {
                (true, _) if fits_right => (x1 + pad, Align::Left, palette::TEXT),
                (true, _) if inside => (x1 - pad, Align::Right, palette::WHITE),
                (_, true) if fits_left => (x1 - pad, Align::Right, palette::TEXT),
                (_, true) if inside => (x1 + pad, Align::Left, palette::WHITE),
                _ if v > 0.0 || (v == 0.0 && !fits_right) => {
                    (x0 - pad, Align::Right, palette::TEXT)
                }
                _ => (x0 + pad, Align::Left, palette::TEXT),
            };
            if bar.value.is_none_or(|v| v.abs() < 0.05) {
                tcolor = palette::MUTED_TEXT;
            }
            scene.text(text, (tx, base), font, align, tcolor);
        }
    }
    // The zero line over the bars.
    let z = x(0.0);
    scene.line(vec![(z, top), (z, bottom)], palette::ZERO, style.px(2.0));
    scene
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

    fn names(files: &[PathBuf]) -> Vec<String> {
        files
            .iter()
            .filter_map(|f| f.file_name()?.to_str().map(String::from))
            .collect()
    }

    fn assert_non_empty(files: &[PathBuf]) {
        for f in files {
            let bytes = std::fs::read(f).unwrap();
            assert!(bytes.len() > 1000, "{} is nearly empty", f.display());
            if f.extension().is_some_and(|e| e == "png") {
                assert_eq!(&bytes[1..4], b"PNG");
            }
        }
    }

    #[test]
    fn comparing_a_scenario_and_its_counter_offer_writes_every_chart() {
        let (a, b) = (
            run("amazon-openai-2026.toml"),
            run("amazon-openai-2026-counter.toml"),
        );
        let dir = tempfile::tempdir().unwrap();
        let files = render(&[&a, &b], dir.path(), 800, 450).unwrap();
        let names = names(&files);
        for expected in [
            "compare-cumulative-net.png",
            "compare-cumulative-net.svg",
            "compare-lab-cash-openai.png",
            "compare-lab-cash-openai.svg",
            "compare-differences.png",
            "compare-differences.svg",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} missing from {names:?}"
            );
        }
        assert_eq!(files.len(), 6, "{names:?}");
        assert_non_empty(&files);
    }

    #[test]
    fn unrelated_scenarios_with_different_parties_still_chart() {
        let (a, b) = (
            run("microsoft-revenue-share.toml"),
            run("openai-infrastructure.toml"),
        );
        let dir = tempfile::tempdir().unwrap();
        let files = render(&[&a, &b, &a], dir.path(), 400, 225).unwrap();
        let names = names(&files);
        assert!(names.iter().any(|n| n == "compare-cumulative-net.png"));
        assert!(names.iter().any(|n| n == "compare-lab-cash-openai.svg"));
        assert_non_empty(&files);
    }

    #[test]
    fn short_labels_cut_the_shared_start_or_fall_back_to_letters() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let (labels, lettered, common) = short_labels(&s(&[
            "Amazon \u{2192} OpenAI, Feb 2026",
            "Amazon \u{2192} OpenAI, counter-offer",
        ]));
        assert_eq!(labels, s(&["Feb 2026", "counter-offer"]));
        assert!(!lettered);
        assert_eq!(common.as_deref(), Some("Amazon \u{2192} OpenAI"));
        // Long names with nothing shared: letters.
        let (labels, lettered, _) = short_labels(&s(&[
            "OpenAI \u{2192} Microsoft revenue share",
            "OpenAI infrastructure commitments vs revenue",
        ]));
        assert_eq!((labels, lettered), (s(&["A", "B"]), true));
        // The same scenario twice: letters too.
        assert!(short_labels(&s(&["Base", "Base"])).1);
        // Short distinct names are their own labels.
        assert_eq!(short_labels(&s(&["Base", "Bull"])).0, s(&["Base", "Bull"]));
        assert_eq!(letter(27), "AB");
    }

    #[test]
    fn short_panels_keep_fewer_ticks() {
        let t = |min, max, step| Ticks { min, max, step };
        // -600..200 by 200 (5 ticks) on 45 px, 14 px apart: -1000..500 by
        // 500 (4 ticks, 15 px apart); 16 px apart: by 1000 (3 ticks).
        assert_eq!(
            fewer_ticks(t(-600.0, 200.0, 200.0), 45.0, 14.0),
            t(-1000.0, 500.0, 500.0)
        );
        assert_eq!(
            fewer_ticks(t(-600.0, 200.0, 200.0), 45.0, 16.0),
            t(-1000.0, 1000.0, 1000.0)
        );
        // Room enough: unchanged.
        let tall = t(0.0, 150.0, 50.0);
        assert_eq!(fewer_ticks(tall, 300.0, 14.0), tall);
        // No room at all: stops at -s, 0, s instead of growing forever.
        assert_eq!(fewer_ticks(t(-5.0, 5.0, 5.0), 0.0, 14.0).values().len(), 3);
    }

    #[test]
    fn panels_are_laid_out_near_sixteen_by_nine() {
        assert_eq!(grid(1, 1600.0, 750.0), (1, 1));
        assert_eq!(grid(2, 1600.0, 750.0), (2, 1));
        assert_eq!(grid(4, 1600.0, 750.0), (2, 2));
        let (c, r) = grid(10, 1600.0, 750.0);
        assert!(c * r >= 10 && c >= 3);
    }
}
