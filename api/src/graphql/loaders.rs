//! DataLoaders: every nested list is fetched with one batched `IN (…)` query per level,
//! never one query per parent.
//!
//! One loader per key type: [`GroupLoader`] groups child rows by a foreign key (the
//! `ForeignKey` markers below), [`RowLoader`] fetches rows by primary key.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{Context, ErrorExtensions, Request};
use sea_orm::sea_query::Query as SqlQuery;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, Iterable, PrimaryKeyToColumn,
    QueryFilter, QueryOrder,
};
use vigo_entities::*;
use vigo_policy::{Record, RowScope};

use crate::audit::Touched;
use crate::error::ApiError;

/// A foreign key by which child rows are grouped under their parent.
pub trait ForeignKey: Send + Sync + 'static {
    type Entity: EntityTrait<Model: Clone + Send + Sync>;
    fn column() -> <Self::Entity as EntityTrait>::Column;
    fn key(row: &<Self::Entity as EntityTrait>::Model) -> Option<i32>;
    /// The person a loaded row is about, where the row says: loading it for a response is
    /// a read of that person's data, recorded as such.
    fn person(row: &<Self::Entity as EntityTrait>::Model) -> Option<i32>;
    /// Which of the children the caller's row scope shows.
    fn scope(rows: &RowScope) -> Condition;
}

/// The record condition of the row scope, where it narrows this kind of record.
fn narrowed(rows: &RowScope, record: Record) -> Condition {
    rows.records_shown(record)
}

macro_rules! foreign_keys {
    ($($(#[$meta:meta])* $name:ident => $module:ident . $field:ident / $column:ident
        $(, person $person:ident)? $(, scope $scope:expr)?;)*) => {$(
        $(#[$meta])*
        pub struct $name;
        impl ForeignKey for $name {
            type Entity = $module::Entity;
            fn column() -> $module::Column {
                $module::Column::$column
            }
            fn key(row: &$module::Model) -> Option<i32> {
                Option::<i32>::from(row.$field)
            }
            #[allow(unused_variables)]
            fn person(row: &$module::Model) -> Option<i32> {
                None $(.or(Some(row.$person)))?
            }
            #[allow(unused_variables)]
            fn scope(rows: &RowScope) -> Condition {
                Condition::all() $(.add(($scope)(rows)))?
            }
        }
    )*};
}

foreign_keys!(
    ContactOfPerson => contact.person_id / PersonId, person person_id;
    ContactChangesOfPerson => contact_change.person_id / PersonId, person person_id;
    EnrolmentsOfPerson => enrolment.person_id / PersonId, person person_id,
        scope |rows| narrowed(rows, Record::Enrolment);
    ResultsOfPerson => subject_result.person_id / PersonId, person person_id,
        scope |rows| narrowed(rows, Record::Result);
    AbsenceOfPerson => absence.person_id / PersonId, person person_id;
    ApplicationsOfPerson => application.person_id / PersonId, person person_id,
        scope |rows| narrowed(rows, Record::Application);
    WishesOfApplication => application_wish.application_id / ApplicationId,
        scope |rows| narrowed(rows, Record::Wish);
    ChangesOfApplication => application_change.application_id / ApplicationId;
    OffersOfWish => offer.wish_id / WishId,
        scope |rows| narrowed(rows, Record::Offer);
    ContractsOfPerson => apprenticeship_contract.person_id / PersonId, person person_id,
        scope |rows| narrowed(rows, Record::Contract);
    TradeTestsOfPerson => trade_test.person_id / PersonId, person person_id,
        scope |rows| narrowed(rows, Record::TradeTest);
    RightsOfPerson => education_right.person_id / PersonId, person person_id;
    FollowUpOfPerson => follow_up_status.person_id / PersonId, person person_id;
    DiplomasOfPerson => diploma.person_id / PersonId, person person_id;
    LoanCustomerOfPerson => loan_customer.person_id / PersonId, person person_id;
    DecisionsOfPerson => automated_decision.person_id / PersonId, person person_id;
    OffersOfSchool => school_offer.school_id / SchoolId;
    /// Reached from an organisation, not a person: the contracts must also belong to
    /// persons in the caller's scope, and loading them reads those persons' data.
    ContractsOfCompany => apprenticeship_contract.company_id / CompanyId, person person_id,
        scope |rows: &RowScope| narrowed(rows, Record::Contract).add(
            apprenticeship_contract::Column::PersonId.in_subquery(
                SqlQuery::select()
                    .column(person::Column::Id)
                    .from(person::Entity)
                    .cond_where(rows.person_condition())
                    .to_owned(),
            ),
        );
    SubsidiesOfOrganisation => subsidy_payment.organisation_id / OrganisationId;
    TradesOfOrganisation => approved_trade.organisation_id / OrganisationId;
);

/// Loads the child rows of many parents at once, grouped by parent id, within the caller's
/// row scope, and notes the persons the rows are about as read by the request.
pub struct GroupLoader<K> {
    db: DatabaseConnection,
    scope: Condition,
    touched: Arc<Touched>,
    key: PhantomData<K>,
}

/// A loaded row, shared between the loader's cache and the API objects made from it.
pub type Shared<M> = Arc<M>;

impl<K: ForeignKey> Loader<i32> for GroupLoader<K> {
    type Value = Vec<Shared<<K::Entity as EntityTrait>::Model>>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let mut query = K::Entity::find()
            .filter(K::column().is_in(keys.iter().copied()))
            .filter(self.scope.clone());
        for pk in <K::Entity as EntityTrait>::PrimaryKey::iter() {
            query = query.order_by_asc(pk.into_column());
        }
        let rows = query.all(&self.db).await.map_err(Arc::new)?;
        self.touched.add(rows.iter().filter_map(K::person));
        // Every key gets an entry, empty or not, so that the cache also remembers "none".
        let mut grouped: HashMap<i32, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Some(key) = K::key(&row) {
                grouped.entry(key).or_default().push(Arc::new(row));
            }
        }
        Ok(grouped)
    }
}

/// Loads rows by primary key, many at once.
pub struct RowLoader<E> {
    db: DatabaseConnection,
    reference: Arc<ReferenceRows>,
    entity: PhantomData<E>,
}

/// Entities whose rows are looked up by id from nested fields.
pub trait ById: EntityTrait<Model: Clone + Send + Sync> {
    fn id_column() -> Self::Column;
    fn id(row: &Self::Model) -> i32;
    /// Where the process holds this table's rows.
    fn held(rows: &ReferenceRows) -> &Held<Self::Model>;
}

macro_rules! by_id {
    ($($module:ident => $held:ident),*) => {$(
        impl ById for $module::Entity {
            fn id_column() -> $module::Column {
                $module::Column::Id
            }
            fn id(row: &$module::Model) -> i32 {
                row.id
            }
            fn held(rows: &ReferenceRows) -> &Held<$module::Model> {
                &rows.$held
            }
        }
    )*};
}

by_id!(
    organisation => organisations,
    programme_area => programme_areas,
    exam_board => exam_boards
);

impl<E: ById> Loader<i32> for RowLoader<E> {
    type Value = Shared<E::Model>;
    type Error = Arc<DbErr>;

    /// Rows the process holds (see [`ReferenceRows`]) are taken from there; the rest are
    /// read in one query and held.
    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let held = E::held(&self.reference);
        let (found, missing) = held.get(keys);
        let mut rows: HashMap<i32, Self::Value> = found.into_iter().collect();
        if missing.is_empty() {
            return Ok(rows);
        }
        let loaded: Vec<(i32, Self::Value)> = E::find()
            .filter(E::id_column().is_in(missing))
            .all(&self.db)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .map(|row| (E::id(&row), Arc::new(row)))
            .collect();
        held.put(loaded.iter().cloned());
        rows.extend(loaded);
        Ok(rows)
    }
}

/// Loads organisations' names by organisation number: the access log names the organisation
/// that looked, not only its number.
pub struct OrganisationNameLoader {
    db: DatabaseConnection,
}

impl Loader<String> for OrganisationNameLoader {
    type Value = String;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        Ok(organisation::Entity::find()
            .filter(organisation::Column::OrgNo.is_in(keys.iter().cloned()))
            .all(&self.db)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .map(|o| (o.org_no, o.name))
            .collect())
    }
}

/// The name of the organisation numbered `org_no`, through the request's loader.
pub async fn organisation_name(
    ctx: &Context<'_>,
    org_no: &str,
) -> async_graphql::Result<Option<String>> {
    ctx.data::<DataLoader<OrganisationNameLoader>>()?
        .load_one(org_no.to_owned())
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")).extend())
}

/// Loads the audit events that touched each of many persons, oldest first.
pub struct AccessLogLoader {
    db: DatabaseConnection,
}

impl Loader<i32> for AccessLogLoader {
    type Value = Vec<Shared<audit_event::Model>>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let links = audit_event_person::Entity::find()
            .filter(audit_event_person::Column::PersonId.is_in(keys.iter().copied()))
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        let mut ids: Vec<i64> = links.iter().map(|l| l.audit_event_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let events: HashMap<i64, Shared<audit_event::Model>> = audit_event::Entity::find()
            .filter(audit_event::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .map(|e| (e.id, Arc::new(e)))
            .collect();
        let mut grouped: HashMap<i32, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for link in links {
            if let Some(event) = events.get(&link.audit_event_id) {
                grouped
                    .entry(link.person_id)
                    .or_default()
                    .push(event.clone());
            }
        }
        for events in grouped.values_mut() {
            events.sort_by_key(|e| e.id);
        }
        Ok(grouped)
    }
}

/// Disclosures that included a person, by person, oldest first: one joined query per batch.
pub struct DisclosuresLoader {
    db: DatabaseConnection,
}

impl Loader<i32> for DisclosuresLoader {
    type Value = Vec<Shared<disclosure::Model>>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = disclosure_person::Entity::find()
            .filter(disclosure_person::Column::PersonId.is_in(keys.iter().copied()))
            .find_also_related(disclosure::Entity)
            .order_by_asc(disclosure_person::Column::DisclosureId)
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        let mut grouped: HashMap<i32, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for (link, disclosure) in rows {
            if let Some(disclosure) = disclosure {
                grouped
                    .entry(link.person_id)
                    .or_default()
                    .push(Arc::new(disclosure));
            }
        }
        Ok(grouped)
    }
}

/// The disclosures that included a person, through the request's loader.
pub async fn disclosures(
    ctx: &Context<'_>,
    person: i32,
) -> async_graphql::Result<Vec<Shared<disclosure::Model>>> {
    ctx.data::<DataLoader<DisclosuresLoader>>()?
        .load_one(person)
        .await
        .map(Option::unwrap_or_default)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")).extend())
}

/// Loaders cache for the request, so that [`prime`]d rows are not fetched again.
type Cached<L> = DataLoader<L, HashMapCache>;

fn group<K: ForeignKey>(
    db: &DatabaseConnection,
    rows: &RowScope,
    touched: &Arc<Touched>,
) -> Cached<GroupLoader<K>> {
    let loader = GroupLoader {
        db: db.clone(),
        scope: K::scope(rows),
        touched: touched.clone(),
        key: PhantomData,
    };
    DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
}

fn by_id<E: ById>(db: &DatabaseConnection, reference: &Arc<ReferenceRows>) -> Cached<RowLoader<E>> {
    let loader = RowLoader {
        db: db.clone(),
        reference: reference.clone(),
        entity: PhantomData,
    };
    DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
}

/// Adds fresh loaders to a request, scoped by the caller's row scope: loaders cache per
/// request, so no caller sees rows cached for another; what they load about persons is
/// noted in `touched`, the request's audit bookkeeping.
pub fn register(
    request: Request,
    db: &DatabaseConnection,
    reference: &Arc<ReferenceRows>,
    rows: &RowScope,
    touched: &Arc<Touched>,
) -> Request {
    request
        .data(group::<ContactOfPerson>(db, rows, touched))
        .data(group::<ContactChangesOfPerson>(db, rows, touched))
        .data(group::<EnrolmentsOfPerson>(db, rows, touched))
        .data(group::<ResultsOfPerson>(db, rows, touched))
        .data(group::<AbsenceOfPerson>(db, rows, touched))
        .data(group::<ApplicationsOfPerson>(db, rows, touched))
        .data(group::<WishesOfApplication>(db, rows, touched))
        .data(group::<ChangesOfApplication>(db, rows, touched))
        .data(group::<OffersOfWish>(db, rows, touched))
        .data(group::<ContractsOfPerson>(db, rows, touched))
        .data(group::<TradeTestsOfPerson>(db, rows, touched))
        .data(group::<RightsOfPerson>(db, rows, touched))
        .data(group::<FollowUpOfPerson>(db, rows, touched))
        .data(group::<DiplomasOfPerson>(db, rows, touched))
        .data(group::<LoanCustomerOfPerson>(db, rows, touched))
        .data(group::<DecisionsOfPerson>(db, rows, touched))
        .data(group::<OffersOfSchool>(db, rows, touched))
        .data(group::<ContractsOfCompany>(db, rows, touched))
        .data(group::<SubsidiesOfOrganisation>(db, rows, touched))
        .data(group::<TradesOfOrganisation>(db, rows, touched))
        .data(by_id::<organisation::Entity>(db, reference))
        .data(by_id::<programme_area::Entity>(db, reference))
        .data(by_id::<exam_board::Entity>(db, reference))
        .data(DataLoader::new(
            AccessLogLoader { db: db.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            DisclosuresLoader { db: db.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            OrganisationNameLoader { db: db.clone() },
            tokio::spawn,
        ))
}

/// The child rows of one parent, through its loader, wrapped as API objects.
pub async fn children<K, T>(ctx: &Context<'_>, parent: i32) -> async_graphql::Result<Vec<T>>
where
    K: ForeignKey,
    T: From<Shared<<K::Entity as EntityTrait>::Model>>,
{
    let loaded = ctx
        .data::<Cached<GroupLoader<K>>>()?
        .load_one(parent)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")).extend())?;
    Ok(loaded
        .unwrap_or_default()
        .into_iter()
        .map(T::from)
        .collect())
}

/// The audit events that touched a person, through the request's loader.
pub async fn access_log(
    ctx: &Context<'_>,
    person: i32,
) -> async_graphql::Result<Vec<Shared<audit_event::Model>>> {
    ctx.data::<DataLoader<AccessLogLoader>>()?
        .load_one(person)
        .await
        .map(Option::unwrap_or_default)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")).extend())
}

/// Loads the children of all `parents` in one query and caches them for the request, so
/// that the per-parent loads of the resolvers below find them: batching then does not depend
/// on how the executor interleaves sibling resolvers. Returns the children by parent.
pub async fn prime<K: ForeignKey>(
    ctx: &Context<'_>,
    parents: &[i32],
) -> async_graphql::Result<HashMap<i32, Vec<Shared<<K::Entity as EntityTrait>::Model>>>> {
    let loader = ctx.data::<Cached<GroupLoader<K>>>()?;
    // Every parent is known here, so the batch is loaded at once rather than after the
    // loader's batching delay, and the cache is fed for the resolvers that follow.
    let loaded = loader
        .loader()
        .load(parents)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")).extend())?;
    loader
        .feed_many(loaded.iter().map(|(k, v)| (*k, v.clone())))
        .await;
    Ok(loaded)
}

/// Loads rows by id in one query and caches them for the request (see [`prime`]).
pub async fn prime_rows<E: ById>(
    ctx: &Context<'_>,
    ids: impl IntoIterator<Item = i32>,
) -> async_graphql::Result<()> {
    let mut ids: Vec<i32> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    let loader = ctx.data::<Cached<RowLoader<E>>>()?;
    let loaded = loader
        .loader()
        .load(&ids)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")).extend())?;
    loader.feed_many(loaded).await;
    Ok(())
}

/// Reference rows (organisations, programme areas, exam boards), held by the process for
/// [`REFERENCE_TTL`]: nearly every response names a school or a programme area, and these
/// rows are no one's personal data and change by the county's imports, not by requests. A
/// row not held is read from the database; a changed name shows within the TTL. One per
/// server state, so per database.
#[derive(Default)]
pub struct ReferenceRows {
    organisations: Held<organisation::Model>,
    programme_areas: Held<programme_area::Model>,
    exam_boards: Held<exam_board::Model>,
}

/// How long a held reference row is used before it is read again.
pub const REFERENCE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Most rows held per table: a county has a few thousand organisations; a table that grows
/// past this is forgotten and read again.
const MOST_HELD: usize = 50_000;

/// The rows of one reference table, by id, with when each was read.
pub struct Held<M> {
    rows: std::sync::RwLock<HashMap<i32, (std::time::Instant, Shared<M>)>>,
}

impl<M> Default for Held<M> {
    fn default() -> Self {
        Held {
            rows: std::sync::RwLock::new(HashMap::new()),
        }
    }
}

impl<M> Held<M> {
    /// The fresh rows held among `ids`, and the ids to read.
    fn get(&self, ids: &[i32]) -> (Vec<(i32, Shared<M>)>, Vec<i32>) {
        let mut found = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        let Ok(rows) = self.rows.read() else {
            return (found, ids.to_vec());
        };
        for id in ids {
            match rows.get(id) {
                Some((read, row)) if read.elapsed() < REFERENCE_TTL => {
                    found.push((*id, row.clone()))
                }
                _ => missing.push(*id),
            }
        }
        (found, missing)
    }

    fn put(&self, loaded: impl IntoIterator<Item = (i32, Shared<M>)>) {
        let Ok(mut rows) = self.rows.write() else {
            return;
        };
        if rows.len() >= MOST_HELD {
            rows.clear();
        }
        let now = std::time::Instant::now();
        rows.extend(loaded.into_iter().map(|(id, row)| (id, (now, row))));
    }
}

/// One row by id, through its loader, wrapped as an API object.
pub async fn row<E, T>(ctx: &Context<'_>, id: i32) -> async_graphql::Result<Option<T>>
where
    E: ById,
    T: From<Shared<E::Model>>,
{
    let loaded = ctx
        .data::<Cached<RowLoader<E>>>()?
        .load_one(id)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")).extend())?;
    Ok(loaded.map(T::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_rows_are_used_until_they_are_older_than_the_ttl() {
        let held = Held::<&str>::default();
        held.put([(1, Arc::new("Vigo vgs."))]);
        let (found, missing) = held.get(&[1, 2]);
        assert_eq!(found.len(), 1);
        assert_eq!(*found[0].1, "Vigo vgs.");
        assert_eq!(missing, vec![2]);
        if let Ok(mut rows) = held.rows.write() {
            for (read, _) in rows.values_mut() {
                *read = read
                    .checked_sub(REFERENCE_TTL)
                    .expect("the clock has run for a minute");
            }
        }
        let (found, missing) = held.get(&[1]);
        assert!(found.is_empty());
        assert_eq!(missing, vec![1]);
    }
}
