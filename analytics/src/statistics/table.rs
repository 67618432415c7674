//! Statistics tables: counts over dimensions whose categories are leaves, subtotals (groups
//! of leaves) and a total. Every published cell is a sum of inner cells (one leaf per
//! dimension), which is what makes a table's cells linear relations that disclosure control
//! must respect.

/// One category of a dimension: a leaf, or an aggregate of leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub id: String,
    pub label: String,
    /// The leaves it sums (indices among the dimension's leaves); `None` for a leaf.
    pub members: Option<Vec<usize>>,
}

impl Category {
    pub fn is_leaf(&self) -> bool {
        self.members.is_none()
    }
}

/// A dimension: its leaves first, in order, then its subtotals, then (if any) its total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dimension {
    pub id: String,
    pub label: String,
    pub categories: Vec<Category>,
}

/// The id of a dimension's total category, as JSON-stat readers of this project expect.
pub const TOTAL: &str = "total";

impl Dimension {
    /// A dimension of leaves only.
    pub fn new(id: &str, label: &str, leaves: Vec<(String, String)>) -> Self {
        Dimension {
            id: id.to_owned(),
            label: label.to_owned(),
            categories: leaves
                .into_iter()
                .map(|(id, label)| Category {
                    id,
                    label,
                    members: None,
                })
                .collect(),
        }
    }

    /// The leaves, in order.
    pub fn leaves(&self) -> impl Iterator<Item = &Category> {
        self.categories.iter().filter(|c| c.is_leaf())
    }

    pub fn leaf_count(&self) -> usize {
        self.leaves().count()
    }

    /// Adds a subtotal `total-<group>` over the leaves with the given ids (unknown ids are
    /// ignored; an empty group is not added).
    pub fn with_subtotal(mut self, group: &str, label: &str, member_ids: &[&str]) -> Self {
        let members: Vec<usize> = self
            .leaves()
            .enumerate()
            .filter(|(_, c)| member_ids.contains(&c.id.as_str()))
            .map(|(i, _)| i)
            .collect();
        if !members.is_empty() {
            self.categories.push(Category {
                id: format!("{TOTAL}-{group}"),
                label: label.to_owned(),
                members: Some(members),
            });
        }
        self
    }

    /// Adds the total over every leaf.
    pub fn with_total(mut self, label: &str) -> Self {
        let members = (0..self.leaf_count()).collect();
        self.categories.push(Category {
            id: TOTAL.to_owned(),
            label: label.to_owned(),
            members: Some(members),
        });
        self
    }

    /// The leaves a category sums.
    pub fn members_of(&self, category: usize) -> Vec<usize> {
        match &self.categories[category].members {
            Some(members) => members.clone(),
            None => vec![
                self.categories[..category]
                    .iter()
                    .filter(|c| c.is_leaf())
                    .count(),
            ],
        }
    }
}

/// Whether a cell is published, and if not, why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Published,
    /// Its count is below the threshold (1 … threshold − 1).
    Primary,
    /// Published, it would let a primary cell be recovered from the table's sums.
    Secondary,
}

impl Status {
    pub fn is_suppressed(self) -> bool {
        self != Status::Published
    }
}

/// One cell: a count and whether it is published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    pub value: u64,
    pub status: Status,
}

/// A table of counts over its dimensions, every combination of categories one cell, in
/// row-major order (the last dimension varies fastest), as JSON-stat orders values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub dimensions: Vec<Dimension>,
    pub cells: Vec<Cell>,
}

impl Table {
    /// Builds every cell from the counts of inner cells, given by their leaf index in each
    /// dimension. Counts for the same inner cell add up.
    pub fn from_counts(
        dimensions: Vec<Dimension>,
        counts: impl IntoIterator<Item = (Vec<usize>, u64)>,
    ) -> Self {
        // For each dimension and leaf: the categories containing that leaf.
        let containing: Vec<Vec<Vec<usize>>> = dimensions
            .iter()
            .map(|d| {
                let mut of_leaf = vec![Vec::new(); d.leaf_count()];
                for category in 0..d.categories.len() {
                    for leaf in d.members_of(category) {
                        of_leaf[leaf].push(category);
                    }
                }
                of_leaf
            })
            .collect();
        let shape: Vec<usize> = dimensions.iter().map(|d| d.categories.len()).collect();
        let mut values = vec![0u64; shape.iter().product()];
        for (leaves, count) in counts {
            if count == 0 || leaves.len() != dimensions.len() {
                continue;
            }
            let lists: Vec<&Vec<usize>> = leaves
                .iter()
                .enumerate()
                .filter_map(|(d, leaf)| containing[d].get(*leaf))
                .collect();
            if lists.len() != dimensions.len() {
                continue;
            }
            for_each_combination(&lists, |categories| {
                values[index_of(&shape, categories)] += count;
            });
        }
        Table {
            dimensions,
            cells: values
                .into_iter()
                .map(|value| Cell {
                    value,
                    status: Status::Published,
                })
                .collect(),
        }
    }

    /// The number of categories of each dimension.
    pub fn shape(&self) -> Vec<usize> {
        self.dimensions.iter().map(|d| d.categories.len()).collect()
    }

    /// The category of each dimension of the cell at `index`.
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

    /// The index of the cell with these categories.
    pub fn index(&self, categories: &[usize]) -> usize {
        index_of(&self.shape(), categories)
    }

    /// The inner cells a cell sums, as indices in the row-major order of leaves.
    pub fn inner_cells(&self, index: usize) -> Vec<usize> {
        let leaf_shape: Vec<usize> = self.dimensions.iter().map(Dimension::leaf_count).collect();
        let members: Vec<Vec<usize>> = self
            .categories_of(index)
            .iter()
            .enumerate()
            .map(|(d, c)| self.dimensions[d].members_of(*c))
            .collect();
        let lists: Vec<&Vec<usize>> = members.iter().collect();
        let mut inner = Vec::new();
        for_each_combination(&lists, |leaves| inner.push(index_of(&leaf_shape, leaves)));
        inner.sort_unstable();
        inner
    }

    /// How many inner cells the table has.
    pub fn inner_count(&self) -> usize {
        self.dimensions.iter().map(Dimension::leaf_count).product()
    }

    /// The cells withheld, with why.
    pub fn suppressed(&self) -> impl Iterator<Item = (usize, Status)> + '_ {
        self.cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.status.is_suppressed())
            .map(|(i, c)| (i, c.status))
    }
}

/// A selection of categories of one dimension, by their ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    pub dimension: String,
    pub categories: Vec<String>,
}

/// Why a selection could not be applied: it names a dimension or category the table lacks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error("unknown dimension '{0}'; the table's dimensions: {1}")]
    Dimension(String, String),
    #[error("dimension '{0}' has no category '{1}'; its categories: {2}")]
    Category(String, String, String),
    #[error("dimension '{0}': name at least one category to keep")]
    Empty(String),
    #[error("dimension '{0}' is filtered twice; give all its categories in one filter")]
    Repeated(String),
}

impl Table {
    /// The part of the table in the selected categories, cells as they are (suppression
    /// included: a part of a protected table publishes less, never more). An aggregate kept
    /// without all of its members is no longer described as their sum.
    pub fn select(&self, selections: &[Selection]) -> Result<Table, SelectionError> {
        let mut kept: Vec<Vec<usize>> = self
            .dimensions
            .iter()
            .map(|d| (0..d.categories.len()).collect())
            .collect();
        for (n, selection) in selections.iter().enumerate() {
            if selection.categories.is_empty() {
                return Err(SelectionError::Empty(selection.dimension.clone()));
            }
            if selections[..n]
                .iter()
                .any(|s| s.dimension == selection.dimension)
            {
                return Err(SelectionError::Repeated(selection.dimension.clone()));
            }
            let ids = |d: &Dimension| {
                d.categories
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let (position, dimension) = self
                .dimensions
                .iter()
                .enumerate()
                .find(|(_, d)| d.id == selection.dimension)
                .ok_or_else(|| {
                    SelectionError::Dimension(
                        selection.dimension.clone(),
                        self.dimensions
                            .iter()
                            .map(|d| d.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                })?;
            let mut chosen = Vec::new();
            for id in &selection.categories {
                let category = dimension
                    .categories
                    .iter()
                    .position(|c| &c.id == id)
                    .ok_or_else(|| {
                        SelectionError::Category(dimension.id.clone(), id.clone(), ids(dimension))
                    })?;
                if !chosen.contains(&category) {
                    chosen.push(category);
                }
            }
            chosen.sort_unstable();
            kept[position] = chosen;
        }
        let dimensions: Vec<Dimension> = self
            .dimensions
            .iter()
            .zip(&kept)
            .map(|(d, keep)| {
                // Old leaf index → new leaf index, for the leaves kept.
                let old_leaves: Vec<usize> = (0..d.categories.len())
                    .filter(|c| d.categories[*c].is_leaf())
                    .collect();
                let new_leaf: std::collections::HashMap<usize, usize> = old_leaves
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| keep.contains(c))
                    .enumerate()
                    .map(|(new, (old, _))| (old, new))
                    .collect();
                let mut categories: Vec<Category> = Vec::new();
                for &c in keep {
                    let category = &d.categories[c];
                    let members = category.members.as_ref().and_then(|m| {
                        m.iter()
                            .map(|leaf| new_leaf.get(leaf).copied())
                            .collect::<Option<Vec<_>>>()
                    });
                    categories.push(Category {
                        id: category.id.clone(),
                        label: category.label.clone(),
                        members,
                    });
                }
                // Leaves first, as a dimension orders them.
                categories.sort_by_key(|c| !c.is_leaf());
                Dimension {
                    id: d.id.clone(),
                    label: d.label.clone(),
                    categories,
                }
            })
            .collect();
        let order: Vec<Vec<usize>> = dimensions
            .iter()
            .zip(&self.dimensions)
            .map(|(new, old)| {
                new.categories
                    .iter()
                    .filter_map(|c| old.categories.iter().position(|o| o.id == c.id))
                    .collect()
            })
            .collect();
        let lists: Vec<&Vec<usize>> = order.iter().collect();
        let mut cells = Vec::new();
        for_each_combination(&lists, |old| cells.push(self.cells[self.index(old)]));
        Ok(Table { dimensions, cells })
    }
}

fn index_of(shape: &[usize], categories: &[usize]) -> usize {
    categories
        .iter()
        .zip(shape)
        .fold(0, |index, (c, size)| index * size + c)
}

/// Calls `f` with every combination taking one item from each list.
fn for_each_combination(lists: &[&Vec<usize>], mut f: impl FnMut(&[usize])) {
    if lists.iter().any(|l| l.is_empty()) {
        return;
    }
    let mut positions = vec![0usize; lists.len()];
    let mut current: Vec<usize> = lists.iter().map(|l| l[0]).collect();
    loop {
        f(&current);
        let mut d = lists.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            positions[d] += 1;
            if positions[d] < lists[d].len() {
                current[d] = lists[d][positions[d]];
                break;
            }
            positions[d] = 0;
            current[d] = lists[d][0];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(ids: &[&str]) -> Vec<(String, String)> {
        ids.iter()
            .map(|i| (i.to_string(), i.to_uppercase()))
            .collect()
    }

    #[test]
    fn totals_and_subtotals_are_the_sums_of_their_leaves() {
        let area = Dimension::new("area", "Area", leaves(&["a", "b", "c"]))
            .with_subtotal("ab", "A and B", &["a", "b"])
            .with_total("All");
        let sex = Dimension::new("sex", "Sex", leaves(&["f", "m"])).with_total("Both");
        let table = Table::from_counts(
            vec![area, sex],
            [
                (vec![0, 0], 3),
                (vec![0, 1], 4),
                (vec![1, 0], 10),
                (vec![2, 1], 7),
            ],
        );
        assert_eq!(table.shape(), vec![5, 3]);
        let value = |a: usize, s: usize| table.cells[table.index(&[a, s])].value;
        assert_eq!(value(3, 2), 17, "subtotal a+b over both sexes");
        assert_eq!(value(4, 2), 24, "the grand total");
        assert_eq!(value(4, 0), 13);
        assert_eq!(value(2, 0), 0);
        assert_eq!(table.inner_cells(table.index(&[3, 2])), vec![0, 1, 2, 3]);
        assert_eq!(table.inner_count(), 6);

        let part = table
            .select(&[Selection {
                dimension: "area".into(),
                categories: vec!["total".into(), "a".into()],
            }])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(part.shape(), vec![2, 3]);
        assert_eq!(part.dimensions[0].categories[0].id, "a");
        assert!(
            part.dimensions[0].categories[1].is_leaf(),
            "a total without its members is not their sum"
        );
        assert_eq!(part.cells[part.index(&[1, 2])].value, 24);
        let unknown = table.select(&[Selection {
            dimension: "year".into(),
            categories: vec!["2026".into()],
        }]);
        assert!(matches!(unknown, Err(SelectionError::Dimension(..))));
    }
}
