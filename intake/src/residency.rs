//! The residency check (bostedsavklaring): the county where an applicant is registered as
//! living in the population register (Folkeregisteret) is responsible for their upper
//! secondary education. A municipality number's first two digits are its county's number
//! (0301 is Oslo municipality in Oslo county, 03), so the check needs no table of
//! municipalities.

use serde::Serialize;

use crate::explain::Explanation;

/// The county running intake: its two-digit number and its name in each language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct County {
    pub number: &'static str,
    pub name: &'static str,
}

/// Oslo, county 03, whose one municipality is 0301.
pub const OSLO: County = County {
    number: "03",
    name: "Oslo",
};

/// Why a municipality number is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a municipality number has four digits, not {0:?}")]
pub struct BadMunicipality(pub String);

/// A four-digit municipality number (kommunenummer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Municipality(String);

impl Municipality {
    pub fn parse(input: &str) -> Result<Self, BadMunicipality> {
        let trimmed = input.trim();
        if trimmed.len() == 4 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Municipality(trimmed.to_owned()))
        } else {
            Err(BadMunicipality(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The county number: the first two digits.
    pub fn county_number(&self) -> &str {
        &self.0[..2]
    }
}

/// The outcome of the check, with its explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Residency {
    /// The county is responsible for the applicant.
    pub responsible: bool,
    pub municipality: Municipality,
    pub explanation: Explanation,
}

/// Whether `county` is responsible for an applicant registered in `municipality`.
pub fn check(county: County, municipality: &Municipality) -> Residency {
    let code = municipality.as_str();
    let responsible = municipality.county_number() == county.number;
    let explanation = if responsible {
        Explanation {
            nb: format!(
                "Folkeregisteret oppgir at du bor i kommune {code}, som ligger i {}. {} har derfor ansvaret for inntaket ditt.",
                county.name, county.name
            ),
            en: format!(
                "The population register says you live in municipality {code}, which is in {}. {} is therefore responsible for your intake.",
                county.name, county.name
            ),
        }
    } else {
        Explanation {
            nb: format!(
                "Folkeregisteret oppgir at du bor i kommune {code}, som ligger i fylke {} og ikke i {}. Det er fylket der du bor som har ansvaret for inntaket ditt, så {} behandler ikke søknaden din videre. Søk til fylket ditt, eller meld fra om adressen din er feil i Folkeregisteret.",
                municipality.county_number(),
                county.name,
                county.name
            ),
            en: format!(
                "The population register says you live in municipality {code}, which is in county {}, not in {}. The county where you live is responsible for your intake, so {} does not process your application further. Apply to your own county, or report it if your address in the population register is wrong.",
                municipality.county_number(),
                county.name,
                county.name
            ),
        }
    };
    Residency {
        responsible,
        municipality: municipality.clone(),
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oslo_is_responsible_for_oslo_only() {
        let oslo = Municipality::parse("0301").unwrap();
        let baerum = Municipality::parse("3201").unwrap();
        assert!(check(OSLO, &oslo).responsible);
        let elsewhere = check(OSLO, &baerum);
        assert!(!elsewhere.responsible);
        assert!(elsewhere.explanation.en.contains("county 32, not in Oslo"));
        assert!(elsewhere.explanation.nb.contains("fylke 32 og ikke i Oslo"));
    }

    #[test]
    fn a_municipality_number_has_four_digits() {
        for bad in ["301", "03011", "03a1", "", " "] {
            assert!(Municipality::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Municipality::parse(" 0301 ").unwrap().as_str(), "0301");
    }
}
