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

/// A request: method, route pattern (never the raw path) and status.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: String,
}

/// One step of an image registration (`receive`, `decode`, `fingerprints`, `thumbnail`, …).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StepLabel {
    pub step: String,
}

/// What a rate limit applied to: `tenant` or `ip`.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ScopeLabel {
    pub scope: String,
}

type Seconds = Family<WitnessLabel, Histogram, fn() -> Histogram>;
type RouteSeconds = Family<RouteLabels, Histogram, fn() -> Histogram>;
type StepSeconds = Family<StepLabel, Histogram, fn() -> Histogram>;

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
    /// HTTP requests answered, by method, route and status.
    pub requests: Family<RequestLabels, Counter>,
    /// HTTP request latency, by method and route.
    pub request_seconds: RouteSeconds,
    /// Records written, by kind.
    pub evidence: Family<KindLabel, Counter>,
    /// Requests refused with 429, by what was limited.
    pub rate_limited: Family<ScopeLabel, Counter>,
    /// Time of each step of an image registration.
    pub image_step_seconds: StepSeconds,
    /// Time to seal one block (tree and header built, block stored).
    pub seal_seconds: Histogram,
    /// Records per sealed block.
    pub block_leaves: Histogram,
    /// Set when scraped: records not yet in a block.
    pub pending_records: Gauge,
    /// Set when scraped: age of the oldest sealed block not yet anchored (0 when none).
    pub anchor_lag_seconds: Gauge<f64, AtomicU64>,
    /// Set when scraped: database pool connections open, and idle among them.
    pub db_connections: Gauge,
    pub db_idle_connections: Gauge,
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
            requests: Family::default(),
            request_seconds: RouteSeconds::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.0001, 2.5, 14))
            }),
            evidence: Family::default(),
            rate_limited: Family::default(),
            image_step_seconds: StepSeconds::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.0005, 2.0, 16))
            }),
            seal_seconds: Histogram::new(exponential_buckets(0.0005, 2.0, 16)),
            block_leaves: Histogram::new(exponential_buckets(1.0, 4.0, 10)),
            pending_records: Gauge::default(),
            anchor_lag_seconds: Gauge::default(),
            db_connections: Gauge::default(),
            db_idle_connections: Gauge::default(),
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
        r.register("http_requests", "HTTP requests by method, route and status", m.requests.clone());
        r.register("http_request_seconds", "HTTP request latency by method and route", m.request_seconds.clone());
        r.register("evidence_records", "Records written, by kind", m.evidence.clone());
        r.register("rate_limited", "Requests refused with 429, by tenant or client IP", m.rate_limited.clone());
        let steps = "Time of each step of an image registration (receive, read, decode, fingerprints, thumbnail, \
            store_file, commit)";
        r.register("image_step_seconds", steps, m.image_step_seconds.clone());
        r.register("seal_seconds", "Time to seal one block", m.seal_seconds.clone());
        r.register("block_leaves", "Records per sealed block", m.block_leaves.clone());
        r.register("pending_records", "Records not yet sealed into a block", m.pending_records.clone());
        let lag = "Age of the oldest sealed block not yet anchored (0 when all are)";
        r.register("anchor_lag_seconds", lag, m.anchor_lag_seconds.clone());
        r.register("db_pool_connections", "Open database pool connections", m.db_connections.clone());
        r.register("db_pool_idle_connections", "Idle database pool connections", m.db_idle_connections.clone());
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
