//! An attacker who knows only a published JSON-stat file: for every withheld cell it computes
//! the smallest and largest value consistent with everything the file publishes, cells being
//! non-negative integers (integer programs, microlp), and the protection fails if a withheld
//! cell is pinned to one value or a primary cell could not be as large as the threshold.
//! It reads the file's own description of totals and subtotals, nothing of the code that
//! wrote it.

use std::collections::HashMap;

use microlp::{ComparisonOp, OptimizationDirection, Problem};
use proptest::prelude::*;
use serde_json::Value;
use vigo_analytics::statistics::{About, Dimension, Table, json_stat, suppress};

/// The attacker's view of a dataset: for each cell, the inner cells it sums.
struct Published {
    cells: Vec<Vec<usize>>,
    values: Vec<Option<u64>>,
    inner: usize,
    primary: Vec<usize>,
    threshold: u64,
}

fn read(dataset: &Value) -> Published {
    let ids: Vec<&str> = dataset["id"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // Per dimension: categories in index order, each as the leaves (by position) it sums.
    let mut per_dimension: Vec<Vec<Vec<usize>>> = Vec::new();
    let mut leaf_counts = Vec::new();
    for id in &ids {
        let dimension = &dataset["dimension"][id];
        let index = dimension["category"]["index"]
            .as_object()
            .unwrap_or_else(|| panic!("{id} has a category index"));
        let mut categories: Vec<(&str, usize)> = index
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_u64().unwrap_or(0) as usize))
            .collect();
        categories.sort_by_key(|(_, position)| *position);
        let members = &dimension["extension"]["members"];
        let leaves: Vec<&str> = categories
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| members.get(c).is_none())
            .collect();
        let leaf_position: HashMap<&str, usize> =
            leaves.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        per_dimension.push(
            categories
                .iter()
                .map(|(c, _)| match members.get(c).and_then(Value::as_array) {
                    Some(list) => list
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|m| leaf_position[m])
                        .collect(),
                    None => vec![leaf_position[c]],
                })
                .collect(),
        );
        leaf_counts.push(leaves.len());
    }
    let sizes: Vec<usize> = per_dimension.iter().map(Vec::len).collect();
    let total: usize = sizes.iter().product();
    let mut cells = Vec::with_capacity(total);
    for index in 0..total {
        let mut rest = index;
        let mut position = vec![0; sizes.len()];
        for d in (0..sizes.len()).rev() {
            position[d] = rest % sizes[d];
            rest /= sizes[d];
        }
        let mut inner = vec![0usize];
        for d in 0..sizes.len() {
            let members = &per_dimension[d][position[d]];
            let leaves = leaf_counts[d];
            inner = inner
                .iter()
                .flat_map(|i| members.iter().map(move |m| i * leaves + m))
                .collect();
        }
        cells.push(inner);
    }
    let values: Vec<Option<u64>> = dataset["value"]
        .as_array()
        .map(|a| a.iter().map(Value::as_u64).collect())
        .unwrap_or_default();
    assert_eq!(values.len(), total, "one value per cell");
    let primary = dataset["extension"]["suppressed"]["primary"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_u64().map(|v| v as usize))
                .collect()
        })
        .unwrap_or_default();
    Published {
        cells,
        values,
        inner: leaf_counts.iter().product(),
        primary,
        threshold: dataset["extension"]["threshold"].as_u64().unwrap_or(0),
    }
}

/// The range of one withheld cell.
fn range(published: &Published, cell: usize) -> (u64, u64) {
    let solve = |direction| {
        let mut problem = Problem::new(direction);
        let target = &published.cells[cell];
        let variables: Vec<_> = (0..published.inner)
            .map(|i| {
                problem.add_integer_var(if target.contains(&i) { 1.0 } else { 0.0 }, (0, 1_000_000))
            })
            .collect();
        for (inner, value) in published.cells.iter().zip(&published.values) {
            if let Some(value) = value {
                let terms: Vec<_> = inner.iter().map(|i| (variables[*i], 1.0)).collect();
                problem.add_constraint(terms.as_slice(), ComparisonOp::Eq, *value as f64);
            }
        }
        match problem.solve() {
            Ok(microlp::SolveOutcome::Solution(solution))
                if solution.status() == microlp::SolutionStatus::Optimal =>
            {
                solution.objective().round() as u64
            }
            other => panic!("the attacker's program has no optimum: {other:?}"),
        }
    };
    (
        solve(OptimizationDirection::Minimize),
        solve(OptimizationDirection::Maximize),
    )
}

/// Every withheld cell's range; panics naming the first cell the table discloses.
fn attack(dataset: &Value) {
    let published = read(dataset);
    for cell in 0..published.cells.len() {
        if published.values[cell].is_some() {
            continue;
        }
        let (lo, hi) = range(&published, cell);
        assert!(lo < hi, "cell {cell} is disclosed: it can only be {lo}");
        if published.primary.contains(&cell) {
            assert!(
                hi >= published.threshold,
                "primary cell {cell} is at most {hi}, below the threshold {}",
                published.threshold
            );
        }
    }
}

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
    attack(&json_stat(&table, &about(5)));
}

#[test]
fn the_attacker_recovers_what_primary_suppression_alone_leaves_open() {
    use vigo_analytics::statistics::Status;
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
    let naive = json_stat(&table, &about(5));
    let found = std::panic::catch_unwind(|| attack(&naive));
    assert!(found.is_err(), "the attacker must find the disclosed cell");
    suppress(&mut table, 5);
    attack(&json_stat(&table, &about(5)));
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
        attack(&json_stat(&table, &about(threshold)));
    }
}
