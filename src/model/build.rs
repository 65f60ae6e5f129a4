//! Validation: [`ScenarioFile`] in, [`Model`] or every problem found out.
//!
//! The checks run in one pass and collect diagnostics instead of returning at
//! the first, so a user fixes a file in one round. Each diagnostic carries the
//! span of the offending value, the field's address and a hint. One method per
//! section of the file; [`Scope`] carries what later sections may refer to
//! (the window, the parties, the milestones).

use std::collections::{HashMap, HashSet};
use std::ops::Range as Span;
use std::sync::Arc;

use chrono::NaiveDate;

use super::grid::{Grid, PeriodKind};
use super::params::{Params, Range};
use super::*;
use crate::diagnostic::{Diagnostic, Report, SourceFile};
use crate::scenario::file::{self, S};
use crate::scenario::ScenarioFile;
use crate::suggest::did_you_mean;

/// Relative tolerance when amounts must add up to a stated total.
const SUM_TOLERANCE: f64 = 1e-9;

/// Validates a parsed scenario. Warnings are returned alongside the model.
pub fn build(file: &Arc<SourceFile>, raw: &ScenarioFile) -> Result<(Model, Report), Report> {
    let mut b = Builder {
        diags: Vec::new(),
        params: Params::default(),
    };
    let mut model = b.model(raw);
    // The [stress] section refers to the model's addresses and parties, so
    // it is checked once the rest is sound.
    if let Some(m) = model.as_mut().filter(|_| {
        !b.diags
            .iter()
            .any(|d| d.severity == crate::diagnostic::Severity::Error)
    }) {
        let (spec, diags) = crate::stress::spec::build(raw.stress.as_ref(), m);
        m.stress = spec;
        b.diags.extend(diags);
    }
    let report = Report {
        file: Arc::clone(file),
        diagnostics: b.diags,
    };
    match model {
        Some(m) if !report.has_errors() => Ok((m, report)),
        _ => Err(report),
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

/// Entries a `growth_path` needs: one per whole scenario year of the window,
/// counted in 365.25-day years, so leap days need no entry of their own.
pub fn growth_path_years(start: NaiveDate, end: NaiveDate) -> usize {
    (((end - start).num_days()) as f64 / 365.25).ceil().max(1.0) as usize
}

/// The most `growth_path` entries a window can use: one per started 365-day
/// year (the last may cover only leap days).
fn most_used(start: NaiveDate, end: NaiveDate) -> usize {
    (((end - start).num_days() + 1) as f64 / 365.0).ceil() as usize
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

/// What later sections may refer to.
struct Scope {
    start: NaiveDate,
    end: NaiveDate,
    parties: Vec<Party>,
    party_ids: Ids,
    /// Parties with a `[[revenue]]` line.
    has_revenue: HashSet<usize>,
    milestone_ids: Ids,
    /// Expected date of each declared milestone without a condition, by index.
    milestone_expected: Vec<Option<NaiveDate>>,
}

impl Scope {
    fn in_window(&self, d: NaiveDate) -> bool {
        d >= self.start && d <= self.end
    }
}

struct Builder {
    diags: Vec<Diagnostic>,
    params: Params,
}

// Diagnostics and the parameter registry.
impl Builder {
    fn err(
        &mut self,
        field: impl Into<String>,
        span: Span<usize>,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::error(field, non_empty(span), msg));
        self.diags.last_mut().expect("just pushed")
    }

    fn warn(
        &mut self,
        field: impl Into<String>,
        span: Span<usize>,
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
            d.hint = hint.map(str::to_string);
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
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            self.err(
                field,
                id.span(),
                format!(
                    "{} id `{name}` must be ASCII letters, digits, `-` or `_`",
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

    /// An optional field that has no effect here: an error naming it.
    fn unused<T>(&mut self, field: String, v: &Option<S<T>>, why: &str) {
        if let Some(v) = v {
            self.err(
                field.clone(),
                v.span(),
                format!("`{field}` is not used {why}"),
            )
            .hint = Some("remove it, or change the setting it depends on".into());
        }
    }
}

// The sections of the file.
impl Builder {
    fn model(&mut self, raw: &ScenarioFile) -> Option<Model> {
        let (meta, grid) = self.header(raw.scenario.get_ref());
        let (parties, party_ids) = self.parties(&raw.parties);
        let mut scope = Scope {
            start: grid.start,
            end: grid.end,
            parties,
            party_ids,
            has_revenue: HashSet::new(),
            milestone_ids: Ids::new("milestone"),
            milestone_expected: Vec::new(),
        };
        let revenues: Vec<Revenue> = raw
            .revenues
            .iter()
            .filter_map(|r| self.revenue(&mut scope, r.get_ref()))
            .collect();
        let milestones: Vec<Milestone> = raw
            .milestones
            .iter()
            .filter_map(|m| self.milestone(&mut scope, m.get_ref()))
            .collect();
        scope.milestone_expected = milestones
            .iter()
            .map(|m| m.condition.is_none().then_some(m.expected))
            .collect();
        let investments = self.section(&scope, "investment", &raw.investments, Self::investment);
        let commitments = self.section(&scope, "commitment", &raw.commitments, Self::commitment);
        let revenue_shares = self.section(
            &scope,
            "revenue share",
            &raw.revenue_shares,
            Self::revenue_share,
        );
        let payments = self.section(&scope, "payment", &raw.payments, Self::payment);
        let mut exit_of = HashSet::new();
        let exits: Vec<Exit> = raw
            .exits
            .iter()
            .filter_map(|x| self.exit(&scope, &mut exit_of, x))
            .collect();

        self.milestone_checks(&scope, raw, &milestones, &investments);
        self.exit_checks(&scope, raw, &exits, &investments);
        self.size_limits(raw, &scope.parties, &investments);

        let parties = std::mem::take(&mut scope.parties);
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
            stress: None,
        })
    }

    /// Validates each entry of a section whose entries declare their own ids
    /// (`what` names them in messages); entries with errors are left out.
    fn section<T, R>(
        &mut self,
        scope: &Scope,
        what: &'static str,
        entries: &[S<T>],
        mut one: impl FnMut(&mut Self, &Scope, &mut Ids, &T) -> Option<R>,
    ) -> Vec<R> {
        let mut ids = Ids::new(what);
        entries
            .iter()
            .filter_map(|e| one(self, scope, &mut ids, e.get_ref()))
            .collect()
    }

    /// `[scenario]`: the window, the period grid, the unit, the discount rate.
    fn header(&mut self, h: &file::Header) -> (Meta, Grid) {
        let start = h.start.get_ref().0;
        let end = h.end.get_ref().0;
        let mut window_ok = true;
        if end < start {
            self.err(
                "scenario.end",
                h.end.span(),
                format!("scenario ends ({end}) before it starts ({start})"),
            )
            .hint =
                Some("`end` is the last day of the horizon and must be on or after `start`".into());
            window_ok = false;
        } else if (end - start).num_days() > 366 * 200 {
            self.err(
                "scenario.end",
                h.end.span(),
                "the horizon is longer than 200 years",
            )
            .hint = Some("dealsim models deals over years or decades".into());
            window_ok = false;
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
            Range::Discount,
        );
        // With a broken window, a one-day grid lets the other checks run.
        let grid = Grid::new(start, if window_ok { end } else { start }, kind);
        let meta = Meta {
            name: h.name.get_ref().clone(),
            description: h.description.clone(),
            sources: h.sources.clone(),
            currency,
            unit,
            discount_rate,
        };
        (meta, grid)
    }

    /// `[[party]]`; `external` comes first, built in.
    fn parties(&mut self, raw: &[S<file::Party>]) -> (Vec<Party>, Ids) {
        let mut ids = Ids::new("party");
        ids.index.insert("external".into(), EXTERNAL);
        ids.names.push("external".into());
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
        for p in raw.iter().map(S::get_ref) {
            if p.id.get_ref() == "external" {
                self.err("party.id", p.id.span(), "`external` is built in and must not be declared").hint = Some(
                    "flows to or from customers and third parties use `external` without declaring it".into(),
                );
                continue;
            }
            if !self.declare(&mut ids, "party.id".into(), &p.id) {
                continue;
            }
            let id = p.id.get_ref().clone();
            let kind = match p.kind.as_ref().map(|k| (k, k.get_ref().as_str())) {
                None | Some((_, "other")) => PartyKind::Other,
                Some((_, "lab")) => PartyKind::Lab,
                Some((_, "provider")) => PartyKind::Provider,
                Some((_, "investor")) => PartyKind::Investor,
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
        // Index by position in `parties`, which skips ids that failed to declare.
        ids.index = parties
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        (parties, ids)
    }

    /// `[[revenue]]`: one per party.
    fn revenue(&mut self, scope: &mut Scope, r: &file::Revenue) -> Option<Revenue> {
        let party = self.resolve(&scope.party_ids, "revenue.party".into(), &r.party)?;
        let pid = r.party.get_ref().clone();
        if party == EXTERNAL {
            self.err(
                "revenue.party",
                r.party.span(),
                "`external` cannot have modelled revenue",
            );
            return None;
        }
        if !scope.has_revenue.insert(party) {
            self.err(
                "revenue.party",
                r.party.span(),
                format!("party `{pid}` has two [[revenue]] sections"),
            )
            .hint = Some("merge them: one revenue line per party".into());
            return None;
        }
        let a = |f: &str| format!("revenue.{pid}.{f}");
        let run_rate = self.num(a("run_rate"), &r.run_rate, Range::NonNegative);
        let growth = self.growth(scope, r, &pid)?;
        let opex_share = self.num_or(a("opex_share"), &r.opex_share, 0.0, Range::NonNegative);
        let fixed_opex = self.num_or(a("fixed_opex"), &r.fixed_opex, 0.0, Range::NonNegative);
        Some(Revenue {
            party,
            run_rate,
            growth,
            opex_share,
            fixed_opex,
        })
    }

    /// Exactly one growth mode: `growth`, `growth_path`, or `ceiling` + `steepness`.
    fn growth(&mut self, scope: &Scope, r: &file::Revenue, pid: &str) -> Option<Growth> {
        let a = |f: &str| format!("revenue.{pid}.{f}");
        let given: Vec<(&str, Span<usize>)> = [
            r.growth.as_ref().map(|g| ("growth", g.span())),
            r.growth_path.as_ref().map(|g| ("growth_path", g.span())),
            r.ceiling.as_ref().map(|g| ("ceiling", g.span())),
        ]
        .into_iter()
        .flatten()
        .collect();
        if given.len() != 1 {
            let (field, msg, span) = match given.get(1) {
                None => (
                    a("growth"),
                    "revenue needs one growth mode: `growth`, `growth_path`, or `ceiling` with `steepness`".to_string(),
                    r.party.span(),
                ),
                Some((second, span)) => (
                    a(second),
                    format!("`{}` and `{second}` are two growth modes; keep one", given[0].0),
                    span.clone(),
                ),
            };
            self.err(field, span, msg).hint =
                Some("`growth = 0.3` grows 30% a year; see docs/scenario-format.md".into());
            return None;
        }
        if let Some(c) = &r.ceiling {
            let ceiling = self.num(a("ceiling"), c, Range::Positive);
            let Some(s) = &r.steepness else {
                self.err(
                    a("ceiling"),
                    c.span(),
                    "an S-curve (`ceiling`) needs `steepness`",
                )
                .hint = Some("steepness is the logistic rate per year, e.g. 0.8".into());
                return None;
            };
            let steepness = self.num(a("steepness"), s, Range::Positive);
            if *r.run_rate.get_ref() <= 0.0 {
                self.err(
                    a("run_rate"),
                    r.run_rate.span(),
                    "an S-curve needs a run_rate above zero",
                );
            } else if c.get_ref() <= r.run_rate.get_ref() {
                self.err(
                    a("ceiling"),
                    c.span(),
                    format!(
                        "ceiling {} is not above the starting run_rate {}",
                        c.get_ref(),
                        r.run_rate.get_ref()
                    ),
                )
                .hint = Some("an S-curve grows from run_rate toward a higher ceiling".into());
            }
            return Some(Growth::SCurve { ceiling, steepness });
        }
        self.unused(a("steepness"), &r.steepness, "without `ceiling`");
        if let Some(g) = &r.growth {
            return Some(Growth::Constant {
                rate: self.num(a("growth"), g, Range::Rate),
            });
        }
        let path = r.growth_path.as_ref()?;
        let needed = growth_path_years(scope.start, scope.end);
        let have = path.get_ref().len();
        if have < needed {
            self.err(
                a("growth_path"),
                path.span(),
                format!("growth_path has {have} yearly rate{} but the window spans {needed} scenario years", plural(have)),
            )
            .hint = Some(format!("give one rate per scenario year, {needed} in all (repeat the last rate to hold it)"));
        } else if have > most_used(scope.start, scope.end) {
            let used = most_used(scope.start, scope.end);
            self.warn(
                a("growth_path"),
                path.span(),
                format!(
                    "growth_path has {have} yearly rates; the window uses only the first {used}"
                ),
            )
            .hint = Some("drop the extra rates, or widen the window".into());
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
        Some(Growth::Path { rates })
    }

    /// `[[milestone]]`.
    fn milestone(&mut self, scope: &mut Scope, ms: &file::Milestone) -> Option<Milestone> {
        let mut ids = std::mem::replace(&mut scope.milestone_ids, Ids::new("milestone"));
        let declared = self.declare(&mut ids, "milestone.id".into(), &ms.id);
        scope.milestone_ids = ids;
        if !declared {
            return None;
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
        let fires = self.params.add(a("fires"), 1.0, None, Range::Flag);
        let condition = match &ms.condition {
            None => None,
            Some(c) => Some(self.condition(scope, &id, c.get_ref(), c.span())?),
        };
        Some(Milestone {
            name: ms.name.clone().unwrap_or_else(|| id.clone()),
            id,
            expected,
            deadline,
            probability,
            delay_months,
            fires,
            condition,
        })
    }

    fn condition(
        &mut self,
        scope: &Scope,
        mid: &str,
        c: &file::Condition,
        span: Span<usize>,
    ) -> Option<Condition> {
        let a = |f: &str| format!("milestone.{mid}.condition.{f}");
        let at_least = self.num(
            format!("milestone.{mid}.at_least"),
            &c.at_least,
            Range::NonNegative,
        );
        match c.kind.get_ref().as_str() {
            "cumulative_spend" => {
                self.unused(
                    a("party"),
                    &c.party,
                    "by a `cumulative_spend` condition (it uses `buyer` and `provider`)",
                );
                let (Some(b), Some(p)) = (&c.buyer, &c.provider) else {
                    self.err(
                        a("kind"),
                        span,
                        "a `cumulative_spend` condition needs `buyer` and `provider`",
                    );
                    return None;
                };
                let buyer = self.resolve(&scope.party_ids, a("buyer"), b);
                let provider = self.resolve(&scope.party_ids, a("provider"), p);
                Some(Condition::CumulativeSpend {
                    buyer: buyer?,
                    provider: provider?,
                    at_least,
                })
            }
            "revenue_run_rate" => {
                self.unused(
                    a("buyer"),
                    &c.buyer,
                    "by a `revenue_run_rate` condition (it uses `party`)",
                );
                self.unused(
                    a("provider"),
                    &c.provider,
                    "by a `revenue_run_rate` condition (it uses `party`)",
                );
                let Some(p) = &c.party else {
                    self.err(
                        a("kind"),
                        span,
                        "a `revenue_run_rate` condition needs `party`",
                    );
                    return None;
                };
                let party = self.resolve(&scope.party_ids, a("party"), p)?;
                if !scope.has_revenue.contains(&party) {
                    self.err(
                        a("party"),
                        p.span(),
                        format!(
                            "`{}` has no [[revenue]], so it has no run-rate",
                            p.get_ref()
                        ),
                    );
                }
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

    /// `[[investment]]` and its tranches.
    fn investment(
        &mut self,
        scope: &Scope,
        ids: &mut Ids,
        iv: &file::Investment,
    ) -> Option<Investment> {
        if !self.declare(ids, "investment.id".into(), &iv.id) {
            return None;
        }
        let id = iv.id.get_ref().clone();
        let a = |f: &str| format!("investment.{id}.{f}");
        let investor = self.resolve(&scope.party_ids, a("investor"), &iv.investor);
        let investee = self.resolve(&scope.party_ids, a("investee"), &iv.investee);
        if let (Some(x), Some(y)) = (investor, investee) {
            if x == y {
                self.err(
                    a("investee"),
                    iv.investee.span(),
                    "a party cannot invest in itself",
                );
            }
            if x == EXTERNAL || y == EXTERNAL {
                self.err(a("investor"), iv.investor.span(), "`external` cannot be an investor or investee").hint =
                    Some("declare the outside investor as a party; a round from many outsiders can be a [[payment]]".into());
            }
        }
        let credit_share = self.num_or(a("credit_share"), &iv.credit_share, 0.0, Range::Share);
        let credit_expiry = iv.credit_expiry.as_ref().map(|d| d.get_ref().0);
        if let Some(c) = iv.credit_share.as_ref().filter(|c| *c.get_ref() > 0.0) {
            if credit_expiry.is_none() {
                self.err(
                    a("credit_share"),
                    c.span(),
                    "credits need a `credit_expiry` date",
                )
                .hint =
                    Some("add credit_expiry = YYYY-MM-DD, the last day credits cover spend".into());
            }
        }
        let post_money_ok = match &iv.post_money {
            Some(post) => match Range::Positive.check(*post.get_ref()) {
                Ok(()) => true,
                Err(e) => {
                    self.err(
                        a("post_money"),
                        post.span(),
                        format!("`{}` {e}", a("post_money")),
                    );
                    false
                }
            },
            None => true,
        };
        if iv.tranches.is_empty() {
            self.err(
                a("tranche"),
                iv.id.span(),
                format!("investment `{id}` has no tranches"),
            )
            .hint = Some(
                "add at least one [[investment.tranche]] with amount and date or milestone".into(),
            );
        }
        let mut tranche_ids = Ids::new("tranche");
        let mut tranches = Vec::new();
        for (k, t) in iv.tranches.iter().enumerate() {
            if let Some(tr) = self.tranche(scope, iv, &mut tranche_ids, k, t, post_money_ok) {
                tranches.push(tr);
            }
        }
        let gives_credits = iv.credit_share.as_ref().is_some_and(|c| *c.get_ref() > 0.0);
        if let (true, Some(expiry)) = (gives_credits, &iv.credit_expiry) {
            for tr in &tranches {
                let (granted, why) = match tr.when {
                    When::Date(d) => (d, "is paid"),
                    When::Milestone(mi) => match raw_expected(scope, mi) {
                        Some(d) => (d, "is expected"),
                        None => continue,
                    },
                };
                if granted > expiry.get_ref().0 {
                    self.err(
                        a("credit_expiry"),
                        expiry.span(),
                        format!(
                            "credits expire on {} but tranche `{}` {why} on {granted}: its credits would lapse unused",
                            expiry.get_ref().0,
                            tr.id
                        ),
                    )
                    .hint = Some("move credit_expiry after the last tranche, or give that tranche no credits".into());
                    break;
                }
            }
        }
        if let Some(total) = &iv.total {
            let t = *total.get_ref();
            let sum: f64 = iv
                .tranches
                .iter()
                .map(|x| *x.get_ref().amount.get_ref())
                .sum();
            if let Err(e) = Range::NonNegative.check(t) {
                self.err(a("total"), total.span(), format!("`{}` {e}", a("total")));
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
        Some(Investment {
            id,
            investor: investor?,
            investee: investee?,
            stated_total: iv.total.as_ref().map(|t| *t.get_ref()),
            credit_share,
            credit_expiry,
            tranches,
        })
    }

    fn tranche(
        &mut self,
        scope: &Scope,
        iv: &file::Investment,
        ids: &mut Ids,
        k: usize,
        t: &S<file::Tranche>,
        inherited_post_money_ok: bool,
    ) -> Option<Tranche> {
        let tr = t.get_ref();
        let iid = iv.id.get_ref();
        let tid = match &tr.id {
            Some(tid) => {
                self.declare(ids, format!("investment.{iid}.tranche.id"), tid);
                tid.get_ref().clone()
            }
            None => format!("{}", k + 1),
        };
        let a = |f: &str| format!("investment.{iid}.tranche.{tid}.{f}");
        let amount = self.num(a("amount"), &tr.amount, Range::NonNegative);
        let when = match (&tr.date, &tr.milestone) {
            (Some(d), None) => {
                let date = d.get_ref().0;
                if !scope.in_window(date) {
                    self.warn(
                        a("date"),
                        d.span(),
                        format!(
                            "tranche date {date} is outside the scenario window {} .. {}",
                            scope.start, scope.end
                        ),
                    )
                    .hint = Some("it is not paid in this run; move it or widen the window".into());
                }
                When::Date(date)
            }
            (None, Some(m)) => {
                When::Milestone(self.resolve(&scope.milestone_ids, a("milestone"), m)?)
            }
            (Some(d), Some(_)) => {
                self.err(
                    a("date"),
                    d.span(),
                    "a tranche has a `date` or a `milestone`, not both",
                )
                .hint = Some("a milestone's expected date already says when it is paid".into());
                return None;
            }
            (None, None) => {
                self.err(
                    a("amount"),
                    t.span(),
                    "a tranche needs a `date` or a `milestone`",
                )
                .hint = Some("add date = YYYY-MM-DD or milestone = \"<milestone id>\"".into());
                return None;
            }
        };
        let post_money = match (&tr.post_money, &iv.post_money) {
            (Some(p), _) => self.num(a("post_money"), p, Range::Positive),
            // Inherited: an invalid investment-level value was reported once already.
            (None, Some(p)) if !inherited_post_money_ok => {
                self.params
                    .add(a("post_money"), *p.get_ref(), None, Range::Any)
            }
            (None, Some(p)) => self.num(a("post_money"), p, Range::Positive),
            (None, None) => {
                self.err(a("post_money"), t.span(), "no post-money valuation for this tranche").hint =
                    Some("set post_money on the tranche or on its investment; the stake is amount / post_money".into());
                return None;
            }
        };
        Some(Tranche {
            id: tid,
            amount,
            when,
            post_money,
        })
    }

    /// `[[commitment]]`.
    fn commitment(
        &mut self,
        scope: &Scope,
        ids: &mut Ids,
        cm: &file::Commitment,
    ) -> Option<Commitment> {
        if !self.declare(ids, "commitment.id".into(), &cm.id) {
            return None;
        }
        let id = cm.id.get_ref().clone();
        let a = |f: &str| format!("commitment.{id}.{f}");
        let buyer = self.resolve(&scope.party_ids, a("buyer"), &cm.buyer);
        let provider = self.resolve(&scope.party_ids, a("provider"), &cm.provider);
        if let Some(p) = provider.filter(|p| *p != EXTERNAL) {
            if scope.parties[p].gross_margin.is_none() {
                let pid = &scope.parties[p].id;
                self.err(a("provider"), cm.provider.span(), format!("provider `{pid}` has no gross_margin")).hint =
                    Some(format!("add gross_margin (e.g. 0.4) to [[party]] `{pid}`: its cost of serving is the rest"));
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
            return None;
        }
        let ramp = self.ramp(cm, &id)?;
        let take_or_pay = self.num_or(a("take_or_pay"), &cm.take_or_pay, 0.0, Range::Share);
        let demand_share = cm
            .demand_share
            .as_ref()
            .map(|d| self.num(a("demand_share"), d, Range::NonNegative));
        match (&cm.demand_share, buyer) {
            (Some(d), Some(b)) if !scope.has_revenue.contains(&b) => {
                self.err(
                    a("demand_share"),
                    d.span(),
                    format!(
                        "demand follows the buyer's revenue, but `{}` has no [[revenue]]",
                        scope.parties[b].id
                    ),
                );
            }
            (None, _) => {
                if let Some(t) = &cm.take_or_pay {
                    self.warn(a("take_or_pay"), t.span(), "take_or_pay has no effect without demand_share: the full schedule is bought")
                        .hint = Some("add demand_share to let demand fall below the schedule, or remove take_or_pay".into());
                }
            }
            _ => {}
        }
        if ce < scope.start || cs > scope.end {
            self.warn(
                a("start"),
                cm.start.span(),
                "the commitment lies wholly outside the scenario window",
            )
            .hint = Some("none of its spend is in this run".into());
        }
        Some(Commitment {
            id,
            buyer: buyer?,
            provider: provider?,
            total,
            start: cs,
            end: ce,
            ramp,
            take_or_pay,
            demand_share,
        })
    }

    fn ramp(&mut self, cm: &file::Commitment, id: &str) -> Option<Ramp> {
        let a = |f: &str| format!("commitment.{id}.{f}");
        let (cs, ce) = (cm.start.get_ref().0, cm.end.get_ref().0);
        let ramp = match cm.ramp.as_ref().map(|r| (r, r.get_ref().as_str())) {
            None | Some((_, "flat")) => Ramp::Flat,
            Some((_, "linear")) => Ramp::Linear,
            Some((_, "front_loaded")) => Ramp::FrontLoaded,
            Some((_, "back_loaded")) => Ramp::BackLoaded,
            Some((r, "schedule")) => {
                let Some(s) = &cm.schedule else {
                    self.err(
                        a("ramp"),
                        r.span(),
                        "`ramp = \"schedule\"` needs `schedule`, the amount per contract year",
                    );
                    return None;
                };
                let years = contract_years(cs, ce);
                let amounts = s.get_ref();
                let sum: f64 = amounts.iter().sum();
                let total = *cm.total.get_ref();
                if amounts.len() != years {
                    self.err(
                        a("schedule"),
                        s.span(),
                        format!(
                            "schedule has {} yearly amount{} but the contract spans {years} contract year{}",
                            amounts.len(),
                            plural(amounts.len()),
                            plural(years)
                        ),
                    )
                    .hint = Some("one amount per contract year, counted from `start`".into());
                } else if let Some(bad) = amounts
                    .iter()
                    .find(|x| Range::NonNegative.check(**x).is_err())
                {
                    self.err(
                        a("schedule"),
                        s.span(),
                        format!("schedule amounts must be zero or more, got {bad}"),
                    );
                } else if (sum - total).abs() > SUM_TOLERANCE * total.abs().max(1.0) {
                    self.err(
                        a("schedule"),
                        s.span(),
                        format!("schedule adds up to {sum} but total is {total}"),
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
            Some((r, other)) => {
                self.bad_choice(
                    &a("ramp"),
                    r,
                    other,
                    &["flat", "linear", "front_loaded", "back_loaded", "schedule"],
                );
                return None;
            }
        };
        if !matches!(ramp, Ramp::Schedule(_)) {
            self.unused(a("schedule"), &cm.schedule, "unless ramp = \"schedule\"");
        }
        Some(ramp)
    }

    /// `[[revenue_share]]`.
    fn revenue_share(
        &mut self,
        scope: &Scope,
        ids: &mut Ids,
        rs: &file::RevenueShare,
    ) -> Option<RevenueShare> {
        if !self.declare(ids, "revenue_share.id".into(), &rs.id) {
            return None;
        }
        let id = rs.id.get_ref().clone();
        let a = |f: &str| format!("revenue_share.{id}.{f}");
        let payer = self.resolve(&scope.party_ids, a("payer"), &rs.payer);
        let payee = self.resolve(&scope.party_ids, a("payee"), &rs.payee);
        if let Some(p) = payer.filter(|p| !scope.has_revenue.contains(p)) {
            let pid = &scope.parties[p].id;
            self.err(
                a("payer"),
                rs.payer.span(),
                format!("the share's base is the payer's revenue, but `{pid}` has no [[revenue]]"),
            )
            .hint = Some(format!("add a [[revenue]] section with party = \"{pid}\""));
        }
        if payer.is_some() && payer == payee {
            self.err(
                a("payee"),
                rs.payee.span(),
                "a party cannot pay a revenue share to itself",
            );
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
        Some(RevenueShare {
            id,
            payer: payer?,
            payee: payee?,
            rate,
            start: s0,
            end: s1,
            cap,
            paid_to_date,
        })
    }

    /// `[[payment]]`.
    fn payment(&mut self, scope: &Scope, ids: &mut Ids, pm: &file::Payment) -> Option<Payment> {
        if !self.declare(ids, "payment.id".into(), &pm.id) {
            return None;
        }
        let id = pm.id.get_ref().clone();
        let a = |f: &str| format!("payment.{id}.{f}");
        let payer = self.resolve(&scope.party_ids, a("payer"), &pm.payer);
        let payee = self.resolve(&scope.party_ids, a("payee"), &pm.payee);
        if payer.is_some() && payer == payee {
            self.err(
                a("payee"),
                pm.payee.span(),
                "a payment needs two different parties",
            );
        }
        let amount = self.num(a("amount"), &pm.amount, Range::NonNegative);
        let date = pm.date.get_ref().0;
        if !scope.in_window(date) {
            self.warn(
                a("date"),
                pm.date.span(),
                format!("payment date {date} is outside the scenario window"),
            )
            .hint = Some("it is not paid in this run".into());
        }
        Some(Payment {
            id,
            payer: payer?,
            payee: payee?,
            amount,
            date,
            note: pm.note.clone().unwrap_or_default(),
        })
    }

    /// `[[exit]]`: one per company.
    fn exit(
        &mut self,
        scope: &Scope,
        seen: &mut HashSet<usize>,
        x: &S<file::Exit>,
    ) -> Option<Exit> {
        let ex = x.get_ref();
        let company = self.resolve(&scope.party_ids, "exit.company".into(), &ex.company)?;
        let cid = ex.company.get_ref().clone();
        if !seen.insert(company) {
            self.err(
                "exit.company",
                ex.company.span(),
                format!("`{cid}` has two [[exit]] sections"),
            );
            return None;
        }
        let a = |f: &str| format!("exit.{cid}.{f}");
        let value = match (&ex.valuation, &ex.revenue_multiple) {
            (Some(v), None) => {
                self.unused(
                    a("basis"),
                    &ex.basis,
                    "with `valuation` (only with `revenue_multiple`)",
                );
                ExitValue::Valuation(self.num(a("valuation"), v, Range::NonNegative))
            }
            (None, Some(m)) => {
                let multiple = self.num(a("revenue_multiple"), m, Range::NonNegative);
                if !scope.has_revenue.contains(&company) {
                    self.err(
                        a("revenue_multiple"),
                        m.span(),
                        format!("a revenue multiple needs revenue, but `{cid}` has no [[revenue]]"),
                    );
                }
                let basis = match ex.basis.as_ref().map(|b| (b, b.get_ref().as_str())) {
                    None | Some((_, "run_rate")) => Basis::RunRate,
                    Some((_, "ttm")) => Basis::Ttm,
                    Some((_, "last_period")) => Basis::LastPeriod,
                    Some((b, other)) => {
                        self.bad_choice(&a("basis"), b, other, &["run_rate", "ttm", "last_period"]);
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
                return None;
            }
            (None, None) => {
                self.err(
                    a("valuation"),
                    ex.company.span(),
                    "an exit needs `valuation` or `revenue_multiple`",
                );
                return None;
            }
        };
        Some(Exit { company, value })
    }
}

// Checks across sections.
impl Builder {
    fn milestone_checks(
        &mut self,
        scope: &Scope,
        raw: &ScenarioFile,
        milestones: &[Milestone],
        investments: &[Investment],
    ) {
        for (i, m) in milestones.iter().enumerate() {
            let span = raw
                .milestones
                .iter()
                .find(|r| r.get_ref().id.get_ref() == &m.id)
                .map_or(0..0, |r| r.get_ref().id.span());
            if !investments
                .iter()
                .any(|inv| inv.tranches.iter().any(|t| t.when == When::Milestone(i)))
            {
                self.warn(
                    format!("milestone.{}", m.id),
                    span.clone(),
                    format!("milestone `{}` releases no tranche", m.id),
                );
            }
            if m.condition.is_none() && !scope.in_window(m.expected) {
                self.warn(
                    format!("milestone.{}.expected", m.id),
                    span,
                    format!(
                        "milestone `{}` is expected on {}, outside the scenario window",
                        m.id, m.expected
                    ),
                );
            }
        }
    }

    fn exit_checks(
        &mut self,
        scope: &Scope,
        raw: &ScenarioFile,
        exits: &[Exit],
        investments: &[Investment],
    ) {
        for exit in exits {
            if !investments.iter().any(|i| i.investee == exit.company) {
                let cid = &scope.parties[exit.company].id;
                let span = raw
                    .exits
                    .iter()
                    .find(|x| x.get_ref().company.get_ref() == cid)
                    .map_or(0..0, |x| x.get_ref().company.span());
                self.warn(
                    format!("exit.{cid}"),
                    span,
                    format!(
                        "no [[investment]] buys into `{cid}`, so its exit value goes to nobody"
                    ),
                );
            }
        }
    }

    /// Flows store party and deal indices as u16 to stay small.
    fn size_limits(&mut self, raw: &ScenarioFile, parties: &[Party], investments: &[Investment]) {
        let most_tranches = investments
            .iter()
            .map(|i| i.tranches.len())
            .max()
            .unwrap_or(0);
        let counts = [
            ("party", parties.len()),
            ("revenue", raw.revenues.len()),
            ("investment", raw.investments.len()),
            ("investment.tranche", most_tranches),
            ("commitment", raw.commitments.len()),
            ("revenue_share", raw.revenue_shares.len()),
            ("payment", raw.payments.len()),
            ("exit", raw.exits.len()),
        ];
        for (what, n) in counts {
            if n > usize::from(u16::MAX) {
                let span = raw.scenario.get_ref().name.span();
                self.err(
                    what,
                    span,
                    format!("{n} [[{what}]] entries: at most {} are supported", u16::MAX),
                )
                .hint = Some("split the scenario into several files".into());
            }
        }
    }
}

/// The expected date of milestone `i` if it has no condition (a milestone
/// with a condition may fire earlier). `None` also when validation already
/// failed and indices may not line up.
fn raw_expected(scope: &Scope, i: usize) -> Option<NaiveDate> {
    scope.milestone_expected.get(i).copied().flatten()
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn non_empty(span: Span<usize>) -> Option<Span<usize>> {
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
