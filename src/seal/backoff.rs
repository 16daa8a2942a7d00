//! Exponential backoff for retrying a witness: `min`, `2·min`, `4·min`, … capped at `max`,
//! back to `min` after a success.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Self {
        let max = max.max(min);
        Self { min, max, next: min }
    }

    /// The delay before the next attempt after a failure.
    pub fn failed(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(self.max);
        delay
    }

    pub fn succeeded(&mut self) {
        self.next = self.min;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_resets() {
        let ms = Duration::from_millis;
        let mut b = Backoff::new(ms(500), ms(5_000));
        let delays: Vec<_> = (0..7).map(|_| b.failed()).collect();
        assert_eq!(delays, [ms(500), ms(1_000), ms(2_000), ms(4_000), ms(5_000), ms(5_000), ms(5_000)]);
        b.succeeded();
        assert_eq!(b.failed(), ms(500));
        assert_eq!(Backoff::new(ms(800), ms(100)).failed(), ms(800), "a cap below the minimum is the minimum");
    }
}
