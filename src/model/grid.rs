//! The period grid: calendar months, quarters or years between two dates.
//!
//! The first period starts on the scenario start (a stub when that is
//! mid-period), every period ends on its calendar end, and the last one is
//! clipped to the scenario end (inclusive). Time in years is act/365 from the
//! scenario start; a period `[start, end]` spans `t0 = (start - s)/365` to
//! `t1 = (end + 1 day - s)/365`, so its length in years is `days / 365`.
//!
//! ```
//! use chrono::NaiveDate;
//! use dealsim::model::grid::{Grid, PeriodKind};
//! let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! let g = Grid::new(d(2026, 1, 15), d(2026, 6, 30), PeriodKind::Quarter);
//! assert_eq!(g.periods.len(), 2);
//! assert_eq!(g.periods[0].end, d(2026, 3, 31)); // a stub: Jan 15 .. Mar 31
//! assert_eq!(g.periods[0].days, 76);
//! ```

use chrono::{Datelike, Months, NaiveDate};

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub fn months(self) -> u32 {
        match self {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
            PeriodKind::Year => 12,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }
}

/// One period of the grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Period {
    pub start: NaiveDate,
    /// Last day, inclusive; recurring flows are dated here.
    pub end: NaiveDate,
    pub days: u32,
    /// Years from the scenario start to the start of `start`.
    pub t0: f64,
    /// Years from the scenario start to the end of `end`.
    pub t1: f64,
}

/// The periods of a scenario, in order.
#[derive(Debug, Clone)]
pub struct Grid {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub kind: PeriodKind,
    pub periods: Vec<Period>,
}

impl Grid {
    /// Builds the grid; `start <= end` must hold (checked by validation).
    pub fn new(start: NaiveDate, end: NaiveDate, kind: PeriodKind) -> Grid {
        let mut periods = Vec::new();
        let mut p_start = start;
        while p_start <= end {
            let p_end = calendar_end(p_start, kind).min(end);
            let days = (p_end - p_start).num_days() as u32 + 1;
            periods.push(Period {
                start: p_start,
                end: p_end,
                days,
                t0: years_between(start, p_start),
                t1: years_between(start, p_end) + 1.0 / 365.0,
            });
            match p_end.succ_opt() {
                Some(next) => p_start = next,
                None => break,
            }
        }
        Grid {
            start,
            end,
            kind,
            periods,
        }
    }

    pub fn len(&self) -> usize {
        self.periods.len()
    }

    pub fn is_empty(&self) -> bool {
        self.periods.is_empty()
    }

    /// The period holding `date`, if it is inside the window.
    pub fn period_of(&self, date: NaiveDate) -> Option<usize> {
        if date < self.start || date > self.end {
            return None;
        }
        Some(self.periods.partition_point(|p| p.end < date))
    }

    /// Years (act/365) from the scenario start to the start of `date`.
    pub fn years(&self, date: NaiveDate) -> f64 {
        years_between(self.start, date)
    }

    /// Years to the end of `date` (the start of the next day).
    pub fn years_end_of(&self, date: NaiveDate) -> f64 {
        years_between(self.start, date) + 1.0 / 365.0
    }
}

/// `d` plus `months` calendar months, keeping a month end a month end:
/// 2027-06-30 + 9 months is 2028-03-31 (not 03-30), 2027-01-31 + 1 is 2027-02-28.
/// `None` past the end of the calendar.
///
/// ```
/// use chrono::NaiveDate;
/// use dealsim::model::grid::add_months;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// assert_eq!(add_months(d(2027, 6, 30), 9), Some(d(2028, 3, 31)));
/// assert_eq!(add_months(d(2027, 6, 15), 9), Some(d(2028, 3, 15)));
/// ```
pub fn add_months(d: NaiveDate, months: u32) -> Option<NaiveDate> {
    let shifted = d.checked_add_months(Months::new(months))?;
    let is_month_end = d.succ_opt().is_none_or(|next| next.month() != d.month());
    if is_month_end {
        calendar_end(shifted, PeriodKind::Month).into()
    } else {
        Some(shifted)
    }
}

/// act/365 years from `a` to `b`.
pub fn years_between(a: NaiveDate, b: NaiveDate) -> f64 {
    (b - a).num_days() as f64 / 365.0
}

/// The last day of the calendar month, quarter or year holding `d`.
fn calendar_end(d: NaiveDate, kind: PeriodKind) -> NaiveDate {
    let months = kind.months();
    // First month of the block holding d (0-based), e.g. Q2 -> 3 (April).
    let first = (d.month0() / months) * months;
    let block_start = NaiveDate::from_ymd_opt(d.year(), first + 1, 1).unwrap_or(d);
    block_start
        .checked_add_months(Months::new(months))
        .and_then(|n| n.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn monthly_grid_of_two_years_has_24_periods_ending_on_month_ends() {
        let g = Grid::new(d(2026, 1, 1), d(2027, 12, 31), PeriodKind::Month);
        assert_eq!(g.len(), 24);
        assert_eq!(g.periods[1].end, d(2026, 2, 28));
        assert_eq!(g.periods[1].days, 28);
        // Jan 2026 spans 31 days: t0 = 0, t1 = 31/365.
        assert!((g.periods[0].t1 - 31.0 / 365.0).abs() < 1e-15);
        // Periods tile the window: each t0 is the previous t1.
        for w in g.periods.windows(2) {
            assert!((w[1].t0 - w[0].t1).abs() < 1e-12);
        }
    }

    #[test]
    fn mid_month_start_and_end_give_stubs() {
        let g = Grid::new(d(2026, 3, 20), d(2026, 5, 10), PeriodKind::Month);
        let ends: Vec<_> = g.periods.iter().map(|p| (p.start, p.end, p.days)).collect();
        // Mar 20..31 = 12 days, April = 30, May 1..10 = 10.
        assert_eq!(
            ends,
            vec![
                (d(2026, 3, 20), d(2026, 3, 31), 12),
                (d(2026, 4, 1), d(2026, 4, 30), 30),
                (d(2026, 5, 1), d(2026, 5, 10), 10)
            ]
        );
    }

    #[test]
    fn yearly_and_quarterly_ends() {
        let g = Grid::new(d(2026, 1, 1), d(2028, 12, 31), PeriodKind::Year);
        assert_eq!(g.len(), 3);
        assert_eq!(g.periods[2].end, d(2028, 12, 31));
        assert_eq!(g.periods[2].days, 366); // 2028 is a leap year
        let q = Grid::new(d(2026, 1, 1), d(2026, 12, 31), PeriodKind::Quarter);
        assert_eq!(q.periods[1].end, d(2026, 6, 30));
        assert_eq!(q.period_of(d(2026, 8, 15)), Some(2));
        assert_eq!(q.period_of(d(2027, 1, 1)), None);
    }
}
