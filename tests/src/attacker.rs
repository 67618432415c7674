//! An attacker who knows only a published JSON-stat file: for every withheld cell it computes
//! the smallest and largest value consistent with everything the file publishes, cells being
//! non-negative integers (integer programs, microlp), and the protection fails if a withheld
//! cell is pinned to one value or could not be as large as the threshold (a withheld count
//! of 5 or more can always reach it, so this bounds exactly the small ones).
//! It reads the file's own description of totals and subtotals, nothing of the code that
//! wrote it.

use std::collections::HashMap;

use microlp::{ComparisonOp, OptimizationDirection, Problem};
use serde_json::Value;

/// The attacker's view of a dataset: for each cell, the inner cells it sums.
struct Published {
    cells: Vec<Vec<usize>>,
    values: Vec<Option<u64>>,
    inner: usize,
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
    Published {
        cells,
        values,
        inner: leaf_counts.iter().product(),
        threshold: dataset["extension"]["threshold"].as_u64().unwrap_or(0),
    }
}

/// The range of one withheld cell: integer programs over the inner cells the file does not
/// give outright (a published cell of one inner cell is a constant), one equation per other
/// published cell.
fn range(published: &Published, cell: usize) -> (u64, u64) {
    let mut known: HashMap<usize, u64> = HashMap::new();
    for (inner, value) in published.cells.iter().zip(&published.values) {
        if let (1, Some(value)) = (inner.len(), value) {
            known.insert(inner[0], *value);
        }
    }
    let unknown: Vec<usize> = (0..published.inner)
        .filter(|c| !known.contains_key(c))
        .collect();
    let variable_of: HashMap<usize, usize> =
        unknown.iter().enumerate().map(|(v, c)| (*c, v)).collect();
    // Nothing in the file bounds a cell but the published sums: a large cap stands for none.
    let cap = 1_000_000;
    let solve = |direction| {
        let mut problem = Problem::new(direction);
        let target = &published.cells[cell];
        let constant: u64 = target.iter().filter_map(|c| known.get(c)).sum();
        let variables: Vec<_> = unknown
            .iter()
            .map(|c| problem.add_integer_var(if target.contains(c) { 1.0 } else { 0.0 }, (0, cap)))
            .collect();
        for (inner, value) in published.cells.iter().zip(&published.values) {
            let Some(value) = value else { continue };
            let terms: Vec<_> = inner
                .iter()
                .filter_map(|c| variable_of.get(c).map(|v| (variables[*v], 1.0)))
                .collect();
            let rest =
                *value as f64 - inner.iter().filter_map(|c| known.get(c)).sum::<u64>() as f64;
            if terms.is_empty() {
                assert!(rest.abs() < 0.5, "the published sums disagree");
                continue;
            }
            problem.add_constraint(terms.as_slice(), ComparisonOp::Eq, rest);
        }
        match problem.solve() {
            Ok(microlp::SolveOutcome::Solution(solution))
                if solution.status() == microlp::SolutionStatus::Optimal =>
            {
                solution.objective().round() as u64 + constant
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
pub fn attack(dataset: &Value) {
    let published = read(dataset);
    assert!(
        dataset["extension"].get("suppressed").is_none()
            && !dataset.to_string().contains("primary\""),
        "the file says why each cell was withheld, which bounds it"
    );
    for cell in 0..published.cells.len() {
        if published.values[cell].is_some() {
            continue;
        }
        let (lo, hi) = range(&published, cell);
        assert!(lo < hi, "cell {cell} is disclosed: it can only be {lo}");
        assert!(
            hi >= published.threshold,
            "withheld cell {cell} is at most {hi}, below the threshold {}",
            published.threshold
        );
    }
}
