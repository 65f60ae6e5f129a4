//! Invariants on randomly generated valid scenarios (proptest).
//!
//! Each case draws a seed, builds a deal from it (a lab with revenue, providers,
//! investors, tranches on dates and milestones, credits, commitments with every
//! ramp, revenue shares with caps, an exit), writes it as TOML and runs it
//! through the whole pipeline. A second seed shuffles the order of parties and
//! deals in the file. Case counts are bounded so the suite stays fast; set
//! `PROPTEST_CASES` for a longer hunt.

use std::collections::HashMap;
use std::fmt::Write;

use dealsim::engine::FlowKind;
use dealsim::metrics::{irr, Figure};
use dealsim::Run;
use proptest::prelude::*;

/// A small deterministic generator (SplitMix64) driven by the case's seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        // Rounded to 2 decimals, as people write them.
        ((lo + (hi - lo) * self.unit()) * 100.0).round() / 100.0
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn date(&mut self, from_year: i32, years: u64) -> String {
        let y = from_year + self.below(years) as i32;
        let m = 1 + self.below(12);
        let d = 1 + self.below(28);
        format!("{y}-{m:02}-{d:02}")
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

/// A random valid scenario as TOML, its sections' entries in an order set by `order`.
mod common;

fn scenario(seed: u64, order: u64) -> String {
    let mut g = Gen(seed);
    let period = ["month", "quarter", "year"][g.below(3) as usize];
    let start_year = 2025 + g.below(3) as i32;
    let years = 1 + g.below(8) as i32;
    let (start, end) = (
        format!("{start_year}-01-01"),
        format!("{}-12-31", start_year + years - 1),
    );
    let mut head = format!(
        "[scenario]\nname = \"prop {seed}\"\nstart = {start}\nend = {end}\nperiod = \"{period}\"\ndiscount_rate = {}\n",
        g.range(0.0, 0.2)
    );

    let mut parties = vec![format!(
        "[[party]]\nid = \"lab\"\nkind = \"lab\"\nopening_cash = {}\n",
        g.range(-5.0, 50.0)
    )];
    let providers: Vec<String> = (0..1 + g.below(3)).map(|i| format!("p{i}")).collect();
    for p in &providers {
        parties.push(format!(
            "[[party]]\nid = \"{p}\"\ngross_margin = {}\n",
            g.range(0.0, 0.9)
        ));
    }
    let investors: Vec<String> = (0..g.below(3)).map(|i| format!("i{i}")).collect();
    for p in &investors {
        parties.push(format!("[[party]]\nid = \"{p}\"\nkind = \"investor\"\n"));
    }

    let mut revenue = format!(
        "[[revenue]]\nparty = \"lab\"\nrun_rate = {}\n",
        g.range(1.0, 40.0)
    );
    match g.below(3) {
        0 => writeln!(revenue, "growth = {}", g.range(-0.3, 1.5)).unwrap(),
        1 => {
            let n = years as usize + 1;
            let rates: Vec<String> = (0..n).map(|_| format!("{}", g.range(-0.2, 1.2))).collect();
            writeln!(revenue, "growth_path = [{}]", rates.join(", ")).unwrap();
        }
        _ => writeln!(
            revenue,
            "ceiling = {}\nsteepness = {}",
            g.range(60.0, 500.0),
            g.range(0.2, 2.0)
        )
        .unwrap(),
    }
    writeln!(
        revenue,
        "opex_share = {}\nfixed_opex = {}",
        g.range(0.0, 1.5),
        g.range(0.0, 5.0)
    )
    .unwrap();

    let mut milestones = Vec::new();
    for k in 0..g.below(3) {
        let expected = g.date(start_year, years as u64 + 1);
        let mut m = format!(
            "[[milestone]]\nid = \"m{k}\"\nexpected = {expected}\ndeadline = {}-12-31\n",
            start_year + years
        );
        if g.chance(0.5) {
            if g.chance(0.5) {
                writeln!(
                    m,
                    "condition = {{ kind = \"revenue_run_rate\", party = \"lab\", at_least = {} }}",
                    g.range(1.0, 200.0)
                )
                .unwrap();
            } else {
                let p = &providers[g.below(providers.len() as u64) as usize];
                writeln!(m, "condition = {{ kind = \"cumulative_spend\", buyer = \"lab\", provider = \"{p}\", at_least = {} }}", g.range(0.0, 50.0)).unwrap();
            }
        }
        milestones.push(m);
    }

    // Investors and providers invest; providers' credits can be drawn.
    let mut investments = Vec::new();
    for (k, who) in investors.iter().chain(providers.iter().take(1)).enumerate() {
        let mut inv = format!(
            "[[investment]]\nid = \"inv{k}\"\ninvestor = \"{who}\"\ninvestee = \"lab\"\npost_money = {}\n",
            g.range(50.0, 1000.0)
        );
        if who.starts_with('p') && g.chance(0.7) {
            writeln!(
                inv,
                "credit_share = {}\ncredit_expiry = {}-12-31",
                g.range(0.0, 0.8),
                start_year + years + g.below(2) as i32
            )
            .unwrap();
        }
        let mut total = 0.0;
        let mut tranches = String::new();
        for t in 0..1 + g.below(3) {
            let amount = g.range(0.0, 30.0);
            total += amount;
            write!(
                tranches,
                "[[investment.tranche]]\nid = \"t{t}\"\namount = {amount}\n"
            )
            .unwrap();
            if !milestones.is_empty() && g.chance(0.5) {
                writeln!(
                    tranches,
                    "milestone = \"m{}\"",
                    g.below(milestones.len() as u64)
                )
                .unwrap();
            } else {
                // Grants must come before the credit expiry; keep dates inside the window.
                writeln!(tranches, "date = {}", g.date(start_year, years as u64)).unwrap();
            }
        }
        if g.chance(0.5) {
            writeln!(inv, "total = {total}").unwrap();
        }
        inv.push_str(&tranches);
        investments.push(inv);
    }

    let mut commitments = Vec::new();
    for k in 0..g.below(4) {
        let p = &providers[g.below(providers.len() as u64) as usize];
        let ramp = ["flat", "linear", "front_loaded", "back_loaded"][g.below(4) as usize];
        let mut c = format!(
            "[[commitment]]\nid = \"c{k}\"\nbuyer = \"lab\"\nprovider = \"{p}\"\ntotal = {}\nstart = {}\nend = {}\nramp = \"{ramp}\"\n",
            g.range(0.0, 100.0),
            g.date(start_year - 1, years as u64),
            g.date(start_year + years, 3),
        );
        if g.chance(0.5) {
            writeln!(
                c,
                "take_or_pay = {}\ndemand_share = {}",
                g.range(0.0, 1.0),
                g.range(0.0, 1.0)
            )
            .unwrap();
        }
        commitments.push(c);
    }

    let mut shares = Vec::new();
    if g.chance(0.7) {
        let p = &providers[0];
        let mut s = format!(
            "[[revenue_share]]\nid = \"rs\"\npayer = \"lab\"\npayee = \"{p}\"\nrate = {}\nstart = {}\nend = {}\n",
            g.range(0.0, 0.5),
            g.date(start_year, years as u64),
            g.date(start_year, years as u64 + 2),
        );
        if g.chance(0.7) {
            let paid = g.range(0.0, 5.0);
            writeln!(
                s,
                "cap = {}\npaid_to_date = {paid}",
                paid + g.range(0.0, 40.0)
            )
            .unwrap();
        }
        // The window may end before it starts; keep it valid.
        if let (Some(a), Some(b)) = (s.find("start = "), s.find("end = ")) {
            let sd = s[a + 8..a + 18].to_string();
            let ed = s[b + 6..b + 16].to_string();
            if ed < sd {
                s = s.replace(&format!("end = {ed}"), &format!("end = {sd}"));
            }
        }
        shares.push(s);
    }

    let exit = if g.chance(0.5) {
        format!(
            "[[exit]]\ncompany = \"lab\"\nvaluation = {}\n",
            g.range(0.0, 2000.0)
        )
    } else {
        let basis = ["run_rate", "ttm", "last_period"][g.below(3) as usize];
        format!(
            "[[exit]]\ncompany = \"lab\"\nrevenue_multiple = {}\nbasis = \"{basis}\"\n",
            g.range(0.0, 20.0)
        )
    };

    // The permutation: the same deal, written in another order.
    let mut o = Gen(order);
    for v in [
        &mut parties,
        &mut milestones,
        &mut investments,
        &mut commitments,
        &mut shares,
    ] {
        o.shuffle(v);
    }
    for block in parties
        .iter()
        .chain([&revenue])
        .chain(&milestones)
        .chain(&investments)
        .chain(&commitments)
        .chain(&shares)
        .chain([&exit])
    {
        head.push('\n');
        head.push_str(block);
    }
    head
}

fn run(text: &str) -> Run {
    match Run::from_text("prop.toml", text, &[]) {
        Ok(r) => r,
        Err(dealsim::Error::Scenario(r)) => panic!(
            "generated an invalid scenario:\n{}\n{text}",
            r.render(false)
        ),
        Err(e) => panic!("{e}\n{text}"),
    }
}

fn scale(r: &Run) -> f64 {
    r.ledger.flows.iter().map(|f| f.amount).fold(1.0, f64::max)
}

fn pair_total(r: &Run, kinds: &[FlowKind], payer: usize, payee: usize) -> f64 {
    r.ledger
        .flows
        .iter()
        .filter(|f| {
            kinds.contains(&f.kind) && f.payer as usize == payer && f.payee as usize == payee
        })
        .map(|f| f.amount)
        .sum()
}

fn check_invariants(r: &Run, text: &str) {
    let m = &r.model;
    let tol = 1e-9 * scale(r);
    // The ledger balances in every period.
    assert!(
        r.ledger.imbalance(m.parties.len(), m.grid.len()) <= tol,
        "imbalance\n{text}"
    );
    // Every flow is positive and finite, between two different parties.
    for f in &r.ledger.flows {
        assert!(
            f.amount.is_finite() && f.amount > 0.0 && f.payer != f.payee,
            "{f:?}\n{text}"
        );
    }
    // Revenue shares never exceed their cap (paid_to_date included).
    for (i, rs) in m.revenue_shares.iter().enumerate() {
        if let Some(cap) = rs.cap {
            assert!(
                r.outcome.share_paid[i] <= cap.of(&m.params.values) + tol,
                "cap exceeded\n{text}"
            );
        }
    }
    for (i, inv) in m.investments.iter().enumerate() {
        // Tranches paid never exceed the investment; cash plus credits is what was paid.
        let paid: f64 = r
            .summary
            .tranches
            .iter()
            .filter(|t| t.investment == inv.id && t.paid.is_some())
            .map(|t| t.amount)
            .sum();
        let offered: f64 = inv
            .tranches
            .iter()
            .map(|t| t.amount.of(&m.params.values))
            .sum();
        assert!(paid <= offered + tol, "{text}");
        let cash = pair_total(r, &[FlowKind::Tranche], inv.investor, inv.investee);
        let granted = r.outcome.credits_granted[i];
        if m.investments
            .iter()
            .filter(|o| (o.investor, o.investee) == (inv.investor, inv.investee))
            .count()
            == 1
        {
            assert!(
                (cash + granted - paid).abs() <= tol,
                "cash {cash} + credits {granted} != paid {paid}\n{text}"
            );
        }
        // Credits drawn never exceed credits granted; nothing is lost.
        let (drawn, lapsed, unused) = (
            r.outcome.credits_drawn[i],
            r.outcome.credits_lapsed[i],
            r.outcome.credits_unused[i],
        );
        assert!(drawn <= granted + tol, "{text}");
        assert!(
            (granted - drawn - lapsed - unused).abs() <= tol,
            "credits do not add up\n{text}"
        );
    }
    // The round trip is what the ledger says.
    for rt in &r.summary.round_trips {
        let (x, y) = (
            m.party_index(&rt.investor).unwrap(),
            m.party_index(&rt.investee).unwrap(),
        );
        let invested = pair_total(r, &[FlowKind::Tranche, FlowKind::Credit], x, y);
        let compute = pair_total(r, &[FlowKind::Compute], y, x);
        assert!(
            (rt.invested - invested).abs() <= tol && (rt.compute_revenue - compute).abs() <= tol,
            "{text}"
        );
        if let Figure::Value(v) = rt.ratio {
            assert!(
                (v - compute / invested).abs() <= 1e-9 * v.abs().max(1.0),
                "{text}"
            );
        }
    }
    // NPV at the IRR is zero, and no figure is NaN or infinite.
    for p in &r.summary.parties {
        for f in [
            p.paid,
            p.received,
            p.net,
            p.peak_exposure,
            p.closing_cash,
            p.terminal_value,
            p.invested,
        ] {
            assert!(f.is_finite(), "{} has a non-finite figure\n{text}", p.id);
        }
        // Below -99.99% (a near-total loss, from the two-flow closed form) 1+r has
        // lost its digits in f64 and NPV at the rate cannot be checked this way.
        if let Some(rate) = p.irr.value().filter(|r| *r > irr::MIN_RATE) {
            let pi = m.party_index(&p.id).unwrap();
            let flows: Vec<_> = r
                .ledger
                .flows
                .iter()
                .filter_map(|f| match (f.payee as usize == pi, f.payer as usize == pi) {
                    (true, _) => Some((f.date, f.amount)),
                    (_, true) => Some((f.date, -f.amount)),
                    _ => None,
                })
                .collect();
            let base = flows.iter().map(|x| x.0).min().unwrap();
            let npv = irr::xnpv(rate, &flows, base).unwrap();
            // Relative to the discounted terms themselves: near -100% they are huge.
            let abs: Vec<_> = flows.iter().map(|(d, a)| (*d, a.abs())).collect();
            let size = irr::xnpv(rate, &abs, base).unwrap();
            assert!(
                npv.abs() <= 1e-8 * size.max(1.0),
                "{}: NPV at IRR {rate} is {npv} of {size}\n{text}",
                p.id
            );
        }
    }
}

/// The per-party figures that must not depend on the order of the file.
fn fingerprint(r: &Run) -> HashMap<String, Vec<f64>> {
    r.summary
        .parties
        .iter()
        .map(|p| {
            let fig = |f: &Figure| f.value().unwrap_or(f64::NAN);
            (
                p.id.clone(),
                vec![
                    p.paid,
                    p.received,
                    p.net,
                    fig(&p.npv),
                    fig(&p.irr),
                    p.peak_exposure,
                    p.closing_cash,
                ],
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn invariants_hold_on_random_deals(seed in any::<u64>(), order in any::<u64>()) {
        let text = scenario(seed, order);
        check_invariants(&run(&text), &text);
    }

    #[test]
    fn a_stress_path_agrees_with_the_full_run(seed in any::<u64>()) {
        use dealsim::stress::metric::{Measure, Metric};
        let r = run(&scenario(seed, 0));
        let metrics: Vec<Metric> = r
            .model
            .deal_parties()
            .flat_map(|(party, _)| Measure::ALL.map(|measure| Metric { party, measure }))
            .collect();
        let mut ev = dealsim::stress::path::Evaluator::new(&r.model, &r.plan, &metrics);
        ev.eval(&r.model.params.values);
        for (k, m) in metrics.iter().enumerate() {
            let Some(want) = m.in_summary(&r.model, &r.summary) else { continue };
            let got = ev.value(k);
            prop_assert_eq!(got.is_some(), want.is_some(), "{}: {:?} vs {:?}", m.name(&r.model), got, want);
            if let (Some(a), Some(b)) = (got, want) {
                prop_assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{}: {} vs {}", m.name(&r.model), a, b);
            }
        }
    }

    #[test]
    fn a_block_of_paths_agrees_with_the_scalar_evaluator(seed in any::<u64>(), moves in any::<u64>()) {
        // Eight variants of a random deal (every parameter moved) evaluated
        // together give what each gives alone.
        let r = run(&scenario(seed, 0));
        let lanes = common::perturbed_lanes(&r, moves);
        if let Err(e) = common::block_matches_scalar(&r, &lanes) {
            prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn results_do_not_depend_on_the_order_of_the_file(seed in any::<u64>(), order in any::<u64>()) {
        let a = run(&scenario(seed, 0));
        let b = run(&scenario(seed, order));
        let (fa, fb) = (fingerprint(&a), fingerprint(&b));
        prop_assert_eq!(fa.len(), fb.len());
        for (id, va) in &fa {
            let vb = &fb[id];
            for (x, y) in va.iter().zip(vb) {
                let same = (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-9 * x.abs().max(1.0);
                prop_assert!(same, "{}: {:?} vs {:?}", id, va, vb);
            }
        }
    }
}

proptest! {
    // Cheap cases: many of them.
    #![proptest_config(ProptestConfig { cases: 1000, .. ProptestConfig::default() })]

    #[test]
    fn the_lane_irr_solver_agrees_with_xirr_days(seed in any::<u64>()) {
        // A block of random flow sets on one grid of dates: investments, returns,
        // zeros, extra sign changes and flows inside periods. Each lane's
        // IRR (or why there is none) must be what the reference solver says.
        use dealsim::engine::block::LANES;
        use dealsim::metrics::irr::xirr_days;
        use dealsim::metrics::lanes::LaneIrr;
        let mut rng = Gen(seed);
        let n = 2 + rng.below(40) as usize;
        let monthly = rng.chance(0.6);
        let mut day_end = Vec::with_capacity(n);
        let mut day = rng.below(40) as i32;
        for _ in 0..n {
            day += if monthly { 28 + rng.below(4) as i32 } else { 1 + rng.below(400) as i32 };
            day_end.push(day);
        }
        let mut flows = vec![[0.0; LANES]; n];
        let mut inside: Vec<Vec<(u32, i32, f64)>> = vec![Vec::new(); LANES];
        for l in 0..LANES {
            let invest_until = rng.below(n as u64) as usize;
            for (p, f) in flows.iter_mut().enumerate() {
                let mut a = if p <= invest_until { -rng.range(0.0, 100.0) } else { rng.range(0.0, 60.0) };
                if rng.chance(0.15) { a = -a; }
                if rng.chance(0.1) { a = 0.0; }
                f[l] = a;
            }
            for p in 0..n {
                let prev = if p == 0 { day_end[0] - 28 } else { day_end[p - 1] };
                if rng.chance(0.08) && day_end[p] - prev > 1 {
                    let d = prev + 1 + rng.below((day_end[p] - prev - 1) as u64) as i32;
                    inside[l].push((p as u32, d, -rng.range(0.0, 80.0)));
                }
            }
        }
        let guess = if rng.chance(0.8) { Some(rng.range(-0.5, 2.0)) } else { None };
        let mut solver = LaneIrr::new(day_end.clone());
        let found = solver.solve(&flows, |l| &inside[l], guess);
        for l in 0..LANES {
            let (mut days, mut amounts) = (Vec::new(), Vec::new());
            for p in 0..n {
                for &(q, d, a) in &inside[l] {
                    if q as usize == p { days.push(d); amounts.push(a); }
                }
                if flows[p][l] != 0.0 { days.push(day_end[p]); amounts.push(flows[p][l]); }
            }
            let want = xirr_days(&days, &amounts, guess).map(|r| r.rate);
            match (found[l], want) {
                (Ok(a), Ok(b)) => prop_assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "lane {}: {} vs {} on {:?} {:?}", l, a, b, days, amounts),
                (Err(a), Err(b)) => prop_assert_eq!(a.code(), b.code()),
                (a, b) => prop_assert!(false, "lane {}: {:?} vs {:?} on {:?} {:?}", l, a, b, days, amounts),
            }
        }
    }
}
