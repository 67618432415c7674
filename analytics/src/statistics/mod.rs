//! Statistics: tables of counts with disclosure control, for SSB, Udir and the county.

pub mod catalogue;
pub mod dataset;
pub mod formats;
pub mod intervals;
pub mod suppress;
pub mod table;

pub use catalogue::{CATALOGUE, Computed, DEFAULT_THRESHOLD, Statistic};
pub use dataset::{Dataset, Derivation, MEASURE, Measure, Value};
pub use formats::{About, frame, json_stat, suppression_note, write_table};
pub use suppress::suppress;
pub use table::{Category, Cell, Dimension, Selection, SelectionError, Status, TOTAL, Table};
