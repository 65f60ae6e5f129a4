//! Axis scales and the way numbers and dates are written on charts.
//!
//! Value axes always include zero and step by 1, 2 or 5 x 10^n with 5 to 7
//! ticks where the data allow it; data ending on (or within [`HEADROOM`] of)
//! the last tick get one more step, so a bar never touches the frame. Axes
//! of rates and multiples ([`Ticks::spanning`]) follow the same steps over
//! the data's range alone. Time axes run on fractional years.

use chrono::{Datelike, NaiveDate};

use crate::model::{Meta, PeriodKind};

/// The ticks of a value axis: `min..=max` by `step`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ticks {
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

/// Fewest and most ticks a value axis should have.
const TICKS: (usize, usize) = (5, 7);

impl Ticks {
    /// Nice ticks covering `lo..=hi` and zero.
    pub fn covering(lo: f64, hi: f64) -> Ticks {
        let (lo, hi) = padded(lo, hi);
        let best = candidate_steps(hi - lo)
            .map(|step| {
                let (below, above) = (intervals(-lo, step), intervals(hi, step));
                (tick_penalty(below + above + 1), step, below, above)
            })
            .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        match best {
            Some((_, step, below, above)) => Ticks {
                min: -(below as f64) * step,
                max: above as f64 * step,
                step,
            },
            None => Ticks {
                min: lo,
                max: hi,
                step: hi - lo,
            },
        }
    }

    /// Nice ticks from a step at or below `lo` to one at or above `hi`,
    /// zero or not, without headroom: for axes whose data are not bars from
    /// zero (rates, multiples, bin edges). A single value gets a step or
    /// two either side.
    pub fn spanning(lo: f64, hi: f64) -> Ticks {
        let (lo, hi) = (lo.min(hi), lo.max(hi));
        if !(lo.is_finite() && hi.is_finite()) {
            return Ticks::covering(0.0, 0.0);
        }
        let (lo, hi) = if hi - lo <= hi.abs().max(lo.abs()) * 1e-9 {
            let pad = if lo.abs() > 1e-12 {
                lo.abs() * 0.1
            } else {
                1.0
            };
            (lo - pad, hi + pad)
        } else {
            (lo, hi)
        };
        let best = candidate_steps(hi - lo)
            .map(|step| {
                let below = (lo / step + 1e-9).floor();
                let above = (hi / step - 1e-9).ceil();
                let ticks = (above - below) as usize + 1;
                (tick_penalty(ticks), step, below, above)
            })
            // Among steps with a good number of ticks, the one that wastes
            // least of the axis (-200..600 for data in -5..425 leaves a
            // third of the plot empty; -100..500 a fifth), then the larger.
            .min_by(|a, b| {
                let span = |t: &(usize, f64, f64, f64)| (t.3 - t.2) * t.1;
                a.0.cmp(&b.0)
                    .then(span(a).total_cmp(&span(b)))
                    .then(b.1.total_cmp(&a.1))
            });
        match best {
            Some((_, step, below, above)) => Ticks {
                min: below * step,
                max: above * step,
                step,
            },
            None => Ticks {
                min: lo,
                max: hi,
                step: hi - lo,
            },
        }
    }

    /// Two axes sharing gridlines and the zero line: the same number of
    /// intervals below and above zero, each with its own nice step.
    pub fn aligned(a: (f64, f64), b: (f64, f64)) -> (Ticks, Ticks) {
        let (a, b) = (padded(a.0, a.1), padded(b.0, b.1));
        let mut best: Option<((usize, f64), Ticks, Ticks)> = None;
        for sa in candidate_steps(a.1 - a.0) {
            for sb in candidate_steps(b.1 - b.0) {
                let below = intervals(-a.0, sa).max(intervals(-b.0, sb));
                let above = intervals(a.1, sa).max(intervals(b.1, sb));
                let n = (below + above) as f64;
                // Share of each axis left empty: less is better.
                let waste = 2.0 - (a.1 - a.0) / (n * sa) - (b.1 - b.0) / (n * sb);
                let score = (tick_penalty(below + above + 1), waste);
                if best.as_ref().is_none_or(|(s, _, _)| {
                    score.0 < s.0 || (score.0 == s.0 && score.1 < s.1 - 1e-12)
                }) {
                    let ticks = |s: f64| Ticks {
                        min: -(below as f64) * s,
                        max: above as f64 * s,
                        step: s,
                    };
                    best = Some((score, ticks(sa), ticks(sb)));
                }
            }
        }
        best.map_or(
            (Ticks::covering(a.0, a.1), Ticks::covering(b.0, b.1)),
            |(_, x, y)| (x, y),
        )
    }

    pub fn values(&self) -> Vec<f64> {
        let n = ((self.max - self.min) / self.step).round() as i64;
        (0..=n).map(|i| self.min + i as f64 * self.step).collect()
    }

    /// Decimals needed to write every tick.
    pub fn decimals(&self) -> usize {
        decimals_of_step(self.step)
    }

    /// A tick label: thousands separators, no needless decimals.
    pub fn label(&self, v: f64) -> String {
        number(v, self.decimals())
    }

    /// A tick label written as `format` says: `12%`, `1.5x`, `1,200`.
    pub fn format(&self, v: f64, format: Format) -> String {
        match format {
            Format::Number => self.label(v),
            Format::Percent => format!("{}%", number(v * 100.0, self.decimals().saturating_sub(2))),
            Format::Multiple => format!("{}x", number(v, self.decimals())),
        }
    }
}

/// How the numbers of an axis are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// As they are, the unit in the axis title: `1,200`.
    #[default]
    Number,
    /// Fractions as percents: 0.12 is `12%`.
    Percent,
    /// Multiples: 1.5 is `1.5x`.
    Multiple,
}

/// Room an axis keeps beyond the data, as a share of the data's span: a few
/// pixels, so that data near a tick keep it (-48 on a -50..200 axis) while
/// data on it get one more step.
pub const HEADROOM: f64 = 0.005;

/// Widens an empty or zero-excluding range to one that includes zero, and
/// each non-zero end by [`HEADROOM`].
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    if !(lo.is_finite() && hi.is_finite()) || hi - lo < 1e-12 {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    // An end that is zero but for rounding stays zero.
    let widen = |v: f64, dir: f64| {
        if v.abs() <= span * 1e-9 {
            0.0
        } else {
            v + dir * span * HEADROOM
        }
    };
    (widen(lo, -1.0), widen(hi, 1.0))
}

/// Whole steps needed to reach `extent` (>= 0) from zero.
fn intervals(extent: f64, step: f64) -> usize {
    if extent <= 0.0 {
        0
    } else {
        (extent / step - 1e-9).ceil().max(0.0) as usize
    }
}

/// 0 inside the wanted tick count, growing with the distance from it; at
/// equal distance fewer ticks win (checked by the caller's tie-break).
fn tick_penalty(ticks: usize) -> usize {
    let (lo, hi) = TICKS;
    if ticks < lo {
        2 * (lo - ticks)
    } else if ticks > hi {
        2 * (ticks - hi) + 1
    } else {
        0
    }
}

/// 1, 2 and 5 x 10^n from about span/100 to span.
fn candidate_steps(span: f64) -> impl Iterator<Item = f64> {
    let top = span.log10().floor() as i32;
    (top - 2..=top).flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
}

fn decimals_of_step(step: f64) -> usize {
    if step >= 1.0 - 1e-9 {
        0
    } else {
        (-step.log10() - 1e-9).ceil().max(0.0) as usize
    }
}

/// `v` with `decimals` decimals, thousands separators and a true minus sign.
pub fn number(v: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if let Some(f) = frac {
        grouped.push('.');
        grouped.push_str(f);
    }
    let zero = grouped.chars().all(|c| matches!(c, '0' | '.' | ','));
    if v < 0.0 && !zero {
        format!("\u{2212}{grouped}")
    } else {
        grouped
    }
}

/// An amount as a reader writes it: `$7.5B`, `$1,473B` (one decimal at most,
/// none above 100 or when whole).
pub fn amount(meta: &Meta, v: f64) -> String {
    let decimals = if v.abs() >= 100.0 || (v * 10.0).round() % 10.0 == 0.0 {
        0
    } else {
        1
    };
    let n = number(v, decimals);
    let label = meta.money_label();
    let suffix = meta.unit.suffix();
    let symbol = label.strip_suffix(suffix).unwrap_or(&label).trim();
    if symbol.chars().count() == 1 {
        match n.strip_prefix('\u{2212}') {
            Some(pos) => format!("\u{2212}{symbol}{pos}{suffix}"),
            None => format!("{symbol}{n}{suffix}"),
        }
    } else {
        format!("{n} {label}")
    }
}

/// A date as a fractional year: 2026-07-02 is 2026.5.
pub fn year_frac(d: NaiveDate) -> f64 {
    let days = if NaiveDate::from_ymd_opt(d.year(), 2, 29).is_some() {
        366.0
    } else {
        365.0
    };
    f64::from(d.year()) + f64::from(d.ordinal0()) / days
}

/// The end of day `d` (the start of the next) as a fractional year.
pub fn year_frac_end(d: NaiveDate) -> f64 {
    d.succ_opt().map_or(f64::from(d.year() + 1), year_frac)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "Mar 2029".
pub fn month(d: NaiveDate) -> String {
    format!("{} {}", MONTHS[d.month0() as usize], d.year())
}

/// A period-end date as precisely as the grid knows it: "Q1 2029" on a
/// quarterly grid, "Mar 2029" on a monthly one, "2029" on a yearly one.
pub fn period_end(kind: PeriodKind, d: NaiveDate) -> String {
    match kind {
        PeriodKind::Month => month(d),
        PeriodKind::Quarter => format!("Q{} {}", d.month0() / 3 + 1, d.year()),
        PeriodKind::Year => d.year().to_string(),
    }
}

/// "monthly", "quarterly", "yearly".
pub fn adverb(kind: PeriodKind) -> String {
    format!("{}ly", kind.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: f64, max: f64, step: f64) -> Ticks {
        Ticks { min, max, step }
    }

    #[test]
    fn ticks_step_by_one_two_or_five() {
        // 0..9.5: step 1 gives 11 ticks, step 2 gives 0,2,..,10 = 6 ticks.
        assert_eq!(Ticks::covering(0.0, 9.5), t(0.0, 10.0, 2.0));
        // 0..38: step 5 needs 0..40 = 9 ticks, step 10 gives 0..40 = 5 ticks.
        assert_eq!(Ticks::covering(3.0, 38.0), t(0.0, 40.0, 10.0));
        // -17.3..130: step 20 gives -20..140 = 9 ticks, step 50 gives -50..150 = 5.
        assert_eq!(Ticks::covering(-17.3, 130.0), t(-50.0, 150.0, 50.0));
        // -532..1,600: step 200 gives 12 ticks, step 500 gives -1000..2000 = 7.
        assert_eq!(Ticks::covering(-531.9, 1600.0), t(-1000.0, 2000.0, 500.0));
        // 0..0.37: step 0.1 gives 0..0.4 = 5 ticks, written with one decimal.
        let small = Ticks::covering(0.0, 0.37);
        assert_eq!(
            (small.step, small.values().len(), small.label(0.2)),
            (0.1, 5, "0.2".to_string())
        );
        // Data ending exactly on a tick get one more step: -30..0 is not
        // -30..0 by 5 or 10 but -40..0 by 10 (5 ticks).
        assert_eq!(Ticks::covering(-30.0, 0.0), t(-40.0, 0.0, 10.0));
        assert_eq!(Ticks::covering(0.0, 10.0), t(0.0, 12.0, 2.0));
        // Data near a tick keep it: -48..187 is -50..200 by 50.
        assert_eq!(Ticks::covering(-48.0, 187.0), t(-50.0, 200.0, 50.0));
        // Rounding noise below zero adds no step.
        assert_eq!(Ticks::covering(-1e-12, 9.5), t(0.0, 10.0, 2.0));
        // Nothing to show: 0..1.
        assert_eq!(Ticks::covering(0.0, 0.0).values().len(), 6);
    }

    #[test]
    fn spanning_ticks_need_not_include_zero() {
        // 8%..22%: by 5% from 5% to 25% (5 ticks), written as percents.
        let t = Ticks::spanning(0.08, 0.22);
        assert_eq!(t, Ticks::spanning(0.22, 0.08));
        assert!((t.min - 0.05).abs() < 1e-12 && (t.max - 0.25).abs() < 1e-12);
        assert_eq!(t.format(0.15, Format::Percent), "15%");
        // Bin edges on ticks stay the ends: -0.2..0.6 by 0.2.
        let t = Ticks::spanning(-0.2, 0.6);
        assert_eq!(t.values().len(), 5);
        assert!((t.min + 0.2).abs() < 1e-12 && (t.max - 0.6).abs() < 1e-12);
        // Multiples keep one decimal when the step needs it.
        let t = Ticks::spanning(0.6, 2.9);
        assert_eq!(t.format(1.5, Format::Multiple), "1.5x");
        // -5..425: by 100 from -100 to 500 (7 ticks, 600 wide) and by 200
        // from -200 to 600 (5 ticks, 800 wide) both have a good number of
        // ticks; the narrower wastes less of the plot.
        let t = Ticks::spanning(-5.0, 425.0);
        assert_eq!((t.min, t.max, t.step), (-100.0, 500.0, 100.0));
        // A single value, and nothing finite, still give an axis.
        assert!(Ticks::spanning(0.14, 0.14).values().len() >= 3);
        assert!(Ticks::spanning(f64::NAN, 1.0).values().len() >= 2);
    }

    #[test]
    fn aligned_axes_share_zero_and_gridlines() {
        // Bars -12..8, line -60..190: 2 intervals below zero, 4 above (7 ticks);
        // steps 10 (-20..40) and 50 (-100..200).
        let (a, b) = Ticks::aligned((-12.0, 8.0), (-60.0, 190.0));
        assert_eq!(a.values().len(), b.values().len());
        assert_eq!(a.min / a.step, b.min / b.step);
        assert!(a.min <= -12.0 && a.max >= 8.0 && b.min <= -60.0 && b.max >= 190.0);
    }

    #[test]
    fn numbers_and_amounts() {
        assert_eq!(number(-1234.0, 0), "\u{2212}1,234");
        assert_eq!(number(1234567.25, 1), "1,234,567.2");
        assert_eq!(number(-0.01, 0), "0");
    }
}
