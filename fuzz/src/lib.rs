//! What every fuzz target does with a scenario text: parse, validate, run,
//! summarise and render, and check the invariants a crash would break.

use dealsim::metrics::Figure;

/// Runs `text` through the pipeline. Panics (a fuzz crash) on a broken
/// invariant: an unbalanced ledger, a non-finite figure or flow.
pub fn exercise(text: &str) {
    let run = match dealsim::Run::from_text("fuzz.toml", text, &[]) {
        Ok(run) => run,
        Err(e) => {
            // Rendering the error must not panic either.
            let _ = e.render(false);
            return;
        }
    };
    let m = &run.model;
    let scale = run.ledger.flows.iter().map(|f| f.amount).fold(1.0, f64::max);
    for f in &run.ledger.flows {
        assert!(f.amount.is_finite() && f.amount > 0.0, "bad flow {f:?}");
    }
    assert!(run.ledger.imbalance(m.parties.len(), m.grid.len()) <= 1e-9 * scale, "ledger does not balance");
    for p in &run.summary.parties {
        for v in [p.paid, p.received, p.net, p.peak_exposure, p.closing_cash, p.terminal_value] {
            assert!(v.is_finite(), "{}: non-finite figure", p.id);
        }
        for f in [&p.npv, &p.irr, &p.moic, &p.equity_moic] {
            if let Figure::Value(v) = f {
                assert!(v.is_finite(), "{}: non-finite figure {f:?}", p.id);
            }
        }
    }
    // A small stress of the scenario's own [stress] section, if it has one.
    if let Some(spec) = &m.stress {
        let opts = dealsim::stress::Options {
            paths: 64,
            seed: 1,
            method: spec.method,
            threads: Some(1),
            progress: false,
        };
        if let Ok(r) = dealsim::stress::run(m, &run.plan, spec, &opts) {
            if let Some(mc) = &r.monte_carlo {
                for s in &mc.metrics {
                    if let Some(e) = s.mean {
                        assert!(e.value.is_finite() && e.se.is_finite(), "non-finite stress mean {}", s.metric.name(m));
                    }
                }
                for p in &mc.probabilities {
                    assert!((0.0..=1.0).contains(&p.estimate.value), "probability out of range");
                }
            }
            let _ = dealsim::render::stress::to_json(m, &r);
            let _ = dealsim::render::stress::to_text(m, &r);
        }
    }
    let _ = dealsim::render::summary::to_text(&run.summary);
    let _ = dealsim::render::summary::to_json(&run.summary);
    let _ = run.warnings.render(false);
}

/// The shipped scenarios, the starting points of structure-aware mutation.
pub const SHIPPED: [&str; 4] = [
    include_str!("../../scenarios/amazon-openai-2026.toml"),
    include_str!("../../scenarios/microsoft-revenue-share.toml"),
    include_str!("../../scenarios/openai-infrastructure.toml"),
    include_str!("../../scenarios/amazon-anthropic.toml"),
];

/// Applies edits driven by `data` to a shipped scenario: numbers replaced by
/// extreme or ordinary values, lines deleted, duplicated or swapped, dates and
/// ids replaced. Most results stay close enough to valid to reach the engine.
pub fn mutate(data: &[u8]) -> String {
    let Some((&pick, ops)) = data.split_first() else {
        return SHIPPED[0].to_string();
    };
    let mut lines: Vec<String> = SHIPPED[pick as usize % SHIPPED.len()].lines().map(str::to_string).collect();
    const NUMBERS: [&str; 12] = ["0", "-1", "1", "0.5", "1e15", "-1e15", "1e-300", "1e16", "nan", "inf", "100000", "0.999999"];
    for op in ops.chunks(4) {
        let [kind, a, b, c] = [op[0], *op.get(1).unwrap_or(&0), *op.get(2).unwrap_or(&0), *op.get(3).unwrap_or(&0)];
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        let i = (usize::from(a) << 8 | usize::from(b)) % n;
        match kind % 7 {
            0 => {
                // Replace the value of a `key = number` line.
                if let Some((key, value)) = lines[i].split_once('=') {
                    if value.trim().starts_with(|ch: char| ch.is_ascii_digit() || ch == '-') {
                        lines[i] = format!("{key}= {}", NUMBERS[c as usize % NUMBERS.len()]);
                    }
                }
            }
            1 => {
                lines.remove(i);
            }
            2 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            3 => lines.swap(i, c as usize % n),
            4 => {
                // A date, sometimes an odd one.
                if let Some((key, value)) = lines[i].split_once('=') {
                    if value.trim().len() >= 10 && value.trim().as_bytes()[4] == b'-' {
                        let y = 1990 + u32::from(c) % 80;
                        let m = 1 + u32::from(b) % 12;
                        let d = 1 + u32::from(a) % 31;
                        lines[i] = format!("{key}= {y}-{m:02}-{d:02}");
                    }
                }
            }
            5 => {
                // Point a reference at another id of the file.
                let ids: Vec<String> = lines
                    .iter()
                    .filter_map(|l| l.strip_prefix("id = \"").and_then(|r| r.split('"').next()).map(str::to_string))
                    .collect();
                if let (Some((key, _)), false) = (lines[i].split_once('='), ids.is_empty()) {
                    lines[i] = format!("{key}= \"{}\"", ids[c as usize % ids.len()]);
                }
            }
            _ => {
                // Period length, the widest lever on the engine's work.
                if lines[i].starts_with("period") {
                    lines[i] = format!("period = \"{}\"", ["month", "quarter", "year"][c as usize % 3]);
                }
            }
        }
    }
    lines.join("\n")
}
