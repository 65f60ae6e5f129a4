//! What a stress measures: a party's figure, named `<party>.<measure>`.
//!
//! The same names serve the Monte Carlo outputs, tornadoes, grids and goal
//! seek, e.g. `amazon.irr`, `openai.lowest_cash`, `amazon.moic`. Each is
//! computed per path exactly as `dealsim run` computes it for one run (see
//! [`crate::metrics`]); only IRR can be undefined.
//!
//! ```
//! # let run = dealsim::Run::from_file("scenarios/amazon-openai-2026.toml".as_ref(), &[]).unwrap();
//! use dealsim::stress::metric::{Measure, Metric};
//! let m = Metric::parse(&run.model, "amazon.irr").unwrap();
//! assert_eq!(m.measure, Measure::Irr);
//! assert!(Metric::parse(&run.model, "amazon.ir").unwrap_err().contains("did you mean `amazon.irr`"));
//! ```

use crate::model::Model;
use crate::suggest::did_you_mean;

/// A figure of one party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// XIRR of the party's flows, terminal value included.
    Irr,
    /// NPV at the scenario's discount rate, terminal value included.
    Npv,
    /// Everything received / everything paid.
    Moic,
    /// Received - paid, terminal value included.
    Net,
    Paid,
    Received,
    TerminalValue,
    /// Opening cash + cumulative cash flows, lowest over the period ends.
    LowestCash,
    /// Cash balance at the last period end.
    ClosingCash,
}

impl Measure {
    pub const ALL: [Measure; 9] = [
        Measure::Irr,
        Measure::Npv,
        Measure::Moic,
        Measure::Net,
        Measure::Paid,
        Measure::Received,
        Measure::TerminalValue,
        Measure::LowestCash,
        Measure::ClosingCash,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Measure::Irr => "irr",
            Measure::Npv => "npv",
            Measure::Moic => "moic",
            Measure::Net => "net",
            Measure::Paid => "paid",
            Measure::Received => "received",
            Measure::TerminalValue => "terminal_value",
            Measure::LowestCash => "lowest_cash",
            Measure::ClosingCash => "closing_cash",
        }
    }

    /// A label for tables and charts.
    pub fn label(self) -> &'static str {
        match self {
            Measure::Irr => "IRR",
            Measure::Npv => "NPV",
            Measure::Moic => "MOIC",
            Measure::Net => "net",
            Measure::Paid => "paid",
            Measure::Received => "received",
            Measure::TerminalValue => "terminal value",
            Measure::LowestCash => "lowest cash",
            Measure::ClosingCash => "closing cash",
        }
    }

    /// How values print: a rate, a multiple or an amount of money.
    pub fn kind(self) -> Kind {
        match self {
            Measure::Irr => Kind::Rate,
            Measure::Moic => Kind::Multiple,
            _ => Kind::Money,
        }
    }

    /// The value below which the party has lost money (for shading and
    /// P(loss)); `None` when the measure has no such line.
    pub fn break_even(self) -> Option<f64> {
        match self {
            Measure::Irr | Measure::Npv | Measure::Net => Some(0.0),
            Measure::Moic => Some(1.0),
            Measure::LowestCash | Measure::ClosingCash => Some(0.0),
            _ => None,
        }
    }
}

/// How a metric's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An annual rate (`0.12` is 12%).
    Rate,
    /// A multiple (`1.5` is 1.5x).
    Multiple,
    /// An amount in the scenario's unit.
    Money,
}

/// A measure of one party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Metric {
    /// Index into [`Model::parties`].
    pub party: usize,
    pub measure: Measure,
}

impl Metric {
    /// Reads `<party>.<measure>`; the error says what exists.
    pub fn parse(m: &Model, name: &str) -> Result<Metric, String> {
        let (party, measure) = name.rsplit_once('.').unwrap_or((name, ""));
        let ids = || m.deal_parties().map(|(_, p)| p.id.as_str());
        let Some(pi) = m
            .party_index(party)
            .filter(|&i| i != crate::model::EXTERNAL)
        else {
            let hint = match did_you_mean(party, ids()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("parties: {}", ids().collect::<Vec<_>>().join(", ")),
            };
            return Err(format!(
                "unknown party `{party}` in metric `{name}`; {hint}"
            ));
        };
        match Measure::ALL.iter().find(|x| x.name() == measure) {
            Some(&measure) => Ok(Metric { party: pi, measure }),
            None => {
                let names = Measure::ALL.map(Measure::name);
                let hint = match did_you_mean(measure, names) {
                    Some(best) => format!("did you mean `{party}.{best}`?"),
                    None => format!(
                        "a metric is `<party>.<measure>`; measures: {}",
                        names.join(", ")
                    ),
                };
                Err(format!("unknown metric `{name}`; {hint}"))
            }
        }
    }

    /// This metric as `dealsim run` reports it in `s`: `None` when the
    /// summary has no such figure (lowest cash of a party that is not a
    /// lab), `Some(None)` when the figure is undefined.
    pub fn in_summary(&self, m: &Model, s: &crate::metrics::Summary) -> Option<Option<f64>> {
        let id = &m.parties[self.party].id;
        let p = s.parties.iter().find(|p| &p.id == id)?;
        Some(match self.measure {
            Measure::Irr => p.irr.value(),
            Measure::Npv => p.npv.value(),
            Measure::Moic => p.moic.value(),
            Measure::Net => Some(p.net),
            Measure::Paid => Some(p.paid),
            Measure::Received => Some(p.received),
            Measure::TerminalValue => Some(p.terminal_value),
            Measure::ClosingCash => Some(p.closing_cash),
            Measure::LowestCash => Some(s.labs.iter().find(|l| &l.id == id)?.lowest_cash),
        })
    }

    /// `amazon.irr`.
    pub fn name(&self, m: &Model) -> String {
        format!("{}.{}", m.parties[self.party].id, self.measure.name())
    }

    /// `Amazon / AWS IRR`.
    pub fn label(&self, m: &Model) -> String {
        format!("{} {}", m.parties[self.party].name, self.measure.label())
    }

    /// The metrics reported when a scenario names none: IRR, MOIC and NPV of
    /// every party that invests; lowest and closing cash of every lab.
    pub fn defaults(m: &Model) -> Vec<Metric> {
        let mut out = Vec::new();
        for (pi, _) in m.deal_parties() {
            if m.investments.iter().any(|inv| inv.investor == pi) {
                for measure in [Measure::Irr, Measure::Moic, Measure::Npv] {
                    out.push(Metric { party: pi, measure });
                }
            }
        }
        for li in m.labs() {
            for measure in [Measure::LowestCash, Measure::ClosingCash] {
                out.push(Metric { party: li, measure });
            }
        }
        out
    }
}
