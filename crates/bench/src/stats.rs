//! Latency samples and their percentiles (nearest rank), and the units the table prints.

use std::time::Duration;

#[derive(Debug, Default, Clone)]
pub struct Sample(Vec<Duration>);

impl Sample {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Duration>) {
        self.0.extend(ds);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The `q` quantile (0 < q ≤ 1) by nearest rank; `None` for an empty sample.
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        if self.0.is_empty() {
            return None;
        }
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        let rank = (q * sorted.len() as f64).ceil() as usize;
        sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
    }

    /// `p50 / p99` in milliseconds, as the table shows it.
    pub fn p50_p99(&self) -> String {
        match (self.quantile(0.5), self.quantile(0.99)) {
            (Some(a), Some(b)) => format!("{} / {}", ms(a), ms(b)),
            _ => "no samples".into(),
        }
    }
}

/// Milliseconds with precision that suits the size.
pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else if ms < 100.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

/// A count with thousands separators: 1234567 → 1,234,567.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes as decimal megabytes (the unit of the targets).
pub fn megabytes(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / 1e6)
}

/// `n` events in `took`, per second, rounded.
pub fn per_second(n: usize, took: Duration) -> String {
    format!("{:.0}", n as f64 / took.as_secs_f64().max(1e-9))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut s = Sample::default();
        s.extend((1..=100).map(Duration::from_millis));
        assert_eq!(s.quantile(0.5), Some(Duration::from_millis(50)));
        assert_eq!(s.quantile(0.99), Some(Duration::from_millis(99)));
        assert_eq!(s.quantile(1.0), Some(Duration::from_millis(100)));
        assert_eq!(Sample::default().quantile(0.5), None);
    }

    #[test]
    fn separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
