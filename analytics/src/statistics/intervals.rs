//! The range a withheld cell could take given everything a table publishes, cells being
//! non-negative: a linear program over the withheld inner cells (microlp), for disclosure
//! control to check that every small count could as well be at the threshold, and, since
//! files say why each cell was withheld (a primary cell is 1 … threshold − 1, a secondary one
//! at least the threshold), that no withheld cell is pinned by the sums and those reasons
//! together. (The tests' attacker solves the integer programs, which can only be tighter.)

use std::collections::HashMap;

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use super::table::{Status, Table};

/// The constraints a published table puts on its unknown inner cells.
pub struct Bounds {
    /// For each published aggregate with unknown inner cells: those cells (as variables)
    /// and what they sum to once the published inner cells are taken off.
    constraints: Vec<(Vec<usize>, f64)>,
    /// The unknown inner cells, each a variable.
    unknown: HashMap<usize, usize>,
    /// For each cell: its inner cells.
    cells: Vec<Vec<usize>>,
    /// The known value of each published inner cell.
    known: HashMap<usize, u64>,
}

impl Bounds {
    /// The constraints of `table`, whose cells sum the `inner` cells given.
    pub fn new(table: &Table, inner: &[Vec<usize>]) -> Self {
        // A published cell of one inner cell gives that inner cell's value.
        let mut known = HashMap::new();
        for (i, cell) in table.cells.iter().enumerate() {
            if inner[i].len() == 1 && cell.status == Status::Published {
                known.insert(inner[i][0], cell.value);
            }
        }
        let mut unknown = HashMap::new();
        let mut constraints = Vec::new();
        for (i, cell) in table.cells.iter().enumerate() {
            if cell.status != Status::Published || inner[i].len() == 1 {
                continue;
            }
            let mut rest = cell.value as f64;
            let mut variables = Vec::new();
            for c in &inner[i] {
                match known.get(c) {
                    Some(v) => rest -= *v as f64,
                    None => {
                        let next = unknown.len();
                        variables.push(*unknown.entry(*c).or_insert(next));
                    }
                }
            }
            if !variables.is_empty() {
                constraints.push((variables, rest));
            }
        }
        Bounds {
            constraints,
            unknown,
            cells: inner.to_vec(),
            known,
        }
    }

    /// The largest value the cell could take; `None` if nothing bounds it (or the solver
    /// gives up).
    pub fn largest(&self, cell: usize) -> Option<u64> {
        self.optimum(cell, OptimizationDirection::Maximize)
    }

    /// The smallest value the cell could take; `None` if the solver gives up.
    pub fn smallest(&self, cell: usize) -> Option<u64> {
        self.optimum(cell, OptimizationDirection::Minimize)
    }

    fn optimum(&self, cell: usize, direction: OptimizationDirection) -> Option<u64> {
        let mut problem = Problem::new(direction);
        let mut fixed = 0.0;
        let mut weight = vec![0.0; self.unknown.len()];
        for c in &self.cells[cell] {
            match (self.known.get(c), self.unknown.get(c)) {
                (Some(v), _) => fixed += *v as f64,
                (None, Some(variable)) => weight[*variable] = 1.0,
                // An inner cell in no published relation: unbounded but for the total.
                (None, None) => return (direction == OptimizationDirection::Minimize).then_some(0),
            }
        }
        let variables: Vec<_> = weight
            .iter()
            .map(|w| problem.add_var(*w, (0.0, f64::INFINITY)))
            .collect();
        for (members, rest) in &self.constraints {
            let terms: Vec<_> = members.iter().map(|v| (variables[*v], 1.0)).collect();
            problem.add_constraint(terms.as_slice(), ComparisonOp::Eq, *rest);
        }
        match problem.solve().ok()? {
            microlp::SolveOutcome::Solution(solution)
                if solution.status() == microlp::SolutionStatus::Optimal =>
            {
                let value = solution.objective() + fixed;
                // Rounded towards what an integer solution could reach, with the solver's
                // floating point on the safe side.
                Some(
                    match direction {
                        OptimizationDirection::Maximize => (value + 1e-6).floor(),
                        OptimizationDirection::Minimize => (value - 1e-6).ceil(),
                    }
                    .max(0.0) as u64,
                )
            }
            _ => None,
        }
    }
}
