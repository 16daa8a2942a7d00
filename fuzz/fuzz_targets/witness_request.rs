//! A witness's cosign request as it arrives: JSON with unknown fields refused, then the
//! headers checked against a fresh witness's state (the checks a witness makes before it signs).
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use notarium::domain::{LogName, Timestamp};
use notarium::witness::CosignRequest;
use notarium::witness::checks::check_request;
use notarium::witness::state::WitnessState;

struct Fresh {
    _dir: tempfile::TempDir,
    state: WitnessState,
    log: LogName,
}

fn fresh() -> &'static Fresh {
    static FRESH: OnceLock<Fresh> = OnceLock::new();
    FRESH.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let state = WitnessState::open(dir.path()).expect("a fresh witness state");
        let log: LogName = "notarium-dev".parse().expect("a log name");
        Fresh { _dir: dir, state, log }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(request) = serde_json::from_slice::<CosignRequest>(data) else { return };
    let f = fresh();
    let _ = check_request(&f.state, &f.log, &request.headers, Timestamp::now(), Duration::from_secs(300));
});
