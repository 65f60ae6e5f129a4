//! Per-period percentiles of a series across paths, in bounded memory.
//!
//! A fan chart needs P5..P95 of, say, a lab's cash balance at each of 96
//! month ends over a million paths. Keeping every value would take paths x
//! periods x 8 bytes; instead each period gets a fixed-bin histogram over a
//! range set by a pilot of the first paths (widened by a margin), so memory
//! is `series x periods x BINS` counts whatever the number of paths, counts
//! merge by addition (the result does not depend on threads or chunking),
//! and a percentile read from it is within one bin, 1/[`BINS`] of the range.
//! Values outside the range are counted in the edge bins and reported, so a
//! percentile that falls there is known to be clamped.

/// Bins per period: a percentile is exact to 1/BINS of the pilot's range.
pub const BINS: usize = 1000;

/// 2^52: adding it to a double in `[0, 2^52)` rounds it to an integer.
const TWO_52: f64 = 4_503_599_627_370_496.0;

/// The percentiles a fan shows.
pub const LEVELS: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];

/// The value range of each period's histogram.
#[derive(Debug, Clone)]
pub struct Ranges {
    lo: Vec<f64>,
    width: Vec<f64>,
    /// `1 / width`: a multiply per value instead of a divide.
    per_unit: Vec<f64>,
}

impl Ranges {
    /// Ranges from pilot values, `pilot[path * periods + p]`, widened by a
    /// quarter of their span on each side (and never empty).
    pub fn from_pilot(pilot: &[f64], periods: usize) -> Ranges {
        let mut lo = vec![f64::INFINITY; periods];
        let mut hi = vec![f64::NEG_INFINITY; periods];
        for row in pilot.chunks(periods) {
            for (p, &v) in row.iter().enumerate() {
                lo[p] = lo[p].min(v);
                hi[p] = hi[p].max(v);
            }
        }
        let mut width = vec![0.0; periods];
        for p in 0..periods {
            if !lo[p].is_finite() || !hi[p].is_finite() {
                (lo[p], hi[p]) = (0.0, 0.0);
            }
            let span = hi[p] - lo[p];
            // A period the drivers do not move still gets a tiny range, so the
            // single value lands in one bin and reads back as itself.
            let margin = (0.25 * span)
                .max(1e-9 * lo[p].abs().max(hi[p].abs()))
                .max(1e-12);
            lo[p] -= margin;
            width[p] = (span + 2.0 * margin) / BINS as f64;
        }
        let per_unit = width.iter().map(|w| 1.0 / w).collect();
        Ranges {
            lo,
            width,
            per_unit,
        }
    }

    pub fn periods(&self) -> usize {
        self.lo.len()
    }
}

/// The bin `v` is counted in for period `p`, and whether it is outside the
/// range (then it is counted in the edge bin).
#[inline]
fn locate(ranges: &Ranges, p: usize, v: f64) -> (usize, bool) {
    let x = (v - ranges.lo[p]) * ranges.per_unit[p];
    if x >= 0.0 && x < BINS as f64 {
        (x as usize, false)
    } else if x >= BINS as f64 {
        (BINS - 1, true)
    } else {
        (0, true)
    }
}

/// Histograms of one series (one per period).
#[derive(Debug, Clone)]
pub struct Fan {
    counts: Vec<u32>,
    /// Values that fell below or above the range, clamped into the edge bins.
    pub outside: u64,
}

impl Fan {
    pub fn new(periods: usize) -> Fan {
        Fan {
            counts: vec![0; periods * BINS],
            outside: 0,
        }
    }

    /// Counts the value of each period of one path.
    #[inline]
    pub fn add(&mut self, ranges: &Ranges, values: &[f64]) {
        for (p, &v) in values.iter().enumerate() {
            self.add_one(ranges, p, v);
        }
    }

    /// Counts values of period `p` from several paths: one histogram row
    /// stays in cache for all of them.
    #[inline]
    pub fn add_column(&mut self, ranges: &Ranges, p: usize, values: &[f64]) {
        // Early periods are often the same on every path (nothing drawn has
        // acted yet): one add instead of a chain of adds to one counter.
        if let Some(&first) = values.first() {
            // A fold rather than `all`: no early exit, so it vectorises.
            if values.iter().fold(true, |same, &v| same & (v == first)) {
                let (bin, outside) = locate(ranges, p, first);
                self.counts[p * BINS + bin] += values.len() as u32;
                self.outside += u64::from(outside) * values.len() as u64;
                return;
            }
        }
        // Four lanes per instruction where the CPU has them (the same
        // operations, so the same bins).
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { self.count_avx2(ranges, p, values) };
            return;
        }
        self.count(ranges, p, values);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn count_avx2(&mut self, ranges: &Ranges, p: usize, values: &[f64]) {
        self.count(ranges, p, values);
    }

    /// Counts `values` in period `p`'s histogram.
    #[inline(always)]
    fn count(&mut self, ranges: &Ranges, p: usize, values: &[f64]) {
        // The bins of a batch first, in a loop that vectorises (as `locate`
        // does value by value: NaN and values below the range go to bin 0,
        // values above it to the last), then one add per value.
        let (lo, per_unit) = (ranges.lo[p], ranges.per_unit[p]);
        let row = &mut self.counts[p * BINS..(p + 1) * BINS];
        let mut outside = 0u64;
        let mut bins = [0u32; 64];
        for batch in values.chunks(bins.len()) {
            for (bin, &v) in bins.iter_mut().zip(batch) {
                let x = (v - lo) * per_unit;
                let inside = x >= 0.0 && x < BINS as f64;
                outside += u64::from(!inside);
                // Clamped by comparisons (NaN fails them and lands at 0),
                // then truncated: x + 2^52 rounds x to an integer held in
                // the low bits, one less where that rounded up. An `as`
                // cast would add a saturation check per value.
                let x = if x > 0.0 { x } else { 0.0 };
                let x = if x < (BINS - 1) as f64 {
                    x
                } else {
                    (BINS - 1) as f64
                };
                let nearest = (x + TWO_52) - TWO_52;
                let floor = if nearest > x { nearest - 1.0 } else { nearest };
                *bin = (floor + TWO_52).to_bits() as u32;
            }
            for &bin in &bins[..batch.len()] {
                row[(bin as usize).min(BINS - 1)] += 1;
            }
        }
        self.outside += outside;
    }

    #[inline]
    fn add_one(&mut self, ranges: &Ranges, p: usize, v: f64) {
        let (bin, outside) = locate(ranges, p, v);
        self.outside += u64::from(outside);
        self.counts[p * BINS + bin] += 1;
    }

    pub fn merge(&mut self, other: &Fan) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.outside += other.outside;
    }

    /// The `level` percentile (0..1) of period `p`, interpolated within its bin.
    pub fn percentile(&self, ranges: &Ranges, p: usize, level: f64) -> f64 {
        let bins = &self.counts[p * BINS..(p + 1) * BINS];
        let total: u64 = bins.iter().map(|&c| c as u64).sum();
        if total == 0 {
            return f64::NAN;
        }
        let target = level * total as f64;
        let mut below = 0.0;
        for (b, &c) in bins.iter().enumerate() {
            let c = c as f64;
            if c > 0.0 && below + c >= target {
                let frac = ((target - below) / c).clamp(0.0, 1.0);
                return ranges.lo[p] + (b as f64 + frac) * ranges.width[p];
            }
            below += c;
        }
        ranges.lo[p] + BINS as f64 * ranges.width[p]
    }

    /// [`LEVELS`] of every period.
    pub fn bands(&self, ranges: &Ranges) -> Vec<[f64; 5]> {
        (0..ranges.periods())
            .map(|p| LEVELS.map(|l| self.percentile(ranges, p, l)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_uniform_grid_are_within_one_bin() {
        // Values 0, 1, ..., 9999 in one period: P5 = 500, P50 = 5000 (of the
        // empirical distribution), to within one bin of the range (~12.5).
        let values: Vec<f64> = (0..10_000).map(f64::from).collect();
        let ranges = Ranges::from_pilot(&values, 1);
        let mut fan = Fan::new(1);
        for v in &values {
            fan.add(&ranges, std::slice::from_ref(v));
        }
        let bin = 9999.0 * 1.5 / BINS as f64;
        assert!((fan.percentile(&ranges, 0, 0.05) - 500.0).abs() <= bin);
        assert!((fan.percentile(&ranges, 0, 0.5) - 5000.0).abs() <= bin);
        assert_eq!(fan.outside, 0);
    }

    #[test]
    fn a_constant_period_reads_back_its_value() {
        let ranges = Ranges::from_pilot(&[7.5, 7.5, 7.5], 1);
        let mut fan = Fan::new(1);
        fan.add(&ranges, &[7.5]);
        assert!((fan.percentile(&ranges, 0, 0.95) - 7.5).abs() < 1e-6);
    }

    #[test]
    fn a_column_of_equal_values_counts_each_of_them() {
        // 256 paths at 7.5 and, separately, 3 paths at 100 (outside the
        // pilot's range 0..10): the median is 7.5, and 3 values are outside.
        let ranges = Ranges::from_pilot(&[0.0, 10.0], 1);
        let mut fan = Fan::new(1);
        fan.add_column(&ranges, 0, &[7.5; 256]);
        assert!((fan.percentile(&ranges, 0, 0.5) - 7.5).abs() <= 15.0 / BINS as f64);
        fan.add_column(&ranges, 0, &[100.0; 3]);
        assert_eq!(fan.outside, 3);
        let total: u32 = fan.counts.iter().sum();
        assert_eq!(total, 259);
    }

    #[test]
    fn values_outside_the_pilot_range_are_counted() {
        let ranges = Ranges::from_pilot(&[0.0, 1.0], 1);
        let mut fan = Fan::new(1);
        fan.add(&ranges, &[100.0]);
        fan.add(&ranges, &[-100.0]);
        assert_eq!(fan.outside, 2);
    }
}
