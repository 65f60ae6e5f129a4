//! Numerical edge cases: the shortest and a long horizon, extreme but valid
//! magnitudes, and outputs that never contain NaN or infinity.

use dealsim::metrics::Figure;
use dealsim::Run;

fn run(text: &str) -> Run {
    match Run::from_text("edge.toml", text, &[]) {
        Ok(r) => r,
        Err(dealsim::Error::Scenario(r)) => panic!("{}", r.render(false)),
        Err(e) => panic!("{e}"),
    }
}

/// Every number in the summary JSON is finite (serde_json writes NaN as null,
/// so nulls are allowed only where a date may be absent).
fn assert_all_finite(r: &Run) {
    let json: serde_json::Value =
        serde_json::from_str(&dealsim::render::summary::to_json(&r.summary)).unwrap();
    fn walk(v: &serde_json::Value, path: &str) {
        match v {
            serde_json::Value::Number(n) => {
                assert!(n.as_f64().is_some_and(f64::is_finite), "{path} = {n}")
            }
            serde_json::Value::Null => assert!(
                path.ends_with("date")
                    || path.contains("first_negative")
                    || path.ends_with("paid")
                    || path.ends_with("cap_reached")
                    || path.ends_with("expected")
                    || path.ends_with("deadline")
                    || path.ends_with("milestone")
                    || path.ends_with("cap")
                    || path.ends_with("expiry"),
                "{path} is null: a NaN or infinity was written"
            ),
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, path)),
            serde_json::Value::Object(o) => {
                o.iter().for_each(|(k, x)| walk(x, &format!("{path}.{k}")))
            }
            _ => {}
        }
    }
    walk(&json, "summary");
    for f in &r.ledger.flows {
        assert!(f.amount.is_finite() && f.amount > 0.0);
    }
}

const DEAL: &str = r#"
[[party]]
id = "cloud"
gross_margin = 0.4
[[party]]
id = "lab"
kind = "lab"
opening_cash = 10.0
[[party]]
id = "fund"
[[revenue]]
party = "lab"
run_rate = RUN_RATE
growth = GROWTH
opex_share = 0.9
[[investment]]
id = "inv"
investor = "cloud"
investee = "lab"
post_money = 100.0
credit_share = 0.5
credit_expiry = 2076-12-31
[[investment.tranche]]
amount = 10.0
date = 2026-01-01
[[investment]]
id = "fund-inv"
investor = "fund"
investee = "lab"
post_money = 100.0
[[investment.tranche]]
amount = 5.0
date = 2026-01-01
[[commitment]]
id = "c"
buyer = "lab"
provider = "cloud"
total = 50.0
start = 2026-01-01
end = 2075-12-31
ramp = "back_loaded"
take_or_pay = 0.5
demand_share = 0.3
[[revenue_share]]
id = "rs"
payer = "lab"
payee = "fund"
rate = 0.1
start = 2026-01-01
end = 2075-12-31
cap = 40.0
[[exit]]
company = "lab"
revenue_multiple = 8.0
"#;

fn scenario(end: &str, period: &str, run_rate: &str, growth: &str) -> String {
    format!(
        "[scenario]\nname = \"edge\"\nstart = 2026-01-01\nend = {end}\nperiod = \"{period}\"\ndiscount_rate = 0.1\n{}",
        DEAL.replace("RUN_RATE", run_rate).replace("GROWTH", growth)
    )
}

#[test]
fn a_one_day_horizon_is_one_period() {
    let r = run(&scenario("2026-01-01", "month", "365.0", "0.0"));
    assert_eq!(r.model.grid.len(), 1);
    // One day of a 365 run-rate earns 1.0 (365 * 1/365).
    let lab = r.model.party_index("lab").unwrap();
    assert!(
        (r.table
            .kind_total(lab, dealsim::engine::FlowKind::Revenue, true)
            - 1.0)
            .abs()
            < 1e-12
    );
    assert_all_finite(&r);
}

#[test]
fn a_fifty_year_monthly_horizon_runs_and_balances() {
    let r = run(&scenario("2075-12-31", "month", "20.0", "0.3"));
    assert_eq!(r.model.grid.len(), 50 * 12);
    assert!(
        r.ledger
            .imbalance(r.model.parties.len(), r.model.grid.len())
            < 1e-6
    );
    // The contract (2026-01-01 ..= 2075-12-31) lies wholly in the window: all 50
    // is scheduled, and billing is between the floor 0.5 x 50 = 25 and the schedule.
    assert!(
        (r.outcome.scheduled[0] - 50.0).abs() < 1e-9,
        "{}",
        r.outcome.scheduled[0]
    );
    assert!(r.outcome.billed[0] >= 25.0 - 1e-9 && r.outcome.billed[0] <= 50.0 + 1e-9);
    // 10% of revenue growing 30% a year from 20 passes the 40 cap within the window.
    assert!(r.summary.revenue_shares[0].cap_reached.is_some());
    assert_all_finite(&r);
}

#[test]
fn extreme_but_valid_magnitudes_stay_finite() {
    // The largest run-rate and growth the validator allows, over 50 years of months:
    // 1e15 * 11^50 ~ 1e67, far inside f64's 1e308.
    let r = run(&scenario("2075-12-31", "month", "1e15", "10.0"));
    assert_all_finite(&r);
    let r = run(&scenario("2075-12-31", "year", "0.000001", "-0.99"));
    assert_all_finite(&r);
    for p in &r.summary.parties {
        if let Figure::Value(v) = p.irr {
            assert!(v.is_finite());
        }
    }
}

#[test]
fn a_vanishing_s_curve_ceiling_gives_finite_figures() {
    // Found by fuzzing a stress: a lognormal ceiling with sigma 1e15 draws
    // ~0, clamped to the smallest positive number; K / R0 then underflows
    // and ln(1 + A e^(-s t)) was ln(0). Revenue must simply be ~0.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let run = dealsim::Run::from_file(
        &dir.join("amazon-openai-2026.toml"),
        &[("revenue.openai.ceiling".to_string(), f64::MIN_POSITIVE)],
    )
    .unwrap();
    for p in &run.summary.parties {
        assert!(p.closing_cash.is_finite() && p.net.is_finite(), "{}", p.id);
    }
    assert!(run.ledger.flows.iter().all(|f| f.amount.is_finite()));
}

#[test]
fn the_lane_irr_solver_proves_ordinary_deals_without_the_reference_solver() {
    // -100 at the first month end, then +4 a month for 36 months, on lane l
    // scaled by (l + 1): the same IRR on every lane. By hand, the monthly
    // rate solves 4 (1 - (1 + r)^-36) / r = 100, annuity factor 25: r = 2.12%
    // (at 2%: 25.49, at 2.12%: 25.00), so about 1.0212^12 - 1 = 28.7% a year.
    // On actual dates the rate is found by xirr_days; the lane solver must
    // agree without falling back.
    use dealsim::engine::block::LANES;
    use dealsim::metrics::irr::xirr_days;
    use dealsim::metrics::lanes::LaneIrr;
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let day_end: Vec<i32> = (1..=37)
        .map(|k| {
            let d = start.checked_add_months(chrono::Months::new(k)).unwrap();
            (d.pred_opt().unwrap() - start).num_days() as i32
        })
        .collect();
    let flows: Vec<[f64; LANES]> = (0..37)
        .map(|p| std::array::from_fn(|l| (l + 1) as f64 * if p == 0 { -100.0 } else { 4.0 }))
        .collect();
    let amounts: Vec<f64> = (0..37).map(|p| if p == 0 { -100.0 } else { 4.0 }).collect();
    let want = xirr_days(&day_end, &amounts, None).unwrap().rate;
    assert!((want - 0.287).abs() < 0.005, "{want}");
    let mut solver = LaneIrr::new(day_end);
    let found = solver.solve(&flows, |_| &[], Some(0.10));
    for got in found {
        assert!((got.unwrap() - want).abs() < 1e-12);
    }
    assert_eq!(solver.fallbacks, 0);
}

#[test]
fn the_lane_irr_solver_gives_the_lowest_of_two_rates_even_at_an_exact_zero() {
    // A case proptest found: flows whose running sums change sign twice, so
    // Norstrom allows two rates above 0%, and there are two. By hand (NPV
    // at the first flow's date): at 5% the NPV is +37.7, at 10% -25.7, so
    // one rate lies between; at 50% it is -1.35 and at 60% +11.3, so the
    // other lies there. The lowest is the IRR. Started at 93%, Newton walks
    // down to the second rate and lands on an NPV of exactly 0.0, which
    // once counted as proven. It must not: the answer is the lowest rate.
    use dealsim::engine::block::LANES;
    use dealsim::metrics::lanes::LaneIrr;
    let day_end = [
        246, 457, 666, 832, 1187, 1423, 1686, 2043, 2456, 2771, 2773, 2887, 3321, 3917, 3924, 4067,
        4352, 4502, 4996, 5236, 5369, 5556, 5938, 6228, 6369, 6765, 7093, 7362, 7596,
    ];
    let ends = [
        53.93, 49.43, -33.93, -23.73, -13.83, -89.24, -33.82, -33.92, -18.33, 22.26, 28.59, 33.36,
        40.58, 17.36, 43.91, 26.67, 34.5, 5.21, 36.64, -6.0, 23.14, 49.72, 34.93, 20.56, 0.03,
        53.46, 10.02, 10.51, 44.57,
    ];
    // Flows inside periods: (period, day, amount).
    let inside = [(6, 1430, -75.52), (9, 2553, -47.74), (11, 2856, -59.77)];
    let flows: Vec<[f64; LANES]> = ends.iter().map(|&a| [a; LANES]).collect();
    let mut solver = LaneIrr::new(day_end.to_vec());
    for got in solver.solve(&flows, |_| &inside, Some(0.93)) {
        let r = got.unwrap();
        assert!(r > 0.05 && r < 0.10, "{r}: not the lowest rate");
    }
}
