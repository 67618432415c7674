//! Norwegian national identity numbers (fødselsnummer, D-nummer, H-nummer,
//! synthetic test numbers and Vigo's temporary S-nummer).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// Weights of the first check digit (k1) over the nine leading digits.
const K1_WEIGHTS: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
/// Weights of the second check digit (k2) over the ten leading digits (the last one weighs k1).
const K2_WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/// What kind of number a [`NationalId`] is, decided by the offsets in its date part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// Fødselsnummer: issued by the population register at birth or immigration.
    BirthNumber,
    /// D-nummer: day + 40, for persons with a temporary connection to Norway.
    DNumber,
    /// H-nummer: month + 40, an auxiliary number issued by health services.
    HNumber,
    /// Vigo's own temporary number (S-nummer): month + 60, for persons with neither of the others.
    Temporary,
}

impl IdKind {
    /// Stable code stored in the database and shown in the API.
    pub fn code(self) -> &'static str {
        match self {
            IdKind::BirthNumber => "birth_number",
            IdKind::DNumber => "d_number",
            IdKind::HNumber => "h_number",
            IdKind::Temporary => "temporary",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Gender as encoded in numbers issued before the 2032 rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gender {
    Female,
    Male,
}

impl Gender {
    /// Stable code stored in the database and shown in the API.
    pub fn code(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
        }
    }
}

/// Why a string is not a valid national id. The message names the rule that was broken,
/// so that it can be shown to a caseworker as it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NationalIdError {
    #[error("a national id has exactly 11 digits")]
    Format,
    #[error("the date part of the national id is not a valid date for any kind of number")]
    Date,
    #[error("the individual number does not fit the birth year (century rule)")]
    Century,
    #[error("the first check digit (k1) of the national id is wrong")]
    FirstCheckDigit,
    #[error("the second check digit (k2) of the national id is wrong")]
    SecondCheckDigit,
}

/// A validated 11-digit national identity number.
///
/// Construction validates the check digits (both the classic rule and the one in force
/// from 2032), the date part with its kind offsets, and the century rule, so a value of this
/// type is always a number that could have been issued.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NationalId {
    digits: [u8; 11],
}

/// The parts of a number that are decoded once during validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Decoded {
    kind: IdKind,
    synthetic: bool,
    birth_date: NaiveDate,
    classic_check_digits: bool,
}

impl NationalId {
    /// Parses and validates an identifier given as 11 ASCII digits.
    pub fn parse(input: &str) -> Result<Self, NationalIdError> {
        let bytes = input.as_bytes();
        if bytes.len() != 11 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(NationalIdError::Format);
        }
        let mut digits = [0u8; 11];
        for (d, b) in digits.iter_mut().zip(bytes) {
            *d = b - b'0';
        }
        let id = NationalId { digits };
        id.decode()?;
        Ok(id)
    }

    /// Computes the check digits for nine leading digits with the classic rule, or `None`
    /// when the classic rule has no valid check digit for them (the remainder would be 10).
    pub fn classic_check_digits(first_nine: [u8; 9]) -> Option<[u8; 2]> {
        let s1: u32 = first_nine
            .iter()
            .zip(K1_WEIGHTS)
            .map(|(&d, w)| u32::from(d) * w)
            .sum();
        let k1 = (11 - s1 % 11) % 11;
        if k1 == 10 {
            return None;
        }
        let k2 = Self::second_check_digit(&first_nine, k1 as u8)?;
        Some([k1 as u8, k2])
    }

    fn second_check_digit(first_nine: &[u8; 9], k1: u8) -> Option<u8> {
        let s2: u32 = first_nine
            .iter()
            .chain(std::iter::once(&k1))
            .zip(K2_WEIGHTS)
            .map(|(&d, w)| u32::from(d) * w)
            .sum();
        let k2 = (11 - s2 % 11) % 11;
        (k2 != 10).then_some(k2 as u8)
    }

    fn pair(&self, at: usize) -> u32 {
        u32::from(self.digits[at]) * 10 + u32::from(self.digits[at + 1])
    }

    fn decode(&self) -> Result<Decoded, NationalIdError> {
        let d = &self.digits;
        let s1: u32 = d[..9]
            .iter()
            .zip(K1_WEIGHTS)
            .map(|(&x, w)| u32::from(x) * w)
            .sum();
        let r1 = (s1 + u32::from(d[9])) % 11;
        if r1 > 3 {
            return Err(NationalIdError::FirstCheckDigit);
        }
        let s2: u32 = d[..10]
            .iter()
            .zip(K2_WEIGHTS)
            .map(|(&x, w)| u32::from(x) * w)
            .sum();
        if !(s2 + u32::from(d[10])).is_multiple_of(11) {
            return Err(NationalIdError::SecondCheckDigit);
        }

        let (mut day, mut month, year2) = (self.pair(0), self.pair(2), self.pair(4));
        let mut kind = IdKind::BirthNumber;
        let mut synthetic = false;
        if day > 40 {
            day -= 40;
            kind = IdKind::DNumber;
        }
        match month {
            81..=92 => {
                month -= 80;
                synthetic = true;
            }
            61..=72 if kind == IdKind::BirthNumber => {
                month -= 60;
                kind = IdKind::Temporary;
            }
            41..=52 if kind == IdKind::BirthNumber => {
                month -= 40;
                kind = IdKind::HNumber;
            }
            1..=12 => {}
            _ => return Err(NationalIdError::Date),
        }

        let individual = u32::from(d[6]) * 100 + u32::from(d[7]) * 10 + u32::from(d[8]);
        let century = match (individual, year2) {
            (0..=499, _) => 1900,
            (500..=749, 54..=99) => 1800,
            (900..=999, 40..=99) => 1900,
            (500..=999, 0..=39) => 2000,
            _ => return Err(NationalIdError::Century),
        };
        let year = (century + year2) as i32;
        let birth_date = NaiveDate::from_ymd_opt(year, month, day).ok_or(NationalIdError::Date)?;
        Ok(Decoded {
            kind,
            synthetic,
            birth_date,
            classic_check_digits: r1 == 0,
        })
    }

    fn decoded(&self) -> Decoded {
        // Every value was validated on construction, so decoding cannot fail here.
        match self.decode() {
            Ok(decoded) => decoded,
            Err(_) => unreachable!("NationalId holds only validated numbers"),
        }
    }

    /// The kind of number (fødselsnummer, D-nummer, H-nummer or temporary).
    pub fn kind(&self) -> IdKind {
        self.decoded().kind
    }

    /// Whether this is a synthetic test number (month + 80), which no real person holds.
    pub fn is_synthetic(&self) -> bool {
        self.decoded().synthetic
    }

    /// The birth date encoded in the number, with the century from the individual number.
    pub fn birth_date(&self) -> NaiveDate {
        self.decoded().birth_date
    }

    /// The birth year's century, for example 1900 or 2000.
    pub fn century(&self) -> i32 {
        self.birth_date().year() / 100 * 100
    }

    /// The gender, where the number encodes one: only numbers whose check digits follow the
    /// classic rule (those issued before 2032) do; the third individual digit is odd for males.
    pub fn gender(&self) -> Option<Gender> {
        if !self.decoded().classic_check_digits {
            return None;
        }
        Some(if self.digits[8] % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        })
    }

    /// The number as 11 digits.
    pub fn as_string(&self) -> String {
        self.digits.iter().map(|d| char::from(b'0' + d)).collect()
    }
}

impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

/// Shows only the kind, never the number: identifiers must not end up in logs.
impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NationalId({}, redacted)", self.kind())
    }
}

impl FromStr for NationalId {
    type Err = NationalIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Builds a synthetic number (month + 80, and day + 40 for a D-nummer) for a birth date.
///
/// `serial` picks among the individual numbers valid for the birth year's century; numbers
/// for which the classic check digits do not exist are skipped, so every serial maps to one
/// valid number. Returns `None` when the serial is beyond the numbers available for that date.
pub fn synthetic_national_id(
    birth_date: NaiveDate,
    d_number: bool,
    serial: u32,
) -> Option<NationalId> {
    let day_offset = if d_number { 40 } else { 0 };
    issue_number(birth_date, day_offset, 80, serial)
}

/// Issues Vigo's temporary number (S-nummer, month + 60) for a person with neither
/// fødselsnummer nor D-nummer; `serial` works as in [`synthetic_national_id`].
pub fn temporary_national_id(birth_date: NaiveDate, serial: u32) -> Option<NationalId> {
    issue_number(birth_date, 0, 60, serial)
}

fn issue_number(
    birth_date: NaiveDate,
    day_offset: u32,
    month_offset: u32,
    serial: u32,
) -> Option<NationalId> {
    let year = birth_date.year();
    let ranges: &[(u32, u32)] = match year {
        1854..=1899 => &[(500, 749)],
        1900..=1939 => &[(0, 499)],
        1940..=1999 => &[(0, 499), (900, 999)],
        2000..=2039 => &[(500, 999)],
        _ => return None,
    };
    let day = birth_date.day() + day_offset;
    let month = birth_date.month() + month_offset;
    let yy = (year % 100) as u32;
    let mut remaining = serial;
    for &(lo, hi) in ranges {
        for individual in lo..=hi {
            let nine = [
                (day / 10) as u8,
                (day % 10) as u8,
                (month / 10) as u8,
                (month % 10) as u8,
                (yy / 10) as u8,
                (yy % 10) as u8,
                (individual / 100) as u8,
                (individual / 10 % 10) as u8,
                (individual % 10) as u8,
            ];
            let Some([k1, k2]) = NationalId::classic_check_digits(nine) else {
                continue;
            };
            if remaining > 0 {
                remaining -= 1;
                continue;
            }
            let mut digits = [0u8; 11];
            digits[..9].copy_from_slice(&nine);
            digits[9] = k1;
            digits[10] = k2;
            return Some(NationalId { digits });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_numbers_of_the_2032_rule() {
        for s in ["02013299997", "30108299920", "30108299939"] {
            let id = NationalId::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(id.as_string(), s);
        }
        let id = NationalId::parse("02013299997").unwrap();
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(2032, 1, 2).unwrap()
        );
        assert_eq!(id.kind(), IdKind::BirthNumber);
        assert!(!id.is_synthetic());
    }

    #[test]
    fn new_rule_number_decodes_its_date() {
        let id = NationalId::parse("30108299920").unwrap();
        assert!(!id.is_synthetic());
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1982, 10, 30).unwrap()
        );
        assert_eq!(id.century(), 1900);
    }

    #[test]
    fn numbers_outside_the_classic_rule_encode_no_gender() {
        // k1 remainder 1: valid only under the 2032 rule, which encodes no gender.
        assert_eq!(NationalId::parse("30108299939").unwrap().gender(), None);
        assert!(NationalId::parse("30108299920").unwrap().gender().is_some());
    }

    #[test]
    fn rejects_malformed_input() {
        assert_eq!(
            NationalId::parse("1234567890"),
            Err(NationalIdError::Format)
        );
        assert_eq!(
            NationalId::parse("1234567890a"),
            Err(NationalIdError::Format)
        );
        assert_eq!(
            NationalId::parse("123456789012"),
            Err(NationalIdError::Format)
        );
        assert_eq!(NationalId::parse(""), Err(NationalIdError::Format));
    }

    #[test]
    fn decodes_kinds_and_gender() {
        let date = NaiveDate::from_ymd_opt(2009, 3, 14).unwrap();
        let fnr = synthetic_national_id(date, false, 0).unwrap();
        assert_eq!(fnr.kind(), IdKind::BirthNumber);
        assert!(fnr.is_synthetic());
        assert_eq!(fnr.birth_date(), date);
        assert_eq!(&fnr.as_string()[..6], "148309");
        let dnr = synthetic_national_id(date, true, 3).unwrap();
        assert_eq!(dnr.kind(), IdKind::DNumber);
        assert_eq!(dnr.birth_date(), date);
        assert!(fnr.gender().is_some());
    }

    #[test]
    fn temporary_and_h_numbers_are_recognised() {
        let date = NaiveDate::from_ymd_opt(2008, 5, 15).unwrap();
        let temp = temporary_national_id(date, 7).unwrap();
        assert_eq!(&temp.as_string()[2..4], "65");
        let temp = NationalId::parse(&temp.as_string()).unwrap();
        assert_eq!(temp.kind(), IdKind::Temporary);
        assert!(!temp.is_synthetic());
        assert_eq!(temp.birth_date(), date);
        let h = issue_number(date, 0, 40, 0).unwrap();
        assert_eq!(
            NationalId::parse(&h.as_string()).unwrap().kind(),
            IdKind::HNumber
        );
    }

    #[test]
    fn rejects_impossible_dates_and_centuries() {
        // 31 February, synthetic, with otherwise valid check digits.
        let nine = [3, 1, 8, 2, 0, 9, 5, 0, 0];
        let mut n = nine;
        let k = loop {
            if let Some(k) = NationalId::classic_check_digits(n) {
                break k;
            }
            n[8] += 1;
        };
        let s: String = n
            .iter()
            .chain(k.iter())
            .map(|d| char::from(b'0' + d))
            .collect();
        assert_eq!(NationalId::parse(&s), Err(NationalIdError::Date));

        // Individual number 800 with year 50: no century fits.
        let mut n = [1, 5, 0, 5, 5, 0, 8, 0, 0];
        let k = loop {
            if let Some(k) = NationalId::classic_check_digits(n) {
                break k;
            }
            n[8] += 1;
        };
        let s: String = n
            .iter()
            .chain(k.iter())
            .map(|d| char::from(b'0' + d))
            .collect();
        assert_eq!(NationalId::parse(&s), Err(NationalIdError::Century));
    }

    #[test]
    fn debug_output_does_not_reveal_the_number() {
        let id = NationalId::parse("30108299920").unwrap();
        assert!(!format!("{id:?}").contains("301082"));
    }

    fn birth_dates() -> impl Strategy<Value = NaiveDate> {
        (1900i32..=2030, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    proptest! {
        #[test]
        fn every_generated_synthetic_id_validates(date in birth_dates(), d_number: bool, serial in 0u32..200) {
            let id = synthetic_national_id(date, d_number, serial).unwrap();
            let parsed = NationalId::parse(&id.as_string()).unwrap();
            prop_assert!(parsed.is_synthetic());
            prop_assert_eq!(parsed.birth_date(), date);
            prop_assert_eq!(parsed.kind(), if d_number { IdKind::DNumber } else { IdKind::BirthNumber });
            prop_assert!(parsed.gender().is_some());
        }

        #[test]
        fn changing_any_single_digit_is_rejected(date in birth_dates(), serial in 0u32..200, pos in 0usize..11, delta in 1u8..10) {
            let id = synthetic_national_id(date, false, serial).unwrap();
            let mut bytes = id.as_string().into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(NationalId::parse(&changed).is_err());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,14}") {
            let _ = NationalId::parse(&s);
        }
    }
}
