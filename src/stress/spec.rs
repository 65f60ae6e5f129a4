//! The `[stress]` section, validated against its scenario.
//!
//! [`build`] resolves every address (`revenue.openai.growth`) to a parameter
//! handle, every metric (`amazon.irr`) to a [`Metric`], every distribution to
//! a [`Distribution`], and reports all problems at once with their place in
//! the file, like [`crate::model::build`] does for the rest of the scenario.
//!
//! ```toml
//! [stress]
//! paths = 100000
//! seed = 2026
//! sampling = "lhs"                      # mc | lhs | sobol
//!
//! [[stress.driver]]
//! param = "revenue.openai.steepness"
//! dist = "triangular"
//! low = 0.45
//! mode = 0.69
//! high = 0.80
//!
//! [[stress.driver]]
//! param = "milestone.funding-event.fires"
//! dist = "bernoulli"                    # p: the milestone's probability
//! ```

use std::ops::Range as Span;

use crate::diagnostic::Diagnostic;
use crate::model::params::Range;
use crate::model::{Model, P};
use crate::scenario::file::{self, Level, S};

use super::distribution::Distribution;
use super::metric::{Measure, Metric};
use super::sampling::{Correlation, Method};

/// Paths when neither the file nor `--paths` says.
pub const DEFAULT_PATHS: u64 = 10_000;
/// Seed when neither the file nor `--seed` says.
pub const DEFAULT_SEED: u64 = 1;
/// Most paths one run may have (the Sobol index and memory set the limit).
pub const MAX_PATHS: u64 = 100_000_000;
/// Relative swing of a tornado input given neither `low`/`high` nor `change`.
pub const DEFAULT_CHANGE: f64 = 0.2;

/// A validated `[stress]` section.
#[derive(Debug, Clone)]
pub struct Spec {
    pub paths: u64,
    pub seed: u64,
    pub method: Method,
    /// The metrics whose distributions are reported.
    pub metrics: Vec<Metric>,
    pub drivers: Vec<Driver>,
    pub correlation: Option<Correlation>,
    pub tornado: Tornado,
    pub grids: Vec<Grid>,
    pub cases: Vec<Case>,
}

/// A stochastic input.
#[derive(Debug, Clone)]
pub struct Driver {
    pub param: P,
    pub address: String,
    pub dist: Distribution,
    /// For a Bernoulli driver without `p`: the parameter holding its
    /// probability (a milestone's `probability`), read per path so that
    /// varying it (goal seek, tornado) moves the draw.
    pub p_from: Option<P>,
}

/// One-at-a-time swings of inputs, one tornado per metric.
#[derive(Debug, Clone, Default)]
pub struct Tornado {
    pub metrics: Vec<Metric>,
    pub swings: Vec<Swing>,
}

/// One tornado input: its low and high value.
#[derive(Debug, Clone)]
pub struct Swing {
    pub param: P,
    pub address: String,
    pub low: Level,
    pub high: Level,
}

/// A metric over two inputs.
#[derive(Debug, Clone)]
pub struct Grid {
    pub id: String,
    pub metric: Metric,
    pub x: Axis,
    pub y: Axis,
}

#[derive(Debug, Clone)]
pub struct Axis {
    pub param: P,
    pub address: String,
    pub values: Vec<f64>,
}

/// A named set of overrides.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub name: String,
    pub set: Vec<(P, String, Level)>,
}

/// Validates `section` against the model it belongs to. Returns the spec
/// (`None` without a section or with errors) and the problems found.
pub fn build(section: Option<&S<file::Stress>>, m: &Model) -> (Option<Spec>, Vec<Diagnostic>) {
    let Some(section) = section else {
        return (None, Vec::new());
    };
    let mut b = Builder { m, diags: vec![] };
    let spec = b.spec(section.get_ref());
    let ok = !b
        .diags
        .iter()
        .any(|d| d.severity == crate::diagnostic::Severity::Error);
    (ok.then_some(spec), b.diags)
}

struct Builder<'a> {
    m: &'a Model,
    diags: Vec<Diagnostic>,
}

fn span_of(span: Span<usize>) -> Option<Span<usize>> {
    (span.end > span.start).then_some(span)
}

impl Builder<'_> {
    fn err(
        &mut self,
        field: impl Into<String>,
        span: Span<usize>,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::error(field, span_of(span), msg));
        self.diags.last_mut().expect("just pushed")
    }

    fn spec(&mut self, s: &file::Stress) -> Spec {
        let paths = match &s.paths {
            Some(p) => match check_paths(*p.get_ref()) {
                Ok(n) => n,
                Err(e) => {
                    self.err("stress.paths", p.span(), e).hint =
                        Some("e.g. paths = 100000; `--paths N` overrides it".into());
                    DEFAULT_PATHS
                }
            },
            None => DEFAULT_PATHS,
        };
        let seed = match &s.seed {
            Some(x) if *x.get_ref() < 0 => {
                self.err(
                    "stress.seed",
                    x.span(),
                    format!("seed must be zero or more, got {}", x.get_ref()),
                );
                DEFAULT_SEED
            }
            Some(x) => *x.get_ref() as u64,
            None => DEFAULT_SEED,
        };
        let method = match &s.sampling {
            Some(x) => match x.get_ref().parse::<Method>() {
                Ok(m) => m,
                Err(_) => {
                    self.err(
                        "stress.sampling",
                        x.span(),
                        format!("unknown sampling `{}`", x.get_ref()),
                    )
                    .hint =
                        Some("one of: mc (plain Monte Carlo), lhs (Latin hypercube), sobol".into());
                    Method::MonteCarlo
                }
            },
            None => Method::MonteCarlo,
        };
        let metrics = match &s.metrics {
            Some(list) => self.metrics("stress.metrics", list),
            None => Metric::defaults(self.m),
        };
        let drivers: Vec<Driver> = s
            .drivers
            .iter()
            .filter_map(|d| self.driver(d.get_ref()))
            .collect();
        // Drivers whose distribution was refused: already reported, so a
        // correlation naming one is not a second mistake.
        let refused: Vec<P> = s
            .drivers
            .iter()
            .filter_map(|d| self.m.params.find(d.get_ref().param.get_ref()))
            .filter(|p| !drivers.iter().any(|d| d.param == *p))
            .collect();
        for (i, d) in drivers.iter().enumerate() {
            if drivers[..i].iter().any(|e| e.param == d.param) {
                let span = s.drivers[i].get_ref().param.span();
                self.err(
                    "stress.driver.param",
                    span,
                    format!("`{}` has two drivers", d.address),
                )
                .hint = Some("give each input one distribution".into());
            }
        }
        let correlation = s
            .correlation
            .as_ref()
            .and_then(|c| self.correlation(c, &drivers, &refused));
        let tornado = self.tornado(s.tornado.as_ref(), &drivers, &metrics);
        let grids = s
            .grids
            .iter()
            .filter_map(|g| self.grid(g.get_ref()))
            .collect();
        let cases = self.cases(&s.cases);
        Spec {
            paths,
            seed,
            method,
            metrics,
            drivers,
            correlation,
            tornado,
            grids,
            cases,
        }
    }

    fn metrics(&mut self, field: &str, list: &S<Vec<S<String>>>) -> Vec<Metric> {
        if list.get_ref().is_empty() {
            self.err(field, list.span(), "the list of metrics is empty")
                .hint = Some(
                "name at least one, e.g. [\"amazon.irr\"], or leave the key out for the defaults"
                    .into(),
            );
        }
        let mut out: Vec<Metric> = Vec::new();
        for x in list.get_ref() {
            match Metric::parse(self.m, x.get_ref()) {
                Ok(m) if out.contains(&m) => {
                    self.err(
                        field,
                        x.span(),
                        format!("`{}` is listed twice", x.get_ref()),
                    );
                }
                Ok(m) => out.push(m),
                Err(e) => {
                    self.err(field, x.span(), e);
                }
            }
        }
        out
    }

    fn metric(&mut self, field: &str, x: &S<String>) -> Option<Metric> {
        match Metric::parse(self.m, x.get_ref()) {
            Ok(m) => Some(m),
            Err(e) => {
                self.err(field, x.span(), e);
                None
            }
        }
    }

    /// The handle of an address, or an error with a did-you-mean.
    fn param(&mut self, field: &str, x: &S<String>) -> Option<P> {
        match self.m.params.find(x.get_ref()) {
            Some(p) => Some(p),
            None => {
                let hint = self.m.params.hint(x.get_ref());
                self.err(
                    field,
                    x.span(),
                    format!("unknown parameter `{}`", x.get_ref()),
                )
                .hint = Some(hint);
                None
            }
        }
    }

    fn driver(&mut self, d: &file::Driver) -> Option<Driver> {
        let param = self.param("stress.driver.param", &d.param)?;
        let address = self.m.params.info[param.ix()].address.clone();
        let field = format!("stress.driver.{address}");
        let kind = d.dist.get_ref().as_str();
        // Which fields each distribution reads; any other is a mistake.
        let (fields, made): (&[&str], Result<Distribution, String>) = match kind {
            "normal" => (
                &["mean", "sd"],
                self.need2(d, &d.mean, "mean", &d.sd, "sd")
                    .and_then(|(a, b)| Distribution::normal(a, b)),
            ),
            "lognormal" => {
                let fields: &[&str] = match (&d.median, &d.mean, &d.mu) {
                    (Some(_), None, None) => &["median", "sigma"],
                    (None, Some(_), None) => &["mean", "sd"],
                    (None, None, Some(_)) => &["mu", "sigma"],
                    _ => &["median", "sigma", "mean", "sd", "mu"],
                };
                let r = match (&d.median, &d.mean, &d.mu) {
                    (Some(med), None, None) => self
                        .need(&d.sigma, "sigma")
                        .and_then(|s| Distribution::lognormal_from_median(*med.get_ref(), s)),
                    (None, Some(mean), None) => self
                        .need(&d.sd, "sd")
                        .and_then(|s| Distribution::lognormal_from_mean_sd(*mean.get_ref(), s)),
                    (None, None, Some(mu)) => self
                        .need(&d.sigma, "sigma")
                        .and_then(|s| Distribution::lognormal(*mu.get_ref(), s)),
                    _ => Err("a lognormal takes one of: median and sigma, mean and sd, or mu and sigma (of ln x)".to_string()),
                };
                (fields, r)
            }
            "uniform" => (
                &["low", "high"],
                self.need2(d, &d.low, "low", &d.high, "high")
                    .and_then(|(a, b)| Distribution::uniform(a, b)),
            ),
            "triangular" => (
                &["low", "mode", "high"],
                self.need3(d)
                    .and_then(|(a, m, b)| Distribution::triangular(a, m, b)),
            ),
            "pert" => (
                &["low", "mode", "high", "lambda"],
                self.need3(d).and_then(|(a, m, b)| {
                    Distribution::pert(a, m, b, d.lambda.as_ref().map(|l| *l.get_ref()))
                }),
            ),
            "discrete" => (
                &["values", "weights"],
                match (&d.values, &d.weights) {
                    (Some(v), Some(w)) => {
                        Distribution::discrete(v.get_ref().clone(), w.get_ref().clone())
                    }
                    (Some(v), None) => {
                        let n = v.get_ref().len();
                        Distribution::discrete(v.get_ref().clone(), vec![1.0; n])
                    }
                    _ => Err(
                        "a discrete distribution needs `values` (and optionally `weights`)"
                            .to_string(),
                    ),
                },
            ),
            "bernoulli" => {
                let p = match &d.p {
                    Some(p) => *p.get_ref(),
                    None => self
                        .probability_of(&address)
                        .map_or(f64::NAN, |p| p.of(&self.m.params.values)),
                };
                let r = if p.is_nan() {
                    Err("a bernoulli needs `p`, the probability of 1 (only `milestone.<id>.fires` takes it from the milestone's probability)".to_string())
                } else {
                    Distribution::bernoulli(p)
                };
                (&["p"], r)
            }
            other => {
                let kinds = [
                    "normal",
                    "lognormal",
                    "uniform",
                    "triangular",
                    "pert",
                    "discrete",
                    "bernoulli",
                ];
                let hint = match crate::suggest::did_you_mean(other, kinds) {
                    Some(best) => {
                        format!("did you mean `{best}`? distributions: {}", kinds.join(", "))
                    }
                    None => format!("distributions: {}", kinds.join(", ")),
                };
                self.err(
                    format!("{field}.dist"),
                    d.dist.span(),
                    format!("unknown distribution `{other}`"),
                )
                .hint = Some(hint);
                return None;
            }
        };
        for (name, span) in written_fields(d) {
            if !fields.contains(&name) {
                self.err(
                    format!("{field}.{name}"),
                    span,
                    format!("a {kind} distribution does not use `{name}`"),
                )
                .hint = Some(format!("a {kind} takes: {}", fields.join(", ")));
            }
        }
        let dist = match made {
            Ok(x) => x,
            Err(e) => {
                // The constructors name the field at fault first ("sigma
                // must be zero or more"): point at it when it was written.
                let at = written_fields(d).into_iter().find(|(name, _)| {
                    e.strip_prefix(name)
                        .is_some_and(|rest| rest.starts_with([' ', '(']))
                });
                let (field, span) = match at {
                    Some((name, span)) => (format!("{field}.{name}"), span),
                    None => (field, d.dist.span()),
                };
                self.err(field, span, format!("{kind}: {e}")).hint =
                    Some("see docs/stress.md for each distribution's fields".into());
                return None;
            }
        };
        let range = self.m.params.info[param.ix()].range;
        if range == Range::Flag && kind != "bernoulli" && kind != "discrete" {
            self.err(
                format!("{field}.dist"),
                d.dist.span(),
                format!("`{address}` is 0 or 1; a {kind} draw would be rounded"),
            )
            .hint = Some("use dist = \"bernoulli\" for whether something happens".into());
        }
        let p_from = (kind == "bernoulli" && d.p.is_none())
            .then(|| self.probability_of(&address))
            .flatten();
        Some(Driver {
            param,
            address,
            dist,
            p_from,
        })
    }

    /// `milestone.x.fires` -> the handle of `milestone.x.probability`.
    fn probability_of(&self, address: &str) -> Option<P> {
        let head = address.strip_suffix(".fires")?;
        self.m.params.find(&format!("{head}.probability"))
    }

    fn need(&self, v: &Option<S<f64>>, name: &str) -> Result<f64, String> {
        v.as_ref()
            .map(|x| *x.get_ref())
            .ok_or_else(|| format!("`{name}` is missing"))
    }

    fn need2(
        &self,
        _d: &file::Driver,
        a: &Option<S<f64>>,
        an: &str,
        b: &Option<S<f64>>,
        bn: &str,
    ) -> Result<(f64, f64), String> {
        Ok((self.need(a, an)?, self.need(b, bn)?))
    }

    fn need3(&self, d: &file::Driver) -> Result<(f64, f64, f64), String> {
        Ok((
            self.need(&d.low, "low")?,
            self.need(&d.mode, "mode")?,
            self.need(&d.high, "high")?,
        ))
    }

    fn correlation(
        &mut self,
        c: &S<file::Correlation>,
        drivers: &[Driver],
        refused: &[P],
    ) -> Option<Correlation> {
        let cs = c.get_ref();
        let spearman = match cs.kind.as_ref().map(|k| k.get_ref().as_str()) {
            None | Some("spearman") => true,
            Some("gaussian") => false,
            Some(other) => {
                let span = cs.kind.as_ref().map_or(c.span(), |k| k.span());
                self.err(
                    "stress.correlation.kind",
                    span,
                    format!("unknown correlation kind `{other}`"),
                )
                .hint = Some(
                    "`spearman` (rank correlations, as @RISK) or `gaussian` (the copula's own)"
                        .into(),
                );
                return None;
            }
        };
        let n = drivers.len();
        let index_of = |b: &mut Self, x: &S<String>, field: &str| -> Option<usize> {
            let p = b.param(field, x)?;
            match drivers.iter().position(|d| d.param == p) {
                Some(i) => Some(i),
                None if refused.contains(&p) => None,
                None => {
                    b.err(
                        field,
                        x.span(),
                        format!("`{}` has no [[stress.driver]]", x.get_ref()),
                    )
                    .hint = Some("only stochastic drivers can be correlated".into());
                    None
                }
            }
        };
        let mut matrix = vec![vec![0.0; n]; n];
        for (i, row) in matrix.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        let mut ok = true;
        match (&cs.matrix, &cs.params) {
            (Some(mx), Some(ps)) => {
                let idx: Vec<Option<usize>> = ps
                    .get_ref()
                    .iter()
                    .map(|x| index_of(self, x, "stress.correlation.params"))
                    .collect();
                let rows = mx.get_ref();
                if rows.len() != idx.len() || rows.iter().any(|r| r.len() != idx.len()) {
                    self.err("stress.correlation.matrix", mx.span(), format!("the matrix must be {0} x {0}, one row and column per entry of `params`", idx.len()));
                    return None;
                }
                for (i, r) in rows.iter().enumerate() {
                    for (j, &v) in r.iter().enumerate() {
                        match (idx[i], idx[j]) {
                            (Some(a), Some(b)) => matrix[a][b] = v,
                            _ => ok = false,
                        }
                    }
                }
            }
            (None, None) => {}
            (Some(mx), None) => {
                self.err(
                    "stress.correlation.matrix",
                    mx.span(),
                    "a matrix needs `params`, the drivers of its rows and columns in order",
                );
                return None;
            }
            (None, Some(ps)) => {
                self.err(
                    "stress.correlation.params",
                    ps.span(),
                    "`params` without a `matrix`",
                );
                return None;
            }
        }
        let mut seen_pairs: Vec<(usize, usize)> = Vec::new();
        for pair in &cs.pairs {
            let pr = pair.get_ref();
            let (a, b) = (
                index_of(self, &pr.a, "stress.correlation.a"),
                index_of(self, &pr.b, "stress.correlation.b"),
            );
            let rho = *pr.rho.get_ref();
            if !(-1.0..=1.0).contains(&rho) {
                self.err(
                    "stress.correlation.rho",
                    pr.rho.span(),
                    format!("rho must be between -1 and 1, got {rho}"),
                );
                ok = false;
                continue;
            }
            match (a, b) {
                (Some(a), Some(b)) if a == b => {
                    self.err(
                        "stress.correlation.b",
                        pr.b.span(),
                        "a driver cannot be correlated with itself",
                    );
                    ok = false;
                }
                (Some(a), Some(b)) if seen_pairs.contains(&(a.min(b), a.max(b))) => {
                    self.err(
                        "stress.correlation.b",
                        pr.b.span(),
                        "this pair is given twice",
                    )
                    .hint = Some("give each pair of drivers one rho".into());
                    ok = false;
                }
                (Some(a), Some(b)) => {
                    seen_pairs.push((a.min(b), a.max(b)));
                    matrix[a][b] = rho;
                    matrix[b][a] = rho;
                }
                _ => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let names: Vec<String> = drivers.iter().map(|d| d.address.clone()).collect();
        match Correlation::new(&names, matrix, spearman) {
            Ok(c) => Some(c),
            Err(e) => {
                self.err("stress.correlation", c.span(), e).hint =
                    Some("a set of correlations must be possible together: e.g. a with b 0.9, b with c 0.9 and a with c -0.9 is not".into());
                None
            }
        }
    }

    fn tornado(
        &mut self,
        t: Option<&S<file::Tornado>>,
        drivers: &[Driver],
        metrics: &[Metric],
    ) -> Tornado {
        // By default a tornado per IRR and lowest cash among the metrics.
        let tornado_of = |x: &Metric| matches!(x.measure, Measure::Irr | Measure::LowestCash);
        let default_metrics = || -> Vec<Metric> {
            let listed: Vec<Metric> = metrics.iter().copied().filter(tornado_of).collect();
            if listed.is_empty() {
                Metric::defaults(self.m)
                    .into_iter()
                    .filter(tornado_of)
                    .collect()
            } else {
                listed
            }
        };
        let Some(t) = t else {
            // Without a [stress.tornado], each driver from its P10 to its P90.
            return Tornado {
                metrics: default_metrics(),
                swings: drivers.iter().map(percentile_swing).collect(),
            };
        };
        let t = t.get_ref();
        let metrics = match &t.metrics {
            Some(list) => self.metrics("stress.tornado.metrics", list),
            None => default_metrics(),
        };
        let change = match &t.change {
            Some(c) if !(*c.get_ref() > 0.0 && *c.get_ref() < 10.0) => {
                self.err(
                    "stress.tornado.change",
                    c.span(),
                    format!(
                        "change must be above 0 and below 10 (1000%), got {}",
                        c.get_ref()
                    ),
                )
                .hint = Some("0.2 swings each input 20% down and up".into());
                DEFAULT_CHANGE
            }
            Some(c) => *c.get_ref(),
            None => DEFAULT_CHANGE,
        };
        let mut swings = Vec::new();
        if t.params.is_empty() {
            swings = drivers.iter().map(percentile_swing).collect();
        }
        for s in &t.params {
            let s = s.get_ref();
            let Some(param) = self.param("stress.tornado.param", &s.param) else {
                continue;
            };
            let address = self.m.params.info[param.ix()].address.clone();
            let field = format!("stress.tornado.{address}");
            let (low, high) = match (&s.low, &s.high, &s.change) {
                (Some(l), Some(h), None) => {
                    self.check_level(&format!("{field}.low"), param, l);
                    self.check_level(&format!("{field}.high"), param, h);
                    (*l.get_ref(), *h.get_ref())
                }
                (None, None, Some(c)) => {
                    let c = *c.get_ref();
                    (Level::Relative(-c), Level::Relative(c))
                }
                (None, None, None) => match drivers.iter().find(|d| d.param == param) {
                    Some(d) => {
                        let sw = percentile_swing(d);
                        (sw.low, sw.high)
                    }
                    None => (Level::Relative(-change), Level::Relative(change)),
                },
                _ => {
                    self.err(field, s.param.span(), "give `low` and `high`, or `change`, or neither")
                        .hint = Some("low = 0.45, high = 0.8 (values); low = \"-30%\" (changes); change = 0.25 (+/-25%)".into());
                    continue;
                }
            };
            if swings.iter().any(|x: &Swing| x.param == param) {
                self.err(
                    field,
                    s.param.span(),
                    format!("`{address}` is listed twice"),
                );
                continue;
            }
            swings.push(Swing {
                param,
                address,
                low,
                high,
            });
        }
        Tornado { metrics, swings }
    }

    /// An absolute level must lie in the parameter's range.
    fn check_level(&mut self, field: &str, param: P, level: &S<Level>) {
        if let Level::Absolute(v) = level.get_ref() {
            let info = &self.m.params.info[param.ix()];
            if let Err(e) = info.range.check(*v) {
                self.err(field, level.span(), format!("`{}` {e}", info.address));
            }
        }
    }

    fn grid(&mut self, g: &file::Grid) -> Option<Grid> {
        let metric = self.metric("stress.grid.metric", &g.metric);
        let x = self.axis("stress.grid.x", &g.x);
        let y = self.axis("stress.grid.y", &g.y);
        let (metric, x, y) = (metric?, x?, y?);
        if x.param == y.param {
            self.err(
                "stress.grid.y",
                g.y.get_ref().param.span(),
                "x and y vary the same input",
            );
            return None;
        }
        let id = match &g.id {
            Some(id) => id.get_ref().clone(),
            None => format!("{}-by-{}-and-{}", metric.name(self.m), x.address, y.address),
        };
        Some(Grid { id, metric, x, y })
    }

    fn axis(&mut self, field: &str, a: &S<file::Axis>) -> Option<Axis> {
        let ax = a.get_ref();
        let param = self.param(&format!("{field}.param"), &ax.param)?;
        let address = self.m.params.info[param.ix()].address.clone();
        let values = match (&ax.values, &ax.from, &ax.to, &ax.steps) {
            (Some(v), None, None, None) => v.get_ref().clone(),
            (None, Some(from), Some(to), steps) => {
                let n = steps.as_ref().map_or(5, |s| *s.get_ref());
                if n < 2 {
                    let span = steps.as_ref().map_or(a.span(), |s| s.span());
                    self.err(
                        format!("{field}.steps"),
                        span,
                        format!("a grid axis needs at least 2 steps, got {n}"),
                    )
                    .hint =
                        Some("steps counts the values from `from` to `to`, both included".into());
                    return None;
                }
                if n > 1000 {
                    self.err(
                        format!("{field}.steps"),
                        steps.as_ref().map_or(a.span(), |s| s.span()),
                        format!("at most 1000 steps, got {n}"),
                    );
                    return None;
                }
                let (f, t) = (*from.get_ref(), *to.get_ref());
                // Rounded to 12 significant digits: 0.4 + 0.2 is 0.6, not 0.6000000000000001.
                (0..n)
                    .map(|i| {
                        let v = f + (t - f) * i as f64 / (n - 1) as f64;
                        if v == 0.0 {
                            return v;
                        }
                        let scale = 10f64.powi(11 - v.abs().log10().floor() as i32);
                        (v * scale).round() / scale
                    })
                    .collect()
            }
            _ => {
                self.err(field, a.span(), "an axis takes `values = [...]`, or `from`, `to` and optionally `steps` (5)")
                    .hint = Some("e.g. x = { param = \"revenue.openai.steepness\", from = 0.4, to = 0.9, steps = 6 }".into());
                return None;
            }
        };
        let span = ax.values.as_ref().map_or(a.span(), |v| v.span());
        if values.len() < 2 {
            self.err(
                field,
                span,
                format!("a grid axis needs at least 2 values, got {}", values.len()),
            )
            .hint = Some("a grid with one point is a single run: use `dealsim run --set`".into());
            return None;
        }
        let range = self.m.params.info[param.ix()].range;
        for &v in &values {
            if let Err(e) = range.check(v) {
                self.err(field, span, format!("`{address}` {e}"));
                return None;
            }
        }
        if values.windows(2).any(|w| w[0] >= w[1]) {
            self.err(field, span, "the axis values must increase, each once")
                .hint =
                Some("write them from lowest to highest, e.g. values = [0.08, 0.12, 0.20]".into());
            return None;
        }
        Some(Axis {
            param,
            address,
            values,
        })
    }

    fn cases(&mut self, cases: &[S<file::Case>]) -> Vec<Case> {
        let mut out: Vec<Case> = Vec::new();
        for c in cases {
            let c = c.get_ref();
            let id = c.id.get_ref().clone();
            if out.iter().any(|o| o.id == id) {
                self.err(
                    "stress.case.id",
                    c.id.span(),
                    format!("two cases are called `{id}`"),
                );
                continue;
            }
            let mut set = Vec::new();
            for (address, level) in c.set.get_ref() {
                let Some(param) = self.m.params.find(address) else {
                    let hint = self.m.params.hint(address);
                    self.err(
                        format!("stress.case.{id}.set"),
                        level.span(),
                        format!("unknown parameter `{address}`"),
                    )
                    .hint = Some(hint);
                    continue;
                };
                self.check_level(&format!("stress.case.{id}.set.{address}"), param, level);
                set.push((
                    param,
                    self.m.params.info[param.ix()].address.clone(),
                    *level.get_ref(),
                ));
            }
            out.push(Case {
                name: c.name.clone().unwrap_or_else(|| id.clone()),
                id,
                set,
            });
        }
        out
    }
}

/// A driver's swing from its 10th to its 90th percentile (0 and 1 for a
/// Bernoulli), the usual tornado of a Monte Carlo model.
fn percentile_swing(d: &Driver) -> Swing {
    let (low, high) = match d.dist {
        Distribution::Bernoulli { .. } => (0.0, 1.0),
        _ => (d.dist.quantile(0.1), d.dist.quantile(0.9)),
    };
    Swing {
        param: d.param,
        address: d.address.clone(),
        low: Level::Absolute(low),
        high: Level::Absolute(high),
    }
}

/// The distribution fields written in a driver entry, with their spans.
fn written_fields(d: &file::Driver) -> Vec<(&'static str, Span<usize>)> {
    let mut out = Vec::new();
    let mut add = |name, v: Option<Span<usize>>| {
        if let Some(s) = v {
            out.push((name, s));
        }
    };
    add("mean", d.mean.as_ref().map(|x| x.span()));
    add("sd", d.sd.as_ref().map(|x| x.span()));
    add("median", d.median.as_ref().map(|x| x.span()));
    add("mu", d.mu.as_ref().map(|x| x.span()));
    add("sigma", d.sigma.as_ref().map(|x| x.span()));
    add("low", d.low.as_ref().map(|x| x.span()));
    add("mode", d.mode.as_ref().map(|x| x.span()));
    add("high", d.high.as_ref().map(|x| x.span()));
    add("lambda", d.lambda.as_ref().map(|x| x.span()));
    add("values", d.values.as_ref().map(|x| x.span()));
    add("weights", d.weights.as_ref().map(|x| x.span()));
    add("p", d.p.as_ref().map(|x| x.span()));
    out
}

/// A path count from a file or the command line.
pub fn check_paths(n: i64) -> Result<u64, String> {
    if n < 1 {
        Err(format!("the number of paths must be at least 1, got {n}"))
    } else if n as u64 > MAX_PATHS {
        Err(format!(
            "the number of paths must be at most {MAX_PATHS}, got {n}"
        ))
    } else {
        Ok(n as u64)
    }
}
