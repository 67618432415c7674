//! What a statistic publishes: a table of counts as suppression left it, or measures derived
//! from such a table (counts and the rates between them). A derived rate is published only
//! where every count it is computed from is published, so a file of rates discloses nothing
//! that its table of counts does not (the tests check each against the other).

use std::collections::HashMap;

use super::table::{Category, Dimension, Selection, SelectionError, Status, Table};

/// One published value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Count(u64),
    /// A rate or a ratio, rounded to its measure's decimals.
    Rate(f64),
    /// Withheld by disclosure control (`:`).
    Withheld,
    /// Cannot be computed: a rate over zero (`.`).
    NotApplicable,
}

impl Value {
    /// The status symbol SSB uses for a value that is not published, if any.
    pub fn symbol(self) -> Option<&'static str> {
        match self {
            Value::Withheld => Some(":"),
            Value::NotApplicable => Some("."),
            Value::Count(_) | Value::Rate(_) => None,
        }
    }
}

/// The dimension of a derived dataset that holds its measures (JSON-stat's `metric` role).
pub const MEASURE: &str = "measure";

/// One measure of a derived dataset, with the decimals its values are rounded to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measure {
    pub id: &'static str,
    pub label: &'static str,
    pub decimals: u32,
}

/// A published dataset: dimensions and a value per combination of their categories, in
/// row-major order (the last dimension varies fastest), as JSON-stat orders values.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    pub dimensions: Vec<Dimension>,
    pub values: Vec<Value>,
    /// The measures, when the last dimension is [`MEASURE`].
    pub measures: Vec<Measure>,
}

impl Dataset {
    /// The cells of a suppressed table of counts.
    pub fn counts(table: &Table) -> Dataset {
        Dataset {
            dimensions: table.dimensions.clone(),
            values: table
                .cells
                .iter()
                .map(|c| match c.status {
                    Status::Published => Value::Count(c.value),
                    Status::Primary | Status::Secondary => Value::Withheld,
                })
                .collect(),
            measures: Vec::new(),
        }
    }

    /// The number of categories of each dimension.
    pub fn shape(&self) -> Vec<usize> {
        self.dimensions.iter().map(|d| d.categories.len()).collect()
    }

    /// The category of each dimension of the value at `index`.
    pub fn categories_of(&self, index: usize) -> Vec<usize> {
        let shape = self.shape();
        let mut rest = index;
        let mut categories = vec![0; shape.len()];
        for d in (0..shape.len()).rev() {
            categories[d] = rest % shape[d];
            rest /= shape[d];
        }
        categories
    }

    /// Whether the values are counts only (no measure dimension).
    pub fn is_counts(&self) -> bool {
        self.measures.is_empty()
    }

    /// The values not published, by index.
    pub fn unpublished(&self) -> impl Iterator<Item = (usize, Value)> + '_ {
        self.values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.symbol().is_some())
            .map(|(i, v)| (i, *v))
    }

    /// How many values are withheld by disclosure control.
    pub fn withheld(&self) -> usize {
        self.values
            .iter()
            .filter(|v| **v == Value::Withheld)
            .count()
    }
}

/// How a derived statistic is computed from its table of counts.
#[derive(Clone, Copy, Debug)]
pub enum Derivation {
    /// A share within dimension `over` of the counts: the table's other dimensions, and for
    /// each cell the `denominator` count, the `numerator` count and their ratio in per cent.
    Share {
        over: &'static str,
        denominator: (&'static str, Measure),
        numerator: (&'static str, Measure),
        share: Measure,
    },
    /// Counts against a quantity that is not personal data (places at a school): the table's
    /// dimensions, and for each cell the quantity, the count and the count per unit of it.
    PerUnit {
        quantity: Measure,
        count: Measure,
        ratio: Measure,
    },
}

impl Derivation {
    /// The dimensions a filter may name: the base table's, less a share's `over`.
    fn filterable<'a>(&self, base: &'a Table) -> Vec<&'a Dimension> {
        base.dimensions
            .iter()
            .filter(|d| match self {
                Derivation::Share { over, .. } => d.id != *over,
                Derivation::PerUnit { .. } => true,
            })
            .collect()
    }

    /// The derived dataset from the suppressed `base` (with the selected categories) and,
    /// for a ratio per unit, the quantity of each inner cell of the base (by leaf ids).
    pub fn derive(
        &self,
        base: &Table,
        selections: &[Selection],
        quantities: &HashMap<Vec<String>, u64>,
    ) -> Result<Dataset, SelectionError> {
        let filterable = self.filterable(base);
        if let Some(unknown) = selections
            .iter()
            .find(|s| !filterable.iter().any(|d| d.id == s.dimension))
        {
            return Err(SelectionError::Dimension(
                unknown.dimension.clone(),
                filterable
                    .iter()
                    .map(|d| d.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
        }
        let base = base.select(selections)?;
        Ok(match self {
            Derivation::Share {
                over,
                denominator,
                numerator,
                share,
            } => share_of(&base, over, denominator, numerator, share),
            Derivation::PerUnit {
                quantity,
                count,
                ratio,
            } => per_unit(&base, quantities, quantity, count, ratio),
        })
    }
}

fn measure_dimension(measures: &[&Measure]) -> Dimension {
    Dimension {
        id: MEASURE.to_owned(),
        label: "Measure".to_owned(),
        categories: measures
            .iter()
            .map(|m| Category {
                id: m.id.to_owned(),
                label: m.label.to_owned(),
                members: None,
            })
            .collect(),
    }
}

fn rounded(value: f64, decimals: u32) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    (value * scale).round() / scale
}

/// `numerator / denominator × scale`, when both are published and the denominator is not 0.
fn ratio(numerator: Value, denominator: Value, scale: f64, decimals: u32) -> Value {
    match (numerator, denominator) {
        (Value::Count(_), Value::Count(0)) => Value::NotApplicable,
        (Value::Count(n), Value::Count(d)) => {
            Value::Rate(rounded(n as f64 / d as f64 * scale, decimals))
        }
        _ => Value::Withheld,
    }
}

fn share_of(
    base: &Table,
    over: &str,
    (denominator_id, denominator): &(&str, Measure),
    (numerator_id, numerator): &(&str, Measure),
    share: &Measure,
) -> Dataset {
    let counts = Dataset::counts(base);
    let Some(axis) = base.dimensions.iter().position(|d| d.id == over) else {
        return Dataset {
            dimensions: Vec::new(),
            values: Vec::new(),
            measures: Vec::new(),
        };
    };
    let category = |id: &str| {
        base.dimensions[axis]
            .categories
            .iter()
            .position(|c| c.id == id)
    };
    let (Some(of_denominator), Some(of_numerator)) =
        (category(denominator_id), category(numerator_id))
    else {
        return Dataset {
            dimensions: Vec::new(),
            values: Vec::new(),
            measures: Vec::new(),
        };
    };
    let mut dimensions: Vec<Dimension> = base
        .dimensions
        .iter()
        .enumerate()
        .filter(|(d, _)| *d != axis)
        .map(|(_, d)| d.clone())
        .collect();
    let measures = vec![*denominator, *numerator, *share];
    dimensions.push(measure_dimension(&measures.iter().collect::<Vec<_>>()));
    let outer: usize = dimensions[..dimensions.len() - 1]
        .iter()
        .map(|d| d.categories.len())
        .product();
    let mut values = Vec::with_capacity(outer * 3);
    let rest_shape: Vec<usize> = dimensions[..dimensions.len() - 1]
        .iter()
        .map(|d| d.categories.len())
        .collect();
    for index in 0..outer {
        let mut rest = index;
        let mut position = vec![0; rest_shape.len()];
        for d in (0..rest_shape.len()).rev() {
            position[d] = rest % rest_shape[d];
            rest /= rest_shape[d];
        }
        let at = |category: usize| {
            let mut full = position.clone();
            full.insert(axis, category);
            counts.values[base.index(&full)]
        };
        let (d, n) = (at(of_denominator), at(of_numerator));
        values.extend([d, n, ratio(n, d, 100.0, share.decimals)]);
    }
    Dataset {
        dimensions,
        values,
        measures,
    }
}

fn per_unit(
    base: &Table,
    quantities: &HashMap<Vec<String>, u64>,
    quantity: &Measure,
    count: &Measure,
    ratio_measure: &Measure,
) -> Dataset {
    let counts = Dataset::counts(base);
    let leaf_ids: Vec<Vec<&str>> = base
        .dimensions
        .iter()
        .map(|d| d.leaves().map(|c| c.id.as_str()).collect())
        .collect();
    let leaf_shape: Vec<usize> = leaf_ids.iter().map(Vec::len).collect();
    let mut dimensions = base.dimensions.clone();
    let measures = vec![*quantity, *count, *ratio_measure];
    dimensions.push(measure_dimension(&measures.iter().collect::<Vec<_>>()));
    let mut values = Vec::with_capacity(base.cells.len() * 3);
    for (index, value) in counts.values.iter().enumerate() {
        let total: u64 = base
            .inner_cells(index)
            .into_iter()
            .map(|inner| {
                let mut rest = inner;
                let mut ids = vec![String::new(); leaf_shape.len()];
                for d in (0..leaf_shape.len()).rev() {
                    ids[d] = leaf_ids[d][rest % leaf_shape[d]].to_owned();
                    rest /= leaf_shape[d];
                }
                quantities.get(&ids).copied().unwrap_or(0)
            })
            .sum();
        let places = Value::Count(total);
        values.extend([
            places,
            *value,
            ratio(*value, places, 1.0, ratio_measure.decimals),
        ]);
    }
    Dataset {
        dimensions,
        values,
        measures,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let trade = Dimension::new(
            "trade",
            "Trade",
            vec![("a".into(), "A".into()), ("b".into(), "B".into())],
        )
        .with_total("All");
        let outcome = Dimension::new(
            "outcome",
            "Outcome",
            vec![
                ("passed".into(), "Passed".into()),
                ("failed".into(), "Failed".into()),
            ],
        )
        .with_total("Taken");
        let mut table = Table::from_counts(
            vec![trade, outcome],
            [(vec![0, 0], 9), (vec![0, 1], 3), (vec![1, 0], 20)],
        );
        super::super::suppress(&mut table, 5);
        table
    }

    const SHARE: Derivation = Derivation::Share {
        over: "outcome",
        denominator: (
            "total",
            Measure {
                id: "taken",
                label: "Taken",
                decimals: 0,
            },
        ),
        numerator: (
            "passed",
            Measure {
                id: "passed",
                label: "Passed",
                decimals: 0,
            },
        ),
        share: Measure {
            id: "pass-rate",
            label: "Pass rate",
            decimals: 1,
        },
    };

    #[test]
    fn a_share_is_published_only_where_both_counts_are() {
        let base = table();
        let dataset = SHARE
            .derive(&base, &[], &HashMap::new())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(dataset.shape(), vec![3, 3]);
        // Trade a: 3 failed is withheld, and what reveals it with it; its rate needs only
        // passed and taken, so it is published exactly when both are.
        for row in 0..3 {
            let [taken, passed, rate] = [0, 1, 2].map(|m| dataset.values[row * 3 + m]);
            match (taken, passed) {
                (Value::Count(t), Value::Count(p)) if t > 0 => {
                    assert_eq!(rate, Value::Rate(rounded(p as f64 / t as f64 * 100.0, 1)))
                }
                (Value::Count(0), Value::Count(_)) => assert_eq!(rate, Value::NotApplicable),
                _ => assert_eq!(rate, Value::Withheld),
            }
        }
        // Trade b: 20 of 20 passed.
        assert_eq!(dataset.values[5], Value::Rate(100.0));
        let refused = SHARE.derive(
            &base,
            &[Selection {
                dimension: "outcome".into(),
                categories: vec!["passed".into()],
            }],
            &HashMap::new(),
        );
        assert!(matches!(refused, Err(SelectionError::Dimension(..))));
    }

    #[test]
    fn a_ratio_per_unit_sums_the_quantities_of_what_each_cell_counts() {
        let base = table();
        let per_place = Derivation::PerUnit {
            quantity: Measure {
                id: "places",
                label: "Places",
                decimals: 0,
            },
            count: Measure {
                id: "tests",
                label: "Tests",
                decimals: 0,
            },
            ratio: Measure {
                id: "per-place",
                label: "Per place",
                decimals: 2,
            },
        };
        let quantities: HashMap<Vec<String>, u64> = [
            (vec!["b".to_owned(), "passed".to_owned()], 8),
            (vec!["a".to_owned(), "passed".to_owned()], 4),
        ]
        .into_iter()
        .collect();
        let dataset = per_place
            .derive(&base, &[], &quantities)
            .unwrap_or_else(|e| panic!("{e}"));
        let at = |trade: usize, outcome: usize, measure: usize| {
            dataset.values[(trade * 3 + outcome) * 3 + measure]
        };
        assert_eq!(at(1, 0, 0), Value::Count(8));
        assert_eq!(at(1, 0, 2), Value::Rate(2.5));
        assert_eq!(at(2, 0, 0), Value::Count(12), "the total sums its members");
        assert_eq!(at(1, 1, 2), Value::NotApplicable, "no places: no ratio");
    }
}
