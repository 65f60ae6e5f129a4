//! Validation: [`ScenarioFile`] in, [`Model`] or every problem found out.
//!
//! The checks run in one pass and collect diagnostics instead of returning at
//! the first, so a user fixes a file in one round. Each diagnostic carries the
//! span of the offending value, the field's address and a hint.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::grid::{Grid, PeriodKind};
use super::params::{Params, Range};
use super::*;
use crate::diagnostic::{Diagnostic, Report, SourceFile};
use crate::scenario::file::{self, S};
use crate::suggest::did_you_mean;

/// Relative tolerance when tranches must add up to a stated total.
const SUM_TOLERANCE: f64 = 1e-9;

/// Validates a parsed scenario. Warnings are returned alongside the model.
pub fn build(file: &Arc<SourceFile>, raw: &ScenarioFile) -> Result<(Model, Report), Report> {
    let mut b = Builder {
        diags: Vec::new(),
        params: Params::default(),
    };
    let model = b.model(raw);
    let report = Report {
        file: Arc::clone(file),
        diagnostics: b.diags,
    };
    match model {
        Some(m) if !report.has_errors() => Ok((m, report)),
        _ => Err(report),
    }
}

use crate::scenario::ScenarioFile;

struct Builder {
    diags: Vec<Diagnostic>,
    params: Params,
}

/// Ids of one kind, for resolving references with a did-you-mean.
struct Ids {
    what: &'static str,
    index: HashMap<String, usize>,
    names: Vec<String>,
}

impl Ids {
    fn new(what: &'static str) -> Ids {
        Ids {
            what,
            index: HashMap::new(),
            names: Vec::new(),
        }
    }
}

impl Builder {
    fn err(
        &mut self,
        field: impl Into<String>,
        span: std::ops::Range<usize>,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::error(field, non_empty(span), msg));
        self.diags.last_mut().expect("just pushed")
    }

    fn warn(
        &mut self,
        field: impl Into<String>,
        span: std::ops::Range<usize>,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::warning(field, non_empty(span), msg));
        self.diags.last_mut().expect("just pushed")
    }

    /// Registers a numeric input and checks its range.
    fn num(&mut self, address: String, v: &S<f64>, range: Range) -> P {
        if let Err(e) = range.check(*v.get_ref()) {
            let hint = range_hint(&address);
            let d = self.err(address.clone(), v.span(), format!("`{address}` {e}"));
            if let Some(h) = hint {
                d.hint = Some(h.to_string());
            }
        }
        self.params
            .add(address, *v.get_ref(), non_empty(v.span()), range)
    }

    /// Registers an optional numeric input, `default` when absent.
    fn num_or(&mut self, address: String, v: &Option<S<f64>>, default: f64, range: Range) -> P {
        match v {
            Some(v) => self.num(address, v, range),
            None => self.params.add(address, default, None, range),
        }
    }

    fn declare(&mut self, ids: &mut Ids, field: String, id: &S<String>) -> bool {
        let name = id.get_ref();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.err(
                field,
                id.span(),
                format!(
                    "{} id `{name}` must be letters, digits, `-` or `_`",
                    ids.what
                ),
            )
            .hint = Some(
                "ids appear in addresses like `commitment.<id>.total` and in file names".into(),
            );
            return false;
        }
        if ids.index.contains_key(name) {
            self.err(
                field,
                id.span(),
                format!("{} `{name}` is declared twice", ids.what),
            )
            .hint = Some("give each one its own id".into());
            return false;
        }
        ids.index.insert(name.clone(), ids.names.len());
        ids.names.push(name.clone());
        true
    }

    fn resolve(&mut self, ids: &Ids, field: String, r: &S<String>) -> Option<usize> {
        let name = r.get_ref();
        if let Some(&i) = ids.index.get(name) {
            return Some(i);
        }
        let hint = match did_you_mean(name, ids.names.iter().map(String::as_str)) {
            Some(best) => format!("did you mean `{best}`? declared: {}", ids.names.join(", ")),
            None if ids.names.is_empty() => format!("no {} is declared", ids.what),
            None => format!("declared: {}", ids.names.join(", ")),
        };
        self.err(field, r.span(), format!("unknown {} `{name}`", ids.what))
            .hint = Some(hint);
        None
    }

    fn model(&mut self, raw: &ScenarioFile) -> Option<Model> {
        let h = raw.scenario.get_ref();
        let start = h.start.get_ref().0;
        let end = h.end.get_ref().0;
        let mut ok = true;
        if end < start {
            self.err(
                "scenario.end",
                h.end.span(),
                format!("scenario ends ({end}) before it starts ({start})"),
            )
            .hint =
                Some("`end` is the last day of the horizon and must be on or after `start`".into());
            ok = false;
        }
        let kind = match h.period.get_ref().as_str() {
            "month" => PeriodKind::Month,
            "quarter" => PeriodKind::Quarter,
            "year" => PeriodKind::Year,
            other => {
                self.bad_choice(
                    "scenario.period",
                    &h.period,
                    other,
                    &["month", "quarter", "year"],
                );
                PeriodKind::Month
            }
        };
        if ok && (end - start).num_days() > 366 * 200 {
            self.err(
                "scenario.end",
                h.end.span(),
                "the horizon is longer than 200 years",
            )
            .hint = Some("dealsim models deals over years or decades".into());
            ok = false;
        }
        let unit = match h.unit.get_ref().as_str() {
            "ones" => Unit::Ones,
            "thousands" => Unit::Thousands,
            "millions" => Unit::Millions,
            "billions" => Unit::Billions,
            other => {
                self.bad_choice(
                    "scenario.unit",
                    &h.unit,
                    other,
                    &["ones", "thousands", "millions", "billions"],
                );
                Unit::Billions
            }
        };
        let currency = h.currency.get_ref().clone();
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
            self.err(
                "scenario.currency",
                h.currency.span(),
                format!("currency `{currency}` is not an ISO code"),
            )
            .hint = Some("write a three-letter code such as USD, EUR or GBP".into());
        }
        if h.name.get_ref().trim().is_empty() {
            self.err("scenario.name", h.name.span(), "the scenario name is empty");
        }
        let discount_rate = self.num(
            "scenario.discount_rate".into(),
            &h.discount_rate,
            Range::Rate,
        );
        let grid = if ok {
            Grid::new(start, end, kind)
        } else {
            Grid::new(start, start, kind)
        };
        let window = (start, end);

        // Parties.
        let mut party_ids = Ids::new("party");
        party_ids.index.insert("external".into(), 0);
        party_ids.names.push("external".into());
        let ext_cash = self
            .params
            .add("party.external.opening_cash", 0.0, None, Range::Any);
        let mut parties = vec![Party {
            id: "external".into(),
            name: "External".into(),
            kind: PartyKind::External,
            opening_cash: ext_cash,
            gross_margin: None,
        }];
        for p in &raw.parties {
            let p = p.get_ref();
            if p.id.get_ref() == "external" {
                self.err("party.id", p.id.span(), "`external` is built in and must not be declared").hint =
                    Some("flows to or from customers and third parties use `external` without declaring it".into());
                continue;
            }
            if !self.declare(&mut party_ids, "party.id".into(), &p.id) {
                continue;
            }
            let id = p.id.get_ref().clone();
            let kind = match p.kind.as_ref().map(|k| (k, k.get_ref().as_str())) {
                None => PartyKind::Other,
                Some((_, "lab")) => PartyKind::Lab,
                Some((_, "provider")) => PartyKind::Provider,
                Some((_, "investor")) => PartyKind::Investor,
                Some((_, "other")) => PartyKind::Other,
                Some((k, other)) => {
                    self.bad_choice(
                        &format!("party.{id}.kind"),
                        k,
                        other,
                        &["lab", "provider", "investor", "other"],
                    );
                    PartyKind::Other
                }
            };
            let opening_cash = self.num_or(
                format!("party.{id}.opening_cash"),
                &p.opening_cash,
                0.0,
                Range::Any,
            );
            let gross_margin = p
                .gross_margin
                .as_ref()
                .map(|g| self.num(format!("party.{id}.gross_margin"), g, Range::Margin));
            parties.push(Party {
                name: p.name.clone().unwrap_or_else(|| id.clone()),
                id,
                kind,
                opening_cash,
                gross_margin,
            });
        }
        // Ids that failed to declare are absent; map ids to the party vector's index.
        let party_ix: HashMap<String, usize> = parties
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        party_ids.index = party_ix;

        // Revenue.
        let mut revenues = Vec::new();
        let mut has_revenue = HashMap::new();
        for r in &raw.revenues {
            let r = r.get_ref();
            let Some(party) = self.resolve(&party_ids, "revenue.party".into(), &r.party) else {
                continue;
            };
            if party == EXTERNAL {
                self.err(
                    "revenue.party",
                    r.party.span(),
                    "`external` cannot have modelled revenue",
                );
                continue;
            }
            if has_revenue.insert(party, ()).is_some() {
                self.err(
                    "revenue.party",
                    r.party.span(),
                    format!("party `{}` has two [[revenue]] sections", r.party.get_ref()),
                )
                .hint = Some("merge them: one revenue line per party".into());
                continue;
            }
            let pid = r.party.get_ref().clone();
            let a = |f: &str| format!("revenue.{pid}.{f}");
            let run_rate = self.num(a("run_rate"), &r.run_rate, Range::NonNegative);
            let modes = [
                r.growth.is_some() && r.ceiling.is_none(),
                r.growth_path.is_some(),
                r.ceiling.is_some(),
            ];
            let growth = match modes {
                [true, false, false] => Growth::Constant {
                    rate: self.num(a("growth"), r.growth.as_ref()?, Range::Rate),
                },
                [false, true, false] => {
                    let path = r.growth_path.as_ref()?;
                    // Scenario years are 365 days; leap days past the last whole
                    // year run on the last rate, so they need no entry of their own.
                    let needed =
                        (((end - start).num_days()) as f64 / 365.25).ceil().max(1.0) as usize;
                    if path.get_ref().len() < needed {
                        self.err(a("growth_path"), path.span(), format!(
                            "growth_path has {} yearly rates but the horizon spans {needed} scenario years",
                            path.get_ref().len()
                        ))
                        .hint = Some(format!("give one rate per scenario year, {needed} in all (repeat the last rate to hold it)"));
                    }
                    let rates = path
                        .get_ref()
                        .iter()
                        .enumerate()
                        .map(|(k, g)| {
                            self.num(
                                a(&format!("growth_path.{}", k + 1)),
                                &S::new(path.span(), *g),
                                Range::Rate,
                            )
                        })
                        .collect();
                    Growth::Path { rates }
                }
                [false, false, true] => {
                    let ceiling_raw = r.ceiling.as_ref()?;
                    let ceiling = self.num(a("ceiling"), ceiling_raw, Range::Positive);
                    let Some(s) = r.steepness.as_ref() else {
                        self.err(
                            a("ceiling"),
                            ceiling_raw.span(),
                            "an S-curve (`ceiling`) needs `steepness`",
                        )
                        .hint = Some("steepness is the logistic rate per year, e.g. 0.8".into());
                        continue;
                    };
                    let steepness = self.num(a("steepness"), s, Range::Positive);
                    if *ceiling_raw.get_ref() <= *r.run_rate.get_ref() {
                        self.err(
                            a("ceiling"),
                            ceiling_raw.span(),
                            format!(
                                "ceiling {} is not above the starting run_rate {}",
                                ceiling_raw.get_ref(),
                                r.run_rate.get_ref()
                            ),
                        )
                        .hint =
                            Some("an S-curve grows from run_rate toward a higher ceiling".into());
                    }
                    if *r.run_rate.get_ref() <= 0.0 {
                        self.err(
                            a("run_rate"),
                            r.run_rate.span(),
                            "an S-curve needs a run_rate above zero",
                        );
                    }
                    if r.growth.is_some() {
                        let g = r.growth.as_ref()?;
                        self.err(
                            a("growth"),
                            g.span(),
                            "`growth` and `ceiling` cannot be used together",
                        )
                        .hint = Some("an S-curve is set by `ceiling` and `steepness`".into());
                    }
                    Growth::SCurve { ceiling, steepness }
                }
                _ => {
                    let msg = if modes.iter().filter(|m| **m).count() == 0 {
                        "revenue needs one growth mode: `growth`, `growth_path`, or `ceiling` with `steepness`"
                    } else {
                        "revenue has more than one growth mode; keep one of `growth`, `growth_path`, `ceiling`"
                    };
                    self.err(a("growth"), r.party.span(), msg).hint =
                        Some("`growth = 0.3` grows 30% a year; see docs/scenario-format.md".into());
                    continue;
                }
            };
            if r.steepness.is_some() && r.ceiling.is_none() {
                let s = r.steepness.as_ref()?;
                self.err(
                    a("steepness"),
                    s.span(),
                    "`steepness` is only used with `ceiling`",
                );
            }
            let opex_share = self.num_or(a("opex_share"), &r.opex_share, 0.0, Range::NonNegative);
            let fixed_opex = self.num_or(a("fixed_opex"), &r.fixed_opex, 0.0, Range::NonNegative);
            revenues.push(Revenue {
                party,
                run_rate,
                growth,
                opex_share,
                fixed_opex,
            });
        }

        // Milestones.
        let mut milestone_ids = Ids::new("milestone");
        let mut milestones = Vec::new();
        let mut milestone_spans = Vec::new();
        for m in &raw.milestones {
            let ms = m.get_ref();
            if !self.declare(&mut milestone_ids, "milestone.id".into(), &ms.id) {
                continue;
            }
            let id = ms.id.get_ref().clone();
            let a = |f: &str| format!("milestone.{id}.{f}");
            let expected = ms.expected.get_ref().0;
            let deadline = ms.deadline.get_ref().0;
            if deadline < expected {
                self.err(
                    a("deadline"),
                    ms.deadline.span(),
                    format!("deadline {deadline} is before the expected date {expected}"),
                )
                .hint = Some("the deadline is the last date the milestone may fire".into());
            }
            let probability = self.num_or(a("probability"), &ms.probability, 1.0, Range::Share);
            let delay_months = self.params.add(a("delay_months"), 0.0, None, Range::Months);
            let condition = match &ms.condition {
                None => None,
                Some(c) => self.condition(&party_ids, &id, c.get_ref(), c.span()),
            };
            milestones.push(Milestone {
                name: ms.name.clone().unwrap_or_else(|| id.clone()),
                id,
                expected,
                deadline,
                probability,
                delay_months,
                condition,
            });
            milestone_spans.push(m.span());
        }

        // Investments.
        let mut investment_ids = Ids::new("investment");
        let mut investments = Vec::new();
        for inv in &raw.investments {
            let iv = inv.get_ref();
            if !self.declare(&mut investment_ids, "investment.id".into(), &iv.id) {
                continue;
            }
            let id = iv.id.get_ref().clone();
            let a = |f: &str| format!("investment.{id}.{f}");
            let investor = self.resolve(&party_ids, a("investor"), &iv.investor);
            let investee = self.resolve(&party_ids, a("investee"), &iv.investee);
            if let (Some(x), Some(y)) = (investor, investee) {
                if x == y {
                    self.err(
                        a("investee"),
                        iv.investee.span(),
                        "a party cannot invest in itself",
                    );
                }
                if x == EXTERNAL || y == EXTERNAL {
                    self.err(
                        a("investor"),
                        iv.investor.span(),
                        "`external` cannot be an investor or investee",
                    )
                    .hint = Some("declare the outside investor as a party".into());
                }
            }
            let credit_share = self.num_or(a("credit_share"), &iv.credit_share, 0.0, Range::Share);
            let credit_expiry = iv.credit_expiry.as_ref().map(|d| d.get_ref().0);
            if iv.credit_share.as_ref().is_some_and(|c| *c.get_ref() > 0.0)
                && credit_expiry.is_none()
            {
                let c = iv.credit_share.as_ref()?;
                self.err(
                    a("credit_share"),
                    c.span(),
                    "credits need a `credit_expiry` date",
                )
                .hint =
                    Some("add credit_expiry = YYYY-MM-DD, the last day credits cover spend".into());
            }
            if let Some(post) = &iv.post_money {
                Range::Positive.check(*post.get_ref()).err().map(|e| {
                    self.err(
                        a("post_money"),
                        post.span(),
                        format!("`{}` {e}", a("post_money")),
                    )
                });
            }
            if iv.tranches.is_empty() {
                self.err(
                    a("tranche"),
                    iv.id.span(),
                    format!("investment `{id}` has no tranches"),
                )
                .hint = Some(
                    "add at least one [[investment.tranche]] with amount and date or milestone"
                        .into(),
                );
            }
            let mut tranches = Vec::new();
            let mut tranche_ids = Ids::new("tranche");
            let mut sum = 0.0;
            for (k, t) in iv.tranches.iter().enumerate() {
                let tr = t.get_ref();
                let tid = match &tr.id {
                    Some(tid) => {
                        self.declare(&mut tranche_ids, a("tranche.id"), tid);
                        tid.get_ref().clone()
                    }
                    None => format!("{}", k + 1),
                };
                let ta = |f: &str| format!("investment.{id}.tranche.{tid}.{f}");
                let amount = self.num(ta("amount"), &tr.amount, Range::NonNegative);
                sum += *tr.amount.get_ref();
                let when = match (&tr.date, &tr.milestone) {
                    (Some(d), None) => {
                        let date = d.get_ref().0;
                        if date < window.0 || date > window.1 {
                            self.warn(
                                ta("date"),
                                d.span(),
                                format!(
                                    "tranche date {date} is outside the scenario window {} .. {}",
                                    window.0, window.1
                                ),
                            )
                            .hint = Some(
                                "it is not paid in this run; move it or widen the window".into(),
                            );
                        }
                        When::Date(date)
                    }
                    (None, Some(m)) => match self.resolve(&milestone_ids, ta("milestone"), m) {
                        Some(i) => When::Milestone(i),
                        None => continue,
                    },
                    (Some(d), Some(_)) => {
                        self.err(
                            ta("date"),
                            d.span(),
                            "a tranche has a `date` or a `milestone`, not both",
                        )
                        .hint =
                            Some("a milestone's expected date already says when it is paid".into());
                        continue;
                    }
                    (None, None) => {
                        self.err(
                            ta("amount"),
                            t.span(),
                            "a tranche needs a `date` or a `milestone`",
                        )
                        .hint =
                            Some("add date = YYYY-MM-DD or milestone = \"<milestone id>\"".into());
                        continue;
                    }
                };
                let post_money = match (&tr.post_money, &iv.post_money) {
                    (Some(p), _) | (None, Some(p)) => {
                        self.num(ta("post_money"), p, Range::Positive)
                    }
                    (None, None) => {
                        self.err(ta("post_money"), t.span(), "no post-money valuation for this tranche").hint =
                            Some("set post_money on the tranche or on its investment; the stake is amount / post_money".into());
                        continue;
                    }
                };
                tranches.push(Tranche {
                    id: tid,
                    amount,
                    when,
                    post_money,
                });
            }
            if let Some(total) = &iv.total {
                let t = *total.get_ref();
                if t < 0.0 {
                    self.err(
                        a("total"),
                        total.span(),
                        format!("`{}` must be zero or more, got {t}", a("total")),
                    );
                } else if (sum - t).abs() > SUM_TOLERANCE * t.abs().max(1.0) {
                    self.err(
                        a("total"),
                        total.span(),
                        format!("tranches add up to {sum} but the investment's total is {t}"),
                    )
                    .hint = Some(format!(
                        "make the tranche amounts sum to {t}, or change `total`"
                    ));
                }
            }
            if let (Some(investor), Some(investee)) = (investor, investee) {
                investments.push(Investment {
                    id,
                    investor,
                    investee,
                    stated_total: iv.total.as_ref().map(|t| *t.get_ref()),
                    credit_share,
                    credit_expiry,
                    tranches,
                });
            }
        }

        // Commitments.
        let mut commitment_ids = Ids::new("commitment");
        let mut commitments = Vec::new();
        for c in &raw.commitments {
            let cm = c.get_ref();
            if !self.declare(&mut commitment_ids, "commitment.id".into(), &cm.id) {
                continue;
            }
            let id = cm.id.get_ref().clone();
            let a = |f: &str| format!("commitment.{id}.{f}");
            let buyer = self.resolve(&party_ids, a("buyer"), &cm.buyer);
            let provider = self.resolve(&party_ids, a("provider"), &cm.provider);
            if let Some(p) = provider {
                if p != EXTERNAL && parties[p].gross_margin.is_none() {
                    self.err(a("provider"), cm.provider.span(), format!("provider `{}` has no gross_margin", parties[p].id)).hint =
                        Some(format!("add gross_margin (e.g. 0.4) to [[party]] `{}`: its cost of serving is the rest", parties[p].id));
                }
            }
            if buyer.is_some() && buyer == provider {
                self.err(
                    a("provider"),
                    cm.provider.span(),
                    "a party cannot buy compute from itself",
                );
            }
            let total = self.num(a("total"), &cm.total, Range::NonNegative);
            let (cs, ce) = (cm.start.get_ref().0, cm.end.get_ref().0);
            if ce < cs {
                self.err(
                    a("end"),
                    cm.end.span(),
                    format!("commitment ends ({ce}) before it starts ({cs})"),
                );
                continue;
            }
            let ramp = match cm.ramp.as_ref().map(|r| (r, r.get_ref().as_str())) {
                None | Some((_, "flat")) => Ramp::Flat,
                Some((_, "linear")) => Ramp::Linear,
                Some((_, "front_loaded")) => Ramp::FrontLoaded,
                Some((_, "back_loaded")) => Ramp::BackLoaded,
                Some((r, "schedule")) => {
                    match &cm.schedule {
                        None => {
                            self.err(a("ramp"), r.span(), "`ramp = \"schedule\"` needs `schedule`, the amount per contract year");
                            continue;
                        }
                        Some(s) => {
                            let years = contract_years(cs, ce);
                            let amounts = s.get_ref();
                            let sum: f64 = amounts.iter().sum();
                            if amounts.len() != years {
                                self.err(a("schedule"), s.span(), format!(
                                "schedule has {} yearly amounts but the contract spans {years} contract years",
                                amounts.len()
                            ))
                            .hint = Some("one amount per contract year, counted from `start`".into());
                            } else if amounts.iter().any(|x| !x.is_finite() || *x < 0.0) {
                                self.err(
                                    a("schedule"),
                                    s.span(),
                                    "schedule amounts must be zero or more",
                                );
                            } else if (sum - cm.total.get_ref()).abs()
                                > SUM_TOLERANCE * cm.total.get_ref().abs().max(1.0)
                            {
                                self.err(
                                    a("schedule"),
                                    s.span(),
                                    format!(
                                        "schedule adds up to {sum} but total is {}",
                                        cm.total.get_ref()
                                    ),
                                )
                                .hint = Some("make the yearly amounts sum to `total`".into());
                            }
                            let shares = if sum > 0.0 {
                                amounts.iter().map(|x| x / sum).collect()
                            } else {
                                vec![0.0; amounts.len()]
                            };
                            Ramp::Schedule(shares)
                        }
                    }
                }
                Some((r, other)) => {
                    self.bad_choice(
                        &a("ramp"),
                        r,
                        other,
                        &["flat", "linear", "front_loaded", "back_loaded", "schedule"],
                    );
                    continue;
                }
            };
            if cm.schedule.is_some() && !matches!(ramp, Ramp::Schedule(_)) {
                let s = cm.schedule.as_ref()?;
                self.err(
                    a("schedule"),
                    s.span(),
                    "`schedule` is only used with ramp = \"schedule\"",
                );
            }
            let take_or_pay = self.num_or(a("take_or_pay"), &cm.take_or_pay, 0.0, Range::Share);
            let demand_share = cm
                .demand_share
                .as_ref()
                .map(|d| self.num(a("demand_share"), d, Range::NonNegative));
            if let (Some(d), Some(b)) = (&cm.demand_share, buyer) {
                if !has_revenue.contains_key(&b) {
                    self.err(
                        a("demand_share"),
                        d.span(),
                        format!(
                            "demand follows the buyer's revenue, but `{}` has no [[revenue]]",
                            parties[b].id
                        ),
                    );
                }
            }
            if ce < start || cs > end {
                self.warn(
                    a("start"),
                    cm.start.span(),
                    "the commitment lies wholly outside the scenario window",
                )
                .hint = Some("none of its spend is in this run".into());
            }
            if let (Some(buyer), Some(provider)) = (buyer, provider) {
                commitments.push(Commitment {
                    id,
                    buyer,
                    provider,
                    total,
                    start: cs,
                    end: ce,
                    ramp,
                    take_or_pay,
                    demand_share,
                });
            }
        }

        // Revenue shares.
        let mut share_ids = Ids::new("revenue share");
        let mut revenue_shares = Vec::new();
        for r in &raw.revenue_shares {
            let rs = r.get_ref();
            if !self.declare(&mut share_ids, "revenue_share.id".into(), &rs.id) {
                continue;
            }
            let id = rs.id.get_ref().clone();
            let a = |f: &str| format!("revenue_share.{id}.{f}");
            let payer = self.resolve(&party_ids, a("payer"), &rs.payer);
            let payee = self.resolve(&party_ids, a("payee"), &rs.payee);
            if let Some(p) = payer {
                if !has_revenue.contains_key(&p) {
                    self.err(
                        a("payer"),
                        rs.payer.span(),
                        format!(
                            "the share's base is the payer's revenue, but `{}` has no [[revenue]]",
                            parties[p].id
                        ),
                    )
                    .hint = Some(format!(
                        "add a [[revenue]] section with party = \"{}\"",
                        parties[p].id
                    ));
                }
            }
            let rate = self.num(a("rate"), &rs.rate, Range::Share);
            let (s0, s1) = (rs.start.get_ref().0, rs.end.get_ref().0);
            if s1 < s0 {
                self.err(
                    a("end"),
                    rs.end.span(),
                    format!("revenue share ends ({s1}) before it starts ({s0})"),
                );
            }
            let cap = rs
                .cap
                .as_ref()
                .map(|c| self.num(a("cap"), c, Range::NonNegative));
            let paid_to_date =
                self.num_or(a("paid_to_date"), &rs.paid_to_date, 0.0, Range::NonNegative);
            if let (Some(c), Some(p)) = (&rs.cap, &rs.paid_to_date) {
                if p.get_ref() > c.get_ref() {
                    self.err(
                        a("cap"),
                        c.span(),
                        format!(
                            "cap {} is below what has already been paid ({})",
                            c.get_ref(),
                            p.get_ref()
                        ),
                    );
                }
            }
            if let (Some(payer), Some(payee)) = (payer, payee) {
                revenue_shares.push(RevenueShare {
                    id,
                    payer,
                    payee,
                    rate,
                    start: s0,
                    end: s1,
                    cap,
                    paid_to_date,
                });
            }
        }

        // One-off payments.
        let mut payment_ids = Ids::new("payment");
        let mut payments = Vec::new();
        for p in &raw.payments {
            let pm = p.get_ref();
            if !self.declare(&mut payment_ids, "payment.id".into(), &pm.id) {
                continue;
            }
            let id = pm.id.get_ref().clone();
            let a = |f: &str| format!("payment.{id}.{f}");
            let payer = self.resolve(&party_ids, a("payer"), &pm.payer);
            let payee = self.resolve(&party_ids, a("payee"), &pm.payee);
            let amount = self.num(a("amount"), &pm.amount, Range::NonNegative);
            let date = pm.date.get_ref().0;
            if date < start || date > end {
                self.warn(
                    a("date"),
                    pm.date.span(),
                    format!("payment date {date} is outside the scenario window"),
                )
                .hint = Some("it is not paid in this run".into());
            }
            if let (Some(payer), Some(payee)) = (payer, payee) {
                payments.push(Payment {
                    id,
                    payer,
                    payee,
                    amount,
                    date,
                    note: pm.note.clone().unwrap_or_default(),
                });
            }
        }

        // Exits.
        let mut exits = Vec::new();
        let mut exit_of = HashMap::new();
        for x in &raw.exits {
            let ex = x.get_ref();
            let Some(company) = self.resolve(&party_ids, "exit.company".into(), &ex.company) else {
                continue;
            };
            let cid = ex.company.get_ref().clone();
            if exit_of.insert(company, ()).is_some() {
                self.err(
                    "exit.company",
                    ex.company.span(),
                    format!("`{cid}` has two [[exit]] sections"),
                );
                continue;
            }
            let a = |f: &str| format!("exit.{cid}.{f}");
            let value = match (&ex.valuation, &ex.revenue_multiple) {
                (Some(v), None) => {
                    ExitValue::Valuation(self.num(a("valuation"), v, Range::NonNegative))
                }
                (None, Some(m)) => {
                    let multiple = self.num(a("revenue_multiple"), m, Range::NonNegative);
                    if !has_revenue.contains_key(&company) {
                        self.err(
                            a("revenue_multiple"),
                            m.span(),
                            format!(
                                "a revenue multiple needs revenue, but `{cid}` has no [[revenue]]"
                            ),
                        );
                    }
                    let basis = match ex.basis.as_ref().map(|b| (b, b.get_ref().as_str())) {
                        None | Some((_, "run_rate")) => Basis::RunRate,
                        Some((_, "ttm")) => Basis::Ttm,
                        Some((_, "last_period")) => Basis::LastPeriod,
                        Some((b, other)) => {
                            self.bad_choice(
                                &a("basis"),
                                b,
                                other,
                                &["run_rate", "ttm", "last_period"],
                            );
                            Basis::RunRate
                        }
                    };
                    ExitValue::Multiple { multiple, basis }
                }
                (Some(v), Some(_)) => {
                    self.err(
                        a("valuation"),
                        v.span(),
                        "give `valuation` or `revenue_multiple`, not both",
                    );
                    continue;
                }
                (None, None) => {
                    self.err(
                        a("valuation"),
                        ex.company.span(),
                        "an exit needs `valuation` or `revenue_multiple`",
                    );
                    continue;
                }
            };
            exits.push(Exit { company, value });
        }

        // Cross-checks that need everything resolved.
        for (i, m) in milestones.iter().enumerate() {
            if !investments
                .iter()
                .any(|inv| inv.tranches.iter().any(|t| t.when == When::Milestone(i)))
            {
                self.warn(
                    format!("milestone.{}", m.id),
                    milestone_spans[i].clone(),
                    format!("milestone `{}` releases no tranche", m.id),
                );
            }
            if m.condition.is_none() && (m.expected < start || m.expected > end) {
                self.warn(
                    format!("milestone.{}.expected", m.id),
                    milestone_spans[i].clone(),
                    format!(
                        "milestone `{}` is expected on {}, outside the scenario window",
                        m.id, m.expected
                    ),
                );
            }
        }

        let meta = Meta {
            name: h.name.get_ref().clone(),
            description: h.description.clone(),
            sources: h.sources.clone(),
            currency,
            unit,
            discount_rate,
        };
        // Flows store party and deal indices as u16 to stay small.
        let counts = [
            ("party", parties.len()),
            ("revenue", revenues.len()),
            ("investment", investments.len()),
            ("commitment", commitments.len()),
            ("revenue_share", revenue_shares.len()),
            ("payment", payments.len()),
            ("exit", exits.len()),
        ];
        let most_tranches = investments
            .iter()
            .map(|i| i.tranches.len())
            .max()
            .unwrap_or(0);
        for (what, n) in counts
            .into_iter()
            .chain([("investment.tranche", most_tranches)])
        {
            if n > usize::from(u16::MAX) {
                self.err(
                    what,
                    h.name.span(),
                    format!("{n} [[{what}]] entries: at most {} are supported", u16::MAX),
                )
                .hint = Some("split the scenario into several files".into());
            }
        }
        let params = std::mem::take(&mut self.params);
        Some(Model {
            meta,
            grid,
            parties,
            revenues,
            milestones,
            investments,
            commitments,
            revenue_shares,
            payments,
            exits,
            params,
        })
    }

    fn condition(
        &mut self,
        parties: &Ids,
        mid: &str,
        c: &file::Condition,
        span: std::ops::Range<usize>,
    ) -> Option<Condition> {
        let a = |f: &str| format!("milestone.{mid}.condition.{f}");
        let at_least = self.num(
            format!("milestone.{mid}.at_least"),
            &c.at_least,
            Range::NonNegative,
        );
        match c.kind.get_ref().as_str() {
            "cumulative_spend" => {
                let (Some(b), Some(p)) = (&c.buyer, &c.provider) else {
                    self.err(
                        a("kind"),
                        span,
                        "a `cumulative_spend` condition needs `buyer` and `provider`",
                    );
                    return None;
                };
                let buyer = self.resolve(parties, a("buyer"), b)?;
                let provider = self.resolve(parties, a("provider"), p)?;
                Some(Condition::CumulativeSpend {
                    buyer,
                    provider,
                    at_least,
                })
            }
            "revenue_run_rate" => {
                let Some(p) = &c.party else {
                    self.err(
                        a("kind"),
                        span,
                        "a `revenue_run_rate` condition needs `party`",
                    );
                    return None;
                };
                let party = self.resolve(parties, a("party"), p)?;
                Some(Condition::RevenueRunRate { party, at_least })
            }
            other => {
                self.bad_choice(
                    &a("kind"),
                    &c.kind,
                    other,
                    &["cumulative_spend", "revenue_run_rate"],
                );
                None
            }
        }
    }

    fn bad_choice(&mut self, field: &str, at: &S<String>, got: &str, allowed: &[&str]) {
        let hint = match did_you_mean(got, allowed.iter().copied()) {
            Some(best) => format!("did you mean `{best}`? allowed: {}", allowed.join(", ")),
            None => format!("allowed: {}", allowed.join(", ")),
        };
        self.err(
            field.to_string(),
            at.span(),
            format!("`{field}` cannot be `{got}`"),
        )
        .hint = Some(hint);
    }
}

/// Number of contract years in `start..=end`, counted from `start`'s anniversaries.
pub fn contract_years(start: NaiveDate, end: NaiveDate) -> usize {
    let mut n = 0;
    let mut year_start = start;
    while year_start <= end {
        n += 1;
        year_start = match start.checked_add_months(chrono::Months::new(12 * n as u32)) {
            Some(d) => d,
            None => break,
        };
    }
    n
}

fn non_empty(span: std::ops::Range<usize>) -> Option<std::ops::Range<usize>> {
    (span.end > span.start).then_some(span)
}

fn range_hint(address: &str) -> Option<&'static str> {
    let field = address.rsplit('.').next()?;
    Some(match field {
        "take_or_pay" => "a share of the scheduled spend owed whatever the demand: 0.8 means 80%",
        "gross_margin" => "the share of compute revenue the provider keeps, e.g. 0.35; its cost of serving is the rest",
        "rate" => "a share of the payer's revenue, e.g. 0.2 for 20%",
        "probability" => "a probability between 0 and 1, e.g. 0.7",
        "discount_rate" | "growth" => "annual rates are decimals: 0.1 means 10%",
        "credit_share" => "the share of each tranche granted as credits, e.g. 0.5",
        _ => return None,
    })
}
