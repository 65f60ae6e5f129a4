//! The deal in words, generated from the model: who invests how much in whom
//! and when, the compute bought back, revenue shares, payments and the exit;
//! then what happened in this run, from the summary.

use chrono::NaiveDate;

use super::fmt::{and_list, date, money_prose, multiple, share, trimmed};
use crate::metrics::{Figure, Summary};
use crate::model::{
    Basis, Commitment, Condition, ExitValue, Growth, Investment, Model, Ramp, When, EXTERNAL,
};

/// The terms of the deal, one sentence per term, in the scenario's order of sections.
pub fn terms(m: &Model) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(m.investments.iter().map(|inv| investment(m, inv)));
    out.extend(commitments(m));
    out.extend(m.revenue_shares.iter().map(|rs| {
        let v = &m.params.values;
        let cap = rs.cap.map_or(", with no cap".to_string(), |c| {
            format!(", capped at {} in total", money_prose(c.of(v), &m.meta))
        });
        let before = rs.paid_to_date.of(v);
        let before = if before > 0.0 {
            format!(
                " ({} paid before the window counts toward the cap)",
                money_prose(before, &m.meta)
            )
        } else {
            String::new()
        };
        format!(
            "{} pays {} {} of its revenue from {} to {}{cap}{before}.",
            name(m, rs.payer),
            name(m, rs.payee),
            share(rs.rate.of(v)),
            date(rs.start),
            date(rs.end),
        )
    }));
    out.extend(m.payments.iter().map(|p| {
        let note = if p.note.trim().is_empty() {
            String::new()
        } else {
            format!(" ({})", p.note.trim())
        };
        let verb = if p.payer == EXTERNAL { "pay" } else { "pays" };
        format!(
            "{} {verb} {} {} on {}{note}.",
            capitalized(&name(m, p.payer)),
            name(m, p.payee),
            money_prose(p.amount.of(&m.params.values), &m.meta),
            date(p.date),
        )
    }));
    out.extend(m.revenues.iter().map(|r| revenue(m, r)));
    out.extend(m.exits.iter().map(|e| exit(m, e)));
    out
}

/// What this run shows, from the summary: round trips, lab cash, caps, tranches.
pub fn results(m: &Model, s: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    let money = |x: f64| money_prose(x, &m.meta);
    let by_id = |id: &str| {
        m.party_index(id)
            .map_or_else(|| id.to_string(), |i| name(m, i))
    };
    for r in &s.round_trips {
        let ratio = match (&r.ratio, &r.net_of_cost_of_serving) {
            (Figure::Value(g), Figure::Value(n)) => format!(
                ": a round trip of {} ({} after the cost of serving)",
                multiple(*g),
                multiple(*n)
            ),
            _ => String::new(),
        };
        out.push(format!(
            "{} invests {} in {} and earns {} of compute revenue from it in the window{ratio}.",
            by_id(&r.investor),
            money(r.invested),
            by_id(&r.investee),
            money(r.compute_revenue),
        ));
    }
    for lab in &s.labs {
        let who = by_id(&lab.id);
        out.push(match lab.first_negative_cash {
            Some(neg) => format!(
                "{who}'s cash turns negative on {} and bottoms at {} on {}: a funding gap of {} that the modelled deals do not cover.",
                date(neg),
                money(lab.lowest_cash),
                date(lab.lowest_cash_date),
                money(-lab.lowest_cash),
            ),
            None => format!(
                "{who}'s cash stays positive; its lowest point is {} on {}.",
                money(lab.lowest_cash),
                date(lab.lowest_cash_date),
            ),
        });
        if lab.committed_spend > 0.0 {
            let ratio = match lab.committed_to_revenue {
                Figure::Value(x) => format!(" ({} of it)", share(x)),
                Figure::Undefined { .. } => String::new(),
            };
            out.push(format!(
                "Its committed compute spend in the window is {} against {} of revenue{ratio}.",
                money(lab.committed_spend),
                money(lab.revenue),
            ));
        }
    }
    for rs in &s.revenue_shares {
        let what = format!(
            "The revenue share from {} to {}",
            by_id(&rs.payer),
            by_id(&rs.payee)
        );
        out.push(match (rs.cap, rs.cap_reached) {
            (Some(cap), Some(d)) => format!(
                "{what} reaches its {} cap on {}; it pays {} in the window.",
                money(cap),
                date(d),
                money(rs.paid_in_run)
            ),
            (Some(cap), None) => format!(
                "{what} pays {} in the window and does not reach its {} cap.",
                money(rs.paid_in_run),
                money(cap)
            ),
            (None, _) => format!("{what} pays {} in the window.", money(rs.paid_in_run)),
        });
    }
    let unpaid: Vec<String> = s
        .tranches
        .iter()
        .filter(|t| t.paid.is_none())
        .map(|t| format!("{} ({})", t.tranche, money(t.amount)))
        .collect();
    if !unpaid.is_empty() {
        out.push(format!(
            "Not paid in the window: tranche{} {}.",
            if unpaid.len() > 1 { "s" } else { "" },
            and_list(&unpaid)
        ));
    }
    for c in &s.credits {
        if c.lapsed > 0.0 || c.unused_at_horizon > 0.0 {
            out.push(format!(
                "Of the {} of credits in {}, {} lapse unused and {} are unused at the horizon.",
                money(c.granted),
                c.investment,
                money(c.lapsed),
                money(c.unused_at_horizon)
            ));
        }
    }
    out
}

/// A party's display name; `external` reads as "third parties".
fn name(m: &Model, i: usize) -> String {
    if i == EXTERNAL {
        "third parties".into()
    } else {
        m.parties
            .get(i)
            .map_or_else(String::new, |p| p.name.clone())
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn count_word(n: usize) -> String {
    const WORDS: [&str; 9] = [
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    n.checked_sub(2)
        .and_then(|i| WORDS.get(i))
        .map_or_else(|| n.to_string(), |w| w.to_string())
}

fn month(d: NaiveDate) -> String {
    d.format("%b %Y").to_string()
}

/// "Amazon invests up to $50B in OpenAI in two tranches: ...".
fn investment(m: &Model, inv: &Investment) -> String {
    let v = &m.params.values;
    let money = |x: f64| money_prose(x, &m.meta);
    let total: f64 = inv.tranches.iter().map(|t| t.amount.of(v)).sum();
    let conditional = inv
        .tranches
        .iter()
        .any(|t| matches!(t.when, When::Milestone(_)));
    let post: Vec<f64> = inv.tranches.iter().map(|t| t.post_money.of(v)).collect();
    let same_post = post.windows(2).all(|w| w[0] == w[1]);
    // (amount, when and at what valuation) per tranche.
    let items: Vec<(String, String)> = inv
        .tranches
        .iter()
        .map(|t| {
            let when = match t.when {
                When::Date(d) => format!("on {}", date(d)),
                When::Milestone(mi) => milestone(m, mi),
            };
            let at = if same_post {
                String::new()
            } else {
                format!(" at {} post-money", money(t.post_money.of(v)))
            };
            (money(t.amount.of(v)), format!("{when}{at}"))
        })
        .collect();
    let valuation = match post.first() {
        Some(p) if same_post => format!(", at a post-money valuation of {}", money(*p)),
        _ => String::new(),
    };
    let head = format!(
        "{} invests {}{} in {}",
        name(m, inv.investor),
        if conditional { "up to " } else { "" },
        money(total),
        name(m, inv.investee)
    );
    let mut s = match items.as_slice() {
        [(_, when)] => format!("{head} {when}{valuation}."),
        _ => {
            let listed: Vec<String> = items.iter().map(|(a, w)| format!("{a} {w}")).collect();
            format!(
                "{head} in {} tranches: {}{valuation}.",
                count_word(items.len()),
                and_list(&listed)
            )
        }
    };
    let credit = inv.credit_share.of(v);
    if credit > 0.0 {
        let until = inv
            .credit_expiry
            .map_or(String::new(), |d| format!(" until {}", date(d)));
        s.push_str(&format!(
            " {} of each tranche comes as {} compute credits rather than cash, usable only on {}'s spend with {}{until}.",
            capitalized(&share(credit)),
            name(m, inv.investor),
            name(m, inv.investee),
            name(m, inv.investor),
        ));
    }
    s
}

/// "when “Funding event” happens (expected 30 Jun 2027; lapses if not reached by 31 Dec 2028)".
fn milestone(m: &Model, mi: usize) -> String {
    let Some(ms) = m.milestones.get(mi) else {
        return "on a milestone".into();
    };
    let v = &m.params.values;
    let condition = match &ms.condition {
        Some(Condition::CumulativeSpend {
            buyer,
            provider,
            at_least,
        }) => format!(
            ", once {} has spent {} with {}",
            name(m, *buyer),
            money_prose(at_least.of(v), &m.meta),
            name(m, *provider)
        ),
        Some(Condition::RevenueRunRate { party, at_least }) => format!(
            ", once {}'s revenue run-rate reaches {} a year",
            name(m, *party),
            money_prose(at_least.of(v), &m.meta)
        ),
        None => String::new(),
    };
    let delay = ms.delay_months.of(v);
    let delay = if delay > 0.0 {
        format!(", delayed {} months", trimmed(delay, 0))
    } else {
        String::new()
    };
    let expected = if ms.condition.is_some() {
        "expected around"
    } else {
        "expected"
    };
    format!(
        "on the milestone \u{201c}{}\u{201d}{condition} ({expected} {}{delay}; lapses if not reached by {})",
        ms.name,
        date(ms.expected),
        date(ms.deadline)
    )
}

/// One sentence per buyer: what it commits to buy, from whom, over which years.
fn commitments(m: &Model) -> Vec<String> {
    let v = &m.params.values;
    let mut buyers: Vec<usize> = Vec::new();
    for c in &m.commitments {
        if !buyers.contains(&c.buyer) {
            buyers.push(c.buyer);
        }
    }
    buyers
        .into_iter()
        .map(|b| {
            let own: Vec<&Commitment> = m.commitments.iter().filter(|c| c.buyer == b).collect();
            let total: f64 = own.iter().map(|c| c.total.of(v)).sum();
            let terms: Vec<String> = own.iter().map(|c| payment_terms(m, c)).collect();
            // Terms shared by every contract are said once, at the end.
            let shared = terms.windows(2).all(|w| w[0] == w[1]);
            let items: Vec<String> = own
                .iter()
                .zip(&terms)
                .map(|(c, t)| {
                    let own_terms = if shared {
                        String::new()
                    } else {
                        format!(";{t}")
                    };
                    format!(
                        "{} from {} ({}{own_terms})",
                        money_prose(c.total.of(v), &m.meta),
                        name(m, c.provider),
                        span_and_ramp(m, c)
                    )
                })
                .collect();
            let tail = match terms.first() {
                Some(t) if shared && items.len() > 1 => format!("; in each{t}"),
                Some(t) if shared => format!(";{t}"),
                _ => String::new(),
            };
            match items.as_slice() {
                [one] => format!(
                    "{} commits to buy {}{tail}.",
                    name(m, b),
                    one.replacen(" from ", " of compute from ", 1)
                ),
                _ => format!(
                    "{} commits to buy {} of compute in {} contracts: {}{tail}.",
                    name(m, b),
                    money_prose(total, &m.meta),
                    count_word(items.len()),
                    items.join("; ")
                ),
            }
        })
        .collect()
}

/// "Nov 2025–Oct 2032, a yearly schedule of $2B, $5B, ...".
fn span_and_ramp(m: &Model, c: &Commitment) -> String {
    let v = &m.params.values;
    let ramp = match &c.ramp {
        Ramp::Flat => "spread evenly".to_string(),
        Ramp::Linear => "rising linearly from zero".to_string(),
        Ramp::FrontLoaded => "front-loaded".to_string(),
        Ramp::BackLoaded => "back-loaded".to_string(),
        Ramp::Schedule(shares) => {
            let total = c.total.of(v);
            let ys: Vec<String> = shares
                .iter()
                .map(|y| money_prose(y * total, &m.meta))
                .collect();
            format!("a yearly schedule of {}", ys.join(", "))
        }
    };
    format!("{}\u{2013}{}, {ramp}", month(c.start), month(c.end))
}

/// What the buyer owes: the full schedule, or its demand with a take-or-pay floor.
fn payment_terms(m: &Model, c: &Commitment) -> String {
    let v = &m.params.values;
    match c.demand_share {
        Some(d) => format!(
            " the buyer pays for its demand, set at {} of its revenue, but at least {} of the schedule",
            share(d.of(v)),
            share(c.take_or_pay.of(v))
        ),
        None => " the full schedule is owed".to_string(),
    }
}

fn revenue(m: &Model, r: &crate::model::Revenue) -> String {
    let v = &m.params.values;
    let money = |x: f64| money_prose(x, &m.meta);
    let growth = match &r.growth {
        Growth::Constant { rate } => format!("grows {} a year", share(rate.of(v))),
        Growth::Path { rates } => match (rates.first(), rates.last()) {
            (Some(a), Some(b)) if rates.len() > 1 => format!(
                "grows on a yearly path from {} to {} a year",
                share(a.of(v)),
                share(b.of(v))
            ),
            (Some(a), _) => format!("grows {} a year", share(a.of(v))),
            _ => "stays flat".to_string(),
        },
        Growth::SCurve { ceiling, .. } => {
            format!("follows an S-curve toward {} a year", money(ceiling.of(v)))
        }
    };
    let fixed = r.fixed_opex.of(v);
    let fixed = if fixed > 0.0 {
        format!(" plus {} a year", money(fixed))
    } else {
        String::new()
    };
    format!(
        "{}'s revenue starts at a run-rate of {} a year and {growth}; its other operating costs are {} of revenue{fixed}.",
        name(m, r.party),
        money(r.run_rate.of(v)),
        share(r.opex_share.of(v)),
    )
}

fn exit(m: &Model, e: &crate::model::Exit) -> String {
    let v = &m.params.values;
    let value = match e.value {
        ExitValue::Valuation(p) => format!("at {}", money_prose(p.of(v), &m.meta)),
        ExitValue::Multiple { multiple, basis } => {
            let basis = match basis {
                Basis::RunRate => "revenue run-rate",
                Basis::Ttm => "revenue over the last twelve months",
                Basis::LastPeriod => "last period's revenue, annualised",
            };
            format!("at {}x its {basis}", trimmed(multiple.of(v), 2))
        }
    };
    format!(
        "At the horizon ({}) {}'s equity is valued {value}, and each investor's stake counts at that value (its terminal value).",
        date(m.grid.end),
        name(m, e.company)
    )
}
