//! School-place allocation: applicant-proposing deferred acceptance over school offers (school
//! × programme area × level) with capacities. Each offer ranks those who wish it: applicants
//! with a priority right to it first, then those with a youth right, then the rest; within
//! each, by points; ties by a seeded lottery whose seed and tickets are recorded with the run.
//! Each applicant ends with at most one place, the highest wish they can get, and a position
//! on the waiting list of every higher wish.
//!
//! Rounds: an applicant who accepted a place keeps it (it is theirs before anyone else's at
//! that offer), and one who accepted and waits takes part again for the wishes above it; a
//! decline (or no answer by the deadline) gives the place up. Running deferred acceptance
//! again over those standings moves the waiting lists up with the freed places: a higher
//! offer replaces the lower place, which goes to the next in line.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

/// One ranked wish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wish {
    /// Index into [`Instance::capacities`].
    pub offer: usize,
    /// A priority right (fortrinnsrett) to this offer.
    pub priority_right: bool,
}

/// One applicant: wishes in the applicant's order, best first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub wishes: Vec<Wish>,
    pub youth_right: bool,
    /// Points × 100; `None` (individual handling) ranks after every applicant with points.
    pub points: Option<i32>,
}

/// Where an applicant stands before a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    /// Holds no place: takes part for every wish.
    Free,
    /// Accepted the place of wish `wish` (index) and keeps it; with `waits`, takes part again
    /// for the wishes above it.
    Holds { wish: usize, waits: bool },
    /// Declined, or did not answer: out of this intake.
    Out,
}

/// One round's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// Places per offer.
    pub capacities: Vec<u32>,
    pub applicants: Vec<Applicant>,
    /// Per applicant; all [`Standing::Free`] in the first round.
    pub standings: Vec<Standing>,
}

/// The lottery: a seed, and the ticket it drew for each applicant (lower wins a tie).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draw {
    pub seed: u64,
    pub tickets: Vec<u64>,
}

impl Draw {
    /// Draws one ticket per applicant from `seed` (ChaCha8: the same seed gives the same
    /// tickets on every machine).
    pub fn new(seed: u64, applicants: usize) -> Self {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        Draw {
            seed,
            tickets: (0..applicants).map(|_| rng.next_u64()).collect(),
        }
    }
}

/// How an offer ranks one applicant's wish: smaller is better. The class is 0 for the place
/// the applicant holds, 1 for a priority right, 2 for a youth right, 3 otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Rank {
    pub class: u8,
    /// Points × 100, negated so that more points rank first; `i32::MAX` without points.
    pub points: Reverse<i64>,
    pub ticket: u64,
    pub applicant: usize,
}

impl Rank {
    /// The points behind the rank, × 100, if any.
    pub fn points_hundredths(&self) -> Option<i32> {
        (self.points.0 >= 0).then_some(self.points.0 as i32)
    }
}

/// A round's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Per applicant: the index of the wish they got a place for.
    pub assigned: Vec<Option<usize>>,
    /// Per applicant: (wish index, position from 1) on the waiting list of each higher wish.
    pub waiting: Vec<Vec<(usize, u32)>>,
    /// Per offer: the rank of the last applicant admitted, when the offer is full.
    pub cutoffs: Vec<Option<Rank>>,
}

/// Why a round cannot run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("applicant {applicant}: wish {wish} names offer {offer}, which does not exist")]
    UnknownOffer {
        applicant: usize,
        wish: usize,
        offer: usize,
    },
    #[error("company {company} is placed in trade {trade}, which does not exist")]
    UnknownTrade { company: usize, trade: usize },
    #[error("applicant {applicant} holds wish {wish}, which they do not have")]
    UnknownHeldWish { applicant: usize, wish: usize },
    #[error(
        "offer {offer} has {capacity} places, fewer than the {held} already accepted; raise it first"
    )]
    CapacityBelowAccepted {
        offer: usize,
        capacity: u32,
        held: u32,
    },
    #[error("{what}: {got} given for {expected} applicants")]
    Length {
        what: &'static str,
        got: usize,
        expected: usize,
    },
}

impl Instance {
    /// The wishes an applicant takes part for this round, by index: every wish when free,
    /// those up to the held one when waiting, the held one alone otherwise.
    pub fn open_wishes(&self, applicant: usize) -> std::ops::Range<usize> {
        match self.standings[applicant] {
            Standing::Free => 0..self.applicants[applicant].wishes.len(),
            Standing::Holds { wish, waits: true } => 0..wish + 1,
            Standing::Holds { wish, waits: false } => wish..wish + 1,
            Standing::Out => 0..0,
        }
    }

    /// How the offer of `applicant`'s wish `wish` ranks them.
    pub fn rank(&self, draw: &Draw, applicant: usize, wish: usize) -> Rank {
        let a = &self.applicants[applicant];
        let held =
            matches!(self.standings[applicant], Standing::Holds { wish: h, .. } if h == wish);
        let class = if held {
            0
        } else if a.wishes[wish].priority_right {
            1
        } else if a.youth_right {
            2
        } else {
            3
        };
        Rank {
            class,
            points: Reverse(a.points.map_or(-1, i64::from)),
            ticket: draw.tickets[applicant],
            applicant,
        }
    }

    fn check(&self, draw: &Draw) -> Result<(), AllocationError> {
        let expected = self.applicants.len();
        for (what, got) in [
            ("standings", self.standings.len()),
            ("lottery tickets", draw.tickets.len()),
        ] {
            if got != expected {
                return Err(AllocationError::Length {
                    what,
                    got,
                    expected,
                });
            }
        }
        let mut held = vec![0u32; self.capacities.len()];
        for (applicant, a) in self.applicants.iter().enumerate() {
            for (wish, w) in a.wishes.iter().enumerate() {
                if w.offer >= self.capacities.len() {
                    return Err(AllocationError::UnknownOffer {
                        applicant,
                        wish,
                        offer: w.offer,
                    });
                }
            }
            if let Standing::Holds { wish, .. } = self.standings[applicant] {
                let Some(w) = a.wishes.get(wish) else {
                    return Err(AllocationError::UnknownHeldWish { applicant, wish });
                };
                held[w.offer] += 1;
            }
        }
        for (offer, (&capacity, &held)) in self.capacities.iter().zip(&held).enumerate() {
            if held > capacity {
                return Err(AllocationError::CapacityBelowAccepted {
                    offer,
                    capacity,
                    held,
                });
            }
        }
        Ok(())
    }
}

/// Runs one round: deferred acceptance with applicants proposing in wish order.
pub fn allocate(instance: &Instance, draw: &Draw) -> Result<Outcome, AllocationError> {
    instance.check(draw)?;
    let offers = instance.capacities.len();
    let applicants = instance.applicants.len();
    // Per offer, those it holds, the worst on top.
    let mut held: Vec<BinaryHeap<(Rank, usize)>> = vec![BinaryHeap::new(); offers];
    let mut next: Vec<usize> = (0..applicants)
        .map(|a| instance.open_wishes(a).start)
        .collect();
    let mut free: Vec<usize> = (0..applicants).rev().collect();
    while let Some(applicant) = free.pop() {
        let open = instance.open_wishes(applicant);
        let wish = next[applicant];
        if wish >= open.end {
            continue;
        }
        next[applicant] += 1;
        let offer = instance.applicants[applicant].wishes[wish].offer;
        let capacity = instance.capacities[offer] as usize;
        if capacity == 0 {
            free.push(applicant);
            continue;
        }
        held[offer].push((instance.rank(draw, applicant, wish), wish));
        if held[offer].len() > capacity
            && let Some((rejected, _)) = held[offer].pop()
        {
            free.push(rejected.applicant);
        }
    }
    let mut assigned = vec![None; applicants];
    let mut cutoffs = vec![None; offers];
    for (offer, heap) in held.iter().enumerate() {
        if heap.len() >= instance.capacities[offer] as usize
            && let Some((worst, _)) = heap.peek()
        {
            cutoffs[offer] = Some(*worst);
        }
        for (rank, wish) in heap.iter() {
            assigned[rank.applicant] = Some(*wish);
        }
    }
    // Waiting lists: at each offer, those who wished it above what they got, by its ranking.
    let mut lists: Vec<Vec<(Rank, usize)>> = vec![Vec::new(); offers];
    for (applicant, got) in assigned.iter().enumerate() {
        let open = instance.open_wishes(applicant);
        let below = got.unwrap_or(open.end);
        for wish in open.start..below {
            let offer = instance.applicants[applicant].wishes[wish].offer;
            lists[offer].push((instance.rank(draw, applicant, wish), wish));
        }
    }
    let mut waiting = vec![Vec::new(); applicants];
    for list in &mut lists {
        list.sort_unstable();
        for (position, (rank, wish)) in list.iter().enumerate() {
            waiting[rank.applicant].push((*wish, position as u32 + 1));
        }
    }
    for list in &mut waiting {
        list.sort_unstable();
    }
    Ok(Outcome {
        assigned,
        waiting,
        cutoffs,
    })
}

/// An applicant's answer to an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    Accept,
    /// Accept, and stay on the waiting lists of higher wishes.
    AcceptAndWait,
    Decline,
    /// No answer by the deadline: a decline.
    NoAnswer,
}

/// Where an applicant offered wish `wish` stands after answering (no answer by the deadline
/// is a decline).
pub fn standing_after(wish: usize, answer: Option<Answer>) -> Standing {
    match answer {
        Some(Answer::Accept) => Standing::Holds { wish, waits: false },
        Some(Answer::AcceptAndWait) => Standing::Holds { wish, waits: true },
        Some(Answer::Decline | Answer::NoAnswer) | None => Standing::Out,
    }
}

/// The standings for the next round, from this round's outcome and the answers (one per
/// applicant; an applicant without an offer answers nothing and stays free for every wish
/// while they have one above nothing).
pub fn next_standings(
    instance: &Instance,
    outcome: &Outcome,
    answers: &[Option<Answer>],
) -> Vec<Standing> {
    (0..instance.applicants.len())
        .map(|applicant| {
            match (
                instance.standings[applicant],
                outcome.assigned[applicant],
                answers.get(applicant).copied().flatten(),
            ) {
                (Standing::Out, ..) => Standing::Out,
                (_, Some(wish), Some(Answer::Accept)) => Standing::Holds { wish, waits: false },
                (_, Some(wish), Some(Answer::AcceptAndWait)) => {
                    Standing::Holds { wish, waits: true }
                }
                (_, Some(_), _) => Standing::Out,
                (standing, None, _) => standing,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn applicant(wishes: &[usize], points: i32) -> Applicant {
        Applicant {
            wishes: wishes
                .iter()
                .map(|&offer| Wish {
                    offer,
                    priority_right: false,
                })
                .collect(),
            youth_right: true,
            points: Some(points),
        }
    }

    #[test]
    fn the_best_get_their_first_wish_and_the_rest_wait_in_order() {
        // Two offers of one place; three applicants all wishing offer 0 first.
        let instance = Instance {
            capacities: vec![1, 1],
            applicants: vec![
                applicant(&[0, 1], 4000),
                applicant(&[0, 1], 5000),
                applicant(&[0, 1], 4500),
            ],
            standings: vec![Standing::Free; 3],
        };
        let draw = Draw::new(7, 3);
        let outcome = allocate(&instance, &draw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(outcome.assigned, vec![None, Some(0), Some(1)]);
        assert_eq!(outcome.waiting[2], vec![(0, 1)], "first in line for wish 1");
        assert_eq!(outcome.waiting[0], vec![(0, 2), (1, 1)]);
        assert_eq!(
            outcome.cutoffs[0].and_then(|r| r.points_hundredths()),
            Some(5000)
        );
        // Round 2: the best declines; the one who waits moves up, and their place goes on.
        let answers = [None, Some(Answer::Decline), Some(Answer::AcceptAndWait)];
        let next = Instance {
            standings: next_standings(&instance, &outcome, &answers),
            ..instance.clone()
        };
        let second = allocate(&next, &draw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(second.assigned, vec![Some(1), None, Some(0)]);
    }

    #[test]
    fn a_priority_right_and_a_youth_right_come_before_points() {
        let mut prioritised = applicant(&[0], 2000);
        prioritised.wishes[0].priority_right = true;
        let mut adult = applicant(&[0], 6000);
        adult.youth_right = false;
        let instance = Instance {
            capacities: vec![2],
            applicants: vec![adult, applicant(&[0], 3000), prioritised],
            standings: vec![Standing::Free; 3],
        };
        let outcome = allocate(&instance, &Draw::new(1, 3)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(outcome.assigned, vec![None, Some(0), Some(0)]);
    }

    #[test]
    fn bad_instances_are_refused() {
        let instance = Instance {
            capacities: vec![1],
            applicants: vec![applicant(&[0], 1), applicant(&[0], 2)],
            standings: vec![
                Standing::Holds {
                    wish: 0,
                    waits: false,
                },
                Standing::Holds {
                    wish: 0,
                    waits: false,
                },
            ],
        };
        assert!(matches!(
            allocate(&instance, &Draw::new(1, 2)),
            Err(AllocationError::CapacityBelowAccepted { held: 2, .. })
        ));
        let instance = Instance {
            capacities: vec![1],
            applicants: vec![applicant(&[3], 1)],
            standings: vec![Standing::Free],
        };
        assert!(matches!(
            allocate(&instance, &Draw::new(1, 1)),
            Err(AllocationError::UnknownOffer { offer: 3, .. })
        ));
    }

    /// Random instances: offers with small capacities, applicants with distinct wishes, some
    /// priority rights, some without youth right or points, and points with ties.
    fn instances() -> impl Strategy<Value = (Instance, u64)> {
        (1usize..7, 1usize..40, any::<u64>()).prop_flat_map(|(offers, applicants, seed)| {
            let applicant = (
                proptest::sample::subsequence((0..offers).collect::<Vec<_>>(), 0..=offers.min(4))
                    .prop_shuffle(),
                proptest::collection::vec(proptest::bool::weighted(0.1), 4),
                proptest::bool::weighted(0.8),
                proptest::option::weighted(0.95, (30i32..36).prop_map(|p| p * 100)),
            )
                .prop_map(|(wishes, rights, youth_right, points)| Applicant {
                    wishes: wishes
                        .iter()
                        .zip(rights.iter().cycle())
                        .map(|(&offer, &priority_right)| Wish {
                            offer,
                            priority_right,
                        })
                        .collect(),
                    youth_right,
                    points,
                });
            (
                proptest::collection::vec(0u32..4, offers),
                proptest::collection::vec(applicant, applicants),
                Just(seed),
            )
                .prop_map(|(capacities, applicants, seed)| {
                    let standings = vec![Standing::Free; applicants.len()];
                    (
                        Instance {
                            capacities,
                            applicants,
                            standings,
                        },
                        seed,
                    )
                })
        })
    }

    /// No applicant and offer would both rather have each other: the applicant prefers the
    /// offer to what they got, and the offer has a free place or admitted someone it ranks
    /// lower.
    fn assert_stable(
        instance: &Instance,
        draw: &Draw,
        outcome: &Outcome,
    ) -> Result<(), TestCaseError> {
        let mut admitted: Vec<Vec<Rank>> = vec![Vec::new(); instance.capacities.len()];
        for (applicant, assigned) in outcome.assigned.iter().enumerate() {
            if let Some(wish) = assigned {
                let offer = instance.applicants[applicant].wishes[*wish].offer;
                admitted[offer].push(instance.rank(draw, applicant, *wish));
            }
        }
        for (offer, ranks) in admitted.iter().enumerate() {
            prop_assert!(
                ranks.len() <= instance.capacities[offer] as usize,
                "offer {} over capacity",
                offer
            );
        }
        for applicant in 0..instance.applicants.len() {
            let open = instance.open_wishes(applicant);
            let better = open.start..outcome.assigned[applicant].unwrap_or(open.end);
            for wish in better {
                let offer = instance.applicants[applicant].wishes[wish].offer;
                let rank = instance.rank(draw, applicant, wish);
                let full = admitted[offer].len() >= instance.capacities[offer] as usize;
                let displaces = admitted[offer].iter().any(|r| *r > rank);
                prop_assert!(
                    full && !displaces,
                    "applicant {} and offer {} block",
                    applicant,
                    offer
                );
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn every_round_is_stable_deterministic_and_keeps_what_was_held(
            (instance, seed) in instances(),
            answers in proptest::collection::vec(0u8..4, 40),
        ) {
            let draw = Draw::new(seed, instance.applicants.len());
            let first = allocate(&instance, &draw).map_err(|e| TestCaseError::fail(e.to_string()))?;
            assert_stable(&instance, &draw, &first)?;
            prop_assert_eq!(&first, &allocate(&instance, &Draw::new(seed, instance.applicants.len())).map_err(|e| TestCaseError::fail(e.to_string()))?);
            let answers: Vec<Option<Answer>> = answers
                .iter()
                .map(|a| Some([Answer::Accept, Answer::AcceptAndWait, Answer::Decline, Answer::NoAnswer][*a as usize]))
                .collect();
            let next = Instance {
                standings: next_standings(&instance, &first, &answers),
                ..instance.clone()
            };
            let second = allocate(&next, &draw).map_err(|e| TestCaseError::fail(e.to_string()))?;
            assert_stable(&next, &draw, &second)?;
            for (applicant, standing) in next.standings.iter().enumerate() {
                match standing {
                    Standing::Holds { wish, waits } => {
                        let got = second.assigned[applicant];
                        prop_assert!(got.is_some_and(|g| g <= *wish), "applicant {} lost the place they held", applicant);
                        if !waits {
                            prop_assert_eq!(got, Some(*wish));
                        }
                    }
                    Standing::Out => prop_assert_eq!(second.assigned[applicant], None),
                    Standing::Free => {}
                }
            }
            // A waiting list names only wishes above the place got.
            for (applicant, list) in second.waiting.iter().enumerate() {
                for (wish, _) in list {
                    prop_assert!(second.assigned[applicant].is_none_or(|g| *wish < g));
                }
            }
        }

        #[test]
        fn with_common_priorities_it_is_serial_dictatorship((mut instance, seed) in instances()) {
            for applicant in &mut instance.applicants {
                for wish in &mut applicant.wishes {
                    wish.priority_right = false;
                }
            }
            let draw = Draw::new(seed, instance.applicants.len());
            let outcome = allocate(&instance, &draw).map_err(|e| TestCaseError::fail(e.to_string()))?;
            // Every offer ranks applicants the same way: in that order, each takes the
            // highest wish with a place left.
            let mut order: Vec<usize> = (0..instance.applicants.len()).collect();
            order.sort_by_key(|&a| {
                let applicant = &instance.applicants[a];
                let class = if applicant.youth_right { 2 } else { 3 };
                (class, Reverse(applicant.points.map_or(-1, i64::from)), draw.tickets[a], a)
            });
            let mut left = instance.capacities.clone();
            let mut serial = vec![None; instance.applicants.len()];
            for applicant in order {
                for (wish, w) in instance.applicants[applicant].wishes.iter().enumerate() {
                    if left[w.offer] > 0 {
                        left[w.offer] -= 1;
                        serial[applicant] = Some(wish);
                        break;
                    }
                }
            }
            prop_assert_eq!(outcome.assigned, serial);
        }
    }
}
