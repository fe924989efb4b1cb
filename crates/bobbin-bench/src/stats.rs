//! Medians and spread of a row's samples.
//!
//! The samples of one implementation are a handful of repetitions (3 in a
//! quick pass, 11 in a full one) on a shared machine, so the summary is
//! robust: the median, and the interquartile range (the 25th to the 75th
//! percentile, linearly interpolated as numpy's default does) as the spread.

/// The summary of one implementation's samples, in nanoseconds per
/// operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Summary {
    /// The median sample.
    pub(crate) median: f64,
    /// The 25th percentile.
    pub(crate) p25: f64,
    /// The 75th percentile.
    pub(crate) p75: f64,
    /// The smallest sample.
    pub(crate) min: f64,
    /// The largest sample.
    pub(crate) max: f64,
}

impl Summary {
    /// Summarises `samples`, or `None` if there are none (or any is not a
    /// finite number).
    pub(crate) fn of(samples: &[f64]) -> Option<Summary> {
        if samples.is_empty() || samples.iter().any(|s| !s.is_finite()) {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Summary {
            median: quantile(&sorted, 0.5),
            p25: quantile(&sorted, 0.25),
            p75: quantile(&sorted, 0.75),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        })
    }

    /// The interquartile range relative to the median, in percent: the
    /// number the report prints as "±".
    pub(crate) fn spread_percent(&self) -> f64 {
        if self.median > 0.0 {
            (self.p75 - self.p25) / 2.0 / self.median * 100.0
        } else {
            0.0
        }
    }
}

/// The `q` quantile of sorted, non-empty `sorted`, interpolating linearly
/// between the two nearest ranks.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(Summary::of(&[3.0, 1.0, 2.0]).unwrap().median, 2.0);
        assert_eq!(Summary::of(&[4.0, 1.0, 3.0, 2.0]).unwrap().median, 2.5);
        assert_eq!(Summary::of(&[7.0]).unwrap().median, 7.0);
    }

    #[test]
    fn quartiles_interpolate_and_bound_the_samples() {
        let s = Summary::of(&[5.0, 1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(
            (s.min, s.p25, s.median, s.p75, s.max),
            (1.0, 2.0, 3.0, 4.0, 5.0)
        );
        let s = Summary::of(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!((s.p25, s.p75), (1.75, 3.25));
        // Half the interquartile range over the median: (3.25 - 1.75) / 2 / 2.5.
        assert!((s.spread_percent() - 30.0).abs() < 1e-9);
    }

    #[test]
    fn no_summary_without_finite_samples() {
        assert_eq!(Summary::of(&[]), None);
        assert_eq!(Summary::of(&[1.0, f64::NAN]), None);
    }
}
