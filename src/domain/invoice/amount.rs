//! Money as exact cents: written `^(0|[1-9][0-9]{0,14})\.[0-9]{2}$`, never a float.

use std::fmt;
use std::str::FromStr;

/// A non-negative amount in cents (at most 15 integer digits, so sums of many fit in `u64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(pub u64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an amount is a string of 1 to 15 digits without leading zeros, a dot and 2 decimals, e.g. \"120.50\"")]
pub struct AmountError;

impl FromStr for Amount {
    type Err = AmountError;

    fn from_str(s: &str) -> Result<Self, AmountError> {
        let (whole, cents) = s.split_once('.').ok_or(AmountError)?;
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || whole.len() > 15 || (whole.len() > 1 && whole.starts_with('0')) {
            return Err(AmountError);
        }
        if cents.len() != 2 || !digits(cents) {
            return Err(AmountError);
        }
        let whole: u64 = whole.parse().map_err(|_| AmountError)?;
        let cents: u64 = cents.parse().map_err(|_| AmountError)?;
        Ok(Self(whole * 100 + cents))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Amount {
    /// The sum, or `None` on overflow (impossible below 10^17 cents per term and 100 terms).
    pub fn sum<'a>(amounts: impl IntoIterator<Item = &'a Amount>) -> Option<Amount> {
        amounts.into_iter().try_fold(0u64, |acc, a| acc.checked_add(a.0)).map(Amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_canonical_form_only() {
        assert_eq!("0.00".parse(), Ok(Amount(0)));
        assert_eq!("120.50".parse(), Ok(Amount(12_050)));
        assert_eq!("999999999999999.99".parse(), Ok(Amount(99_999_999_999_999_999)));
        for bad in [
            "",
            "1",
            "1.5",
            "1.500",
            "01.00",
            "-1.00",
            "+1.00",
            "1,00",
            " 1.00",
            "1.00 ",
            "1e2.00",
            ".50",
            "1.",
            "1000000000000000.00",
            "1.0a",
        ] {
            assert_eq!(bad.parse::<Amount>(), Err(AmountError), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn display_round_trips(cents in 0u64..100_000_000_000_000_000) {
            let a = Amount(cents);
            prop_assert_eq!(a.to_string().parse::<Amount>(), Ok(a));
        }
    }
}
