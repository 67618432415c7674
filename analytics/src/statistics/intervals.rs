//! The range a withheld cell could take given everything a table publishes, with cells
//! non-negative integers: an integer program over the inner cells (microlp), for disclosure
//! control to check that every small count could as well be at the threshold.

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use super::table::Table;

/// The constraints a published table puts on its inner cells.
pub struct Bounds {
    /// For each published cell: its inner cells and its value.
    published: Vec<(Vec<usize>, u64)>,
    inner: usize,
    /// An upper bound on any inner cell: the largest published value, or the total of all.
    cap: u64,
    cells: Vec<Vec<usize>>,
}

impl Bounds {
    pub fn of(table: &Table) -> Self {
        let cells: Vec<Vec<usize>> = (0..table.cells.len())
            .map(|i| table.inner_cells(i))
            .collect();
        let published: Vec<(Vec<usize>, u64)> = table
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.status.is_suppressed())
            .map(|(i, c)| (cells[i].clone(), c.value))
            .collect();
        let cap = table.cells.iter().map(|c| c.value).sum::<u64>().max(1);
        Bounds {
            published,
            inner: table.inner_count(),
            cap,
            cells,
        }
    }

    /// The largest value the cell could take; `None` if the solver gives up.
    pub fn largest(&self, cell: usize) -> Option<u64> {
        self.optimum(cell, OptimizationDirection::Maximize)
    }

    /// The smallest value the cell could take; `None` if the solver gives up.
    pub fn smallest(&self, cell: usize) -> Option<u64> {
        self.optimum(cell, OptimizationDirection::Minimize)
    }

    fn optimum(&self, cell: usize, direction: OptimizationDirection) -> Option<u64> {
        let mut problem = Problem::new(direction);
        let target = &self.cells[cell];
        let cap = i32::try_from(self.cap).unwrap_or(i32::MAX);
        let variables: Vec<_> = (0..self.inner)
            .map(|i| {
                let weight = if target.binary_search(&i).is_ok() {
                    1.0
                } else {
                    0.0
                };
                problem.add_integer_var(weight, (0, cap))
            })
            .collect();
        for (inner, value) in &self.published {
            let terms: Vec<_> = inner.iter().map(|i| (variables[*i], 1.0)).collect();
            problem.add_constraint(terms.as_slice(), ComparisonOp::Eq, *value as f64);
        }
        match problem.solve().ok()? {
            microlp::SolveOutcome::Solution(solution)
                if solution.status() == microlp::SolutionStatus::Optimal =>
            {
                Some(solution.objective().round().max(0.0) as u64)
            }
            _ => None,
        }
    }
}
