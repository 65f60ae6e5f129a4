//! The worked examples of `docs/conventions.md` hold.
//!
//! Those figures were computed by hand (and in a separate Python model of the
//! conventions), not by dealsim; the doc rounds them, so the tolerances here
//! match the digits printed there.

use chrono::NaiveDate;
use dealsim::engine::FlowKind;
use dealsim::Run;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn run(text: &str) -> Run {
    match Run::from_text("example.toml", text, &[]) {
        Ok(r) => r,
        Err(dealsim::Error::Scenario(r)) => panic!("{}", r.render(false)),
        Err(e) => panic!("{e}"),
    }
}

fn shipped(name: &str) -> Run {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    Run::from_file(&path, &[]).unwrap()
}

fn flow(r: &Run, kind: FlowKind, dated: NaiveDate) -> f64 {
    r.ledger
        .flows
        .iter()
        .filter(|f| f.kind == kind && f.date == dated)
        .map(|f| f.amount)
        .sum()
}

fn near(got: f64, want: f64, digits: i32) {
    let tol = 0.5 * 10f64.powi(-digits) + 1e-12;
    assert!(
        (got - want).abs() <= tol,
        "got {got}, doc says {want} (to {digits} decimals)"
    );
}

fn one_party(period: &str, end: &str, revenue: &str) -> String {
    format!(
        "[scenario]\nname = \"ex\"\nstart = 2026-01-01\nend = {end}\nperiod = \"{period}\"\ndiscount_rate = 0.1\n\
         [[party]]\nid = \"lab\"\n[[revenue]]\nparty = \"lab\"\n{revenue}\n"
    )
}

#[test]
fn section_1_quarterly_grid_with_stubs() {
    let text = "[scenario]\nname = \"ex\"\nstart = 2026-02-15\nend = 2026-07-10\nperiod = \"quarter\"\ndiscount_rate = 0.1\n";
    let r = run(text);
    let got: Vec<_> = r
        .model
        .grid
        .periods
        .iter()
        .map(|p| (p.end, p.days))
        .collect();
    assert_eq!(
        got,
        vec![
            (d(2026, 3, 31), 45),
            (d(2026, 6, 30), 91),
            (d(2026, 7, 10), 10)
        ]
    );
}

#[test]
fn section_3_revenue_examples() {
    let r = run(&one_party(
        "month",
        "2026-12-31",
        "run_rate = 12.0\ngrowth = 0.0",
    ));
    near(flow(&r, FlowKind::Revenue, d(2026, 1, 31)), 1.019178, 6);

    let r = run(&one_party(
        "quarter",
        "2026-12-31",
        "run_rate = 20.0\ngrowth = 1.0",
    ));
    near(flow(&r, FlowKind::Revenue, d(2026, 3, 31)), 5.378007, 6);

    // Scenario year 1 of a yearly grid from 2026-01-01 is calendar 2027 (365 days).
    let r = run(&one_party(
        "year",
        "2027-12-31",
        "run_rate = 20.0\ngrowth_path = [1.0, 0.5]",
    ));
    near(flow(&r, FlowKind::Revenue, d(2027, 12, 31)), 49.3261, 4);

    let r = run(&one_party(
        "month",
        "2026-12-31",
        "run_rate = 20.0\nceiling = 450.0\nsteepness = 0.69\nopex_share = 0.8\nfixed_opex = 20.0",
    ));
    near(flow(&r, FlowKind::Revenue, d(2026, 1, 31)), 1.747047, 6);
    // Section 4: 0.80 x 1.747047 + 20 x 31/365 = 3.096268.
    near(
        flow(&r, FlowKind::OperatingCost, d(2026, 1, 31)),
        3.096268,
        6,
    );
}

#[test]
fn section_5_ramp_table() {
    let base = "[scenario]\nname = \"ex\"\nstart = 2026-01-01\nend = 2029-12-31\nperiod = \"year\"\ndiscount_rate = 0.1\n\
                [[party]]\nid = \"cloud\"\ngross_margin = 0.5\n[[party]]\nid = \"lab\"\n\
                [[commitment]]\nid = \"c\"\nbuyer = \"lab\"\nprovider = \"cloud\"\ntotal = 100.0\nstart = 2026-01-01\nend = 2029-12-31\n";
    let table = [
        ("flat", [24.9829, 24.9829, 25.0513, 24.9829]),
        ("linear", [6.2414, 18.7243, 31.3099, 43.7243]),
        ("front_loaded", [43.7243, 31.2414, 18.7928, 6.2414]),
        ("back_loaded", [1.5593, 10.9151, 29.7420, 57.7836]),
    ];
    for (ramp, row) in table {
        let r = run(&format!("{base}ramp = \"{ramp}\"\n"));
        for (k, want) in row.iter().enumerate() {
            near(
                flow(&r, FlowKind::Compute, d(2026 + k as i32, 12, 31)),
                *want,
                4,
            );
        }
    }
}

#[test]
fn shipped_scenario_figures() {
    // Section 11: Amazon's terminal value in amazon-openai-2026 is 197.35.
    let r = shipped("amazon-openai-2026.toml");
    let amazon = r.summary.parties.iter().find(|p| p.id == "amazon").unwrap();
    near(amazon.terminal_value, 197.35, 2);
    // Section 10: Amazon's stake in OpenAI is 15/840 + 35/840 = 0.059524.
    let stake: f64 = r
        .summary
        .tranches
        .iter()
        .filter(|t| t.investor == "amazon")
        .map(|t| t.stake)
        .sum();
    near(stake, 0.059524, 6);

    // Section 8: the Microsoft cap binds on 2029-03-31 with a partial 2.9348.
    let r = shipped("microsoft-revenue-share.toml");
    assert_eq!(
        r.summary.revenue_shares[0].cap_reached,
        Some(d(2029, 3, 31))
    );
    near(flow(&r, FlowKind::RevenueShare, d(2029, 3, 31)), 2.9348, 4);
    near(r.summary.revenue_shares[0].paid_in_run, 38.0, 9);

    // Section 10: Amazon's stake in Anthropic is 0.046372.
    let r = shipped("amazon-anthropic.toml");
    let stake: f64 = r
        .summary
        .tranches
        .iter()
        .filter(|t| t.investor == "amazon")
        .map(|t| t.stake)
        .sum();
    near(stake, 0.046372, 6);
}
