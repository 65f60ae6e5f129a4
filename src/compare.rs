//! Side by side: the same figures for two or more scenarios or variants.
//!
//! A [`Comparison`] lines up each scenario's [`crate::metrics::Summary`] row by
//! row (per party, per lab, per round trip, per revenue share), with the
//! difference of each scenario from the first. It is rendered as a terminal
//! table and a CSV by `dealsim compare`, and charted by
//! [`crate::render::charts::compare`].

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::metrics::Figure;
use crate::Run;

/// One cell of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Money(f64),
    Rate(f64),
    Multiple(f64),
    Date(Option<NaiveDate>),
    /// Absent from that scenario, or undefined there (with the reason).
    Missing(String),
}

impl Cell {
    fn figure(f: &Figure, as_cell: fn(f64) -> Cell) -> Cell {
        match f {
            Figure::Value(v) => as_cell(*v),
            Figure::Undefined { undefined } => Cell::Missing(format!("undefined: {undefined}")),
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Cell::Money(v) | Cell::Rate(v) | Cell::Multiple(v) => Some(*v),
            _ => None,
        }
    }

    /// `self - first`, shown in the same kind of unit; days for dates.
    pub fn minus(&self, first: &Cell) -> String {
        match (self, first) {
            (Cell::Date(Some(a)), Cell::Date(Some(b))) => {
                let days = (*a - *b).num_days();
                if days == 0 {
                    "same".into()
                } else {
                    format!("{days:+} days")
                }
            }
            (Cell::Date(a), Cell::Date(b)) if a == b => "same".into(),
            _ => match (self.number(), first.number()) {
                (Some(a), Some(b)) => match self {
                    Cell::Rate(_) => format!("{:+.1} pts", (a - b) * 100.0),
                    Cell::Multiple(_) => format!("{:+.2}x", a - b),
                    _ => format!("{:+.1}", a - b),
                },
                _ => "-".into(),
            },
        }
    }

    pub fn show(&self) -> String {
        match self {
            Cell::Money(v) => format!("{v:.1}"),
            Cell::Rate(v) => format!("{:.1}%", v * 100.0),
            Cell::Multiple(v) => format!("{v:.2}x"),
            Cell::Date(Some(d)) => d.to_string(),
            Cell::Date(None) => "never".into(),
            Cell::Missing(why) if why.starts_with("undefined") => "undefined".into(),
            Cell::Missing(_) => "-".into(),
        }
    }

    /// The value as written in the CSV: numbers in full precision.
    fn csv(&self) -> String {
        match self {
            Cell::Money(v) | Cell::Rate(v) | Cell::Multiple(v) => format!("{v}"),
            Cell::Date(Some(d)) => d.to_string(),
            Cell::Date(None) => String::new(),
            Cell::Missing(_) => String::new(),
        }
    }
}

/// One line of the comparison: what and whose, and a cell per scenario.
#[derive(Debug, Clone)]
pub struct Row {
    /// The party, lab, pair or revenue share the figure is about.
    pub item: String,
    pub metric: &'static str,
    pub cells: Vec<Cell>,
}

/// Figures of several runs, row by row.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Scenario names, in the order given.
    pub names: Vec<String>,
    /// Short column labels (the file stems), in the same order.
    pub labels: Vec<String>,
    pub unit: String,
    pub rows: Vec<Row>,
}

impl Comparison {
    /// Lines up the runs' summaries. Items present in only some runs show a
    /// missing cell in the others.
    pub fn new(runs: &[&Run], labels: &[String]) -> Comparison {
        let names = runs.iter().map(|r| r.summary.scenario.clone()).collect();
        let labels = labels.to_vec();
        let unit = runs
            .first()
            .map(|r| r.summary.unit.clone())
            .unwrap_or_default();
        let mut rows = Vec::new();
        let missing = || Cell::Missing("not in this scenario".into());

        let mut parties: Vec<String> = Vec::new();
        for r in runs {
            for p in &r.summary.parties {
                if !parties.contains(&p.id) {
                    parties.push(p.id.clone());
                }
            }
        }
        type PartyMetric = (&'static str, fn(&crate::metrics::PartyFigures) -> Cell);
        let party_metrics: [PartyMetric; 9] = [
            ("net", |p| Cell::Money(p.net)),
            ("NPV", |p| Cell::figure(&p.npv, Cell::Money)),
            ("IRR", |p| Cell::figure(&p.irr, Cell::Rate)),
            ("MOIC", |p| Cell::figure(&p.moic, Cell::Multiple)),
            ("equity MOIC", |p| {
                Cell::figure(&p.equity_moic, Cell::Multiple)
            }),
            ("peak exposure", |p| Cell::Money(p.peak_exposure)),
            ("payback (cash)", |p| Cell::Date(p.cash_payback_date)),
            ("payback (with TV)", |p| Cell::Date(p.payback_date)),
            ("closing cash", |p| Cell::Money(p.closing_cash)),
        ];
        for id in &parties {
            for (metric, get) in party_metrics {
                let cells = runs
                    .iter()
                    .map(|r| {
                        r.summary
                            .parties
                            .iter()
                            .find(|p| &p.id == id)
                            .map_or_else(missing, get)
                    })
                    .collect();
                rows.push(Row {
                    item: id.clone(),
                    metric,
                    cells,
                });
            }
        }

        let mut labs: Vec<String> = Vec::new();
        for r in runs {
            for l in &r.summary.labs {
                if !labs.contains(&l.id) {
                    labs.push(l.id.clone());
                }
            }
        }
        type LabMetric = (&'static str, fn(&crate::metrics::LabFigures) -> Cell);
        let lab_metrics: [LabMetric; 3] = [
            ("lowest cash", |l| Cell::Money(l.lowest_cash)),
            ("lowest cash on", |l| Cell::Date(Some(l.lowest_cash_date))),
            ("cash first negative", |l| Cell::Date(l.first_negative_cash)),
        ];
        for id in &labs {
            for (metric, get) in lab_metrics {
                let cells = runs
                    .iter()
                    .map(|r| {
                        r.summary
                            .labs
                            .iter()
                            .find(|l| &l.id == id)
                            .map_or_else(missing, get)
                    })
                    .collect();
                rows.push(Row {
                    item: format!("lab {id}"),
                    metric,
                    cells,
                });
            }
        }

        let mut pairs: Vec<(String, String)> = Vec::new();
        for r in runs {
            for t in &r.summary.round_trips {
                let pair = (t.investor.clone(), t.investee.clone());
                if !pairs.contains(&pair) {
                    pairs.push(pair);
                }
            }
        }
        for (x, y) in &pairs {
            let find = |r: &&Run| {
                r.summary
                    .round_trips
                    .iter()
                    .find(|t| &t.investor == x && &t.investee == y)
                    .cloned()
            };
            let item = format!("{x} -> {y}");
            let cells = runs
                .iter()
                .map(|r| find(r).map_or_else(missing, |t| Cell::Money(t.invested)))
                .collect();
            rows.push(Row {
                item: item.clone(),
                metric: "invested",
                cells,
            });
            let cells = runs
                .iter()
                .map(|r| find(r).map_or_else(missing, |t| Cell::figure(&t.ratio, Cell::Multiple)))
                .collect();
            rows.push(Row {
                item: item.clone(),
                metric: "round trip",
                cells,
            });
            let cells = runs
                .iter()
                .map(|r| {
                    find(r).map_or_else(missing, |t| {
                        Cell::figure(&t.net_of_cost_of_serving, Cell::Multiple)
                    })
                })
                .collect();
            rows.push(Row {
                item,
                metric: "round trip, net",
                cells,
            });
        }

        let mut shares: Vec<String> = Vec::new();
        for r in runs {
            for s in &r.summary.revenue_shares {
                if !shares.contains(&s.id) {
                    shares.push(s.id.clone());
                }
            }
        }
        for id in &shares {
            let find = |r: &&Run| {
                r.summary
                    .revenue_shares
                    .iter()
                    .find(|s| &s.id == id)
                    .cloned()
            };
            let item = format!("revenue share {id}");
            let cells = runs
                .iter()
                .map(|r| find(r).map_or_else(missing, |s| Cell::Money(s.paid_in_run)))
                .collect();
            rows.push(Row {
                item: item.clone(),
                metric: "paid",
                cells,
            });
            let cells = runs
                .iter()
                .map(|r| find(r).map_or_else(missing, |s| Cell::Date(s.cap_reached)))
                .collect();
            rows.push(Row {
                item,
                metric: "cap reached",
                cells,
            });
        }
        Comparison {
            names,
            labels,
            unit,
            rows,
        }
    }

    /// The table for the terminal: a column per scenario, then the
    /// difference of each later scenario from the first.
    pub fn to_text(&self) -> String {
        let mut head = vec!["".to_string(), "metric".to_string()];
        head.extend(self.labels.iter().cloned());
        for n in self.labels.iter().skip(1) {
            head.push(format!("{n} - first"));
        }
        let mut table: Vec<Vec<String>> = vec![head];
        let mut last_item = String::new();
        for row in &self.rows {
            let item = if row.item == last_item {
                String::new()
            } else {
                row.item.clone()
            };
            last_item = row.item.clone();
            let mut line = vec![item, row.metric.to_string()];
            line.extend(row.cells.iter().map(Cell::show));
            if let Some(first) = row.cells.first() {
                line.extend(row.cells.iter().skip(1).map(|c| c.minus(first)));
            }
            table.push(line);
        }
        let cols = table[0].len();
        let widths: Vec<usize> = (0..cols)
            .map(|c| {
                table
                    .iter()
                    .map(|l| l.get(c).map_or(0, |s| s.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = format!(
            "Comparison ({}; differences are each scenario minus the first)\n",
            self.unit
        );
        for (label, name) in self.labels.iter().zip(&self.names) {
            let _ = writeln!(out, "  {label}: {name}");
        }
        out.push('\n');
        for (i, line) in table.iter().enumerate() {
            for (c, cell) in line.iter().enumerate() {
                let w = widths[c];
                if c < 2 {
                    let _ = write!(out, "{cell:<w$}  ");
                } else {
                    let _ = write!(out, "{cell:>w$}  ");
                }
            }
            out = out.trim_end().to_string();
            out.push('\n');
            if i == 0 {
                out.push('\n');
            }
        }
        out
    }

    /// Long form: item, metric, scenario, value, difference from the first.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("item,metric,scenario,value,difference_from_first\n");
        for row in &self.rows {
            let first = row.cells.first().and_then(Cell::number);
            for (name, cell) in self.names.iter().zip(&row.cells) {
                let diff = match (cell.number(), first) {
                    (Some(a), Some(b)) => format!("{}", a - b),
                    _ => String::new(),
                };
                let _ = writeln!(
                    out,
                    "{},{},{},{},{}",
                    csv_field(&row.item),
                    row.metric,
                    csv_field(name),
                    cell.csv(),
                    diff
                );
            }
        }
        out
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
