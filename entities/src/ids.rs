//! Domain identifiers and codes, validated on construction so that an invalid value
//! cannot reach the database or a recipient.

mod national_id;

use std::fmt;
use std::str::FromStr;

pub use national_id::{
    Gender, IdKind, NationalId, NationalIdError, synthetic_national_id, temporary_national_id,
};

/// Why a code or number failed validation; the message names the rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("an organisation number has exactly 9 digits")]
    OrgNoFormat,
    #[error("the check digit of the organisation number is wrong (mod 11)")]
    OrgNoCheckDigit,
    #[error("an account number has exactly 11 digits")]
    AccountNoFormat,
    #[error("the check digit of the account number is wrong (mod 11)")]
    AccountNoCheckDigit,
    #[error(
        "a programme area code has 10 characters: 3 to 10 capital letters or digits, padded with '-'"
    )]
    ProgrammeAreaCode,
    #[error(
        "a grade is 1-6, B (passed), IB (not passed), IV (not assessed) or IM (did not attend)"
    )]
    Grade,
}

/// Mod-11 check digit over `digits` with `weights`; `None` where the rule gives no digit (10).
fn mod11_check_digit(digits: &[u8], weights: &[u32]) -> Option<u8> {
    let sum: u32 = digits
        .iter()
        .zip(weights)
        .map(|(&d, &w)| u32::from(d) * w)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        k => Some(k as u8),
    }
}

fn ascii_digits<const N: usize>(s: &str) -> Option<[u8; N]> {
    let bytes = s.as_bytes();
    if bytes.len() != N || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut out = [0u8; N];
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = b - b'0';
    }
    Some(out)
}

const ORGNO_WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
const ACCOUNT_WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/// A 9-digit organisation number from the Central Coordinating Register (Enhetsregisteret).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgNo(String);

impl OrgNo {
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let d = ascii_digits::<9>(s).ok_or(CodeError::OrgNoFormat)?;
        if mod11_check_digit(&d[..8], &ORGNO_WEIGHTS) != Some(d[8]) {
            return Err(CodeError::OrgNoCheckDigit);
        }
        Ok(OrgNo(s.to_owned()))
    }

    /// Completes eight leading digits with their check digit, where one exists.
    pub fn from_base(base: u32) -> Option<Self> {
        let s = format!("{base:08}");
        let d = ascii_digits::<8>(&s)?;
        let k = mod11_check_digit(&d, &ORGNO_WEIGHTS)?;
        Some(OrgNo(format!("{s}{k}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Norwegian 11-digit bank account number, used for subsidy payments.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AccountNo(String);

impl AccountNo {
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let d = ascii_digits::<11>(s).ok_or(CodeError::AccountNoFormat)?;
        if mod11_check_digit(&d[..10], &ACCOUNT_WEIGHTS) != Some(d[10]) {
            return Err(CodeError::AccountNoCheckDigit);
        }
        Ok(AccountNo(s.to_owned()))
    }

    /// Completes ten leading digits with their check digit, where one exists.
    pub fn from_base(base: u64) -> Option<Self> {
        let s = format!("{base:010}");
        let d = ascii_digits::<10>(&s)?;
        let k = mod11_check_digit(&d, &ACCOUNT_WEIGHTS)?;
        Some(AccountNo(format!("{s}{k}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A 10-character programme area code from Vigo's code list (programområde), e.g. `ELELE1----`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProgrammeAreaCode(String);

impl ProgrammeAreaCode {
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let bytes = s.as_bytes();
        let significant = bytes.iter().take_while(|b| **b != b'-').count();
        let valid = bytes.len() == 10
            && significant >= 3
            && bytes[..significant]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && bytes[..3].iter().all(u8::is_ascii_uppercase)
            && bytes[significant..].iter().all(|b| *b == b'-');
        if !valid {
            return Err(CodeError::ProgrammeAreaCode);
        }
        Ok(ProgrammeAreaCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A grade (karakter) as recorded on a subject result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grade {
    /// Numeric grade 1 (lowest) to 6 (highest).
    Numeric(u8),
    /// Bestått: passed, in subjects graded pass/fail.
    Passed,
    /// Ikke bestått: not passed.
    NotPassed,
    /// IV, ikke vurdert: the pupil could not be assessed.
    NotAssessed,
    /// IM, ikke møtt: the candidate did not attend the exam.
    DidNotAttend,
}

impl Grade {
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        Ok(match s {
            "1" | "2" | "3" | "4" | "5" | "6" => Grade::Numeric(s.as_bytes()[0] - b'0'),
            "B" => Grade::Passed,
            "IB" => Grade::NotPassed,
            "IV" => Grade::NotAssessed,
            "IM" => Grade::DidNotAttend,
            _ => return Err(CodeError::Grade),
        })
    }

    /// The value that counts in point calculations, for numeric grades.
    pub fn points(self) -> Option<u8> {
        match self {
            Grade::Numeric(n) => Some(n),
            _ => None,
        }
    }

    /// Whether the grade counts as passed (numeric 2 or better, or B).
    pub fn is_pass(self) -> bool {
        matches!(self, Grade::Numeric(2..=6) | Grade::Passed)
    }

    pub fn code(self) -> &'static str {
        match self {
            Grade::Numeric(1) => "1",
            Grade::Numeric(2) => "2",
            Grade::Numeric(3) => "3",
            Grade::Numeric(4) => "4",
            Grade::Numeric(5) => "5",
            Grade::Numeric(_) => "6",
            Grade::Passed => "B",
            Grade::NotPassed => "IB",
            Grade::NotAssessed => "IV",
            Grade::DidNotAttend => "IM",
        }
    }
}

macro_rules! string_code_impls {
    ($($ty:ty => $accessor:ident),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.$accessor())
            }
        }
        impl FromStr for $ty {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    )*};
}

string_code_impls!(OrgNo => as_str, AccountNo => as_str, ProgrammeAreaCode => as_str, Grade => code);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn org_numbers() {
        // Brønnøysundregistrene's own organisation number.
        assert!(OrgNo::parse("974760673").is_ok());
        assert_eq!(OrgNo::parse("974760674"), Err(CodeError::OrgNoCheckDigit));
        assert_eq!(OrgNo::parse("97476067"), Err(CodeError::OrgNoFormat));
        assert_eq!(OrgNo::parse("97476067x"), Err(CodeError::OrgNoFormat));
    }

    #[test]
    fn account_numbers() {
        let acc = AccountNo::from_base(1_234_567_890).unwrap();
        assert_eq!(AccountNo::parse(acc.as_str()), Ok(acc.clone()));
        let mut wrong = acc.as_str().to_owned();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '9' {
            '0'
        } else {
            char::from(last as u8 + 1)
        });
        assert_eq!(
            AccountNo::parse(&wrong),
            Err(CodeError::AccountNoCheckDigit)
        );
        assert_eq!(AccountNo::parse("1234"), Err(CodeError::AccountNoFormat));
    }

    #[test]
    fn programme_area_codes() {
        for ok in ["ELELE1----", "STSSA1----", "BAMUR3----", "ELELE3ELEL"] {
            assert!(ProgrammeAreaCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ELELE1---",
            "elele1----",
            "EL--------",
            "ELE-E1----",
            "1LELE1----",
            "",
        ] {
            assert!(ProgrammeAreaCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn grades() {
        assert_eq!(Grade::parse("4"), Ok(Grade::Numeric(4)));
        assert_eq!(Grade::parse("IM"), Ok(Grade::DidNotAttend));
        assert_eq!(Grade::parse("7"), Err(CodeError::Grade));
        assert_eq!(Grade::parse("0"), Err(CodeError::Grade));
        assert!(Grade::Numeric(2).is_pass());
        assert!(!Grade::Numeric(1).is_pass());
        assert!(!Grade::NotAssessed.is_pass());
        for code in ["1", "2", "3", "4", "5", "6", "B", "IB", "IV", "IM"] {
            assert_eq!(Grade::parse(code).unwrap().code(), code);
        }
    }

    proptest! {
        #[test]
        fn generated_org_numbers_validate_and_single_digit_changes_fail(
            base in 80_000_000u32..99_999_999, pos in 0usize..9, delta in 1u8..10
        ) {
            if let Some(org) = OrgNo::from_base(base) {
                prop_assert_eq!(OrgNo::parse(org.as_str()), Ok(org.clone()));
                let mut bytes = org.as_str().as_bytes().to_vec();
                bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
                let changed = String::from_utf8(bytes).unwrap();
                prop_assert!(OrgNo::parse(&changed).is_err());
            }
        }

        #[test]
        fn generated_account_numbers_validate(base in 1_000_000_000u64..9_999_999_999) {
            if let Some(acc) = AccountNo::from_base(base) {
                prop_assert_eq!(AccountNo::parse(acc.as_str()), Ok(acc.clone()));
            }
        }
    }
}
