//! How fast is one deterministic evaluation of a shipped scenario?
//!
//! `cargo bench --bench engine` prints, per scenario, evaluations per second
//! of the period engine (flows into a reused ledger, no metrics) and of the
//! engine plus XIRR of one investor. A baseline for the stress engine.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use dealsim::engine::{self, Ledger, Outcome};
use dealsim::metrics::irr;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for name in [
        "amazon-openai-2026.toml",
        "openai-infrastructure.toml",
        "amazon-anthropic.toml",
    ] {
        let run = dealsim::Run::from_file(&dir.join(name), &[]).expect("shipped scenario");
        let (m, plan) = (&run.model, &run.plan);
        let values = m.params.values.clone();
        let mut ledger = Ledger::default();
        let mut out = Outcome::default();
        let investor = m
            .party_index("amazon")
            .expect("amazon is in every benched scenario") as u16;
        let start = m.grid.start;

        let n = 20_000;
        let t = Instant::now();
        for _ in 0..n {
            ledger.flows.clear();
            engine::run(m, plan, black_box(&values), &mut out, &mut ledger);
        }
        let engine_rate = n as f64 / t.elapsed().as_secs_f64();

        let mut times = Vec::new();
        let mut amounts = Vec::new();
        let t = Instant::now();
        for _ in 0..n {
            ledger.flows.clear();
            engine::run(m, plan, black_box(&values), &mut out, &mut ledger);
            times.clear();
            amounts.clear();
            for f in &ledger.flows {
                let sign = if f.payee == investor {
                    1.0
                } else if f.payer == investor {
                    -1.0
                } else {
                    continue;
                };
                times.push(irr::year_fraction(start, f.date));
                amounts.push(sign * f.amount);
            }
            black_box(irr::xirr_years(&times, &amounts, Some(0.2)).ok());
        }
        let irr_rate = n as f64 / t.elapsed().as_secs_f64();
        println!(
            "{name:<30} {:>4} periods {:>5} flows: engine {:>9.0} runs/s, engine + investor XIRR {:>9.0} runs/s",
            m.grid.len(),
            ledger.flows.len(),
            engine_rate,
            irr_rate
        );
    }
}
