//! Each deal mechanic against figures worked out by hand.
//!
//! Every scenario here is tiny and uses flat run-rates or whole years so the
//! expected values follow from the conventions in `docs/conventions.md` with
//! pencil arithmetic, written in the comment beside each assertion.

use chrono::NaiveDate;
use dealsim::engine::FlowKind;
use dealsim::metrics::Figure;
use dealsim::Run;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn run(text: &str) -> Run {
    run_with(text, &[])
}

fn run_with(text: &str, sets: &[(&str, f64)]) -> Run {
    let sets: Vec<(String, f64)> = sets.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    match Run::from_text("test.toml", text, &sets) {
        Ok(r) => r,
        Err(dealsim::Error::Scenario(report)) => panic!("{}", report.render(false)),
        Err(e) => panic!("{e}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}

macro_rules! assert_close {
    ($a:expr, $b:expr) => {{
        let (a, b) = ($a, $b);
        assert!(close(a, b), "{} = {a}, expected {b}", stringify!($a));
    }};
}

/// Sum of flows of `kind` from `payer` to `payee` (party ids).
fn total(r: &Run, kind: FlowKind, payer: &str, payee: &str) -> f64 {
    let (a, b) = (
        r.model.party_index(payer).unwrap(),
        r.model.party_index(payee).unwrap(),
    );
    r.ledger
        .flows
        .iter()
        .filter(|f| f.kind == kind && f.payer as usize == a && f.payee as usize == b)
        .map(|f| f.amount)
        .sum()
}

fn flows_in(r: &Run, kind: FlowKind, period_end: NaiveDate) -> Vec<f64> {
    r.ledger
        .flows
        .iter()
        .filter(|f| f.kind == kind && r.model.grid.periods[f.period as usize].end == period_end)
        .map(|f| f.amount)
        .collect()
}

const HEADER_MONTHLY_2026: &str = r#"
[scenario]
name = "test"
start = 2026-01-01
end = 2026-12-31
period = "month"
discount_rate = 0.1
"#;

#[test]
fn revenue_share_stops_exactly_at_the_cap_with_a_partial_payment() {
    let text = format!(
        r#"{HEADER_MONTHLY_2026}
[[party]]
id = "lab"
kind = "lab"
[[party]]
id = "partner"
[[revenue]]
party = "lab"
run_rate = 120.0
growth = 0.0
[[revenue_share]]
id = "rs"
payer = "lab"
payee = "partner"
rate = 0.5
start = 2026-01-01
end = 2030-12-31
cap = 12.0
"#
    );
    let r = run(&text);
    // Jan: 0.5 * 120 * 31/365 = 5.095890411; Feb: 0.5 * 120 * 28/365 = 4.602739726;
    // cumulative 9.698630137, so March (due 5.0958...) pays only 12 - 9.698630137 = 2.301369863.
    assert_close!(
        flows_in(&r, FlowKind::RevenueShare, d(2026, 1, 31))[0],
        0.5 * 120.0 * 31.0 / 365.0
    );
    assert_close!(
        flows_in(&r, FlowKind::RevenueShare, d(2026, 2, 28))[0],
        0.5 * 120.0 * 28.0 / 365.0
    );
    assert_close!(
        flows_in(&r, FlowKind::RevenueShare, d(2026, 3, 31))[0],
        12.0 - 0.5 * 120.0 * 59.0 / 365.0
    );
    assert!(
        flows_in(&r, FlowKind::RevenueShare, d(2026, 4, 30)).is_empty(),
        "nothing after the cap"
    );
    assert_close!(total(&r, FlowKind::RevenueShare, "lab", "partner"), 12.0);
    assert_eq!(
        r.summary.revenue_shares[0].cap_reached,
        Some(d(2026, 3, 31))
    );
}

#[test]
fn revenue_share_window_ending_mid_period_pays_for_its_days_only() {
    let text = r#"
[scenario]
name = "test"
start = 2029-01-01
end = 2031-12-31
period = "year"
discount_rate = 0.1
[[party]]
id = "lab"
[[party]]
id = "partner"
[[revenue]]
party = "lab"
run_rate = 100.0
growth = 0.0
[[revenue_share]]
id = "rs"
payer = "lab"
payee = "partner"
rate = 0.2
start = 2029-01-01
end = 2029-06-30
"#;
    let r = run(text);
    // 2029-01-01 ..= 2029-06-30 is 181 days: 0.2 * 100 * 181/365 = 9.917808219.
    assert_close!(
        total(&r, FlowKind::RevenueShare, "lab", "partner"),
        0.2 * 100.0 * 181.0 / 365.0
    );
    assert_eq!(r.summary.revenue_shares[0].cap_reached, None);
}

const MILESTONE_DEAL: &str = r#"
[scenario]
name = "test"
start = 2026-01-01
end = 2028-12-31
period = "month"
discount_rate = 0.1
[[party]]
id = "investor"
[[party]]
id = "lab"
kind = "lab"
[[revenue]]
party = "lab"
run_rate = 10.0
growth = 1.0
[[milestone]]
id = "scale"
expected = 2027-06-30
deadline = 2027-11-30
condition = { kind = "revenue_run_rate", party = "lab", at_least = 39.9 }
[[milestone]]
id = "dated"
expected = 2027-01-15
deadline = 2027-02-28
[[investment]]
id = "inv"
investor = "investor"
investee = "lab"
post_money = 100.0
total = 30.0
[[investment.tranche]]
id = "on-scale"
amount = 20.0
milestone = "scale"
[[investment.tranche]]
id = "on-date"
amount = 10.0
milestone = "dated"
"#;

#[test]
fn tranche_whose_milestone_misses_its_deadline_is_never_paid() {
    // Run-rate 10 doubling yearly: R(t) = 10 * 2^t reaches 39.9 at t = log2(3.99) = 1.9964 years,
    // i.e. in December 2027 (t1 of Nov 2027 = 699/365 = 1.915 -> R = 37.7; of Dec 2027 = 2.0 -> 40).
    // The deadline is 2027-11-30, so the tranche is never paid.
    let r = run(MILESTONE_DEAL);
    let scale = r
        .summary
        .tranches
        .iter()
        .find(|t| t.tranche == "on-scale")
        .unwrap();
    assert_eq!(scale.paid, None);
    // The dated milestone fires on its expected date, 2027-01-15, inside its deadline.
    let dated = r
        .summary
        .tranches
        .iter()
        .find(|t| t.tranche == "on-date")
        .unwrap();
    assert_eq!(dated.paid, Some(d(2027, 1, 15)));
    assert_close!(total(&r, FlowKind::Tranche, "investor", "lab"), 10.0);

    // With the deadline moved to 2027-12-31 the condition holds at the December period end.
    let later = MILESTONE_DEAL.replace("deadline = 2027-11-30", "deadline = 2027-12-31");
    let r = run(&later);
    let scale = r
        .summary
        .tranches
        .iter()
        .find(|t| t.tranche == "on-scale")
        .unwrap();
    assert_eq!(scale.paid, Some(d(2027, 12, 31)));
}

#[test]
fn a_delay_past_the_deadline_cancels_a_dated_tranche() {
    // Expected 2027-01-15 + 2 months = 2027-03-15, after the 2027-02-28 deadline.
    let r = run_with(MILESTONE_DEAL, &[("milestone.dated.delay_months", 2.0)]);
    let dated = r
        .summary
        .tranches
        .iter()
        .find(|t| t.tranche == "on-date")
        .unwrap();
    assert_eq!(dated.paid, None);
    assert_close!(total(&r, FlowKind::Tranche, "investor", "lab"), 0.0);
}

const CREDIT_DEAL: &str = r#"
[scenario]
name = "test"
start = 2026-01-01
end = 2026-12-31
period = "month"
discount_rate = 0.1
[[party]]
id = "cloud"
gross_margin = 0.4
[[party]]
id = "lab"
kind = "lab"
opening_cash = 100.0
[[investment]]
id = "inv"
investor = "cloud"
investee = "lab"
post_money = 100.0
credit_share = 0.5
credit_expiry = 2026-03-31
[[investment.tranche]]
amount = 10.0
date = 2026-01-01
[[commitment]]
id = "compute"
buyer = "lab"
provider = "cloud"
total = 12.0
start = 2026-01-01
end = 2026-12-31
"#;

#[test]
fn credits_are_drawn_before_cash_and_lapse_at_expiry() {
    let r = run(CREDIT_DEAL);
    // Tranche 10, half as credits: 5 cash, 5 credits. Flat 12 over 365 days:
    // Jan 12*31/365 = 1.019178, Feb 12*28/365 = 0.920548, Mar 1.019178; through the
    // 2026-03-31 expiry credits cover 12*90/365 = 2.958904; 5 - 2.958904 = 2.041096 lapses.
    let drawn = 12.0 * 90.0 / 365.0;
    assert_close!(total(&r, FlowKind::Tranche, "cloud", "lab"), 5.0);
    assert_close!(total(&r, FlowKind::Credit, "cloud", "lab"), drawn);
    let c = &r.summary.credits[0];
    assert_close!(c.granted, 5.0);
    assert_close!(c.drawn, drawn);
    assert_close!(c.lapsed, 5.0 - drawn);
    // April's spend is paid in cash only: no credit flow in April.
    assert!(flows_in(&r, FlowKind::Credit, d(2026, 4, 30)).is_empty());
    // The lab's cash: 100 + 5 (cash tranche) + credits drawn - 12 (all compute) = 93 + drawn.
    let lab = r.model.party_index("lab").unwrap();
    assert_close!(r.table.cash_balance(lab, 11), 100.0 + 5.0 + drawn - 12.0);
    // Cost of serving on billed spend: (1 - 0.4) * 12 = 7.2.
    assert_close!(total(&r, FlowKind::CostOfServing, "cloud", "external"), 7.2);
    // Round trip: compute revenue 12 / invested (5 cash + drawn credits).
    let rt = &r.summary.round_trips[0];
    assert_close!(rt.ratio.value().unwrap(), 12.0 / (5.0 + drawn));
    assert_close!(
        rt.net_of_cost_of_serving.value().unwrap(),
        0.4 * 12.0 / (5.0 + drawn)
    );
}

const TAKE_OR_PAY: &str = r#"
[scenario]
name = "test"
start = 2027-01-01
end = 2027-12-31
period = "year"
discount_rate = 0.1
[[party]]
id = "cloud"
gross_margin = 0.5
[[party]]
id = "lab"
[[revenue]]
party = "lab"
run_rate = 50.0
growth = 0.0
[[commitment]]
id = "c"
buyer = "lab"
provider = "cloud"
total = 12.0
start = 2027-01-01
end = 2027-12-31
take_or_pay = 0.8
demand_share = 0.1
"#;

#[test]
fn take_or_pay_floor_binds_when_demand_is_low() {
    // Demand 0.1 * 50 = 5 is below the floor 0.8 * 12 = 9.6: the lab pays 9.6.
    let r = run(TAKE_OR_PAY);
    assert_close!(total(&r, FlowKind::Compute, "lab", "cloud"), 9.6);
    // Demand 0.1 * 110 = 11 is between floor and schedule: it is paid as is.
    let r = run_with(TAKE_OR_PAY, &[("revenue.lab.run_rate", 110.0)]);
    assert_close!(total(&r, FlowKind::Compute, "lab", "cloud"), 11.0);
    // Demand 0.1 * 200 = 20 exceeds the schedule: capped at 12.
    let r = run_with(TAKE_OR_PAY, &[("revenue.lab.run_rate", 200.0)]);
    assert_close!(total(&r, FlowKind::Compute, "lab", "cloud"), 12.0);
}

#[test]
fn ramps_spread_the_contract_value() {
    // A two-year contract (2027-01-01 ..= 2028-12-31, 731 days) over yearly periods.
    // 2027 covers x = 365/731 of the days. Linear F = x^2: 2027 gets 100 * (365/731)^2 = 24.931;
    // back-loaded F = x^3: 100 * (365/731)^3 = 12.449; flat: 100 * 365/731 = 49.932.
    let base = TAKE_OR_PAY
        .replace("end = 2027-12-31\nperiod", "end = 2028-12-31\nperiod")
        .replace("total = 12.0\nstart = 2027-01-01\nend = 2027-12-31\ntake_or_pay = 0.8\ndemand_share = 0.1", "total = 100.0\nstart = 2027-01-01\nend = 2028-12-31");
    let x: f64 = 365.0 / 731.0;
    for (ramp, share) in [
        ("flat", x),
        ("linear", x * x),
        ("back_loaded", x * x * x),
        ("front_loaded", 1.0 - (1.0 - x) * (1.0 - x)),
    ] {
        let text = base.replace(
            "total = 100.0",
            &format!("total = 100.0\nramp = \"{ramp}\""),
        );
        let r = run(&text);
        assert_close!(
            flows_in(&r, FlowKind::Compute, d(2027, 12, 31))[0],
            100.0 * share
        );
        assert_close!(total(&r, FlowKind::Compute, "lab", "cloud"), 100.0);
    }
    // An explicit schedule: 30 in contract year 1, 70 in year 2.
    let text = base.replace(
        "total = 100.0",
        "total = 100.0\nramp = \"schedule\"\nschedule = [30.0, 70.0]",
    );
    let r = run(&text);
    assert_close!(flows_in(&r, FlowKind::Compute, d(2027, 12, 31))[0], 30.0);
    assert_close!(flows_in(&r, FlowKind::Compute, d(2028, 12, 31))[0], 70.0);
}

#[test]
fn stake_and_terminal_value_give_equity_moic() {
    let text = r#"
[scenario]
name = "test"
start = 2026-01-01
end = 2030-12-31
period = "year"
discount_rate = 0.1
[[party]]
id = "investor"
[[party]]
id = "lab"
[[investment]]
id = "inv"
investor = "investor"
investee = "lab"
[[investment.tranche]]
amount = 15.0
date = 2026-03-31
post_money = 840.0
[[exit]]
company = "lab"
valuation = 1680.0
"#;
    let r = run(text);
    // Stake 15/840; value at the horizon 1680 * 15/840 = 30; equity MOIC 30/15 = 2.
    let inv = r
        .summary
        .parties
        .iter()
        .find(|p| p.id == "investor")
        .unwrap();
    assert_close!(inv.terminal_value, 30.0);
    assert_close!(inv.equity_moic.value().unwrap(), 2.0);
    assert_close!(inv.moic.value().unwrap(), 2.0);
    // IRR: -15 on 2026-03-31, +30 on 2030-12-31 (1736 days): 2^(365/1736) - 1 = 0.15699...
    assert_close!(inv.irr.value().unwrap(), 2f64.powf(365.0 / 1736.0) - 1.0);
    // Terminal value is not cash: the investor's closing cash is -15.
    assert_close!(inv.closing_cash, -15.0);
}

#[test]
fn xirr_of_a_party_matches_excels_documented_example() {
    // Excel's XIRR example: -10000, 2750, 4250, 3250, 2750 on 2008-01-01, 03-01, 10-30,
    // 2009-02-15, 04-01 give 0.373362535. Modelled as one-off payments to and from external.
    let text = r#"
[scenario]
name = "excel"
start = 2008-01-01
end = 2009-12-31
period = "month"
discount_rate = 0.09
[[party]]
id = "investor"
[[payment]]
id = "p0"
payer = "investor"
payee = "external"
amount = 10000.0
date = 2008-01-01
[[payment]]
id = "p1"
payer = "external"
payee = "investor"
amount = 2750.0
date = 2008-03-01
[[payment]]
id = "p2"
payer = "external"
payee = "investor"
amount = 4250.0
date = 2008-10-30
[[payment]]
id = "p3"
payer = "external"
payee = "investor"
amount = 3250.0
date = 2009-02-15
[[payment]]
id = "p4"
payer = "external"
payee = "investor"
amount = 2750.0
date = 2009-04-01
"#;
    let r = run(text);
    let inv = &r.summary.parties[0];
    assert!(
        (inv.irr.value().unwrap() - 0.373362535).abs() < 1e-8,
        "{:?}",
        inv.irr
    );
    // Excel's XNPV example on the same flows at 9% gives 2086.647602.
    let npv = inv.npv.value().unwrap();
    assert!((npv - 2086.647602).abs() < 1e-5, "{npv}");
    // Peak exposure -10000 on the first date; payback when cumulative turns >= 0:
    // -10000 + 2750 + 4250 + 3250 = 250 on 2009-02-15.
    assert_eq!(inv.peak_exposure_date, Some(d(2008, 1, 1)));
    assert_eq!(inv.payback_date, Some(d(2009, 2, 15)));
}

#[test]
fn undefined_irr_says_why() {
    let text = r#"
[scenario]
name = "test"
start = 2026-01-01
end = 2026-12-31
period = "quarter"
discount_rate = 0.1
[[party]]
id = "a"
[[payment]]
id = "gift"
payer = "external"
payee = "a"
amount = 5.0
date = 2026-05-01
"#;
    let r = run(text);
    match &r.summary.parties[0].irr {
        Figure::Undefined { undefined } => {
            assert!(undefined.contains("inflow on every date"), "{undefined}")
        }
        other => panic!("expected undefined, got {other:?}"),
    }
}

#[test]
fn lab_funding_gap_is_the_lowest_cash_balance() {
    // Opening cash 10; revenue 12/yr flat with opex 2x revenue: net burn 12/yr,
    // 1/month in 30-day terms... exactly 12 * days/365 per month. Cash after month k is
    // 10 - 12 * (days so far)/365: Oct 31 (304 days) -> 10 - 9.994521 = 0.005479 > 0,
    // Nov 30 (334 days) -> 10 - 10.980822 = -0.980822: first negative 2026-11-30, lowest at Dec 31:
    // 10 - 12 = -2.
    let text = format!(
        r#"{HEADER_MONTHLY_2026}
[[party]]
id = "lab"
kind = "lab"
opening_cash = 10.0
[[revenue]]
party = "lab"
run_rate = 12.0
growth = 0.0
opex_share = 2.0
"#
    );
    let r = run(&text);
    let lab = &r.summary.labs[0];
    assert_eq!(lab.first_negative_cash, Some(d(2026, 11, 30)));
    assert_eq!(lab.lowest_cash_date, d(2026, 12, 31));
    assert_close!(lab.lowest_cash, -2.0);
}

#[test]
fn ledger_balances_in_every_period() {
    for text in [MILESTONE_DEAL, CREDIT_DEAL, TAKE_OR_PAY] {
        let r = run(text);
        assert!(
            r.ledger
                .imbalance(r.model.parties.len(), r.model.grid.len())
                < 1e-9
        );
    }
}

#[test]
fn a_delayed_month_end_milestone_stays_on_the_month_end() {
    // funding-event in amazon-openai-2026 is expected 2027-06-30; 9 months later is
    // 2028-03-31 (a month end stays a month end), inside the 2028-12-31 deadline.
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/amazon-openai-2026.toml");
    let sets = vec![("milestone.funding-event.delay_months".to_string(), 9.0)];
    let r = Run::from_file(&path, &sets).unwrap();
    let t = r
        .summary
        .tranches
        .iter()
        .find(|t| t.milestone.as_deref() == Some("funding-event"))
        .unwrap();
    assert_eq!(t.paid, Some(d(2028, 3, 31)));
    // 21 months: 2029-03-31, after the deadline: never paid.
    let sets = vec![("milestone.funding-event.delay_months".to_string(), 21.0)];
    let r = Run::from_file(&path, &sets).unwrap();
    let t = r
        .summary
        .tranches
        .iter()
        .find(|t| t.milestone.as_deref() == Some("funding-event"))
        .unwrap();
    assert_eq!(t.paid, None);
}
