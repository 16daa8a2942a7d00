//! Shared by the benchmark examples (`#[path]`-included).

/// p50, p99 and max of `v` (sorted in place); zeros when empty.
pub fn percentiles(v: &mut [u64]) -> (f64, f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    v.sort_unstable();
    let at = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize] as f64;
    (at(0.5), at(0.99), *v.last().unwrap() as f64)
}
