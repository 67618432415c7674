//! Apprenticeship placement (formidling til læreplass): applicants who wish an apprenticeship
//! are offered to companies approved in that trade with free positions (what each company has
//! declared it can take, less the apprentices and offers it has already).
//!
//! Placement is deferred acceptance over companies, with the priorities of school places
//! (youth right, then points, then the lottery), each company's capacity being its free
//! positions. An applicant's wishes are their trades in their order; within a trade, the
//! companies with free positions that have not declined them, the one with the most free
//! positions first (the lowest index on a tie). So everyone is offered the highest trade they
//! can get, the best ranked first to the companies with most room, and a company that
//! declined an applicant is never asked again.

use serde::{Deserialize, Serialize};

use crate::allocation::{
    AllocationError, Applicant, Draw, Instance, Outcome, Rank, Standing, Wish, allocate,
};
use crate::explain::{Explanation, points_sentence, why_not};

/// An approved company's positions in one trade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyPositions {
    pub trade: usize,
    /// Positions still free: declared capacity less apprentices and standing offers.
    pub free: u32,
}

/// One applicant for an apprenticeship.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Apprentice {
    /// Trade indices in the applicant's order, best first.
    pub trades: Vec<usize>,
    pub youth_right: bool,
    /// Points × 100; `None` ranks after every applicant with points.
    pub points: Option<i32>,
    /// Companies (indices) that have declined this applicant already.
    pub declined_by: Vec<usize>,
}

/// One placement run's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementInstance {
    pub trades: usize,
    pub companies: Vec<CompanyPositions>,
    pub applicants: Vec<Apprentice>,
}

/// A placement run's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// Per applicant: the wish (index into their trades) and the company they are offered to.
    pub placed: Vec<Option<(usize, usize)>>,
    /// The allocation over companies behind it, with each company's cut-off.
    pub companies: Outcome,
}

/// Per applicant, the companies they take part for, in order, each with its trade wish.
type Expanded = Vec<Vec<(usize, usize)>>;

impl PlacementInstance {
    fn check(&self) -> Result<(), AllocationError> {
        for (company, positions) in self.companies.iter().enumerate() {
            if positions.trade >= self.trades {
                return Err(AllocationError::UnknownTrade {
                    company,
                    trade: positions.trade,
                });
            }
        }
        for (applicant, a) in self.applicants.iter().enumerate() {
            for (wish, &trade) in a.trades.iter().enumerate() {
                if trade >= self.trades {
                    return Err(AllocationError::UnknownOffer {
                        applicant,
                        wish,
                        offer: trade,
                    });
                }
            }
        }
        Ok(())
    }

    /// Each applicant's companies, in the order they take part for them.
    fn expanded(&self) -> Expanded {
        self.applicants
            .iter()
            .map(|a| {
                a.trades
                    .iter()
                    .enumerate()
                    .flat_map(|(wish, &trade)| {
                        let mut companies: Vec<usize> = (0..self.companies.len())
                            .filter(|&c| {
                                self.companies[c].trade == trade
                                    && self.companies[c].free > 0
                                    && !a.declined_by.contains(&c)
                            })
                            .collect();
                        companies.sort_by_key(|&c| (std::cmp::Reverse(self.companies[c].free), c));
                        companies.into_iter().map(move |c| (wish, c))
                    })
                    .collect()
            })
            .collect()
    }

    /// The allocation as a school-place instance: one offer per company.
    fn company_instance(&self, expanded: &Expanded) -> Instance {
        Instance {
            capacities: self.companies.iter().map(|c| c.free).collect(),
            applicants: self
                .applicants
                .iter()
                .zip(expanded)
                .map(|(a, companies)| Applicant {
                    wishes: companies
                        .iter()
                        .map(|&(_, offer)| Wish {
                            offer,
                            priority_right: false,
                        })
                        .collect(),
                    youth_right: a.youth_right,
                    points: a.points,
                })
                .collect(),
            standings: vec![Standing::Free; self.applicants.len()],
        }
    }
}

/// Places the applicants of `instance`, with the lottery `draw`.
pub fn place(instance: &PlacementInstance, draw: &Draw) -> Result<Placement, AllocationError> {
    instance.check()?;
    let expanded = instance.expanded();
    let outcome = allocate(&instance.company_instance(&expanded), draw)?;
    let placed = outcome
        .assigned
        .iter()
        .zip(&expanded)
        .map(|(got, companies)| got.map(|w| companies[w]))
        .collect();
    Ok(Placement {
        placed,
        companies: outcome,
    })
}

/// The explanation of one applicant's placement, naming trades by `trade` and companies by
/// `company`.
pub fn placement_explanation(
    instance: &PlacementInstance,
    draw: &Draw,
    placement: &Placement,
    applicant: usize,
    trade: &dyn Fn(usize) -> String,
    company: &dyn Fn(usize) -> String,
) -> Explanation {
    let a = &instance.applicants[applicant];
    let expanded = instance.expanded();
    let companies = &expanded[applicant];
    let mut nb = Vec::new();
    let mut en = Vec::new();
    let placed = placement.placed[applicant];
    match placed {
        Some((wish, c)) => {
            let (t, name) = (trade(a.trades[wish]), company(c));
            nb.push(format!(
                "Du er formidlet til {name} for læreplass i {t} (ønske {}). Bedriften svarer på om den tar deg inn.",
                wish + 1
            ));
            en.push(format!(
                "You have been offered to {name} for an apprenticeship in {t} (wish {}). The company answers whether it takes you on.",
                wish + 1
            ));
        }
        None => {
            nb.push("Du ble ikke formidlet til læreplass i denne runden.".to_owned());
            en.push("You were not offered to a company in this run.".to_owned());
        }
    }
    let (points_nb, points_en) = points_sentence(a.points);
    nb.push(points_nb);
    en.push(points_en);
    let rank = Rank {
        class: if a.youth_right { 2 } else { 3 },
        points: std::cmp::Reverse(a.points.map_or(-1, i64::from)),
        ticket: draw.tickets[applicant],
        applicant,
    };
    for wish in 0..placed.map_or(a.trades.len(), |(w, _)| w) {
        let t = trade(a.trades[wish]);
        let tried: Vec<usize> = companies
            .iter()
            .filter(|(w, _)| *w == wish)
            .map(|(_, c)| *c)
            .collect();
        // The last admitted at the company in the trade that admitted the lowest ranked.
        let cutoff = tried
            .iter()
            .filter_map(|&c| placement.companies.cutoffs[c])
            .max();
        let (why_nb, why_en) = match cutoff {
            _ if tried.is_empty() => {
                let any = instance
                    .companies
                    .iter()
                    .any(|c| c.trade == a.trades[wish] && c.free > 0);
                if any {
                    (
                        format!(
                            "Ønske {} ({t}): bedriftene med ledige plasser har allerede sagt nei til deg.",
                            wish + 1
                        ),
                        format!(
                            "Wish {} ({t}): the companies with free positions have already declined you.",
                            wish + 1
                        ),
                    )
                } else {
                    (
                        format!(
                            "Ønske {} ({t}): ingen godkjent lærebedrift hadde ledige plasser.",
                            wish + 1
                        ),
                        format!(
                            "Wish {} ({t}): no approved company had free positions.",
                            wish + 1
                        ),
                    )
                }
            }
            Some(cutoff) => why_not(&rank, &cutoff, wish),
            None => (
                format!("Ønske {} ({t}) var fullt.", wish + 1),
                format!("Wish {} ({t}) was full.", wish + 1),
            ),
        };
        nb.push(why_nb);
        en.push(why_en);
    }
    nb.push("Søkere til læreplass ordnes som søkere til skoleplass: ungdomsrett først, så poeng, så loddtrekning; i hvert fag går de best rangerte først til bedriftene med flest ledige plasser.".to_owned());
    en.push("Applicants for apprenticeships are ranked as for school places: youth right first, then points, then the lottery; in each trade the best ranked go first to the companies with the most free positions.".to_owned());
    Explanation {
        nb: nb.join(" "),
        en: en.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn apprentice(trades: Vec<usize>, points: i32) -> Apprentice {
        Apprentice {
            trades,
            youth_right: true,
            points: Some(points),
            declined_by: Vec::new(),
        }
    }

    #[test]
    fn the_best_ranked_go_first_to_the_company_with_most_room() {
        let instance = PlacementInstance {
            trades: 2,
            companies: vec![
                CompanyPositions { trade: 0, free: 1 },
                CompanyPositions { trade: 0, free: 2 },
                CompanyPositions { trade: 1, free: 0 },
            ],
            applicants: vec![
                apprentice(vec![0], 4000),
                apprentice(vec![0], 5000),
                apprentice(vec![1, 0], 4500),
                apprentice(vec![0], 3000),
            ],
        };
        let draw = Draw::new(7, 4);
        let placement = place(&instance, &draw).unwrap_or_else(|e| panic!("{e}"));
        // Everyone asks company 1 (2 free) first: 50.00 and 45.00 (whose first trade has no
        // free positions) get it; 40.00 gets company 0; 30.00 is left without a position.
        assert_eq!(
            placement.placed,
            vec![Some((0, 0)), Some((0, 1)), Some((1, 1)), None]
        );
        let names = ["Elektrofag", "Rørleggerfaget"];
        let companies = ["Lys AS", "Strøm AS", "Rør AS"];
        let explained = placement_explanation(
            &instance,
            &draw,
            &placement,
            2,
            &|t| names[t].to_owned(),
            &|c| companies[c].to_owned(),
        );
        assert!(explained.en.starts_with(
            "You have been offered to Strøm AS for an apprenticeship in Elektrofag (wish 2)."
        ));
        assert!(
            explained
                .en
                .contains("Wish 1 (Rørleggerfaget): no approved company had free positions.")
        );
        let left = placement_explanation(
            &instance,
            &draw,
            &placement,
            3,
            &|t| names[t].to_owned(),
            &|c| companies[c].to_owned(),
        );
        assert!(
            left.nb
                .contains("Den siste som fikk plass på ønske 1 hadde 40,00 poeng.")
        );
    }

    #[test]
    fn a_company_that_declined_is_not_asked_again() {
        let mut instance = PlacementInstance {
            trades: 1,
            companies: vec![
                CompanyPositions { trade: 0, free: 3 },
                CompanyPositions { trade: 0, free: 1 },
            ],
            applicants: vec![apprentice(vec![0], 4000)],
        };
        instance.applicants[0].declined_by = vec![0];
        let placement = place(&instance, &Draw::new(1, 1)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(placement.placed, vec![Some((0, 1))]);
        instance.applicants[0].declined_by = vec![0, 1];
        let draw = Draw::new(1, 1);
        let placement = place(&instance, &draw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(placement.placed, vec![None]);
        let explained = placement_explanation(
            &instance,
            &draw,
            &placement,
            0,
            &|_| "Frisørfaget".to_owned(),
            &|c| format!("company {c}"),
        );
        assert!(
            explained.en.contains(
                "Wish 1 (Frisørfaget): the companies with free positions have already declined you."
            ),
            "{}",
            explained.en
        );
    }

    fn instances() -> impl Strategy<Value = PlacementInstance> {
        (1usize..4, 1usize..6).prop_flat_map(|(trades, companies)| {
            (
                proptest::collection::vec((0..trades, 0u32..4), companies),
                proptest::collection::vec(
                    (
                        proptest::collection::vec(0..trades, 1..=trades),
                        any::<bool>(),
                        proptest::option::of(1000i32..6000),
                        proptest::collection::vec(0..companies, 0..2),
                    ),
                    0..20,
                ),
            )
                .prop_map(move |(companies, applicants)| PlacementInstance {
                    trades,
                    companies: companies
                        .into_iter()
                        .map(|(trade, free)| CompanyPositions { trade, free })
                        .collect(),
                    applicants: applicants
                        .into_iter()
                        .map(|(mut wished, youth_right, points, declined_by)| {
                            wished.dedup();
                            Apprentice {
                                trades: wished,
                                youth_right,
                                points,
                                declined_by,
                            }
                        })
                        .collect(),
                })
        })
    }

    proptest! {
        #[test]
        fn no_company_gets_more_than_its_free_positions_and_no_room_is_left_unused(
            instance in instances(),
            seed in any::<u64>(),
        ) {
            let draw = Draw::new(seed, instance.applicants.len());
            let placement = place(&instance, &draw).unwrap_or_else(|e| panic!("{e}"));
            let mut taken = vec![0u32; instance.companies.len()];
            for (a, placed) in placement.placed.iter().enumerate() {
                if let Some((wish, company)) = placed {
                    let applicant = &instance.applicants[a];
                    prop_assert_eq!(instance.companies[*company].trade, applicant.trades[*wish]);
                    prop_assert!(!applicant.declined_by.contains(company));
                    taken[*company] += 1;
                }
            }
            for (company, positions) in instance.companies.iter().enumerate() {
                prop_assert!(taken[company] <= positions.free);
            }
            // Nobody is left out while a company in one of their trades that has not declined
            // them still has room.
            for (a, applicant) in instance.applicants.iter().enumerate() {
                if placement.placed[a].is_some() {
                    continue;
                }
                for (c, positions) in instance.companies.iter().enumerate() {
                    if applicant.trades.contains(&positions.trade) && !applicant.declined_by.contains(&c) {
                        prop_assert_eq!(taken[c], positions.free, "applicant {} left out", a);
                    }
                }
            }
            prop_assert_eq!(place(&instance, &draw).ok(), Some(placement));
        }
    }
}
