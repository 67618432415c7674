//! Root query fields.

use super::codes::{EnrolmentStatus, Purpose, Role};
use async_graphql::connection::{
    Connection, DefaultConnectionName, DefaultEdgeName, DisableNodesField, Edge, EmptyFields,
};
use async_graphql::{Context, ErrorExtensions, InputObject, Object, Result, SimpleObject};
use sea_orm::sea_query::{Expr, ExprTrait, Query as SqlQuery};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use vigo_entities::ids::{NationalId, OrgNo, ProgrammeAreaCode};
use vigo_entities::{
    application, application_wish, apprenticeship_contract, enrolment, offer, organisation, person,
    programme_area,
};
use vigo_policy::{Access, PolicyError, Record, Subject, catalog};

use super::cursor::CursorKey;
use super::organisation::Organisation;
use super::person::Person;
use crate::denials::{self, DenialKind, RequestId};
use crate::error::ApiError;

/// Largest page `persons` returns.
pub const MAX_PAGE_SIZE: u64 = 100;
const DEFAULT_PAGE_SIZE: u64 = 20;

pub struct Query;

/// Filters a portal needs on `persons`; all given filters must hold.
#[derive(InputObject, Default)]
pub struct PersonFilter {
    /// Enrolled at this school (organisation number).
    pub school: Option<String>,
    /// Enrolled in this programme area (10-character code).
    pub programme_area: Option<String>,
    /// With an enrolment of this status.
    pub status: Option<EnrolmentStatus>,
    /// With an application for this intake year.
    pub intake_year: Option<i32>,
    /// With an application wishing an apprenticeship in this trade (10-character programme
    /// area code); with `intakeYear`, in that application.
    pub trade: Option<String>,
    /// With an offer of a place or placement the caller may see (`true`), or with none
    /// (`false`); with `intakeYear`, for an application of that year.
    pub offered: Option<bool>,
    /// With an apprenticeship contract the caller may see (`true`), or with none (`false`).
    pub has_contract: Option<bool>,
}

/// Who a request acts as.
#[derive(SimpleObject)]
pub struct Caller {
    /// The token's role.
    pub role: Role,
    /// The purpose it acts for.
    pub purpose: Purpose,
    /// The organisation number it acts for, if any.
    pub organisation: Option<String>,
    /// The version of the access policy that decides what it may read.
    pub policy_version: i64,
}

/// The count beside a page of persons.
pub struct PersonCount {
    condition: Condition,
}

/// The count beside a page of persons.
#[Object]
impl PersonCount {
    /// Persons matching the filters within the caller's scope, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let count = person::Entity::find()
            .filter(self.condition.clone())
            .count(ctx.data::<DatabaseConnection>()?)
            .await
            .map_err(|e| ApiError::from(e).extend())?;
        Ok(count as i64)
    }
}

/// A page of persons: a Relay connection (`PersonConnection`, `PersonEdge`, `PageInfo`)
/// with the total count, whose cursors are opaque ([`CursorKey`]).
pub type PersonConnection = Connection<
    String,
    Person,
    PersonCount,
    EmptyFields,
    DefaultConnectionName,
    DefaultEdgeName,
    DisableNodesField,
>;

/// The caller's access, decided once for the request by the HTTP layer.
fn access<'a>(ctx: &Context<'a>) -> Result<&'a Access> {
    ctx.data::<Access>()
}

/// The caller's access, once the policy's table of root fields
/// ([`vigo_policy::roots::ROOT_FIELDS`]) says its grant opens `root` (`Query.persons`);
/// otherwise FORBIDDEN, recorded. Every root resolver starts here, and introspection hides
/// what this refuses.
pub(crate) async fn open_root<'a>(ctx: &Context<'a>, root: &str) -> Result<&'a Access> {
    let access = access(ctx)?;
    if access.grant.opens(root) {
        ctx.data::<std::sync::Arc<crate::audit::Touched>>()?
            .opened(root);
        return Ok(access);
    }
    let action = vigo_policy::roots::root_field(root)
        .map(|r| r.refusal)
        .unwrap_or("use this operation");
    let refusal = PolicyError::Denied {
        role: ctx.data::<Subject>()?.role,
        action,
    };
    Err(refuse(ctx, access, root, refusal).await)
}

/// Records a refused operation and returns its FORBIDDEN error, with `refusal` as message.
pub(crate) async fn refuse(
    ctx: &Context<'_>,
    access: &Access,
    operation: &str,
    refusal: impl std::fmt::Display,
) -> async_graphql::Error {
    refuse_as(ctx, access, DenialKind::Operation, operation, refusal).await
}

/// Records a refusal of `kind` on `target` and returns its FORBIDDEN error.
async fn refuse_as(
    ctx: &Context<'_>,
    access: &Access,
    kind: DenialKind,
    target: &str,
    refusal: impl std::fmt::Display,
) -> async_graphql::Error {
    let recorded = async {
        denials::record(
            ctx.data::<DatabaseConnection>()?,
            ctx.data::<Subject>()?,
            &ctx.data::<RequestId>()?.0,
            access.version,
            kind,
            &[target.to_owned()],
        )
        .await
        .map_err(|e| e.extend())
    }
    .await;
    match recorded {
        Ok(()) => ApiError::Forbidden(refusal.to_string()).extend(),
        Err(e) => e,
    }
}

/// Checks that the caller may select persons by these arguments: each reads the fields its
/// catalog entry names ([`catalog::SELECTORS`]), so each needs them in the caller's mask, as a
/// field read would. A refusal is recorded and names the argument; what is allowed adds its
/// categories to the request's audit event.
pub(crate) async fn select_by(
    ctx: &Context<'_>,
    access: &Access,
    arguments: &[&str],
) -> Result<()> {
    let touched = ctx.data::<std::sync::Arc<crate::audit::Touched>>()?;
    let mut categories = Vec::new();
    for argument in arguments {
        // An argument the catalog does not list selects by nothing anyone may read.
        let reads = catalog::selector(argument).map_or(&[][..], |s| s.reads);
        let unreadable = match reads.iter().find(|(t, f)| !access.fields.allows(t, f)) {
            Some((t, f)) => Some(format!("{t}.{f}")),
            None if reads.is_empty() => Some("a field the catalog does not classify".to_owned()),
            None => None,
        };
        if let Some(field) = unreadable {
            return Err(refuse_as(
                ctx,
                access,
                DenialKind::Field,
                argument,
                format!("not allowed to select persons by {argument}: it reads {field}"),
            )
            .await);
        }
        categories.extend(
            reads
                .iter()
                .filter_map(|(t, f)| catalog::category_of(t, f))
                .map(|c| c.code().to_owned()),
        );
    }
    touched.add_categories(categories);
    Ok(())
}

/// Turns filters into a condition on `person`, as subqueries so that each filter is one
/// indexed look-up. A filter is a read of what it tests: it must be in the caller's mask
/// ([`select_by`]), and it sees only the records the caller's record scope shows (a school
/// filtering by status tests its own enrolments, not those at other schools).
async fn filter_condition(
    ctx: &Context<'_>,
    access: &Access,
    filter: &PersonFilter,
) -> Result<Condition> {
    let used: Vec<&str> = [
        ("PersonFilter.school", filter.school.is_some()),
        (
            "PersonFilter.programmeArea",
            filter.programme_area.is_some(),
        ),
        ("PersonFilter.status", filter.status.is_some()),
        ("PersonFilter.intakeYear", filter.intake_year.is_some()),
        ("PersonFilter.trade", filter.trade.is_some()),
        ("PersonFilter.offered", filter.offered.is_some()),
        ("PersonFilter.hasContract", filter.has_contract.is_some()),
    ]
    .into_iter()
    .filter_map(|(argument, used)| used.then_some(argument))
    .collect();
    select_by(ctx, access, &used).await?;
    let bad = |e: ApiError| e.extend();
    let mut condition = Condition::all();
    let mut enrolments = access.rows.records_shown(Record::Enrolment);
    let mut on_enrolment = false;
    if let Some(school) = &filter.school {
        let org = OrgNo::parse(school).map_err(|e| bad(ApiError::bad_input("filter.school", e)))?;
        enrolments = enrolments.add(enrolment::Column::SchoolId.in_subquery(column_where(
            organisation::Column::Id,
            organisation::Entity,
            organisation::Column::OrgNo.eq(org.as_str()).into(),
        )));
        on_enrolment = true;
    }
    if let Some(code) = &filter.programme_area {
        let code = ProgrammeAreaCode::parse(code)
            .map_err(|e| bad(ApiError::bad_input("filter.programmeArea", e)))?;
        enrolments = enrolments
            .add(enrolment::Column::ProgrammeAreaId.in_subquery(programme_area_coded(&code)));
        on_enrolment = true;
    }
    if let Some(status) = filter.status {
        let status = vigo_entities::enums::EnrolmentStatus::from(status);
        enrolments = enrolments.add(enrolment::Column::Status.eq(status));
        on_enrolment = true;
    }
    if on_enrolment {
        condition = condition.add(person::Column::Id.in_subquery(column_where(
            enrolment::Column::PersonId,
            enrolment::Entity,
            enrolments,
        )));
    }
    // Filters on applications test one application together: the trade and the offer of
    // the same application, of the year asked for.
    let mut applications = Condition::all();
    let mut on_application = false;
    if let Some(year) = filter.intake_year {
        applications = applications.add(application::Column::IntakeYear.eq(year));
        on_application = true;
    }
    if let Some(code) = &filter.trade {
        let code = ProgrammeAreaCode::parse(code)
            .map_err(|e| bad(ApiError::bad_input("filter.trade", e)))?;
        let wishes = access
            .rows
            .records_shown(Record::Wish)
            .add(application_wish::Column::Apprenticeship.eq(true))
            .add(
                application_wish::Column::ProgrammeAreaId.in_subquery(programme_area_coded(&code)),
            );
        applications = applications.add(application::Column::Id.in_subquery(column_where(
            application_wish::Column::ApplicationId,
            application_wish::Entity,
            wishes,
        )));
        on_application = true;
    }
    let applications_shown = access.rows.records_shown(Record::Application);
    if let Some(wanted) = filter.offered {
        // Applications with a wish holding an offer the caller may see.
        let offered_wishes =
            access
                .rows
                .records_shown(Record::Wish)
                .add(application_wish::Column::Id.in_subquery(column_where(
                    offer::Column::WishId,
                    offer::Entity,
                    access.rows.records_shown(Record::Offer),
                )));
        let offered = application::Column::Id.in_subquery(column_where(
            application_wish::Column::ApplicationId,
            application_wish::Entity,
            offered_wishes,
        ));
        if wanted {
            applications = applications.add(offered);
            on_application = true;
        } else {
            // None of the person's (matching) applications holds such an offer.
            condition = condition.add(
                person::Column::Id.not_in_subquery(column_where(
                    application::Column::PersonId,
                    application::Entity,
                    applications
                        .clone()
                        .add(offered)
                        .add(applications_shown.clone()),
                )),
            );
        }
    }
    if on_application {
        condition = condition.add(person::Column::Id.in_subquery(column_where(
            application::Column::PersonId,
            application::Entity,
            applications.add(applications_shown),
        )));
    }
    if let Some(wanted) = filter.has_contract {
        let contracts = column_where(
            apprenticeship_contract::Column::PersonId,
            apprenticeship_contract::Entity,
            access.rows.records_shown(Record::Contract),
        );
        condition = condition.add(if wanted {
            person::Column::Id.in_subquery(contracts)
        } else {
            person::Column::Id.not_in_subquery(contracts)
        });
    }
    Ok(condition)
}

/// `SELECT column FROM table WHERE condition`, for an `IN (…)` subquery.
fn column_where<C, T>(
    column: C,
    table: T,
    condition: Condition,
) -> sea_orm::sea_query::SelectStatement
where
    C: sea_orm::sea_query::IntoColumnRef,
    T: sea_orm::sea_query::IntoTableRef,
{
    SqlQuery::select()
        .column(column)
        .from(table)
        .cond_where(condition)
        .to_owned()
}

/// The id of the programme area (or trade) with `code`, as a subquery.
fn programme_area_coded(code: &ProgrammeAreaCode) -> sea_orm::sea_query::SelectStatement {
    column_where(
        programme_area::Column::Id,
        programme_area::Entity,
        programme_area::Column::Code.eq(code.as_str()).into(),
    )
}

/// Reads: the caller, persons and their records, organisations, and the access policy with
/// its logs. The access policy decides what each caller sees; reads of persons are recorded in
/// the audit trail.
#[Object]
impl Query {
    /// Who the caller acts as: role, purpose, organisation and the policy version deciding
    /// its access. Open to every caller, so portals can say whom they act for.
    async fn caller(&self, ctx: &Context<'_>) -> Result<Caller> {
        let subject = ctx.data::<Subject>()?;
        Ok(Caller {
            role: subject.role.into(),
            purpose: subject.purpose.into(),
            organisation: subject.org.as_ref().map(|o| o.as_str().to_owned()),
            policy_version: access(ctx)?.version,
        })
    }

    /// The caller's own record (the `student` role); `null` for other roles.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let access = open_root(ctx, "Query.me").await?;
        let subject = ctx.data::<Subject>()?;
        let Some(own) = subject.person else {
            return Ok(None);
        };
        find_person(ctx, access, own).await
    }

    /// Everything held about the caller (the `student` role) as one JSON document: every
    /// field of `me` the caller may read, access log and disclosures included (GDPR art. 15),
    /// the same document `vigo export-subject` writes. Recorded in the audit trail.
    async fn subject_export(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<async_graphql::Json<serde_json::Value>>> {
        super::export::subject_export(ctx).await
    }

    /// The proof that an access in the caller's own access log (`me.accessLog`, by its `id`)
    /// is in the signed audit trail: its Merkle inclusion proof against the latest signed
    /// checkpoint, which `vigo audit verify-proof` checks with the publisher's verifier key.
    /// `null` when the caller's log holds no such access.
    async fn access_log_proof(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The access's `id` in `me.accessLog`.")] event_id: async_graphql::ID,
    ) -> Result<Option<super::proof::AccessLogProof>> {
        super::proof::access_log_proof(ctx, event_id).await
    }

    /// A person by national id (fødselsnummer, D-nummer, …). `null` when no such person
    /// exists or the person is outside the caller's scope; the two look the same.
    async fn person(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The person's national id, 11 digits (fødselsnummer, D-nummer, H-nummer or temporary number)."
        )]
        national_id: String,
    ) -> Result<Option<Person>> {
        let national_id = NationalId::parse(&national_id)
            .map_err(|e| ApiError::bad_input("nationalId", e).extend())?;
        let access = open_root(ctx, "Query.person").await?;
        // Counted before the request runs (see `enforce`); counted again here as it runs.
        let lookups = ctx
            .data::<std::sync::Arc<crate::audit::Touched>>()?
            .looked_up();
        if lookups > crate::server::MAX_PERSON_LOOKUPS {
            return Err(ApiError::bad_input(
                "person",
                format!(
                    "a request may look up at most {} persons by national id",
                    crate::server::MAX_PERSON_LOOKUPS
                ),
            )
            .extend());
        }
        select_by(ctx, access, &["Query.person.nationalId"]).await?;
        find_person(ctx, access, national_id).await
    }

    /// Persons in the caller's scope, in a stable order, a page at a time.
    async fn persons(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last person of the previous page.")] after: Option<String>,
        #[graphql(desc = "Only persons matching every filter given.")] filter: Option<PersonFilter>,
    ) -> Result<PersonConnection> {
        let access = open_root(ctx, "Query.persons").await?;
        let first = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if n >= 1 && n as u64 <= MAX_PAGE_SIZE => n as u64,
            Some(_) => {
                return Err(ApiError::bad_input(
                    "first",
                    format!("a page holds 1 to {MAX_PAGE_SIZE} persons"),
                )
                .extend());
            }
        };
        let subject = ctx.data::<Subject>()?;
        let cursors = ctx.data::<CursorKey>()?;
        let after_id = after
            .as_deref()
            .map(|cursor| cursors.open(subject, cursor))
            .transpose()
            .map_err(|e| e.extend())?;
        let condition = Condition::all()
            .add(access.rows.person_condition())
            .add(filter_condition(ctx, access, &filter.unwrap_or_default()).await?);
        // A count alone reads no one: no person is loaded, none is linked. Edges and page
        // information identify persons (a cursor stands for one), so they are reads of them.
        let selection = ctx.look_ahead();
        if !selection.field("edges").exists() && !selection.field("pageInfo").exists() {
            return Ok(Connection::with_additional_fields(
                after_id.is_some(),
                false,
                PersonCount { condition },
            ));
        }
        let mut query = person::Entity::find().filter(condition.clone());
        if let Some(after_id) = after_id {
            query = query.filter(person::Column::Id.gt(after_id));
        }
        let mut rows = query
            .order_by_asc(person::Column::Id)
            .limit(first + 1)
            .all(ctx.data::<DatabaseConnection>()?)
            .await
            .map_err(|e| ApiError::from(e).extend())?;
        let has_next_page = rows.len() as u64 > first;
        rows.truncate(first as usize);
        let node = ctx.look_ahead().field("edges").field("node");
        let mut connection = Connection::with_additional_fields(
            after_id.is_some(),
            has_next_page,
            PersonCount { condition },
        );
        connection.edges.extend(
            super::person::present(ctx, rows, &node)
                .await?
                .into_iter()
                .map(|p| Edge::new(cursors.seal(subject, p.row_id()), p)),
        );
        Ok(connection)
    }

    /// The statistics catalogue (SSB, Udir and the county's caseworkers): each table's name,
    /// title, unit, population, dimensions and suppression threshold.
    async fn statistics_catalogue(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::statistics::StatisticInfo>> {
        super::statistics::catalogue(ctx).await
    }

    /// One statistics table as a JSON-stat 2.0 dataset, small counts and the cells that would
    /// reveal them withheld (`null`, status `:`); recorded in the audit trail.
    async fn statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The statistic's name, as `statisticsCatalogue` lists it.")]
        extract: String,
        #[graphql(
            default,
            desc = "Categories to keep, per dimension; the rest of the table is left out."
        )]
        filter: Vec<super::statistics::StatisticsFilter>,
    ) -> Result<async_graphql::Json<serde_json::Value>> {
        super::statistics::statistics(ctx, extract, filter).await
    }

    /// The access policy in force (privacy officers).
    async fn policy(&self, ctx: &Context<'_>) -> Result<super::privacy::PolicyDocument> {
        super::privacy::policy(ctx).await
    }

    /// The latest versions of the policy, newest first (privacy officers).
    async fn policy_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = 20,
            validator(minimum = 1, maximum = 1000),
            desc = "How many versions to return, 1 to 1000."
        )]
        last: u64,
    ) -> Result<Vec<super::privacy::PolicyChange>> {
        super::privacy::policy_changes(ctx, last).await
    }

    /// The access matrix (privacy officers): for every role and purpose, how much of each data
    /// category it may read, under the policy in force or under proposed `rules`.
    async fn access_matrix(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Proposed rules to show the matrix of, instead of the policy in force.")]
        rules: Option<String>,
    ) -> Result<super::policy_review::AccessMatrix> {
        super::policy_review::access_matrix(ctx, rules).await
    }

    /// Refused reads per day (UTC), role and kind, for a chart (privacy officers); at most
    /// 366 days, by default the last 30.
    async fn denial_counts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "From this time, inclusive; 30 days before `until` when left out.")]
        from: Option<super::scalars::DateTime>,
        #[graphql(desc = "Until this time, exclusive; now when left out.")] until: Option<
            super::scalars::DateTime,
        >,
    ) -> Result<Vec<super::privacy::DenialCount>> {
        super::privacy::denial_counts(ctx, from, until).await
    }

    /// What changes from one policy version to another (privacy officers): the rules added
    /// and removed, and what each role and purpose gains and loses.
    async fn policy_diff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The earlier version.")] from: i64,
        #[graphql(desc = "The later version.")] to: i64,
    ) -> Result<super::policy_review::PolicyDifference> {
        super::policy_review::policy_diff(ctx, from, to).await
    }

    /// Whether a role acting for a purpose may read something under the policy in force, and
    /// the rules that decided it (privacy officers).
    async fn explain_access(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The role.")] role: super::codes::Role,
        #[graphql(desc = "The purpose, e.g. `follow_up`; the role's usual one when left out.")]
        purpose: Option<String>,
        #[graphql(
            desc = "What to explain, as a rule names it: `field:Contact.email`, `category:contact`, `scope:school_pupils`, `statistics:completion`, `audit_trail`."
        )]
        object: String,
    ) -> Result<super::policy_review::AccessExplanation> {
        super::policy_review::explain_access(ctx, role, purpose, object).await
    }

    /// What a proposed rule set would let one subject read, against the policy in force,
    /// before it is applied (privacy officers). A proposal that does not validate is refused
    /// as `replacePolicy` refuses it.
    async fn simulate_policy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposed rules, in Casbin's CSV form.")] rules: String,
        #[graphql(desc = "Who to simulate.")] subject: super::policy_review::SimulatedSubject,
        #[graphql(
            desc = "A person to show as the subject would see them under each policy; the look-up is recorded in the audit trail as yours, and the person sees it."
        )]
        national_id: Option<String>,
    ) -> Result<super::policy_review::PolicySimulation> {
        super::policy_review::simulate_policy(ctx, rules, subject, national_id).await
    }

    /// Refused reads, newest first (privacy officers): `last` denials older than the denial
    /// `before`, filtered by organisation, role, kind and time.
    async fn denials(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only denials matching every filter given.")] filter: Option<
            super::privacy::DenialFilter,
        >,
        #[graphql(
            default = 100,
            validator(minimum = 1, maximum = 1000),
            desc = "How many denials to return, 1 to 1000."
        )]
        last: u64,
        #[graphql(
            desc = "Only denials older than this one: the `id` of the last denial of the previous page."
        )]
        before: Option<async_graphql::ID>,
    ) -> Result<Vec<super::privacy::Denial>> {
        super::privacy::denials(ctx, filter.unwrap_or_default(), last, before).await
    }

    /// The audit trail, newest first (privacy officers): `first` events older than the event
    /// `before`, filtered by person, organisation, role and time.
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only events matching every filter given.")] filter: Option<
            super::privacy::AuditFilter,
        >,
        #[graphql(
            default = 50,
            validator(minimum = 1, maximum = 500),
            desc = "How many events to return, 1 to 500."
        )]
        first: u64,
        #[graphql(
            desc = "Only events older than this one: the `id` of the last event of the previous page."
        )]
        before: Option<async_graphql::ID>,
    ) -> Result<Vec<super::privacy::AuditEvent>> {
        super::privacy::audit_events(ctx, filter.unwrap_or_default(), first, before).await
    }

    /// An organisation by organisation number.
    async fn organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation number (9 digits).")] org_no: String,
    ) -> Result<Option<Organisation>> {
        open_root(ctx, "Query.organisation").await?;
        let org_no = OrgNo::parse(&org_no).map_err(|e| ApiError::bad_input("orgNo", e).extend())?;
        organisation_numbered(ctx, &org_no).await
    }

    /// The organisation the caller acts for (a school's or a company's own record: its
    /// offers, approved trades), as the caller's access policy shows organisations; `null`
    /// for a caller that acts for none. Open to every caller, so that a partner's portal can
    /// show its own organisation without reading any other.
    async fn own_organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        open_root(ctx, "Query.ownOrganisation").await?;
        match &ctx.data::<Subject>()?.org {
            Some(org_no) => organisation_numbered(ctx, org_no).await,
            None => Ok(None),
        }
    }
}

async fn organisation_numbered(ctx: &Context<'_>, org_no: &OrgNo) -> Result<Option<Organisation>> {
    let found = organisation::Entity::find()
        .filter(organisation::Column::OrgNo.eq(org_no.as_str()))
        .one(ctx.data::<DatabaseConnection>()?)
        .await
        .map_err(|e| ApiError::from(e).extend())?;
    Ok(found.map(Organisation::from))
}

/// A person row with whether the caller's row scope reaches it, decided in the same
/// statement, so that a person outside the scope costs exactly what an absent one does.
struct ScopedPerson {
    person: person::Model,
    in_scope: bool,
}

impl sea_orm::FromQueryResult for ScopedPerson {
    fn from_query_result(row: &sea_orm::QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        Ok(ScopedPerson {
            person: person::Model::from_query_result(row, pre)?,
            in_scope: row.try_get(pre, "in_scope")?,
        })
    }
}

/// One person by national id, within the caller's row scope. A person who exists outside
/// the scope looks absent to the caller: one statement answers both cases, and the refusal
/// is filed for the privacy officer off the request's path (no wait, no metric), so neither
/// the answer, its timing nor `/metrics` tells the two apart.
pub(crate) async fn find_person(
    ctx: &Context<'_>,
    access: &Access,
    national_id: NationalId,
) -> Result<Option<Person>> {
    let db = ctx.data::<DatabaseConnection>()?;
    let wanted = national_id.as_string();
    let in_scope =
        Expr::case(access.rows.person_condition(), Expr::val(true)).finally(Expr::val(false));
    // The scope is decided in the statement for the person asked for and, always, for a decoy
    // (the first person), so that its subqueries run whether or not the person exists: an
    // absent person then costs what one outside the scope does.
    let first_person = SqlQuery::select()
        .expr(sea_orm::sea_query::Func::min(Expr::col(person::Column::Id)))
        .from(person::Entity)
        .to_owned();
    let found = person::Entity::find()
        .filter(
            Condition::any()
                .add(person::Column::NationalId.eq(wanted.as_str()))
                // A scalar comparison, not `IN (subquery)`: with the `OR` the planner can then
                // use both indexes instead of scanning every person.
                .add(
                    Expr::col(person::Column::Id)
                        .eq(Expr::SubQuery(None, Box::new(first_person.into()))),
                ),
        )
        .expr_as(in_scope, "in_scope")
        .into_model::<ScopedPerson>()
        .all(db)
        .await
        .map_err(|e| ApiError::from(e).extend())?
        .into_iter()
        .find(|row| row.person.national_id == wanted);
    match found {
        Some(ScopedPerson {
            person,
            in_scope: true,
        }) => Ok(super::person::present(ctx, vec![person], &ctx.look_ahead())
            .await?
            .pop()),
        Some(ScopedPerson {
            in_scope: false, ..
        }) => {
            ctx.data::<denials::DenialQueue>()?.file(
                ctx.data::<Subject>()?,
                &ctx.data::<RequestId>()?.0,
                access.version,
                DenialKind::Row,
                "Person",
            );
            Ok(None)
        }
        None => Ok(None),
    }
}
