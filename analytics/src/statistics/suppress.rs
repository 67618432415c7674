//! Disclosure control: primary suppression of small counts, then secondary suppression so
//! that no withheld cell can be worked out from what the table publishes.
//!
//! Secondary cells are chosen as SSB's GaussSuppression chooses them: each published cell is
//! a linear relation over the inner cells, and a withheld cell is disclosed exactly when its
//! relation lies in the span of the published ones. Cells are offered for publication in
//! order of priority (totals first, then larger counts); Gaussian elimination tells whether
//! publishing one would put a withheld cell in that span, and if so it is withheld too. The
//! sums alone are not everything an attacker knows: counts are non-negative integers, so a
//! small cell that cannot be solved for may still be bounded below the threshold. Each
//! primary cell's largest possible value is therefore computed as an integer program over
//! the published cells, and where it stays below the threshold a neighbouring cell is withheld
//! as well, until every primary cell could be as large as the threshold.

use super::table::{Status, Table};

/// A sparse vector over inner cells, sorted by index.
#[derive(Clone, Debug, Default)]
struct Sparse(Vec<(usize, f64)>);

const EPSILON: f64 = 1e-9;

impl Sparse {
    fn of(indices: &[usize]) -> Self {
        Sparse(indices.iter().map(|i| (*i, 1.0)).collect())
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn get(&self, index: usize) -> f64 {
        self.0
            .binary_search_by_key(&index, |(i, _)| *i)
            .map_or(0.0, |at| self.0[at].1)
    }

    /// `self - factor * other`, dropping entries that cancel.
    fn minus(&self, factor: f64, other: &Sparse) -> Sparse {
        let (mut a, mut b) = (self.0.iter().peekable(), other.0.iter().peekable());
        let mut out = Vec::with_capacity(self.0.len() + other.0.len());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some((i, x)), Some((j, y))) if i == j => {
                    let value = x - factor * y;
                    let index = *i;
                    a.next();
                    b.next();
                    (index, value)
                }
                (Some((i, x)), Some((j, _))) if i < j => {
                    let entry = (*i, *x);
                    a.next();
                    entry
                }
                (Some(_), Some((j, y))) | (None, Some((j, y))) => {
                    let entry = (*j, -factor * y);
                    b.next();
                    entry
                }
                (Some((i, x)), None) => {
                    let entry = (*i, *x);
                    a.next();
                    entry
                }
                (None, None) => break,
            };
            if next.1.abs() > EPSILON {
                out.push(next);
            }
        }
        Sparse(out)
    }

    /// The entry of largest magnitude, as the pivot.
    fn pivot(&self) -> Option<(usize, f64)> {
        self.0
            .iter()
            .copied()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
    }

    /// Whether `self` is a multiple of `other` (which is not zero).
    fn parallel_to(&self, other: &Sparse) -> bool {
        if self.0.len() != other.0.len() || self.is_zero() {
            return self.is_zero();
        }
        let ratio = self.0[0].1 / other.0[0].1;
        self.0
            .iter()
            .zip(&other.0)
            .all(|((i, x), (j, y))| i == j && (x - ratio * y).abs() <= EPSILON * x.abs().max(1.0))
    }
}

/// The span of the published cells, in echelon form: each basis vector has a pivot at which
/// every other basis vector and every protected residual is zero.
#[derive(Default)]
struct Span {
    basis: Vec<(usize, Sparse)>,
}

impl Span {
    fn reduce(&self, vector: &Sparse) -> Sparse {
        let mut reduced = vector.clone();
        for (pivot, row) in &self.basis {
            let at = reduced.get(*pivot);
            if at.abs() > EPSILON {
                reduced = reduced.minus(at / row.get(*pivot), row);
            }
        }
        reduced
    }
}

/// Withholds counts from 1 to `threshold - 1` and every cell needed to protect them, and
/// returns how many cells were withheld for each reason. Zero is published.
pub fn suppress(table: &mut Table, threshold: u64) -> (usize, usize) {
    for cell in &mut table.cells {
        cell.status = if cell.value > 0 && cell.value < threshold {
            Status::Primary
        } else {
            Status::Published
        };
    }
    let inner: Vec<Vec<usize>> = (0..table.cells.len())
        .map(|i| table.inner_cells(i))
        .collect();
    let categories: Vec<Vec<usize>> = (0..table.cells.len())
        .map(|i| table.categories_of(i))
        .collect();
    let vectors: Vec<Sparse> = inner.iter().map(|i| Sparse::of(i)).collect();
    let mut forced: Vec<usize> = Vec::new();
    loop {
        secondary(table, &vectors, &forced);
        let mut exposed = exposed_primaries(table, &inner, threshold);
        exposed.extend(pinned(table, &inner));
        if exposed.is_empty() {
            break;
        }
        let widening: Vec<usize> = exposed
            .iter()
            .filter_map(|p| widening_cell(table, &inner, &categories, *p, &forced))
            .collect();
        if widening.is_empty() {
            // Nothing left to widen with: withhold every count rather than publish a table
            // that gives a cell away.
            for cell in &mut table.cells {
                if cell.status == Status::Published && cell.value > 0 {
                    cell.status = Status::Secondary;
                }
            }
            break;
        }
        for cell in widening {
            if !forced.contains(&cell) {
                forced.push(cell);
            }
        }
    }
    let count = |status| table.cells.iter().filter(|c| c.status == status).count();
    (count(Status::Primary), count(Status::Secondary))
}

/// Chooses the secondary cells for the primary cells and the `forced` ones (the Gaussian
/// step described in the module's documentation).
fn secondary(table: &mut Table, vectors: &[Sparse], forced: &[usize]) {
    for cell in &mut table.cells {
        if cell.status == Status::Secondary {
            cell.status = Status::Published;
        }
    }
    for &cell in forced {
        table.cells[cell].status = Status::Secondary;
    }
    let mut protected: Vec<Sparse> = table
        .cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.status.is_suppressed())
        .map(|(i, _)| vectors[i].clone())
        .collect();
    // Zeros are published whatever they tell; then totals before details, larger counts
    // before smaller ones, so that what is withheld is as little as possible.
    let mut order: Vec<usize> = (0..table.cells.len())
        .filter(|i| !table.cells[*i].status.is_suppressed())
        .collect();
    order.sort_by_key(|i| {
        let value = table.cells[*i].value;
        (
            value != 0,
            std::cmp::Reverse(vectors[*i].0.len()),
            std::cmp::Reverse(value),
            *i,
        )
    });
    let mut span = Span::default();
    for cell in order {
        let residual = span.reduce(&vectors[cell]);
        let Some((pivot, at)) = residual.pivot() else {
            continue;
        };
        let discloses =
            table.cells[cell].value != 0 && protected.iter().any(|p| p.parallel_to(&residual));
        if discloses {
            table.cells[cell].status = Status::Secondary;
            protected.push(residual);
            continue;
        }
        for p in &mut protected {
            let coefficient = p.get(pivot);
            if coefficient.abs() > EPSILON {
                *p = p.minus(coefficient / at, &residual);
            }
        }
        span.basis.push((pivot, residual));
    }
}

/// The primary cells whose largest value consistent with the published cells (as a linear
/// program over non-negative cells) is below the threshold.
fn exposed_primaries(table: &Table, inner: &[Vec<usize>], threshold: u64) -> Vec<usize> {
    let primaries: Vec<usize> = table
        .cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.status == Status::Primary)
        .map(|(i, _)| i)
        .collect();
    if primaries.is_empty() {
        return primaries;
    }
    let bounds = super::intervals::Bounds::new(table, inner);
    primaries
        .into_iter()
        .filter(|&cell| bounds.largest(cell).is_some_and(|hi| hi < threshold))
        .collect()
}

/// The withheld cells that the published sums pin to one value (a solver that gives up
/// counts as pinned: fail closed).
fn pinned(table: &Table, inner: &[Vec<usize>]) -> Vec<usize> {
    let withheld: Vec<usize> = table.suppressed().map(|(i, _)| i).collect();
    if withheld.is_empty() {
        return withheld;
    }
    let bounds = super::intervals::Bounds::new(table, inner);
    withheld
        .into_iter()
        .filter(
            |&cell| match (bounds.smallest(cell), bounds.largest(cell)) {
                (Some(lo), Some(hi)) => lo >= hi,
                (Some(_), None) => false,
                _ => true,
            },
        )
        .collect()
}

/// The published cell whose withholding widens a primary cell's range the most: a published
/// non-zero cell that differs from it in one dimension (a neighbour in its row, column, …)
/// or overlaps it, the neighbours and larger counts first.
fn widening_cell(
    table: &Table,
    inner: &[Vec<usize>],
    categories: &[Vec<usize>],
    primary: usize,
    forced: &[usize],
) -> Option<usize> {
    let own = &categories[primary];
    let cells = &inner[primary];
    let neighbour = |i: usize| {
        categories[i]
            .iter()
            .zip(own)
            .filter(|(a, b)| a != b)
            .count()
            == 1
    };
    (0..table.cells.len())
        .filter(|&i| {
            !table.cells[i].status.is_suppressed()
                && table.cells[i].value > 0
                && !forced.contains(&i)
        })
        .filter(|&i| neighbour(i) || inner[i].iter().any(|c| cells.binary_search(c).is_ok()))
        .max_by_key(|&i| (neighbour(i), table.cells[i].value))
}
