//! Prometheus metrics (OpenMetrics text at `GET /metrics`). Counters and histograms are
//! updated where things happen; gauges that describe state (witness lag, fork) are set from
//! the same view as `/v1/witnesses` when scraped, so the two never disagree.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WitnessLabel {
    pub witness: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RefusalLabels {
    pub witness: String,
    pub code: String,
}

type Seconds = Family<WitnessLabel, Histogram, fn() -> Histogram>;

/// Every metric the service exports.
pub struct Metrics {
    registry: Registry,
    /// Duration of each co-signing request to a witness, answered or not.
    pub cosign_seconds: Seconds,
    /// Witness answers other than 200, by the refusal's `code` (`fork`, `gap`, …).
    pub refusals: Family<RefusalLabels, Counter>,
    /// Calls that got no usable answer: unreachable, or a broken answer.
    pub cosign_failures: Family<WitnessLabel, Counter>,
    pub lag_blocks: Family<WitnessLabel, Gauge>,
    pub lag_seconds: Family<WitnessLabel, Gauge<f64, AtomicU64>>,
    pub reachable: Family<WitnessLabel, Gauge>,
    /// 1 while a witness reports a fork (readyz is then not ready).
    pub fork_detected: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut m = Self {
            registry: Registry::with_prefix("notarium"),
            cosign_seconds: Seconds::new_with_constructor(|| Histogram::new(exponential_buckets(0.0005, 2.0, 16))),
            refusals: Family::default(),
            cosign_failures: Family::default(),
            lag_blocks: Family::default(),
            lag_seconds: Family::default(),
            reachable: Family::default(),
            fork_detected: Gauge::default(),
        };
        let r = &mut m.registry;
        r.register(
            "witness_cosign_seconds",
            "Duration of co-signing requests to each witness",
            m.cosign_seconds.clone(),
        );
        r.register("witness_refusals", "Witness refusals by witness and refusal code", m.refusals.clone());
        let failures = "Co-signing calls with no usable answer (unreachable or broken)";
        r.register("witness_failures", failures, m.cosign_failures.clone());
        r.register("witness_lag_blocks", "Blocks the witness has not co-signed yet", m.lag_blocks.clone());
        let lag = "Age of the oldest block the witness has not co-signed";
        r.register("witness_lag_seconds", lag, m.lag_seconds.clone());
        r.register("witness_reachable", "1 when the last call reached the witness", m.reachable.clone());
        let fork = "1 while a witness refuses with fork: the operator's chain diverged from what it signed";
        r.register("fork_detected", fork, m.fork_detected.clone());
        m
    }
}

impl Metrics {
    pub fn witness(name: &str) -> WitnessLabel {
        WitnessLabel { witness: name.to_owned() }
    }

    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry).expect("writing to a String");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_what_was_recorded() {
        let m = Metrics::default();
        m.cosign_seconds.get_or_create(&Metrics::witness("court")).observe(0.003);
        m.refusals.get_or_create(&RefusalLabels { witness: "court".into(), code: "fork".into() }).inc();
        m.fork_detected.set(1);
        let text = m.encode();
        assert!(text.contains("notarium_witness_cosign_seconds_count{witness=\"court\"} 1"), "{text}");
        assert!(text.contains("notarium_witness_refusals_total{witness=\"court\",code=\"fork\"} 1"), "{text}");
        assert!(text.contains("notarium_fork_detected 1"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
