//! The parts every chart shares, laid out once: title, subtitle, legend,
//! value or row axis (with an optional second value axis), a time axis
//! labelled by year or quarter, gridlines, and the plot area in between.
//!
//! Every time axis follows one convention, for bars and lines alike:
//! gridlines at year (or quarter) boundaries, each label centred under the
//! part of its year (or quarter) that is shown, so a year sits at the same
//! place on every chart.
//!
//! Charts that are not over time ([`Frame::with`]) put values or labelled
//! columns on the horizontal axis instead ([`XAxis`]), with its title
//! centred under the labels, and may end in a footnote.
//!
//! A chart builds a [`Frame`] from a [`Spec`], draws its series through
//! [`Frame::x`] and [`Frame::y`], and takes the finished [`Scene`].

use chrono::NaiveDate;
use plotters::style::RGBColor;

use super::font::{Face, Font};
use super::palette;
use super::scale::{year_frac, year_frac_end, Format, Ticks};
use super::scene::{Align, Scene, Shape};

/// Fonts and spacing for a canvas size; text shrinks slower than the canvas.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub width: u32,
    pub height: u32,
    /// 1 at 1600 x 900.
    pub k: f64,
    pub title: Font,
    pub subtitle: Font,
    pub legend: Font,
    pub tick: Font,
    pub note: Font,
}

impl Style {
    pub fn new(width: u32, height: u32) -> Style {
        let k = (f64::from(width) / 1600.0)
            .min(f64::from(height) / 900.0)
            .clamp(0.2, 4.0)
            .powf(0.7);
        Style {
            width,
            height,
            k,
            title: Font::new(Face::Bold, 40.0 * k),
            subtitle: Font::new(Face::Regular, 26.0 * k),
            legend: Font::new(Face::Regular, 24.0 * k),
            tick: Font::new(Face::Regular, 23.0 * k),
            note: Font::new(Face::Regular, 22.0 * k),
        }
    }

    /// A length of `px` pixels at 1600 x 900, scaled like the text.
    pub fn px(&self, px: f64) -> f64 {
        px * self.k
    }

    /// The dash pattern of reference and comparison lines.
    pub fn dash(&self) -> (f64, f64) {
        (self.px(12.0), self.px(7.0))
    }

    /// The blank border around the chart.
    pub fn margin(&self) -> f64 {
        self.px(36.0)
    }
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    Bar(RGBColor),
    Line {
        color: RGBColor,
        width: f64,
        dash: Option<(f64, f64)>,
    },
    Dot(RGBColor),
    Ring(RGBColor),
    /// No swatch: a heading for the items after it, or a note.
    Note,
}

#[derive(Debug, Clone)]
pub struct LegendItem {
    pub swatch: Swatch,
    pub label: String,
}

impl LegendItem {
    pub fn new(swatch: Swatch, label: impl Into<String>) -> LegendItem {
        LegendItem {
            swatch,
            label: label.into(),
        }
    }
}

/// The vertical axis.
#[derive(Debug, Clone)]
pub enum YAxis {
    /// Money, with its title (units included).
    Values { ticks: Ticks, title: String },
    /// One labelled row per item, top to bottom.
    Rows(Vec<(String, RGBColor)>),
    /// Rows as [`YAxis::Rows`], with a title where a value axis has its own.
    NamedRows {
        rows: Vec<(String, RGBColor)>,
        title: String,
    },
}

impl YAxis {
    fn rows(&self) -> Option<&[(String, RGBColor)]> {
        match self {
            YAxis::Values { .. } => None,
            YAxis::Rows(rows) | YAxis::NamedRows { rows, .. } => Some(rows),
        }
    }

    fn title(&self) -> &str {
        match self {
            YAxis::Values { title, .. } | YAxis::NamedRows { title, .. } => title,
            YAxis::Rows(_) => "",
        }
    }
}

/// The horizontal axis.
#[derive(Debug, Clone)]
pub enum XAxis {
    /// [`Spec::dates`], by year or quarter.
    Time,
    /// Values at `ticks`, written as `format` says; tick marks under the
    /// plot, or gridlines across it when the vertical axis has rows.
    Values {
        ticks: Ticks,
        format: Format,
        title: String,
    },
    /// One labelled column per item, left to right; column `i` spans
    /// `i..i + 1` in [`Frame::x`].
    Columns { labels: Vec<String>, title: String },
}

/// What a chart asks of its frame.
#[derive(Debug, Clone)]
pub struct Spec {
    pub title: String,
    pub subtitle: String,
    pub legend: Vec<LegendItem>,
    /// First and last day shown (inclusive).
    pub dates: (NaiveDate, NaiveDate),
    pub y: YAxis,
    /// A second value axis on the right, sharing the gridlines.
    pub y2: Option<(Ticks, String)>,
    /// Room right of the plot for labels the chart draws itself.
    pub right_gutter: f64,
    /// Room inside the plot before the first date and after the last, in
    /// pixels, for marks drawn at the ends of the time range.
    pub x_pad: f64,
}

/// The plot rectangle, in pixels.
#[derive(Debug, Clone, Copy)]
pub struct Plot {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

/// A laid-out chart frame.
pub struct Frame {
    pub style: Style,
    pub plot: Plot,
    pub scene: Scene,
    x_range: (f64, f64),
    x_pad: f64,
    y_range: (f64, f64),
    y2_range: Option<(f64, f64)>,
    rows: usize,
    axis_title_baseline: f64,
}

impl Frame {
    /// A frame over the time axis of `spec.dates`.
    pub fn new(style: Style, spec: &Spec) -> Frame {
        Frame::with(style, spec, &XAxis::Time, "")
    }

    /// A frame with `x` as its horizontal axis (`spec.dates` is used only
    /// by [`XAxis::Time`]) and `footnote`, if not empty, in muted text at
    /// the foot of the chart.
    pub fn with(style: Style, spec: &Spec, x: &XAxis, footnote: &str) -> Frame {
        let mut scene = Scene::new(style.width, style.height);
        let (w, h) = (f64::from(style.width), f64::from(style.height));
        let m = style.margin();
        let mut y = m;
        y = header(&mut scene, &style, spec, y);
        y = legend(
            &mut scene,
            &style,
            &spec.legend,
            y + style.px(14.0),
            w - 2.0 * m,
        );
        let tick = style.tick;
        let has_titles = !spec.y.title().is_empty() || spec.y2.is_some();
        let axis_title_baseline = y + style.px(22.0) + tick.cap_height();
        let top = if has_titles {
            axis_title_baseline + style.px(16.0)
        } else {
            y + style.px(20.0)
        };
        let (x0, x1) = match x {
            XAxis::Time => (year_frac(spec.dates.0), year_frac_end(spec.dates.1)),
            XAxis::Values { ticks, .. } => (ticks.min, ticks.max),
            XAxis::Columns { labels, .. } => (0.0, labels.len().max(1) as f64),
        };
        let label_lines = match x {
            XAxis::Time if quarter_axis((x0, x1)) => 2.15,
            XAxis::Time => 1.0,
            XAxis::Values { title, .. } | XAxis::Columns { title, .. } => {
                if title.is_empty() {
                    1.0
                } else {
                    2.25
                }
            }
        };
        let footnote = footnote_lines(&style, footnote);
        let footnote_h = if footnote.1.is_empty() {
            0.0
        } else {
            footnote.0.size * 1.3 * footnote.1.len() as f64 + style.px(6.0)
        };
        let bottom = h - m - tick.size * label_lines - style.px(12.0) - footnote_h;
        let gap = style.px(12.0);
        let left = m + y_labels_width(&style, &spec.y) + gap;
        let y2_width = spec.y2.as_ref().map_or(0.0, |(t, _)| {
            t.values()
                .iter()
                .map(|v| tick.width(&t.label(*v)))
                .fold(0.0, f64::max)
                + gap
        });
        let mut right = w - m - y2_width - spec.right_gutter;
        if let XAxis::Values { ticks, format, .. } = x {
            // The last tick's label is centred on the plot's edge: keep it on the canvas.
            right = right.min(w - m - tick.width(&ticks.format(ticks.max, *format)) / 2.0);
        }
        let plot = Plot {
            left,
            top,
            right: right.max(left + 10.0),
            bottom: bottom.max(top + 10.0),
        };
        let (y_range, rows) = match (&spec.y, spec.y.rows()) {
            (YAxis::Values { ticks, .. }, _) => ((ticks.min, ticks.max), 0),
            (_, rows) => {
                let n = rows.map_or(0, <[_]>::len);
                ((0.0, n.max(1) as f64), n)
            }
        };
        let mut frame = Frame {
            style,
            plot,
            scene,
            x_range: (x0, x1.max(x0 + 1e-6)),
            x_pad: spec.x_pad.clamp(0.0, (plot.right - plot.left) / 4.0),
            y_range,
            y2_range: spec.y2.as_ref().map(|(t, _)| (t.min, t.max)),
            rows,
            axis_title_baseline,
        };
        match x {
            XAxis::Time => frame.time_axis(),
            XAxis::Values {
                ticks,
                format,
                title,
            } => frame.value_x_axis(ticks, *format, title, spec.y.rows().is_some()),
            XAxis::Columns { labels, title } => frame.column_axis(labels, title),
        }
        frame.value_axes(spec, axis_title_baseline);
        frame.footnote(footnote);
        frame
    }

    /// The baseline of the axis titles above the plot, for labels that
    /// belong with them.
    pub fn title_baseline(&self) -> f64 {
        self.axis_title_baseline
    }

    /// Pixel x of a fractional year.
    pub fn x(&self, year: f64) -> f64 {
        let (a, b) = self.x_range;
        let (left, right) = (self.plot.left + self.x_pad, self.plot.right - self.x_pad);
        left + (year - a) / (b - a) * (right - left)
    }

    /// Pixel x of the start of a day.
    pub fn x_date(&self, d: NaiveDate) -> f64 {
        self.x(year_frac(d))
    }

    /// Pixel x of the end of a day.
    pub fn x_date_end(&self, d: NaiveDate) -> f64 {
        self.x(year_frac_end(d))
    }

    /// Pixel y of a value on the left axis.
    pub fn y(&self, v: f64) -> f64 {
        scale_y(self.y_range, &self.plot, v)
    }

    /// Pixel y of a value on the right axis (the left one if there is none).
    pub fn y2(&self, v: f64) -> f64 {
        scale_y(self.y2_range.unwrap_or(self.y_range), &self.plot, v)
    }

    /// Pixel y of the middle of row `i`, and the row height.
    pub fn row(&self, i: usize) -> (f64, f64) {
        let h = (self.plot.bottom - self.plot.top) / self.rows.max(1) as f64;
        (self.plot.top + (i as f64 + 0.5) * h, h)
    }

    /// The emphasised zero line; draw it over bars and areas, under lines.
    pub fn zero_line(&mut self) {
        let y = self.y(0.0);
        let width = self.style.px(2.0);
        self.scene.line(
            vec![(self.plot.left, y), (self.plot.right, y)],
            palette::ZERO,
            width,
        );
    }

    /// A vertical reference line across the plot at fractional year `x`.
    pub fn vertical(&mut self, x: f64, color: RGBColor, dash: Option<(f64, f64)>) {
        let px = self.x(x);
        let points = vec![(px, self.plot.top), (px, self.plot.bottom)];
        let width = self.style.px(2.0);
        match dash {
            Some(d) => self.scene.dashed(points, color, width, d),
            None => self.scene.line(points, color, width),
        }
    }

    /// A marker for an event on a line: a dark dot ringed in white.
    pub fn dot(&mut self, (x, y): (f64, f64)) {
        let (radius, ring) = (self.style.px(7.0), self.style.px(2.0));
        let (fill, stroke) = (Some(palette::REFERENCE), Some((palette::WHITE, ring)));
        self.scene.push(Shape::Circle {
            x,
            y,
            radius,
            fill,
            stroke,
        });
    }

    /// A label inside the plot next to `(x, y)`, kept inside the plot area:
    /// right of the point, or left of it when it would run past the right edge.
    pub fn annotate(&mut self, text: &str, (x, y): (f64, f64), color: RGBColor) {
        let font = self.style.note;
        let pad = self.style.px(10.0);
        let width = font.width(text);
        let (tx, align) = if x + pad + width <= self.plot.right {
            (x + pad, Align::Left)
        } else {
            (x - pad, Align::Right)
        };
        // On a very small chart the plot can be shorter than a line of text:
        // keep the label at the top rather than clamp with crossed bounds.
        let (top, bottom) = (
            self.plot.top + font.cap_height() + pad,
            self.plot.bottom - pad,
        );
        let ty = if top <= bottom {
            y.clamp(top, bottom)
        } else {
            top
        };
        // A white backing so gridlines do not run through the letters.
        let left = if align == Align::Left { tx } else { tx - width };
        self.scene.rect(
            (left - 3.0, ty - font.cap_height() - 4.0),
            (left + width + 3.0, ty + font.descent() + 2.0),
            palette::WHITE,
        );
        self.scene.text(text, (tx, ty), font, align, color);
    }

    pub fn into_scene(self) -> Scene {
        self.scene
    }

    /// Tick labels of a value axis under the plot (every k-th when they
    /// would touch), its title centred below them; gridlines across the
    /// plot when `gridlines`, else tick marks under it.
    fn value_x_axis(&mut self, ticks: &Ticks, format: Format, title: &str, gridlines: bool) {
        let font = self.style.tick;
        let baseline = self.plot.bottom + self.style.px(12.0) + font.cap_height();
        let values = ticks.values();
        let labels: Vec<String> = values.iter().map(|v| ticks.format(*v, format)).collect();
        let spacing = (self.x(ticks.min + ticks.step) - self.x(ticks.min)).abs();
        let every = label_every(&labels, font, spacing, self.style.px(16.0));
        let (top, bottom) = (self.plot.top, self.plot.bottom);
        for (v, label) in values.iter().zip(labels) {
            let px = self.x(*v);
            if gridlines {
                let width = self.style.px(1.5);
                self.scene
                    .line(vec![(px, top), (px, bottom)], palette::GRID, width);
            } else {
                let mark = vec![(px, bottom), (px, bottom + self.style.px(7.0))];
                self.scene.line(mark, palette::AXIS, self.style.px(1.5));
            }
            // Labels counted from zero, so zero keeps its label when thinned.
            if ((v / ticks.step).round() as i64).rem_euclid(every) == 0 {
                let color = palette::MUTED_TEXT;
                self.scene
                    .text(label, (px, baseline), font, Align::Center, color);
            }
        }
        self.x_title(title, baseline);
    }

    /// A label centred under each column (every k-th when they would
    /// touch), the axis title centred below them.
    fn column_axis(&mut self, labels: &[String], title: &str) {
        let font = self.style.tick;
        let baseline = self.plot.bottom + self.style.px(12.0) + font.cap_height();
        let spacing = self.x(1.0) - self.x(0.0);
        let every = label_every(labels, font, spacing, self.style.px(10.0));
        for (i, label) in labels.iter().enumerate() {
            if (i as i64) % every == 0 {
                let x = self.x(i as f64 + 0.5);
                let color = palette::MUTED_TEXT;
                self.scene
                    .text(label.clone(), (x, baseline), font, Align::Center, color);
            }
        }
        self.x_title(title, baseline);
    }

    /// The title of a horizontal axis, centred under the labels on `baseline`.
    fn x_title(&mut self, title: &str, baseline: f64) {
        if title.is_empty() {
            return;
        }
        let font = self.style.tick;
        let w = font.width(title);
        // Centred under the plot, kept on the canvas when it can be.
        let lo = self.style.margin() + w / 2.0;
        let hi = (f64::from(self.style.width) - self.style.margin() - w / 2.0).max(lo);
        let x = ((self.plot.left + self.plot.right) / 2.0).clamp(lo, hi);
        self.scene.text(
            title,
            (x, baseline + font.size * 1.25),
            font,
            Align::Center,
            palette::MUTED_TEXT,
        );
    }

    /// The footnote's lines at the foot of the chart.
    fn footnote(&mut self, (font, lines): (Font, Vec<String>)) {
        let line = font.size * 1.3;
        let h = f64::from(self.style.height);
        let last = h - self.style.margin() - font.descent();
        let n = lines.len();
        for (i, text) in lines.into_iter().enumerate() {
            let y = last - (n - 1 - i) as f64 * line;
            let m = self.style.margin();
            self.scene
                .text(text, (m, y), font, Align::Left, palette::MUTED_TEXT);
        }
    }

    /// Year (or quarter) gridlines and labels under the plot.
    fn time_axis(&mut self) {
        let (x0, x1) = self.x_range;
        let font = self.style.tick;
        let width = self.x(x1) - self.x(x0);
        let first_line = self.plot.bottom + self.style.px(12.0) + font.cap_height();
        let quarters = quarter_axis(self.x_range);
        let marks = if quarters {
            quarter_marks(x0, x1)
        } else {
            year_marks(x0, x1, font, width)
        };
        for mark in &marks {
            if mark.at > x0 + 1e-9 && mark.at < x1 - 1e-9 {
                let px = self.x(mark.at);
                self.scene.line(
                    vec![(px, self.plot.top), (px, self.plot.bottom)],
                    palette::YEAR_GRID,
                    self.style.px(1.5),
                );
            }
        }
        self.time_labels(marks, first_line);
        if quarters {
            self.time_labels(
                year_marks(x0, x1, font, width),
                first_line + font.size * 1.15,
            );
        }
    }

    /// Writes the labels of `marks` on one line, each centred under the
    /// shown part of its span: when it fits there, or (`sparse` labels) when
    /// at least half the span is shown, kept inside the canvas.
    fn time_labels(&mut self, marks: Vec<Mark>, baseline: f64) {
        let (x0, x1) = self.x_range;
        let font = self.style.tick;
        let right_edge = f64::from(self.style.width) - self.style.margin();
        for mark in marks {
            let Some(Label { text, span, sparse }) = mark.label else {
                continue;
            };
            let (a, b) = (span.0.max(x0), span.1.min(x1));
            let (pa, pb) = (self.x(a), self.x(b));
            let w = font.width(&text);
            let shown = if sparse {
                b - a >= (span.1 - span.0) / 2.0
            } else {
                w <= (pb - pa) * 0.95
            };
            if !shown {
                continue;
            }
            let cx = ((pa + pb) / 2.0).clamp(self.plot.left + w / 2.0, right_edge - w / 2.0);
            self.scene.text(
                text,
                (cx, baseline),
                font,
                Align::Center,
                palette::MUTED_TEXT,
            );
        }
    }

    /// Horizontal gridlines, tick labels and axis titles (or row labels).
    fn value_axes(&mut self, spec: &Spec, title_baseline: f64) {
        let font = self.style.tick;
        let gap = self.style.px(12.0);
        let grid = self.style.px(1.5);
        let (left, right) = (self.plot.left, self.plot.right);
        match &spec.y {
            YAxis::Values { ticks, title } => {
                for v in ticks.values() {
                    let y = self.y(v);
                    self.scene
                        .line(vec![(left, y), (right, y)], palette::GRID, grid);
                    let label = ticks.label(v);
                    self.scene.text(
                        label,
                        (left - gap, y + font.cap_height() / 2.0),
                        font,
                        Align::Right,
                        palette::MUTED_TEXT,
                    );
                }
                if !title.is_empty() {
                    self.scene.text(
                        title.clone(),
                        (self.style.margin(), title_baseline),
                        font,
                        Align::Left,
                        palette::MUTED_TEXT,
                    );
                }
            }
            YAxis::Rows(rows) | YAxis::NamedRows { rows, .. } => {
                for (i, (label, color)) in rows.iter().enumerate() {
                    let (y, h) = self.row(i);
                    if i > 0 {
                        let line = y - h / 2.0;
                        self.scene
                            .line(vec![(left, line), (right, line)], palette::GRID, grid);
                    }
                    self.scene.text(
                        label.clone(),
                        (left - gap, y + font.cap_height() / 2.0),
                        font,
                        Align::Right,
                        *color,
                    );
                }
                let bottom = self.plot.bottom;
                self.scene
                    .line(vec![(left, bottom), (right, bottom)], palette::AXIS, grid);
                if let YAxis::NamedRows { title, .. } = &spec.y {
                    self.scene.text(
                        title.clone(),
                        (self.style.margin(), title_baseline),
                        font,
                        Align::Left,
                        palette::MUTED_TEXT,
                    );
                }
            }
        }
        if let Some((ticks, title)) = &spec.y2 {
            for v in ticks.values() {
                let y = self.y2(v);
                self.scene.text(
                    ticks.label(v),
                    (right + gap, y + font.cap_height() / 2.0),
                    font,
                    Align::Left,
                    palette::MUTED_TEXT,
                );
            }
            let edge = f64::from(self.style.width) - self.style.margin() - spec.right_gutter;
            self.scene.text(
                title.clone(),
                (edge, title_baseline),
                font,
                Align::Right,
                palette::MUTED_TEXT,
            );
        }
    }
}

fn scale_y((lo, hi): (f64, f64), plot: &Plot, v: f64) -> f64 {
    plot.bottom - (v - lo) / (hi - lo).max(1e-12) * (plot.bottom - plot.top)
}

/// Title, subtitle and legend of `spec` alone, as [`Frame::new`] draws them,
/// for charts that lay out their own plots; returns the y below them.
pub fn heading(scene: &mut Scene, style: &Style, spec: &Spec) -> f64 {
    let m = style.margin();
    let y = header(scene, style, spec, m);
    let width = f64::from(style.width) - 2.0 * m;
    legend(scene, style, &spec.legend, y + style.px(14.0), width)
}

/// Draws title and subtitle; returns the y below them.
fn header(scene: &mut Scene, style: &Style, spec: &Spec, top: f64) -> f64 {
    let m = style.margin();
    let width = f64::from(style.width) - 2.0 * m;
    let mut y = top;
    for (text, font, color, space) in [
        (&spec.title, style.title, palette::TEXT, 0.0),
        (
            &spec.subtitle,
            style.subtitle,
            palette::MUTED_TEXT,
            style.px(14.0),
        ),
    ] {
        let (font, lines) = fit(text, font, width);
        for (i, line) in lines.into_iter().enumerate() {
            let lead = if i == 0 { space } else { font.size * 0.25 };
            let baseline = y + lead + font.cap_height();
            scene.text(line, (m, baseline), font, Align::Left, color);
            y = baseline + font.descent();
        }
    }
    y
}

/// The font and lines that fit `text` into `width`: the font shrunk up to a
/// quarter, then the text broken at spaces.
fn fit(text: &str, font: Font, width: f64) -> (Font, Vec<String>) {
    for shrink in [1.0, 0.92, 0.84, 0.76] {
        let f = Font::new(font.face, font.size * shrink);
        if f.width(text) <= width {
            return (f, vec![text.to_string()]);
        }
    }
    let f = Font::new(font.face, font.size * 0.84);
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if f.width(&format!("{line} {word}")) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    (f, lines)
}

/// Draws the legend in rows as wide as `width`; returns the y below it.
fn legend(scene: &mut Scene, style: &Style, items: &[LegendItem], top: f64, width: f64) -> f64 {
    if items.is_empty() {
        return top;
    }
    let font = style.legend;
    let m = style.margin();
    let swatch_w = style.px(34.0);
    let (inner, between) = (style.px(10.0), style.px(30.0));
    let row_h = font.size * 1.3;
    let mut x = m;
    let mut baseline = top + font.cap_height();
    let width_of = |item: &LegendItem| match item.swatch {
        Swatch::Note => font.width(&item.label),
        _ => swatch_w + inner + font.width(&item.label),
    };
    for (i, item) in items.iter().enumerate() {
        let note = matches!(item.swatch, Swatch::Note);
        let (swatch_w, inner) = if note { (0.0, 0.0) } else { (swatch_w, inner) };
        let item_w = width_of(item);
        // A heading stays on the row of the item after it.
        let needed = item_w
            + if note {
                items
                    .get(i + 1)
                    .map_or(0.0, |next| style.px(10.0) + width_of(next))
            } else {
                0.0
            };
        if x > m && x + needed > m + width {
            x = m;
            baseline += row_h;
        }
        let mid = baseline - font.cap_height() / 2.0;
        draw_swatch(scene, style, item.swatch, (x, mid), swatch_w);
        let color = if note {
            palette::MUTED_TEXT
        } else {
            palette::TEXT
        };
        scene.text(
            item.label.clone(),
            (x + swatch_w + inner, baseline),
            font,
            Align::Left,
            color,
        );
        x += item_w + if note { inner } else { between };
    }
    baseline + font.descent()
}

fn draw_swatch(scene: &mut Scene, style: &Style, swatch: Swatch, (x, mid): (f64, f64), w: f64) {
    let half = style.px(9.0);
    let cx = x + w / 2.0;
    match swatch {
        Swatch::Bar(color) => scene.rect((cx - half, mid - half), (cx + half, mid + half), color),
        Swatch::Line { color, width, dash } => {
            let points = vec![(x, mid), (x + w, mid)];
            match dash {
                Some(d) => scene.dashed(points, color, width, d),
                None => scene.line(points, color, width),
            }
        }
        Swatch::Dot(color) => scene.push(Shape::Circle {
            x: cx,
            y: mid,
            radius: half,
            fill: Some(color),
            stroke: None,
        }),
        Swatch::Ring(color) => scene.push(Shape::Circle {
            x: cx,
            y: mid,
            radius: half,
            fill: Some(palette::WHITE),
            stroke: Some((color, style.px(2.5))),
        }),
        Swatch::Note => {}
    }
}

/// Width of the widest label left of the plot.
fn y_labels_width(style: &Style, y: &YAxis) -> f64 {
    let font = style.tick;
    match y {
        YAxis::Values { ticks, .. } => ticks
            .values()
            .iter()
            .map(|v| font.width(&ticks.label(*v)))
            .fold(0.0, f64::max),
        YAxis::Rows(rows) | YAxis::NamedRows { rows, .. } => {
            rows.iter().map(|(l, _)| font.width(l)).fold(0.0, f64::max)
        }
    }
}

/// The font and lines of a footnote as wide as the chart (none if empty).
fn footnote_lines(style: &Style, text: &str) -> (Font, Vec<String>) {
    if text.is_empty() {
        return (style.note, Vec::new());
    }
    fit(
        text,
        style.note,
        f64::from(style.width) - 2.0 * style.margin(),
    )
}

/// Label every k-th of `labels` spaced `spacing` apart so that no two
/// labels come closer than `gap`.
fn label_every(labels: &[String], font: Font, spacing: f64, gap: f64) -> i64 {
    let widest = labels.iter().map(|l| font.width(l)).fold(0.0, f64::max);
    let n = labels.len().max(1) as i64;
    (1..=n)
        .find(|k| *k as f64 * spacing >= widest + gap)
        .unwrap_or(n)
}

/// A gridline on the time axis and, maybe, the label of the period after it.
struct Mark {
    at: f64,
    label: Option<Label>,
}

/// The label of a year or quarter, centred under `span` (fractional years).
struct Label {
    text: String,
    span: (f64, f64),
    /// Only some years are labelled: the label may be wider than its span.
    sparse: bool,
}

/// Gridlines at each 1 January; each year labelled under its middle, or
/// every 2nd, 5th or 10th year only when the years are too narrow for
/// every label.
fn year_marks(x0: f64, x1: f64, font: Font, plot_width: f64) -> Vec<Mark> {
    let (first, last) = (x0.floor() as i32, x1.ceil() as i32);
    let per_year = plot_width / (x1 - x0).max(1e-9);
    let label_w = font.width("2026") * 1.5;
    let every = [1, 2, 5, 10, 20, 50]
        .into_iter()
        .find(|n| f64::from(*n) * per_year >= label_w)
        .unwrap_or(100);
    (first..=last)
        .map(|y| {
            let at = f64::from(y);
            let label = (y % every == 0).then(|| Label {
                text: y.to_string(),
                span: (at, at + 1.0),
                sparse: every > 1,
            });
            Mark { at, label }
        })
        .collect()
}

/// Spans up to this many years are labelled by quarter, with the years below.
const QUARTER_AXIS_YEARS: f64 = 2.0;

fn quarter_axis((x0, x1): (f64, f64)) -> bool {
    x1 - x0 <= QUARTER_AXIS_YEARS + 1e-9
}

/// Gridlines at each quarter start, each quarter labelled "Q1".
fn quarter_marks(x0: f64, x1: f64) -> Vec<Mark> {
    let first = (x0 * 4.0).floor() as i32;
    let last = (x1 * 4.0).ceil() as i32;
    (first..=last)
        .map(|q| {
            let at = f64::from(q) / 4.0;
            let label = format!("Q{}", q.rem_euclid(4) + 1);
            Mark {
                at,
                label: Some(Label {
                    text: label,
                    span: (at, at + 0.25),
                    sparse: false,
                }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(marks: &[Mark]) -> Vec<(String, (f64, f64), bool)> {
        marks
            .iter()
            .filter_map(|m| m.label.as_ref())
            .map(|l| (l.text.clone(), l.span, l.sparse))
            .collect()
    }

    #[test]
    fn years_are_labelled_under_their_span() {
        let font = Font::new(Face::Regular, 20.0);
        // Wide years: every year, each naming its own span.
        let marks = year_marks(2026.1, 2028.0, font, 1000.0);
        assert_eq!(
            labels(&marks),
            vec![
                ("2026".to_string(), (2026.0, 2027.0), false),
                ("2027".to_string(), (2027.0, 2028.0), false),
                ("2028".to_string(), (2028.0, 2029.0), false),
            ]
        );
        // Narrow years: every 5th, still under its own year.
        let marks = year_marks(2026.0, 2066.0, font, 800.0);
        let l = labels(&marks);
        assert_eq!(l[0], ("2030".to_string(), (2030.0, 2031.0), true));
        assert!(l
            .iter()
            .all(|(t, _, _)| t.ends_with('0') || t.ends_with('5')));
        // Gridlines at every year boundary either way.
        assert_eq!(marks.len(), 41);
    }
}
