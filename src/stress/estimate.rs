//! The statistics of a Monte Carlo run, read from its rows once every path
//! is in: each driver's moments, each metric's mean, percentiles and
//! histogram, each event's probability, all with their standard errors (see
//! [`super::monte_carlo`] for how those are defined).
//!
//! A million paths make this a pass-counting exercise, so:
//!
//! - the rows are read once for the drivers and, side by side and in blocks
//!   of paths, once for the metrics and events, which turns them into one
//!   column per metric;
//! - percentiles are exact order statistics, found by selection instead of a
//!   sort: bucket counts (buckets in value order) say which bucket holds
//!   each wanted rank, and only those buckets' values are gathered and
//!   searched. The result is the value a full sort by [`f64::total_cmp`]
//!   would put at that rank, bit for bit;
//! - the per-group percentiles (needed only for their spread, the standard
//!   error) are found in the same passes, from counts per group;
//! - sums are added in path order, as a plain loop would, so every figure is
//!   the same on any number of threads.
//!
//! A path's group is its replicate (Latin hypercube, Sobol) or its batch
//! (plain Monte Carlo), given by the caller.

use rayon::prelude::*;

use super::metric::Metric;
use super::monte_carlo::{Estimate, Histogram, MetricStats, PERCENTILES};
use super::path::Why;
use super::sampling::Method;

/// Bins of a metric's histogram (for its chart).
const HISTOGRAM_BINS: usize = 60;
/// The range of a metric's histogram: its P0.5..P99.5.
const HISTOGRAM_RANGE: [f64; 2] = [0.005, 0.995];
/// At most this many values are searched directly, without buckets.
const SMALL: usize = 2048;
/// Values whose spread sets a metric's buckets.
const SAMPLE: usize = 4096;
/// Paths per block when the rows are turned into columns.
const BLOCK: usize = 64 * 1024;

/// The rows of a run, as the path loop leaves them.
pub struct Rows<'a> {
    /// Per path: drivers then metrics, `paths x (drivers + metrics)`.
    pub values: &'a [f64],
    /// Per path: each metric's reason for having no value (0 when it has
    /// one, else 1 + its index in [`Why::ALL`]) then each event (0 or 1).
    pub flags: &'a [u8],
    pub paths: usize,
    pub drivers: usize,
    pub metrics: usize,
    pub events: usize,
}

/// Mean, sd (n - 1), min and max of a driver's values.
pub type Moments = (f64, f64, f64, f64);

/// Everything read from the rows.
pub struct Summary {
    /// [`Moments`] of each driver's values.
    pub drivers: Vec<Moments>,
    pub metrics: Vec<MetricStats>,
    /// Each event's probability.
    pub events: Vec<Estimate>,
}

/// Reads the statistics of `rows`: `metrics` (with their base values
/// `base`) name the metric columns; `group_of` gives each path's group, one
/// of `groups`.
pub fn summarise(
    rows: &Rows,
    metrics: &[Metric],
    base: &[Option<f64>],
    groups: u32,
    group_of: impl Fn(usize) -> u32 + Sync,
    method: Method,
) -> Summary {
    let group: Vec<u32> = (0..rows.paths).into_par_iter().map(&group_of).collect();
    let (drivers, (columns, events)) = rayon::join(
        || driver_moments(rows),
        || metric_columns(rows, &group, groups),
    );
    let events = events
        .iter()
        .map(|by_group| {
            let hits = by_group.iter().map(|g| g.0).sum();
            probability(hits, rows.paths as u64, by_group, method)
        })
        .collect();
    // Metrics are independent of each other: one per task.
    let metrics = columns
        .into_par_iter()
        .enumerate()
        .map(|(kk, column)| {
            let metric = metrics[kk];
            let grp = column.groups.as_deref().unwrap_or(&group);
            let be = metric.measure.break_even();
            let undefined = Why::ALL
                .iter()
                .zip(column.undefined)
                .filter(|(_, n)| *n > 0)
                .map(|(w, n)| (*w, n))
                .collect();
            MetricStats {
                metric,
                base: base.get(kk).copied().flatten(),
                defined: column.values.len() as u64,
                undefined,
                ..describe(&column.values, grp, groups, method, be)
            }
        })
        .collect();
    Summary {
        drivers,
        metrics,
        events,
    }
}

/// [`Moments`] of each driver column, read row by row: two passes over the
/// rows whatever the number of drivers.
fn driver_moments(rows: &Rows) -> Vec<Moments> {
    let (d, width) = (rows.drivers, rows.drivers + rows.metrics);
    if rows.paths == 0 || d == 0 {
        return vec![(0.0, 0.0, 0.0, 0.0); d];
    }
    let all = &rows.values[..rows.paths * width];
    let mut sum = vec![0.0; d];
    let mut min = vec![f64::INFINITY; d];
    let mut max = vec![f64::NEG_INFINITY; d];
    for row in all.chunks_exact(width) {
        for i in 0..d {
            let v = row[i];
            sum[i] += v;
            min[i] = min[i].min(v);
            max[i] = max[i].max(v);
        }
    }
    let n = rows.paths as f64;
    let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
    let mut ss = vec![0.0; d];
    for row in all.chunks_exact(width) {
        for i in 0..d {
            let x = row[i] - mean[i];
            ss[i] += x * x;
        }
    }
    (0..d)
        .map(|i| {
            let sd = if n > 1.0 {
                (ss[i] / (n - 1.0)).sqrt()
            } else {
                0.0
            };
            (mean[i], sd, min[i], max[i])
        })
        .collect()
}

/// One metric's values, in path order.
struct Column {
    /// The defined values.
    values: Vec<f64>,
    /// The group of each defined value, when some path has none (else the
    /// value of path `p` is `values[p]` and its group the path's).
    groups: Option<Vec<u32>>,
    /// Paths without a value, by index in [`Why::ALL`].
    undefined: [u64; Why::ALL.len()],
}

/// What one block of paths holds: per metric, its paths without a value
/// by reason; per event and group, the paths where it happened; per group,
/// its paths.
struct Counts {
    undefined: Vec<[u64; Why::ALL.len()]>,
    hits: Vec<u64>,
    in_group: Vec<u64>,
}

/// Each metric's column and, per event, `(hits, paths)` of each group.
/// Blocks of paths are read in parallel: a first pass over the flags says
/// where each block's values go in each column, a second copies them there.
fn metric_columns(rows: &Rows, group: &[u32], groups: u32) -> (Vec<Column>, Vec<Vec<(u64, u64)>>) {
    let (d, k, e) = (rows.drivers, rows.metrics, rows.events);
    let (width, fw, gn) = (d + k, k + e, groups as usize);
    let blocks: Vec<std::ops::Range<usize>> = (0..rows.paths)
        .step_by(BLOCK)
        .map(|lo| lo..(lo + BLOCK).min(rows.paths))
        .collect();
    let counts: Vec<Counts> = blocks
        .par_iter()
        .map(|b| {
            let mut c = Counts {
                undefined: vec![[0; Why::ALL.len()]; k],
                hits: vec![0; e * gn],
                in_group: vec![0; gn],
            };
            for p in b.clone() {
                let flags = &rows.flags[p * fw..(p + 1) * fw];
                for (u, &w) in c.undefined.iter_mut().zip(&flags[..k]) {
                    if w > 0 {
                        u[usize::from(w) - 1] += 1;
                    }
                }
                let g = group[p] as usize;
                for (j, &f) in flags[k..].iter().enumerate() {
                    c.hits[j * gn + g] += u64::from(f);
                }
                c.in_group[g] += 1;
            }
            c
        })
        .collect();
    let missing = |c: &Counts, kk: usize| c.undefined[kk].iter().sum::<u64>() as usize;
    let mut columns: Vec<Column> = (0..k)
        .map(|kk| {
            let mut undefined = [0; Why::ALL.len()];
            for c in &counts {
                for (a, b) in undefined.iter_mut().zip(&c.undefined[kk]) {
                    *a += b;
                }
            }
            let defined = rows.paths - undefined.iter().sum::<u64>() as usize;
            Column {
                values: vec![0.0; defined],
                groups: (defined < rows.paths).then(|| vec![0; defined]),
                undefined,
            }
        })
        .collect();
    // Each block's share of each column.
    type Share<'c> = (&'c mut [f64], Option<&'c mut [u32]>);
    let mut shares: Vec<Vec<Share>> = blocks.iter().map(|_| Vec::with_capacity(k)).collect();
    for (kk, column) in columns.iter_mut().enumerate() {
        let mut values = &mut column.values[..];
        let mut groups = column.groups.as_deref_mut();
        for ((b, c), share) in blocks.iter().zip(&counts).zip(shares.iter_mut()) {
            let len = b.len() - missing(c, kk);
            let (mine, rest) = std::mem::take(&mut values).split_at_mut(len);
            values = rest;
            let their_groups = groups.take().map(|gs| {
                let (mine, rest) = gs.split_at_mut(len);
                groups = Some(rest);
                mine
            });
            share.push((mine, their_groups));
        }
    }
    blocks.par_iter().zip(shares).for_each(|(b, mut share)| {
        let mut at = vec![0usize; k];
        for p in b.clone() {
            let row = &rows.values[p * width + d..(p + 1) * width];
            let flags = &rows.flags[p * fw..p * fw + k];
            for (((values, groups), &w), (at, &v)) in
                share.iter_mut().zip(flags).zip(at.iter_mut().zip(row))
            {
                if w == 0 {
                    values[*at] = v;
                    if let Some(gs) = groups {
                        gs[*at] = group[p];
                    }
                    *at += 1;
                }
            }
        }
    });
    let events = (0..e)
        .map(|j| {
            (0..gn)
                .map(|g| {
                    let hits = counts.iter().map(|c| c.hits[j * gn + g]).sum();
                    (hits, counts.iter().map(|c| c.in_group[g]).sum())
                })
                .collect()
        })
        .collect();
    (columns, events)
}

/// A share of paths with its standard error: `sqrt(p (1 - p) / n)` for
/// plain Monte Carlo, the spread over replicates otherwise.
pub(super) fn probability(hits: u64, n: u64, by_group: &[(u64, u64)], method: Method) -> Estimate {
    if n == 0 {
        return Estimate {
            value: 0.0,
            se: None,
        };
    }
    let p = hits as f64 / n as f64;
    let se = match method {
        // One path says nothing about the spread: p (1 - p) would be 0.
        Method::MonteCarlo => (n > 1).then(|| (p * (1.0 - p) / n as f64).sqrt()),
        _ => spread(
            by_group
                .iter()
                .filter(|g| g.1 > 0)
                .map(|g| g.0 as f64 / g.1 as f64),
        ),
    };
    Estimate { value: p, se }
}

/// Mean, sd (n - 1), min and max; zeros for no values.
pub(super) fn moments(values: &[f64]) -> Moments {
    let n = values.len() as f64;
    if values.is_empty() {
        return (0.0, 0.0, 0.0, 0.0);
    }
    let (mut sum, mut min, mut max) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
    for &v in values {
        sum += v;
        min = min.min(v);
        max = max.max(v);
    }
    let mean = sum / n;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    let sd = if n > 1.0 {
        (ss / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    (mean, sd, min, max)
}

/// sd / sqrt(R) of R group estimates (none with fewer than 2).
fn spread(estimates: impl Iterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = estimates.collect();
    if v.len() < 2 {
        return None;
    }
    let (_, sd, _, _) = moments(&v);
    Some(sd / (v.len() as f64).sqrt())
}

/// The ranks whose values give the `level` quantile of `len` sorted values.
fn quantile_ranks(level: f64, len: usize) -> [usize; 2] {
    let h = level * (len - 1) as f64;
    [h.floor() as usize, h.ceil() as usize]
}

/// The `level` quantile of `len` values (linear between order statistics),
/// from `at(rank)`, the value of each rank of [`quantile_ranks`].
fn quantile(level: f64, len: usize, at: impl Fn(usize) -> f64) -> f64 {
    if len == 0 {
        return 0.0;
    }
    let h = level * (len - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    at(lo) + (h - lo as f64) * (at(hi) - at(lo))
}

/// Everything in [`MetricStats`] that comes from the defined values alone:
/// `values` in path order, `group[i]` the group of `values[i]`.
///
/// Three reads of the values after their range: one for the sums, extremes
/// and the bucket counts of all values and of each group, one to gather the
/// values of the buckets that hold a wanted rank, one for the squares and
/// the histogram.
fn describe(
    values: &[f64],
    group: &[u32],
    groups: u32,
    method: Method,
    break_even: Option<f64>,
) -> MetricStats {
    let empty = MetricStats {
        metric: Metric {
            party: 0,
            measure: super::metric::Measure::Net,
        },
        base: None,
        defined: 0,
        undefined: Vec::new(),
        mean: None,
        sd: 0.0,
        min: 0.0,
        max: 0.0,
        percentiles: Vec::new(),
        below_break_even: None,
        histogram: Histogram::default(),
    };
    if values.is_empty() {
        return empty;
    }
    let n = values.len();
    let g_count = groups as usize;
    let buckets = Buckets::new(values, g_count);
    // In path order, as a plain loop adds them.
    let (mut sum, mut min, mut max) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
    let (mut sums, mut counts) = (vec![0.0; g_count], vec![0.0; g_count]);
    let mut below = vec![(0u64, 0u64); g_count];
    // Two copies of the counts of all values, taken in turn: clustered
    // values hit one bucket again and again, and each count would wait for
    // the last.
    let mut all_count = vec![0u32; 2 * buckets.count()];
    let mut group_count = vec![0u32; g_count * buckets.group_count()];
    let be = break_even.unwrap_or(f64::NAN);
    for (i, (&v, &g)) in values.iter().zip(group).enumerate() {
        sum += v;
        min = min.min(v);
        max = max.max(v);
        let g = g as usize;
        sums[g] += v;
        counts[g] += 1.0;
        below[g].0 += u64::from(v < be);
        below[g].1 += 1;
        let b = buckets.bucket(v);
        all_count[(i & 1) * buckets.count() + b] += 1;
        group_count[buckets.group_bucket(g, b)] += 1;
    }
    let (even, odd) = all_count.split_at_mut(buckets.count());
    for (a, b) in even.iter_mut().zip(odd) {
        *a += *b;
    }
    all_count.truncate(buckets.count());
    let levels: Vec<f64> = PERCENTILES
        .iter()
        .chain(&HISTOGRAM_RANGE)
        .copied()
        .collect();
    let (all, each) = buckets.quantiles(
        values,
        group,
        &levels,
        &all_count,
        &group_count,
        &below.iter().map(|g| g.1 as usize).collect::<Vec<_>>(),
    );
    let mean = sum / n as f64;
    let (lo, hi) = (all[PERCENTILES.len()], all[PERCENTILES.len() + 1]);
    let bins = Bins::over(lo, hi);
    let mut ss = 0.0;
    // Four copies of the counts, for the same reason as above.
    let mut binned = [[0u64; HISTOGRAM_BINS + 2]; 4];
    for (i, &v) in values.iter().enumerate() {
        ss += (v - mean) * (v - mean);
        binned[i & 3][bins.index(v)] += 1;
    }
    let sd = if n > 1 {
        (ss / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let se = match method {
        Method::MonteCarlo => (n > 1).then(|| sd / (n as f64).sqrt()),
        _ => spread(
            sums.iter()
                .zip(&counts)
                .filter(|(_, c)| **c > 0.0)
                .map(|(s, c)| s / c),
        ),
    };
    let below_break_even = break_even.map(|_| {
        let hits = below.iter().map(|g| g.0).sum();
        probability(hits, n as u64, &below, method)
    });
    let percentiles = PERCENTILES
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            let se = spread(each.iter().filter_map(|g| g.as_ref().map(|q| q[i])));
            (l, Estimate { value: all[i], se })
        })
        .collect();
    MetricStats {
        mean: Some(Estimate { value: mean, se }),
        sd,
        min,
        max,
        percentiles,
        below_break_even,
        histogram: bins.histogram(&binned),
        ..empty
    }
}

/// Buckets of a metric's values: equal widths over its central range (as a
/// sample of the values puts it), one more below and one above. Fine ones
/// for all values; for each group, coarser ones (runs of fine ones).
///
/// Any order-keeping bucketing gives the same order statistics; this one
/// keeps buckets small for the shapes metrics take (both signs, long tails,
/// a cluster), and a bucket that is large anyway is searched again, finer.
struct Buckets {
    lo: f64,
    /// Fine buckets per unit of value.
    scale: f64,
    bits: u32,
    group_bits: u32,
}

impl Buckets {
    fn new(values: &[f64], groups: usize) -> Buckets {
        // About 8 values per bucket: 256 to 65536 for all values, 16 to 4096
        // for each group.
        let per = |n: usize, min: u32, max: u32| (n / 8).max(1).ilog2().clamp(min, max);
        let bits = per(values.len(), 8, 16);
        let group_bits = per(values.len() / groups.max(1), 4, 12).min(bits);
        // The central 99.8% of a sample of evenly spaced values.
        let step = (values.len() / SAMPLE).max(1);
        let mut sample: Vec<f64> = values
            .iter()
            .step_by(step)
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        sample.sort_unstable_by(f64::total_cmp);
        let (lo, hi) = match sample.len() {
            0 => (0.0, 0.0),
            m => (sample[m / 1000], sample[m - 1 - m / 1000]),
        };
        let scale = (1u64 << bits) as f64 / (hi - lo);
        Buckets {
            lo,
            // An empty or unbounded range: everything in one bucket, which
            // the search takes apart.
            scale: if scale.is_finite() { scale } else { 0.0 },
            bits,
            group_bits,
        }
    }

    /// Fine buckets.
    fn count(&self) -> usize {
        (1 << self.bits) + 2
    }

    /// Buckets per group.
    fn group_count(&self) -> usize {
        ((self.count() - 1) >> (self.bits - self.group_bits)) + 1
    }

    /// The fine bucket of `v`, in the order of [`f64::total_cmp`]: never
    /// lower for a later value.
    #[inline]
    fn bucket(&self, v: f64) -> usize {
        let x = (v - self.lo) * self.scale;
        if x >= 0.0 {
            // Rounding keeps order; the top bucket takes the rest.
            // (A signed conversion is one instruction, an unsigned one several.)
            x.min((1u64 << self.bits) as f64) as i64 as usize + 1
        } else if x < 0.0 || v.is_sign_negative() {
            // Below the range, and NaN with its sign bit set (first in that
            // order).
            0
        } else {
            // NaN without it (last).
            (1 << self.bits) + 1
        }
    }

    #[inline]
    fn group_bucket(&self, g: usize, bucket: usize) -> usize {
        g * self.group_count() + (bucket >> (self.bits - self.group_bits))
    }

    /// The `levels` quantiles of all values, and [`PERCENTILES`] of each
    /// group (`None` for a group without values), from the bucket counts of
    /// all values and of each group and each group's size.
    fn quantiles(
        &self,
        values: &[f64],
        group: &[u32],
        levels: &[f64],
        all_count: &[u32],
        group_count: &[u32],
        sizes: &[usize],
    ) -> (Vec<f64>, Vec<Option<Vec<f64>>>) {
        // The ranks wanted of all values, then of each group.
        let wanted = |len: usize, levels: &[f64]| -> Vec<usize> {
            let mut r: Vec<usize> = if len == 0 {
                Vec::new()
            } else {
                levels
                    .iter()
                    .flat_map(|&l| quantile_ranks(l, len))
                    .collect()
            };
            r.sort_unstable();
            r.dedup();
            r
        };
        let all_ranks = wanted(values.len(), levels);
        let group_ranks: Vec<Vec<usize>> = sizes.iter().map(|&n| wanted(n, &PERCENTILES)).collect();
        // The buckets holding them, numbered: slot tables for one gathering
        // pass.
        let mut parts = Vec::new();
        let mut all_slot = vec![NONE; all_count.len()];
        place(&all_ranks, all_count, &mut all_slot, &mut parts, 0);
        let mut group_slot = vec![NONE; group_count.len()];
        let per_group = self.group_count();
        for (g, ranks) in group_ranks.iter().enumerate() {
            let range = g * per_group..(g + 1) * per_group;
            place(
                ranks,
                &group_count[range.clone()],
                &mut group_slot[range],
                &mut parts,
                g + 1,
            );
        }
        let mut start = Vec::with_capacity(parts.len() + 1);
        start.push(0);
        for p in &parts {
            start.push(start[start.len() - 1] + p.count);
        }
        let mut gathered = vec![0.0; start[parts.len()]];
        // A part of all values is filled from both ends in turn, so that a
        // run of values into one part makes two chains of writes, not one.
        let mut at = start.clone();
        let mut back = start[1..].to_vec();
        for (i, (&v, &g)) in values.iter().zip(group).enumerate() {
            let b = self.bucket(v);
            let s = all_slot[b];
            if s != NONE {
                let s = s as usize;
                if i & 1 == 0 {
                    gathered[at[s]] = v;
                    at[s] += 1;
                } else {
                    back[s] -= 1;
                    gathered[back[s]] = v;
                }
            }
            let s = group_slot[self.group_bucket(g as usize, b)];
            if s != NONE {
                gathered[at[s as usize]] = v;
                at[s as usize] += 1;
            }
        }
        // Each bucket searched on its own; `found[owner]` in rank order.
        let found: Vec<(usize, Vec<(usize, f64)>)> = parts
            .par_iter()
            .enumerate()
            .map(|(i, p)| {
                let local: Vec<usize> = p.ranks.iter().map(|r| r - p.below).collect();
                let mut out = vec![0.0; local.len()];
                select(&gathered[start[i]..start[i + 1]], &local, &mut out, None);
                (p.owner, p.ranks.iter().copied().zip(out).collect())
            })
            .collect();
        let mut by_owner: Vec<Vec<(usize, f64)>> = vec![Vec::new(); sizes.len() + 1];
        for (owner, mut pairs) in found {
            by_owner[owner].append(&mut pairs);
        }
        let interpolate = |len: usize, pairs: &[(usize, f64)], levels: &[f64]| -> Vec<f64> {
            let at = |r: usize| pairs[pairs.partition_point(|p| p.0 < r)].1;
            levels.iter().map(|&l| quantile(l, len, at)).collect()
        };
        let mut by_owner = by_owner.into_iter();
        let mut all_pairs = by_owner.next().unwrap_or_default();
        all_pairs.sort_unstable_by_key(|p| p.0);
        let all = interpolate(values.len(), &all_pairs, levels);
        let each = by_owner
            .zip(sizes)
            .map(|(mut pairs, &len)| {
                pairs.sort_unstable_by_key(|p| p.0);
                (len > 0).then(|| interpolate(len, &pairs, &PERCENTILES))
            })
            .collect();
        (all, each)
    }
}

/// No part: a value in such a bucket is not gathered.
const NONE: u32 = u32::MAX;

/// A bucket holding wanted ranks of one set of values (all of them: owner
/// 0; group `g`: owner `g + 1`).
struct Part {
    owner: usize,
    /// Values of the set in lower buckets.
    below: usize,
    /// Values in this bucket.
    count: usize,
    /// The wanted ranks it holds.
    ranks: Vec<usize>,
}

/// The buckets (in value order, with their `count`s) that hold each of
/// `ranks` (ascending): `(bucket, values in lower buckets, values in it,
/// its ranks as a range of `ranks`)`.
fn buckets_of_ranks<'r>(
    ranks: &'r [usize],
    count: &'r [u32],
) -> impl Iterator<Item = (usize, usize, usize, std::ops::Range<usize>)> + 'r {
    let (mut below, mut next) = (0usize, 0usize);
    // Stops at the bucket after the last wanted rank.
    count
        .iter()
        .enumerate()
        .map_while(move |(b, &c)| {
            if next == ranks.len() {
                return None;
            }
            let c = c as usize;
            let first = next;
            while next < ranks.len() && ranks[next] < below + c {
                next += 1;
            }
            let start = below;
            below += c;
            Some((next > first).then_some((b, start, c, first..next)))
        })
        .flatten()
}

/// Numbers in `slot` each bucket holding one of `ranks` as a new [`Part`].
fn place(ranks: &[usize], count: &[u32], slot: &mut [u32], parts: &mut Vec<Part>, owner: usize) {
    for (b, below, count, which) in buckets_of_ranks(ranks, count) {
        slot[b] = parts.len() as u32;
        parts.push(Part {
            owner,
            below,
            count,
            ranks: ranks[which].to_vec(),
        });
    }
}

/// The bins of a [`Histogram`]: [`HISTOGRAM_BINS`] of them, then one for
/// the values below and one for those above.
struct Bins {
    lo: f64,
    hi: f64,
    width: f64,
}

impl Bins {
    /// Bins over `lo..hi` (a metric's P0.5..P99.5), or around `lo` when that
    /// is empty.
    fn over(lo: f64, hi: f64) -> Bins {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5 * lo.abs().max(1e-9), hi + 0.5 * hi.abs().max(1e-9))
        };
        let width = (hi - lo) / HISTOGRAM_BINS as f64;
        Bins { lo, hi, width }
    }

    /// The bin of `v`.
    #[inline]
    fn index(&self, v: f64) -> usize {
        if v < self.lo {
            HISTOGRAM_BINS
        } else if v > self.hi {
            HISTOGRAM_BINS + 1
        } else {
            (((v - self.lo) / self.width) as usize).min(HISTOGRAM_BINS - 1)
        }
    }

    /// The histogram of the counts (in copies to be added up).
    fn histogram(&self, counts: &[[u64; HISTOGRAM_BINS + 2]]) -> Histogram {
        let total = |i: usize| counts.iter().map(|c| c[i]).sum::<u64>();
        Histogram {
            edges: (0..=HISTOGRAM_BINS)
                .map(|i| self.lo + self.width * i as f64)
                .collect(),
            counts: (0..HISTOGRAM_BINS).map(total).collect(),
            below: total(HISTOGRAM_BINS),
            above: total(HISTOGRAM_BINS + 1),
        }
    }
}

/// `v`'s bit pattern as an unsigned number in the order of
/// [`f64::total_cmp`] (which flips the other bits of negative numbers and
/// compares as signed).
fn key(v: f64) -> u64 {
    let b = v.to_bits() as i64;
    ((b ^ (((b >> 63) as u64) >> 1) as i64) as u64) ^ (1 << 63)
}

/// For each of `ranks` (ascending, distinct, each below `values.len()`),
/// writes into `found` the value a sort of `values` by [`f64::total_cmp`]
/// puts there. `keys`, when known, is the range of the values' [`key`]s.
///
/// Above [`SMALL`] values: count the values per bucket of their keys'
/// range, gather the buckets that hold a wanted rank, and search each of
/// those the same way. Each level narrows the keys' range by at least 2^8,
/// and a bucket of one key holds equal values, so this ends.
fn select(values: &[f64], ranks: &[usize], found: &mut [f64], keys: Option<(u64, u64)>) {
    if ranks.is_empty() {
        return;
    }
    if values.len() <= SMALL {
        let mut v = values.to_vec();
        select_in_place(&mut v, ranks, 0);
        for (f, &r) in found.iter_mut().zip(ranks) {
            *f = v[r];
        }
        return;
    }
    let (lo, hi) = keys.unwrap_or_else(|| {
        values.iter().fold((u64::MAX, 0), |(lo, hi), &v| {
            (lo.min(key(v)), hi.max(key(v)))
        })
    });
    if lo == hi {
        // One bit pattern: every value is the same.
        found.fill(values[0]);
        return;
    }
    // About 8 values per bucket, 256 to 65536 buckets.
    let bits = (values.len() / 8).ilog2().clamp(8, 16);
    let shift = (u64::BITS - (hi - lo).leading_zeros()).saturating_sub(bits);
    let bucket = |v: f64| ((key(v) - lo) >> shift) as usize;
    let mut count = vec![0u32; 1 << bits];
    for &v in values {
        count[bucket(v)] += 1;
    }
    // The buckets holding a wanted rank: `(values below, values in it,
    // its ranks as a range of `ranks`)`, and each bucket's index in them.
    const NONE: u16 = u16::MAX;
    let mut slot = vec![NONE; 1 << bits];
    let mut parts: Vec<(usize, usize, std::ops::Range<usize>)> = Vec::new();
    for (b, below, c, which) in buckets_of_ranks(ranks, &count) {
        slot[b] = parts.len() as u16;
        parts.push((below, c, which));
    }
    let mut start = Vec::with_capacity(parts.len() + 1);
    start.push(0);
    for p in &parts {
        start.push(start[start.len() - 1] + p.1);
    }
    let mut gathered = vec![0.0; start[parts.len()]];
    let mut at = start.clone();
    for &v in values {
        let s = slot[bucket(v)];
        if s != NONE {
            gathered[at[s as usize]] = v;
            at[s as usize] += 1;
        }
    }
    for (i, (below, _, which)) in parts.into_iter().enumerate() {
        let local: Vec<usize> = ranks[which.clone()].iter().map(|r| r - below).collect();
        select(
            &gathered[start[i]..start[i + 1]],
            &local,
            &mut found[which],
            None,
        );
    }
}

/// Puts the value of each of `ranks` (ascending, distinct; `v[0]` has rank
/// `offset`) where a sort would.
fn select_in_place(v: &mut [f64], ranks: &[usize], offset: usize) {
    if ranks.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let r = ranks[mid] - offset;
    let (left, _, right) = v.select_nth_unstable_by(r, f64::total_cmp);
    select_in_place(left, &ranks[..mid], offset);
    select_in_place(right, &ranks[mid + 1..], offset + r + 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statistics as they were first written: full sorts, of all values
    /// and of each group. The fast ones must match them bit for bit.
    fn reference(
        values: &[f64],
        group: &[u32],
        groups: u32,
        method: Method,
        break_even: Option<f64>,
    ) -> MetricStats {
        fn quantile_sorted(sorted: &[f64], level: f64) -> f64 {
            quantile(level, sorted.len(), |r| sorted[r])
        }
        fn histogram(sorted: &[f64], lo: f64, hi: f64) -> Histogram {
            let (lo, hi) = if hi > lo {
                (lo, hi)
            } else {
                (lo - 0.5 * lo.abs().max(1e-9), hi + 0.5 * hi.abs().max(1e-9))
            };
            let w = (hi - lo) / HISTOGRAM_BINS as f64;
            let edges: Vec<f64> = (0..=HISTOGRAM_BINS).map(|i| lo + w * i as f64).collect();
            let mut h = Histogram {
                edges,
                counts: vec![0; HISTOGRAM_BINS],
                below: 0,
                above: 0,
            };
            for &v in sorted {
                if v < lo {
                    h.below += 1;
                } else if v > hi {
                    h.above += 1;
                } else {
                    let b = (((v - lo) / w) as usize).min(HISTOGRAM_BINS - 1);
                    h.counts[b] += 1;
                }
            }
            h
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let (mean, sd, min, max) = moments(values);
        let mean = (!values.is_empty()).then(|| {
            let se = match method {
                Method::MonteCarlo => (values.len() > 1).then(|| sd / (values.len() as f64).sqrt()),
                _ => {
                    let (mut sums, mut counts) =
                        (vec![0.0; groups as usize], vec![0.0; groups as usize]);
                    for (v, &g) in values.iter().zip(group) {
                        sums[g as usize] += v;
                        counts[g as usize] += 1.0;
                    }
                    spread(
                        sums.iter()
                            .zip(&counts)
                            .filter(|(_, c)| **c > 0.0)
                            .map(|(s, c)| s / c),
                    )
                }
            };
            Estimate { value: mean, se }
        });
        let mut by_group: Vec<Vec<f64>> = vec![Vec::new(); groups as usize];
        for (v, &g) in values.iter().zip(group) {
            by_group[g as usize].push(*v);
        }
        by_group.iter_mut().for_each(|g| g.sort_by(f64::total_cmp));
        let percentiles = PERCENTILES
            .iter()
            .filter(|_| !values.is_empty())
            .map(|&l| {
                let se = spread(
                    by_group
                        .iter()
                        .filter(|g| !g.is_empty())
                        .map(|g| quantile_sorted(g, l)),
                );
                let value = quantile_sorted(&sorted, l);
                (l, Estimate { value, se })
            })
            .collect();
        let below_break_even = break_even.filter(|_| !values.is_empty()).map(|be| {
            let mut by_group = vec![(0u64, 0u64); groups as usize];
            for (&v, &g) in values.iter().zip(group) {
                let e = &mut by_group[g as usize];
                e.0 += u64::from(v < be);
                e.1 += 1;
            }
            let hits = by_group.iter().map(|g| g.0).sum();
            probability(hits, values.len() as u64, &by_group, method)
        });
        let histogram = if sorted.is_empty() {
            Histogram::default()
        } else {
            histogram(
                &sorted,
                quantile_sorted(&sorted, 0.005),
                quantile_sorted(&sorted, 0.995),
            )
        };
        MetricStats {
            metric: Metric {
                party: 0,
                measure: super::super::metric::Measure::Net,
            },
            base: None,
            defined: 0,
            undefined: Vec::new(),
            mean,
            sd,
            min: if values.is_empty() { 0.0 } else { min },
            max: if values.is_empty() { 0.0 } else { max },
            percentiles,
            below_break_even,
            histogram,
        }
    }

    fn bits(s: &MetricStats) -> Vec<u64> {
        let mut out = vec![s.sd.to_bits(), s.min.to_bits(), s.max.to_bits()];
        for e in s.mean.iter().chain(s.below_break_even.iter()) {
            out.extend([e.value.to_bits(), e.se.map_or(1, f64::to_bits)]);
        }
        for (l, e) in &s.percentiles {
            out.extend([l.to_bits(), e.value.to_bits(), e.se.map_or(1, f64::to_bits)]);
        }
        out.extend(s.histogram.edges.iter().map(|e| e.to_bits()));
        out.extend(&s.histogram.counts);
        out.extend([s.histogram.below, s.histogram.above]);
        out
    }

    /// A small generator, so the test needs no seed handling of its own.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }
    }

    fn samples(kind: usize, n: usize, rng: &mut Lcg) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let u = rng.next();
                match kind {
                    // Smooth, one sign.
                    0 => 0.1 + 0.3 * u,
                    // Both signs, heavy tails, exact zeros and a negative zero.
                    1 => match i % 97 {
                        0 => 0.0,
                        1 => -0.0,
                        _ => (u - 0.5) / (u * (1.0 - u)).powi(2),
                    },
                    // A few distinct values (a discrete driver), many ties.
                    2 => [-3.0, 0.0, 1.5, 1.5, 2.0, 7.0][(u * 6.0) as usize],
                    // A huge outlier above values packed in a narrow range.
                    3 => {
                        if i == n / 2 {
                            1e300
                        } else {
                            1.0 + u * 1e-12
                        }
                    }
                    // One value.
                    _ => 42.0,
                }
            })
            .collect()
    }

    #[test]
    fn describe_matches_full_sorts_bit_for_bit() {
        let mut rng = Lcg(7);
        for n in [1, 2, 3, 17, 2049, 5000, 40_000, 120_001] {
            for kind in 0..5 {
                let values = samples(kind, n, &mut rng);
                for (method, groups) in [
                    (Method::MonteCarlo, 16u32),
                    (Method::LatinHypercube, 6),
                    (Method::Sobol, 1),
                ] {
                    let groups = groups.min(n as u32);
                    // Paths with no value leave gaps: groups as they fall,
                    // and with a sixth of the groups left empty.
                    let used = (groups - groups / 6).max(1) as usize;
                    let group: Vec<u32> = (0..n).map(|i| ((i * 7 + i / 3) % used) as u32).collect();
                    for be in [None, Some(0.0), Some(1.5)] {
                        let fast = describe(&values, &group, groups, method, be);
                        let slow = reference(&values, &group, groups, method, be);
                        assert_eq!(
                            bits(&fast),
                            bits(&slow),
                            "n {n}, kind {kind}, {method:?}, break-even {be:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn no_values_describe_as_nothing() {
        let s = describe(&[], &[], 16, Method::MonteCarlo, Some(0.0));
        assert!(s.mean.is_none() && s.percentiles.is_empty() && s.below_break_even.is_none());
        assert_eq!(
            bits(&s),
            bits(&reference(&[], &[], 16, Method::MonteCarlo, Some(0.0)))
        );
    }

    #[test]
    fn order_statistics_are_those_of_a_sort() {
        let mut rng = Lcg(11);
        for kind in 0..5 {
            let values = samples(kind, 70_000, &mut rng);
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let ranks = [0, 1, 349, 350, 35_000, 69_998, 69_999];
            let mut found = vec![0.0; ranks.len()];
            select(&values, &ranks, &mut found, None);
            for (r, v) in ranks.iter().zip(found) {
                assert_eq!(v.to_bits(), sorted[*r].to_bits(), "kind {kind} rank {r}");
            }
        }
    }

    #[test]
    fn rows_give_column_moments_and_event_shares() {
        // 2 drivers, 1 metric (undefined on path 1), 1 event; 4 paths in 2 groups.
        let values = [
            1.0,
            10.0,
            0.5, //
            2.0,
            20.0,
            f64::NAN, //
            3.0,
            30.0,
            -1.0, //
            4.0,
            40.0,
            2.0,
        ];
        let flags = [0, 1, 3, 0, 0, 1, 0, 0];
        let rows = Rows {
            values: &values,
            flags: &flags,
            paths: 4,
            drivers: 2,
            metrics: 1,
            events: 1,
        };
        let metric = Metric {
            party: 0,
            measure: super::super::metric::Measure::Net,
        };
        let s = summarise(
            &rows,
            &[metric],
            &[Some(1.0)],
            2,
            |p| (p % 2) as u32,
            Method::MonteCarlo,
        );
        assert_eq!(s.drivers[0], moments(&[1.0, 2.0, 3.0, 4.0]));
        assert_eq!(s.drivers[1], moments(&[10.0, 20.0, 30.0, 40.0]));
        let m = &s.metrics[0];
        assert_eq!((m.defined, m.base), (3, Some(1.0)));
        assert_eq!(m.undefined, vec![(Why::NoSignChange, 1)]);
        assert_eq!(m.mean.map(|e| e.value), Some(0.5));
        assert_eq!(m.percentile(0.5), Some(0.5));
        assert_eq!(s.events[0].value, 0.5);
    }
}
