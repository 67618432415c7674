//! Statistics over GraphQL: the catalogue, and a table as a JSON-stat 2.0 dataset, for the
//! roles the `statistics` resource is granted to. Each pull is recorded (see
//! [`crate::statistics`]).

use async_graphql::{Context, ErrorExtensions, InputObject, Json, Result, SimpleObject};
use sea_orm::DatabaseConnection;
use vigo_analytics::Format;
use vigo_analytics::statistics::{CATALOGUE, Selection};
use vigo_policy::{Gate, Subject};

use crate::denials::RequestId;

/// One statistic of the catalogue.
#[derive(SimpleObject)]
pub struct StatisticInfo {
    /// The name to pull it by, e.g. `pupils-by-school`.
    pub name: String,
    /// What the table shows.
    pub title: String,
    /// What is counted, e.g. `pupils`.
    pub unit: String,
    /// Whom the table counts, and when.
    pub population: String,
    /// Its dimensions, in the order of the dataset's `id`.
    pub dimensions: Vec<StatisticDimension>,
    /// Counts from 1 to `threshold - 1` are withheld, with the cells that would reveal them.
    pub threshold: u64,
}

/// A dimension of a statistic.
#[derive(SimpleObject)]
pub struct StatisticDimension {
    /// The dimension's id in the dataset, e.g. `gender`.
    pub id: String,
    /// Its label.
    pub label: String,
}

/// Keeps only some categories of one dimension.
#[derive(InputObject)]
pub struct StatisticsFilter {
    /// The dimension's id, e.g. `year`.
    pub dimension: String,
    /// The ids of the categories to keep, e.g. `["2026", "total"]`.
    pub categories: Vec<String>,
}

pub async fn catalogue(ctx: &Context<'_>) -> Result<Vec<StatisticInfo>> {
    let access = super::query::open_root(ctx, "Query.statisticsCatalogue").await?;
    Ok(CATALOGUE
        .iter()
        .filter(|s| access.grant.may_pull(s.name))
        .map(|s| StatisticInfo {
            name: s.name.to_owned(),
            title: s.title.to_owned(),
            unit: s.unit.to_owned(),
            population: s.population.to_owned(),
            dimensions: s
                .dimensions
                .iter()
                .map(|(id, label)| StatisticDimension {
                    id: (*id).to_owned(),
                    label: (*label).to_owned(),
                })
                .collect(),
            threshold: s.threshold,
        })
        .collect())
}

pub async fn statistics(
    ctx: &Context<'_>,
    extract: String,
    filter: Vec<StatisticsFilter>,
) -> Result<Json<serde_json::Value>> {
    super::query::open_root(ctx, "Query.statistics").await?;
    let selections: Vec<Selection> = filter
        .into_iter()
        .map(|f| Selection {
            dimension: f.dimension,
            categories: f.categories,
        })
        .collect();
    let pulled = crate::statistics::pull(
        ctx.data::<DatabaseConnection>()?,
        ctx.data::<Gate>()?,
        ctx.data::<Subject>()?,
        &extract,
        Format::JsonStat,
        &selections,
        &ctx.data::<RequestId>()?.0,
    )
    .await
    .map_err(|e| e.extend())?;
    let dataset = serde_json::from_slice(&pulled.bytes).map_err(|e| {
        crate::error::ApiError::Internal(anyhow::anyhow!("statistics dataset: {e}")).extend()
    })?;
    Ok(Json(dataset))
}
