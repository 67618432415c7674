//! Statistics tables as files: CSV and Parquet with a row per cell, and JSON-stat 2.0
//! datasets as SSB's own API serves them. Withheld cells are `:` in CSV, a null value with
//! status `:` in JSON-stat and Parquet. Why cells are withheld is said once per file, not per
//! cell: a per-cell reason is itself a bound ("primary" means 1 … threshold − 1), and in a
//! small table the reasons alone pin cells (two withheld 1s under a withheld total of 2 with
//! threshold 3 can only be 1 and 1), whatever else is withheld.

use std::io::Write;

use polars::prelude::{Column, DataFrame, NamedFrom, ParquetWriter, Series};

use super::dataset::{Dataset, MEASURE, Value};
use super::table::TOTAL;
use crate::{ExtractError, Format};

/// What a published table says about itself.
#[derive(Clone, Debug)]
pub struct About {
    /// The extract's name, e.g. `applicants-by-programme-area`.
    pub name: String,
    pub title: String,
    /// What is counted, e.g. `applicants`.
    pub unit: String,
    /// Whom the table counts.
    pub population: String,
    /// The date the counts refer to (ISO 8601).
    pub reference_date: String,
    /// When the table was computed (RFC 3339).
    pub updated: String,
    /// Counts from 1 to `threshold - 1` are withheld.
    pub threshold: u64,
}

/// The column of CSV and Parquet files that marks a withheld value (`:`), named apart from
/// any dimension (tables have dimensions called `status`).
pub const STATUS_COLUMN: &str = "value_status";

/// The note every file carries on how cells were withheld.
pub fn suppression_note(threshold: u64) -> String {
    format!(
        "Withheld cells are marked ':'. A cell is withheld either because it counts from 1 to {} (primary suppression) or because a withheld count could be worked out from it with the table's totals and subtotals (secondary suppression); which of the two is not said per cell, since that would bound it. Zero is published. A rate is withheld when a count it is computed from is, and marked '.' when its denominator is zero.",
        threshold.saturating_sub(1)
    )
}

/// Writes the dataset in `format`.
pub fn write_table(
    table: &Dataset,
    about: &About,
    format: Format,
    out: &mut impl Write,
) -> Result<(), ExtractError> {
    let io = |source| ExtractError::Io {
        path: about.name.clone(),
        source,
    };
    match format {
        Format::JsonStat => {
            let dataset = json_stat(table, about);
            serde_json::to_writer(&mut *out, &dataset).map_err(|e| io(std::io::Error::other(e)))?;
            out.write_all(b"\n").map_err(io)?;
        }
        Format::Csv => {
            let mut header: Vec<String> =
                table.dimensions.iter().map(|d| csv_field(&d.id)).collect();
            header.extend(["value".to_owned(), STATUS_COLUMN.to_owned()]);
            writeln!(out, "{}", header.join(",")).map_err(io)?;
            for (index, value) in table.values.iter().enumerate() {
                let mut row: Vec<String> = table
                    .categories_of(index)
                    .iter()
                    .enumerate()
                    .map(|(d, c)| csv_field(&table.dimensions[d].categories[*c].id))
                    .collect();
                row.push(text(table, index, *value));
                row.push(value.symbol().unwrap_or("").to_owned());
                writeln!(out, "{}", row.join(",")).map_err(io)?;
            }
        }
        Format::Parquet => {
            let mut frame = frame(table)?;
            ParquetWriter::new(out).finish(&mut frame)?;
        }
    }
    Ok(())
}

/// Quotes a CSV field when it needs it.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A value as CSV writes it: a rate with its measure's decimals, else the status symbol.
fn text(table: &Dataset, index: usize, value: Value) -> String {
    match value {
        Value::Count(n) => n.to_string(),
        Value::Rate(rate) => {
            let decimals = table
                .categories_of(index)
                .last()
                .and_then(|m| table.measures.get(*m))
                .map_or(2, |m| m.decimals as usize);
            format!("{rate:.decimals$}")
        }
        Value::Withheld | Value::NotApplicable => value.symbol().unwrap_or("").to_owned(),
    }
}

/// A row per cell: a column per dimension (category ids), `value` (null when not published;
/// whole numbers for counts, floating point where rates are published) and `value_status`
/// (`:` withheld, `.` not applicable, else null).
pub fn frame(table: &Dataset) -> Result<DataFrame, ExtractError> {
    let mut columns: Vec<Column> = Vec::new();
    let all: Vec<Vec<usize>> = (0..table.values.len())
        .map(|i| table.categories_of(i))
        .collect();
    for (d, dimension) in table.dimensions.iter().enumerate() {
        let ids: Vec<&str> = all
            .iter()
            .map(|c| dimension.categories[c[d]].id.as_str())
            .collect();
        columns.push(Series::new(dimension.id.as_str().into(), ids).into());
    }
    if table.is_counts() {
        let values: Vec<Option<u64>> = table
            .values
            .iter()
            .map(|v| match v {
                Value::Count(n) => Some(*n),
                _ => None,
            })
            .collect();
        columns.push(Series::new("value".into(), values).into());
    } else {
        let values: Vec<Option<f64>> = table
            .values
            .iter()
            .map(|v| match v {
                Value::Count(n) => Some(*n as f64),
                Value::Rate(rate) => Some(*rate),
                _ => None,
            })
            .collect();
        columns.push(Series::new("value".into(), values).into());
    }
    let status: Vec<Option<&str>> = table.values.iter().map(|v| v.symbol()).collect();
    columns.push(Series::new(STATUS_COLUMN.into(), status).into());
    Ok(DataFrame::new(table.values.len(), columns)?)
}

/// The table as a JSON-stat 2.0 dataset. Totals and subtotals are categories of their
/// dimension (`total`, `total-<group>`), their members listed in the dimension's extension,
/// so a reader can check every sum.
pub fn json_stat(table: &Dataset, about: &About) -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let mut dimensions = Map::new();
    for dimension in &table.dimensions {
        let leaves: Vec<&str> = dimension.leaves().map(|c| c.id.as_str()).collect();
        let mut index = Map::new();
        let mut label = Map::new();
        let mut groups = Map::new();
        for (position, category) in dimension.categories.iter().enumerate() {
            index.insert(category.id.clone(), json!(position));
            label.insert(category.id.clone(), json!(category.label));
            if let Some(members) = &category.members {
                let ids: Vec<&str> = members.iter().map(|m| leaves[*m]).collect();
                groups.insert(category.id.clone(), json!(ids));
            }
        }
        let mut entry = json!({
            "label": dimension.label,
            "category": { "index": index, "label": label },
        });
        if dimension.id == MEASURE {
            let units: Map<String, Value> = table
                .measures
                .iter()
                .map(|m| {
                    (
                        m.id.to_owned(),
                        json!({ "label": m.label, "decimals": m.decimals }),
                    )
                })
                .collect();
            entry["category"]["unit"] = Value::Object(units);
        }
        if !groups.is_empty() {
            entry["extension"] = json!({ "members": groups });
        }
        dimensions.insert(dimension.id.clone(), entry);
    }
    let values: Vec<Value> = table
        .values
        .iter()
        .map(|v| match v {
            super::dataset::Value::Count(n) => json!(n),
            super::dataset::Value::Rate(rate) => json!(rate),
            _ => Value::Null,
        })
        .collect();
    let mut status = Map::new();
    let mut withheld = Vec::new();
    for (index, value) in table.unpublished() {
        status.insert(index.to_string(), json!(value.symbol()));
        if value == super::dataset::Value::Withheld {
            withheld.push(index);
        }
    }
    let time: Vec<&str> = table
        .dimensions
        .iter()
        .map(|d| d.id.as_str())
        .filter(|id| id.ends_with("year"))
        .collect();
    let mut role = json!({});
    if !time.is_empty() {
        role["time"] = json!(time);
    }
    if !table.measures.is_empty() {
        role["metric"] = json!([MEASURE]);
    }
    json!({
        "version": "2.0",
        "class": "dataset",
        "label": about.title,
        "source": "Vigo",
        "updated": about.updated,
        "id": table.dimensions.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        "size": table.shape(),
        "role": role,
        "dimension": dimensions,
        "value": values,
        "status": status,
        "note": [
            suppression_note(about.threshold),
            format!("Population: {}. Reference date: {}. Unit: {}.", about.population, about.reference_date, about.unit),
            format!("Totals and subtotals are the categories '{TOTAL}' and '{TOTAL}-<group>' of their dimension; extension.members lists the categories each sums."),
        ],
        "extension": {
            "name": about.name,
            "unit": about.unit,
            "population": about.population,
            "referenceDate": about.reference_date,
            "threshold": about.threshold,
            "withheld": withheld,
        },
    })
}
