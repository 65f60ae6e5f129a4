//! How fast is one investor XIRR on a stress path?
//!
//! `cargo bench --bench irr` takes Amazon's dated flows from the shipped
//! `amazon-openai-2026.toml` base run (tranches, monthly compute margin,
//! terminal value; several sign changes), scales the terminal value by a
//! factor cycling through 1000 values in [0.8, 1.2] so every call solves a
//! different IRR, and prints IRRs per second for:
//!
//! * `xirr_years`, times in years, no guess (the stress path before `xirr_days`);
//! * `xirr_days`, whole days, no guess;
//! * `xirr_days`, warm-started from the base case's IRR (the stress path).
//!
//! Twice: on the flows netted by date (one per date, as a stress path's sink
//! keeps them) and on the raw ledger flows (several per date). It also checks
//! that the three agree on every factor.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use dealsim::engine::FlowKind;
use dealsim::metrics::irr;

/// Terminal-value factors, cycled through.
const FACTORS: usize = 1000;

fn factor(k: usize) -> f64 {
    0.8 + 0.4 * (k % FACTORS) as f64 / (FACTORS - 1) as f64
}

/// Amounts whose terminal-value part is scaled per call.
struct Perturbed {
    /// Everything but the terminal value, per flow.
    other: Vec<f64>,
    terminal: Vec<f64>,
    buf: Vec<f64>,
}

impl Perturbed {
    fn new(flows: &[(NaiveDate, f64, f64)]) -> Perturbed {
        Perturbed {
            other: flows.iter().map(|f| f.1).collect(),
            terminal: flows.iter().map(|f| f.2).collect(),
            buf: vec![0.0; flows.len()],
        }
    }

    /// The amounts for call `k`.
    fn at(&mut self, k: usize) -> &[f64] {
        let x = factor(k);
        for ((b, o), t) in self.buf.iter_mut().zip(&self.other).zip(&self.terminal) {
            *b = o + t * x;
        }
        &self.buf
    }
}

/// Calls `solve(k)` for k = 0, 1, ... for about `budget`; returns calls per second.
fn per_second(budget: Duration, mut solve: impl FnMut(usize) -> f64) -> f64 {
    let t = Instant::now();
    let mut calls = 0;
    while t.elapsed() < budget {
        for _ in 0..FACTORS {
            black_box(solve(calls));
            calls += 1;
        }
    }
    calls as f64 / t.elapsed().as_secs_f64()
}

fn bench(label: &str, flows: &[(NaiveDate, f64, f64)], start: NaiveDate) {
    let years: Vec<f64> = flows
        .iter()
        .map(|f| irr::year_fraction(start, f.0))
        .collect();
    let days: Vec<i32> = flows
        .iter()
        .map(|f| i32::try_from((f.0 - start).num_days()).expect("days fit in i32"))
        .collect();
    let mut amounts = Perturbed::new(flows);
    let base = irr::xirr_days(&days, amounts.at(FACTORS / 2), None).expect("base IRR");
    let guess = Some(base.rate);

    // Same answers, and the work each needs.
    let (mut worst, mut work) = (0.0_f64, [0_u64; 3]);
    for k in 0..FACTORS {
        let a = amounts.at(k);
        let results = [
            irr::xirr_years(&years, a, None),
            irr::xirr_days(&days, a, None),
            irr::xirr_days(&days, a, guess),
        ]
        .map(|r| r.expect("defined for every factor"));
        for (w, r) in work.iter_mut().zip(&results) {
            *w += u64::from(r.iterations);
            worst = worst.max((r.rate - results[0].rate).abs() / (1.0 + results[0].rate.abs()));
        }
    }
    println!(
        "{label}: {} flows, base IRR {:.6}, several_possible {}, largest relative difference {worst:.1e}",
        flows.len(),
        base.rate,
        base.several_possible
    );

    let budget = Duration::from_millis(1500);
    let rows: [(&str, f64); 3] = [
        (
            "xirr_years, no guess",
            per_second(budget, |k| {
                irr::xirr_years(&years, amounts.at(k), None).map_or(f64::NAN, |r| r.rate)
            }),
        ),
        (
            "xirr_days, no guess",
            per_second(budget, |k| {
                irr::xirr_days(&days, amounts.at(k), None).map_or(f64::NAN, |r| r.rate)
            }),
        ),
        (
            "xirr_days, base IRR as guess",
            per_second(budget, |k| {
                irr::xirr_days(&days, amounts.at(k), guess).map_or(f64::NAN, |r| r.rate)
            }),
        ),
    ];
    for ((name, rate), w) in rows.iter().zip(work) {
        println!(
            "  {name:<30} {rate:>10.0} IRRs/s ({:>6.0} ns each, {:.1} NPV evaluations)",
            1e9 / rate,
            w as f64 / FACTORS as f64
        );
    }
}

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/amazon-openai-2026.toml");
    let run = dealsim::Run::from_file(&path, &[]).expect("shipped scenario");
    let m = &run.model;
    let investor = m.party_index("amazon").expect("amazon is a party") as u16;

    // (date, signed amount except terminal value, terminal value), date order.
    let mut raw: Vec<(NaiveDate, f64, f64)> = run
        .ledger
        .flows
        .iter()
        .filter_map(|f| {
            let sign = if f.payee == investor {
                1.0
            } else if f.payer == investor {
                -1.0
            } else {
                return None;
            };
            let a = sign * f.amount;
            Some(if f.kind == FlowKind::TerminalValue {
                (f.date, 0.0, a)
            } else {
                (f.date, a, 0.0)
            })
        })
        .collect();
    raw.sort_by_key(|f| f.0);
    let mut by_date = BTreeMap::new();
    for &(date, a, tv) in &raw {
        let e = by_date.entry(date).or_insert((0.0, 0.0));
        e.0 += a;
        e.1 += tv;
    }
    let netted: Vec<_> = by_date.into_iter().map(|(d, (a, tv))| (d, a, tv)).collect();

    bench("amazon, netted by date", &netted, m.grid.start);
    bench("amazon, raw ledger flows", &raw, m.grid.start);
}
