//! Explanations of intake decisions, in Norwegian bokmål and English, in words a 16-year-old
//! understands: which wish the place is for, the applicant's points, and why not a higher
//! wish (the points of the last one admitted there, or the priority that came first).

use serde::Serialize;

use crate::allocation::{Instance, Outcome, Rank};
use crate::points::{format_en, format_nb};

/// A decision's explanation in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub nb: String,
    pub en: String,
}

/// What an offer is called: the school's and the programme area's names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferName {
    pub school: String,
    pub programme: String,
}

fn priority_nb(rank: &Rank) -> &'static str {
    match rank.class {
        0 => "hadde allerede plassen",
        1 => "hadde fortrinnsrett",
        2 => "hadde ungdomsrett",
        _ => "uten ungdomsrett",
    }
}

fn priority_en(rank: &Rank) -> &'static str {
    match rank.class {
        0 => "already held the place",
        1 => "had a priority right",
        2 => "had a youth right",
        _ => "had no youth right",
    }
}

/// Why the applicant did not get wish `wish` (above the one they got): the last admitted
/// outranked them, by priority or by points (or, with equal points, by the lottery).
pub(crate) fn why_not(rank: &Rank, cutoff: &Rank, wish: usize) -> (String, String) {
    let number = wish + 1;
    if cutoff.class < rank.class {
        return (
            format!(
                "Ønske {number} ble fylt av søkere som {} før søkere som deg.",
                priority_nb(cutoff)
            ),
            format!(
                "Wish {number} was filled by applicants who {} before applicants like you.",
                priority_en(cutoff)
            ),
        );
    }
    match (cutoff.points_hundredths(), rank.points_hundredths()) {
        (Some(last), Some(mine)) if last == mine => (
            format!(
                "Den siste som fikk plass på ønske {number} hadde like mange poeng som deg ({}); loddtrekningen avgjorde.",
                format_nb(last)
            ),
            format!(
                "The last applicant admitted to wish {number} had as many points as you ({}); the lottery decided.",
                format_en(last)
            ),
        ),
        (Some(last), _) => (
            format!(
                "Den siste som fikk plass på ønske {number} hadde {} poeng.",
                format_nb(last)
            ),
            format!(
                "The last applicant admitted to wish {number} had {} points.",
                format_en(last)
            ),
        ),
        (None, _) => (
            format!("Ønske {number} var fullt."),
            format!("Wish {number} was full."),
        ),
    }
}

/// "You had N points", or why not, in both languages.
pub(crate) fn points_sentence(points: Option<i32>) -> (String, String) {
    match points {
        Some(p) => (
            format!("Du hadde {} poeng.", format_nb(p)),
            format!("You had {} points.", format_en(p)),
        ),
        None => (
            "Du hadde ikke poeng (søknaden din ble behandlet individuelt).".to_owned(),
            "You had no points (your application was handled individually).".to_owned(),
        ),
    }
}

/// The explanation of one applicant's result in a round.
pub fn offer_explanation(
    instance: &Instance,
    draw: &crate::allocation::Draw,
    outcome: &Outcome,
    applicant: usize,
    names: &dyn Fn(usize) -> OfferName,
) -> Explanation {
    let a = &instance.applicants[applicant];
    let points = points_sentence(a.points);
    let open = instance.open_wishes(applicant);
    let got = outcome.assigned[applicant];
    let mut nb = Vec::new();
    let mut en = Vec::new();
    match got {
        Some(wish) => {
            let name = names(a.wishes[wish].offer);
            nb.push(format!(
                "Du fikk tilbud på ønske {}, {}, {}.",
                wish + 1,
                name.school,
                name.programme
            ));
            en.push(format!(
                "You were offered wish {}, {}, {}.",
                wish + 1,
                name.school,
                name.programme
            ));
        }
        None => {
            nb.push("Du fikk ikke tilbud på noen av ønskene dine i denne runden.".to_owned());
            en.push("You were not offered any of your wishes in this round.".to_owned());
        }
    }
    nb.push(points.0);
    en.push(points.1);
    for wish in open.start..got.unwrap_or(open.end) {
        let offer = a.wishes[wish].offer;
        let rank = instance.rank(draw, applicant, wish);
        let (why_nb, why_en) = match outcome.cutoffs[offer] {
            Some(cutoff) => why_not(&rank, &cutoff, wish),
            None => (
                format!("Ønske {} hadde ingen plasser.", wish + 1),
                format!("Wish {} had no places.", wish + 1),
            ),
        };
        nb.push(why_nb);
        en.push(why_en);
    }
    for (wish, position) in &outcome.waiting[applicant] {
        nb.push(format!(
            "Du står som nummer {position} på venteliste til ønske {}.",
            wish + 1
        ));
        en.push(format!(
            "You are number {position} on the waiting list for wish {}.",
            wish + 1
        ));
    }
    Explanation {
        nb: nb.join(" "),
        en: en.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::{Applicant, Draw, Instance, Standing, Wish, allocate};

    #[test]
    fn the_explanation_names_the_wish_the_points_and_the_cutoff_above() {
        let wish = |offer| Wish {
            offer,
            priority_right: false,
        };
        let instance = Instance {
            capacities: vec![1, 1],
            applicants: vec![
                Applicant {
                    wishes: vec![wish(0), wish(1)],
                    youth_right: true,
                    points: Some(4327),
                },
                Applicant {
                    wishes: vec![wish(0)],
                    youth_right: true,
                    points: Some(4410),
                },
            ],
            standings: vec![Standing::Free; 2],
        };
        let draw = Draw::new(3, 2);
        let outcome = allocate(&instance, &draw).unwrap_or_else(|e| panic!("{e}"));
        let names = |offer: usize| OfferName {
            school: ["Hartvig Nissen vgs", "Elvebakken vgs"][offer].to_owned(),
            programme: ["Studiespesialisering Vg1", "Elektro og datateknologi Vg1"][offer]
                .to_owned(),
        };
        let explained = offer_explanation(&instance, &draw, &outcome, 0, &names);
        assert_eq!(
            explained.nb,
            "Du fikk tilbud på ønske 2, Elvebakken vgs, Elektro og datateknologi Vg1. \
             Du hadde 43,27 poeng. Den siste som fikk plass på ønske 1 hadde 44,10 poeng. \
             Du står som nummer 1 på venteliste til ønske 1."
        );
        assert!(
            explained
                .en
                .starts_with("You were offered wish 2, Elvebakken vgs")
        );
        assert!(explained.en.contains("had 44.10 points"));
    }
}
