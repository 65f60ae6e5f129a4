//! The summary as JSON and as a table for the terminal.

use std::fmt::Write as _;

use crate::metrics::{Figure, Summary};

pub fn to_json(s: &Summary) -> String {
    let mut v = serde_json::to_value(s).unwrap_or_default();
    positive_zeros(&mut v);
    // Serializing plain data into a String cannot fail.
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// Writes -0.0 (an empty f64 sum) as 0.0, which is what a reader expects.
fn positive_zeros(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n)
            if n.as_f64() == Some(0.0) && n.to_string().starts_with('-') =>
        {
            *v = serde_json::json!(0.0);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(positive_zeros),
        serde_json::Value::Object(o) => o.values_mut().for_each(positive_zeros),
        _ => {}
    }
}

fn money(x: f64) -> String {
    let s = format!("{:.1}", x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "0"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let neg = x < 0.0 && s != "0.0";
    format!("{}{grouped}.{frac}", if neg { "-" } else { "" })
}

fn pct(f: &Figure) -> String {
    match f {
        Figure::Value(v) => format!("{:.1}%", v * 100.0),
        Figure::Undefined { .. } => "undefined".into(),
    }
}

fn multiple(f: &Figure) -> String {
    match f {
        // `+ 0.0` turns -0.0 into 0.0, so nothing prints as "-0.00x".
        Figure::Value(v) => format!("{:.2}x", v + 0.0),
        Figure::Undefined { .. } => "-".into(),
    }
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "-".into(), |d| d.to_string())
}

/// A readable report of the main figures, in the scenario's unit.
pub fn to_text(s: &Summary) -> String {
    let mut o = String::new();
    let u = &s.unit;
    let _ = writeln!(
        o,
        "{}  ({} .. {}, {}ly, {u}, NPV at {:.1}%)",
        s.scenario,
        s.start,
        s.end,
        s.period,
        s.discount_rate * 100.0
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<14} {:<19} {:>10} {:>10} {:>10} {:>10} {:>9} {:>7}",
        "party", "role", "paid", "received", "net", "NPV", "IRR", "MOIC"
    );
    for p in &s.parties {
        let npv = p.npv.value().map_or_else(|| "undefined".to_string(), money);
        let _ = writeln!(
            o,
            "{:<14} {:<19} {:>10} {:>10} {:>10} {:>10} {:>9} {:>7}",
            truncate(&p.id, 14),
            p.role,
            money(p.paid),
            money(p.received),
            money(p.net),
            npv,
            pct(&p.irr),
            multiple(&p.moic),
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<14} {:>13} {:>11} {:>15} {:>18}",
        "party", "peak exposure", "on", "payback (cash)", "payback (with TV)"
    );
    for p in &s.parties {
        let _ = writeln!(
            o,
            "{:<14} {:>13} {:>11} {:>15} {:>18}",
            truncate(&p.id, 14),
            money(p.peak_exposure),
            date(p.peak_exposure_date),
            date(p.cash_payback_date),
            date(p.payback_date),
        );
    }
    let _ = writeln!(o);
    if s.parties
        .iter()
        .any(|p| p.role != "investor" && p.role != "investor & provider")
    {
        let _ = writeln!(
            o,
            "  IRR, MOIC and payback of a lab, provider or other party cover all its flows in the scenario, not an investment."
        );
    }
    if s.parties.iter().any(|p| p.terminal_value > 0.0) {
        let _ = writeln!(
            o,
            "  Net, NPV, IRR, MOIC and payback (with TV) count equity stakes at their horizon value (terminal value)."
        );
    }
    let undefined: Vec<_> = s
        .parties
        .iter()
        .filter_map(|p| match &p.irr {
            Figure::Undefined { undefined } => {
                Some(format!("  {}: IRR undefined: {undefined}", p.id))
            }
            Figure::Value(_) if p.irr_several_possible => Some(format!(
                "  {}: flows change sign several times; the lowest IRR is shown",
                p.id
            )),
            _ => None,
        })
        .collect();
    for line in undefined {
        let _ = writeln!(o, "{line}");
    }
    for lab in &s.labs {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "lab {}: lowest cash {} {u} on {}; cash first negative: {}; committed spend {} vs revenue {} {u} ({})",
            lab.id,
            money(lab.lowest_cash),
            lab.lowest_cash_date,
            date(lab.first_negative_cash),
            money(lab.committed_spend),
            money(lab.revenue),
            multiple(&lab.committed_to_revenue),
        );
    }
    if !s.round_trips.is_empty() {
        let _ = writeln!(o);
        for r in &s.round_trips {
            let _ = writeln!(
                o,
                "round trip {} -> {}: invested {} {u}, compute revenue back {} {u}: {} ({} net of cost of serving)",
                r.investor,
                r.investee,
                money(r.invested),
                money(r.compute_revenue),
                multiple(&r.ratio),
                multiple(&r.net_of_cost_of_serving),
            );
        }
    }
    for rs in &s.revenue_shares {
        let cap = rs
            .cap
            .map_or("no cap".into(), |c| format!("cap {} {u}", money(c)));
        let reached = rs
            .cap_reached
            .map_or("not reached".into(), |d| format!("reached {d}"));
        let _ = writeln!(
            o,
            "revenue share {} ({} -> {}): paid {} {u} in the run; {cap}, {reached}",
            rs.id,
            rs.payer,
            rs.payee,
            money(rs.paid_in_run)
        );
    }
    if !s.tranches.is_empty() {
        let _ = writeln!(o);
        for t in &s.tranches {
            let status = match (t.paid, t.deadline) {
                (Some(d), _) => format!("paid {d}"),
                (None, Some(dl)) => format!("not paid (deadline {dl})"),
                (None, None) => "not paid in the window".into(),
            };
            let _ = writeln!(
                o,
                "tranche {}/{}: {} {u} {} -> {}: {status}",
                t.investment,
                t.tranche,
                money(t.amount),
                t.investor,
                t.investee
            );
        }
    }
    for c in &s.credits {
        let _ = writeln!(
            o,
            "credits {}: granted {}, drawn {}, lapsed {}, unused at horizon {} {u}",
            c.investment,
            money(c.granted),
            money(c.drawn),
            money(c.lapsed),
            money(c.unused_at_horizon)
        );
    }
    o
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_groups_thousands_and_keeps_one_decimal() {
        assert_eq!(money(1234567.89), "1,234,567.9");
        assert_eq!(money(-38.0), "-38.0");
        assert_eq!(money(-0.01), "0.0");
    }
}
