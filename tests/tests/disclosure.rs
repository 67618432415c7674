//! Disclosure control attacked: fixed tables, tables that primary suppression alone leaves
//! open, and property-generated random tables, each published as JSON-stat and bounded by
//! [`vigo_tests::attacker`].

use proptest::prelude::*;
use vigo_api::analytics::statistics::{About, Dataset, Dimension, Table, json_stat, suppress};
use vigo_tests::attacker::attack;

fn about(threshold: u64) -> About {
    About {
        name: "test".into(),
        title: "Test".into(),
        unit: "persons".into(),
        population: "everyone".into(),
        reference_date: "2026-10-01".into(),
        updated: "2026-12-03T00:00:00Z".into(),
        threshold,
    }
}

fn dimension(id: &str, leaves: usize, subtotal: bool) -> Dimension {
    let ids: Vec<(String, String)> = (0..leaves)
        .map(|i| (format!("{id}{i}"), format!("{id} {i}")))
        .collect();
    let mut dimension = Dimension::new(id, id, ids);
    if subtotal && leaves > 2 {
        dimension = dimension.with_subtotal(
            "first",
            "the first two",
            &[&format!("{id}0"), &format!("{id}1")],
        );
    }
    dimension.with_total("all")
}

#[test]
fn two_small_counts_in_one_row_are_protected_beyond_their_own_sum() {
    // Row 0 holds two counts of 1: withholding only them and their row's neighbours below
    // would let each be at most 2. The attacker must not be able to say less than 5.
    let rows = dimension("r", 2, false);
    let columns = dimension("c", 2, false);
    let mut table = Table::from_counts(
        vec![rows, columns],
        [
            (vec![0, 0], 1),
            (vec![0, 1], 1),
            (vec![1, 0], 9),
            (vec![1, 1], 12),
        ],
    );
    let (primary, secondary) = suppress(&mut table, 5);
    assert!(primary >= 3 && secondary >= 1, "{primary} {secondary}");
    attack(&json_stat(&Dataset::counts(&table), &about(5)));
}

#[test]
fn files_do_not_say_why_each_cell_was_withheld() {
    // Two 1s under a total of 2, threshold 3: all three are withheld as small. Were each
    // marked "primary" (1 or 2), the marks alone would make both 1s exactly.
    let dimension = dimension("d", 2, false);
    let mut table = Table::from_counts(vec![dimension], [(vec![0], 1), (vec![1], 1)]);
    suppress(&mut table, 3);
    assert!(table.cells.iter().all(|c| c.status.is_suppressed()));
    let dataset = json_stat(&Dataset::counts(&table), &about(3));
    assert_eq!(
        dataset["extension"]["withheld"],
        serde_json::json!([0, 1, 2])
    );
    attack(&dataset);
}

#[test]
fn the_attacker_recovers_what_primary_suppression_alone_leaves_open() {
    use vigo_api::analytics::statistics::Status;
    let rows = dimension("r", 3, false);
    let columns = dimension("c", 2, false);
    let mut table = Table::from_counts(
        vec![rows, columns],
        [
            (vec![0, 0], 2),
            (vec![0, 1], 30),
            (vec![1, 0], 40),
            (vec![1, 1], 50),
            (vec![2, 0], 60),
            (vec![2, 1], 70),
        ],
    );
    // Withholding the 2 alone: its row total minus its neighbour gives it back.
    for cell in &mut table.cells {
        if cell.value == 2 {
            cell.status = Status::Primary;
        }
    }
    let naive = json_stat(&Dataset::counts(&table), &about(5));
    let found = std::panic::catch_unwind(|| attack(&naive));
    assert!(found.is_err(), "the attacker must find the disclosed cell");
    suppress(&mut table, 5);
    attack(&json_stat(&Dataset::counts(&table), &about(5)));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn random_tables_disclose_nothing(
        shape in prop::collection::vec((2usize..5, any::<bool>()), 1..=3),
        seed in prop::collection::vec(0u64..14, 64),
        threshold in 3u64..6,
    ) {
        let dimensions: Vec<Dimension> = shape
            .iter()
            .enumerate()
            .map(|(i, (leaves, subtotal))| dimension(&format!("d{i}"), *leaves, *subtotal))
            .collect();
        let leaf_shape: Vec<usize> = shape.iter().map(|(l, _)| *l).collect();
        let inner: usize = leaf_shape.iter().product();
        let counts: Vec<(Vec<usize>, u64)> = (0..inner)
            .map(|index| {
                let mut rest = index;
                let mut leaves = vec![0; leaf_shape.len()];
                for d in (0..leaf_shape.len()).rev() {
                    leaves[d] = rest % leaf_shape[d];
                    rest /= leaf_shape[d];
                }
                (leaves, seed[index % seed.len()])
            })
            .collect();
        let mut table = Table::from_counts(dimensions, counts);
        suppress(&mut table, threshold);
        attack(&json_stat(&Dataset::counts(&table), &about(threshold)));
    }
}
