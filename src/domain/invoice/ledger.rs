//! What may be claimed from one invoice: the rules the single writer applies, one operation at
//! a time, so that no sequence of claims, withdrawals and voids ever pays out more than
//! `reimbursable` or claims a voided invoice.

use super::Amount;

/// The claim state of one issued invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ledger {
    pub reimbursable: Amount,
    /// The sum of the active (not withdrawn) claims.
    pub claimed: Amount,
    pub active_claims: u32,
    pub voided: bool,
}

/// Why an operation on an invoice is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// A claim or a second void of a voided invoice.
    #[error("the invoice was voided")]
    Voided,
    /// A claim larger than what is left.
    #[error("the amount exceeds what remains reimbursable ({remaining})")]
    ExceedsRemaining { remaining: Amount },
    /// A void while claims are active.
    #[error("{active} active claim(s) must be withdrawn before the invoice can be voided")]
    Claimed { active: u32 },
}

impl Ledger {
    pub fn new(reimbursable: Amount) -> Self {
        Self { reimbursable, claimed: Amount(0), active_claims: 0, voided: false }
    }

    /// What may still be claimed.
    pub fn remaining(&self) -> Amount {
        Amount(self.reimbursable.0.saturating_sub(self.claimed.0))
    }

    /// Books a claim of `amount` (positive), or says why not.
    pub fn claim(&mut self, amount: Amount) -> Result<(), Refusal> {
        if self.voided {
            return Err(Refusal::Voided);
        }
        if amount > self.remaining() {
            return Err(Refusal::ExceedsRemaining { remaining: self.remaining() });
        }
        self.claimed = Amount(self.claimed.0 + amount.0);
        self.active_claims += 1;
        Ok(())
    }

    /// Releases an active claim of `amount`.
    pub fn withdraw(&mut self, amount: Amount) {
        debug_assert!(self.active_claims > 0 && amount <= self.claimed, "only an active claim is withdrawn");
        self.claimed = Amount(self.claimed.0.saturating_sub(amount.0));
        self.active_claims = self.active_claims.saturating_sub(1);
    }

    /// Voids the invoice: only once, and only while nothing is claimed.
    pub fn void(&mut self) -> Result<(), Refusal> {
        if self.voided {
            return Err(Refusal::Voided);
        }
        if self.active_claims > 0 {
            return Err(Refusal::Claimed { active: self.active_claims });
        }
        self.voided = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_lifecycle_of_the_issue() {
        let mut l = Ledger::new(Amount(10000));
        l.claim(Amount(6000)).unwrap();
        assert_eq!(l.claim(Amount(5000)), Err(Refusal::ExceedsRemaining { remaining: Amount(4000) }));
        l.claim(Amount(4000)).unwrap();
        assert_eq!(l.claim(Amount(1)), Err(Refusal::ExceedsRemaining { remaining: Amount(0) }));
        l.withdraw(Amount(6000));
        assert_eq!(l.remaining(), Amount(6000));
        assert_eq!(l.void(), Err(Refusal::Claimed { active: 1 }));
        l.withdraw(Amount(4000));
        l.void().unwrap();
        assert_eq!(l.claim(Amount(1)), Err(Refusal::Voided));
        assert_eq!(l.void(), Err(Refusal::Voided));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Claim(u64),
        Withdraw(usize),
        Void,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (1u64..5_000).prop_map(Op::Claim),
            2 => any::<usize>().prop_map(Op::Withdraw),
            1 => Just(Op::Void),
        ]
    }

    proptest! {
        /// Whatever the order: active claims never exceed `reimbursable`, the ledger's sums
        /// match the claims it accepted, and nothing is accepted after a void.
        #[test]
        fn never_pays_out_more_than_reimbursable(reimbursable in 0u64..20_000, ops in prop::collection::vec(op(), 0..60)) {
            let mut l = Ledger::new(Amount(reimbursable));
            let mut active: Vec<u64> = Vec::new();
            for op in ops {
                let voided_before = l.voided;
                match op {
                    Op::Claim(a) => {
                        if l.claim(Amount(a)).is_ok() {
                            prop_assert!(!voided_before);
                            active.push(a);
                        }
                    }
                    Op::Withdraw(i) if !active.is_empty() => {
                        let a = active.remove(i % active.len());
                        l.withdraw(Amount(a));
                    }
                    Op::Withdraw(_) => {}
                    Op::Void => {
                        if l.void().is_ok() {
                            prop_assert!(active.is_empty());
                        }
                    }
                }
                prop_assert!(l.claimed.0 <= reimbursable);
                prop_assert_eq!(l.claimed.0, active.iter().sum::<u64>());
                prop_assert_eq!(l.active_claims as usize, active.len());
                prop_assert_eq!(l.remaining().0, reimbursable - l.claimed.0);
            }
        }
    }
}
