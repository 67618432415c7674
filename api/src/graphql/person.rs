//! The `Person` type and its contact data.

use async_graphql::{Context, ID, Lookahead, Object, Result};
use vigo_entities::{contact, exam_board, organisation, person, programme_area};

use super::apprenticeship::{ApprenticeshipContract, TradeTest};
use super::codes::{Gender, IdKind};
use super::follow_up::{Decision, Diploma, EducationRight, FollowUpStatus};
use super::leaves::LeafList;
use super::loaders::*;
use super::records::{Absence, Application, Enrolment, SubjectResult};
use super::scalars::{Date, DateTime};

/// A person known to the county: applicant, pupil, apprentice or candidate. Made only by
/// [`present`], which records the person as read by the request: a resolver cannot return a
/// person without the audit trail knowing.
pub struct Person(person::Model);

impl Person {
    /// The database id, for the API's own bookkeeping.
    pub(crate) fn row_id(&self) -> i32 {
        self.0.id
    }
}

/// Turns person rows loaded within the caller's row scope into the response's persons: each
/// is noted as read by this request (its audit event links them), and the relations `node`
/// selects are loaded for all of them at once.
pub(crate) async fn present(
    ctx: &Context<'_>,
    rows: Vec<person::Model>,
    node: &Lookahead<'_>,
) -> Result<Vec<Person>> {
    let ids: Vec<i32> = rows.iter().map(|p| p.id).collect();
    ctx.data::<std::sync::Arc<crate::audit::Touched>>()?
        .add(ids.iter().copied());
    if node.exists() {
        prime_relations(ctx, node, &ids).await?;
    }
    Ok(rows.into_iter().map(Person).collect())
}

/// A person known to the county: applicant, pupil, apprentice or candidate.
#[Object]
impl Person {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// Opaque identifier, stable for the person.
    async fn id(&self) -> ID {
        ID(format!("Person:{}", self.0.id))
    }
    /// Fødselsnummer, D-nummer, H-nummer or temporary number.
    async fn national_id(&self) -> Option<&str> {
        Some(&self.0.national_id)
    }
    /// Kind of number, as the number itself tells.
    async fn id_kind(&self) -> Option<IdKind> {
        vigo_entities::ids::NationalId::parse(&self.0.national_id)
            .ok()
            .map(|id| id.kind().into())
    }
    /// Given name(s).
    async fn given_name(&self) -> Option<&str> {
        Some(&self.0.given_name)
    }
    /// Family name.
    async fn family_name(&self) -> Option<&str> {
        Some(&self.0.family_name)
    }
    /// Date of birth, as the national id encodes it.
    async fn birth_date(&self) -> Option<Date> {
        Some(self.0.birth_date.into())
    }
    /// Where known.
    async fn gender(&self) -> Option<Gender> {
        use vigo_entities::ids::Gender as Stored;
        let stored = self.0.gender.as_deref()?;
        [Stored::Female, Stored::Male]
            .into_iter()
            .find(|g| g.code() == stored)
            .map(Gender::from)
    }
    /// Citizenship as an ISO 3166-1 alpha-2 code.
    async fn citizenship(&self) -> Option<&str> {
        Some(&self.0.citizenship)
    }
    /// Date of death, when the population register has reported it.
    async fn deceased_on(&self) -> Option<Date> {
        self.0.deceased_on.map(Date)
    }
    /// Contact data; `null` when none is held (for example after a death is reported).
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        Ok(children::<ContactOfPerson, Contact>(ctx, self.0.id)
            .await?
            .into_iter()
            .next())
    }
    /// Enrolments (elevforhold), oldest first.
    async fn enrolments(&self, ctx: &Context<'_>) -> Result<Option<Vec<Enrolment>>> {
        children::<EnrolmentsOfPerson, _>(ctx, self.0.id)
            .await
            .map(Some)
    }
    /// Grades: lower-secondary grades used for intake, and upper-secondary results.
    async fn results(&self, ctx: &Context<'_>) -> Result<Option<LeafList<SubjectResult>>> {
        let results = children::<ResultsOfPerson, SubjectResult>(ctx, self.0.id).await?;
        Ok(Some(LeafList(results)))
    }
    /// Applications with their ranked wishes and offers.
    async fn applications(&self, ctx: &Context<'_>) -> Result<Option<Vec<Application>>> {
        children::<ApplicationsOfPerson, _>(ctx, self.0.id)
            .await
            .map(Some)
    }
    /// Apprenticeship and training contracts.
    async fn contracts(&self, ctx: &Context<'_>) -> Result<Option<Vec<ApprenticeshipContract>>> {
        children::<ContractsOfPerson, _>(ctx, self.0.id)
            .await
            .map(Some)
    }
    /// Trade, journeyman and competence tests.
    async fn trade_tests(&self, ctx: &Context<'_>) -> Result<Option<Vec<TradeTest>>> {
        children::<TradeTestsOfPerson, _>(ctx, self.0.id)
            .await
            .map(Some)
    }
    /// Education rights and their assessment.
    async fn education_rights(&self, ctx: &Context<'_>) -> Result<Option<Vec<EducationRight>>> {
        children::<RightsOfPerson, _>(ctx, self.0.id)
            .await
            .map(Some)
    }
    /// Follow-up service (OT) statuses.
    async fn follow_up(&self, ctx: &Context<'_>) -> Result<Option<Vec<FollowUpStatus>>> {
        children::<FollowUpOfPerson, _>(ctx, self.0.id)
            .await
            .map(Some)
    }
    /// Certificates: vitnemål, kompetansebevis, fagbrev, svennebrev.
    async fn diplomas(&self, ctx: &Context<'_>) -> Result<Option<Vec<Diploma>>> {
        children::<DiplomasOfPerson, _>(ctx, self.0.id)
            .await
            .map(Some)
    }
    /// Absence per enrolment and school year.
    async fn absence(&self, ctx: &Context<'_>) -> Result<Option<Vec<Absence>>> {
        children::<AbsenceOfPerson, _>(ctx, self.0.id)
            .await
            .map(Some)
    }
    /// Whether the person is a customer of Lånekassen.
    async fn loan_customer(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        let rows = children::<LoanCustomerOfPerson, LoanFlag>(ctx, self.0.id).await?;
        Ok(Some(!rows.is_empty()))
    }
    /// Every recorded access to the person's data: when, by which organisation and role, for
    /// which purpose, and which categories of data (not which employee).
    async fn access_log(&self, ctx: &Context<'_>) -> Result<Option<Vec<AccessEvent>>> {
        let events = access_log(ctx, self.0.id).await?;
        Ok(Some(events.into_iter().map(AccessEvent).collect()))
    }
    /// Every export to a recipient that included the person: when, to whom, which extract,
    /// for which purpose and on which legal basis.
    async fn disclosures(&self, ctx: &Context<'_>) -> Result<Option<Vec<Disclosure>>> {
        let found = disclosures(ctx, self.0.id).await?;
        Ok(Some(found.into_iter().map(Disclosure).collect()))
    }
    /// Automated decisions about the person, each with its explanation.
    async fn decisions(&self, ctx: &Context<'_>) -> Result<Option<Vec<Decision>>> {
        children::<DecisionsOfPerson, _>(ctx, self.0.id)
            .await
            .map(Some)
    }
}

/// Loads every relation that `node` selects, for all `persons` at once, level by level, so
/// that a page costs one query per relation whatever its size.
pub async fn prime_relations(
    ctx: &Context<'_>,
    node: &Lookahead<'_>,
    persons: &[i32],
) -> Result<()> {
    if persons.is_empty() {
        return Ok(());
    }
    // Organisations and programme areas that nested fields will look up, gathered as the
    // lists load, then fetched once each.
    let mut organisations: Vec<i32> = Vec::new();
    let mut areas: Vec<i32> = Vec::new();
    let mut boards: Vec<i32> = Vec::new();
    // Which nested look-ups are selected, decided once rather than per loaded row.
    let wants = |list: &str, field: &str| node.field(list).field(field).exists();
    let (enrolment_school, enrolment_area) = (
        wants("enrolments", "school"),
        wants("enrolments", "programmeArea"),
    );
    let result_school = wants("results", "school");
    let (contract_company, contract_office, contract_trade) = (
        wants("contracts", "company"),
        wants("contracts", "trainingOffice"),
        wants("contracts", "trade"),
    );
    let (test_trade, test_board) = (
        wants("tradeTests", "trade"),
        wants("tradeTests", "examBoard"),
    );
    let diploma_area = wants("diplomas", "programmeArea");
    macro_rules! prime_if_selected {
        ($($field:literal => $key:ty $(, |$row:ident| $gather:block)?);* $(;)?) => {$(
            if node.field($field).exists() {
                let _loaded = prime::<$key>(ctx, persons).await?;
                $(for $row in _loaded.values().flatten() $gather)?
            }
        )*};
    }
    prime_if_selected!(
        "contact" => ContactOfPerson;
        "enrolments" => EnrolmentsOfPerson, |e| {
            if enrolment_school { organisations.push(e.school_id); }
            if enrolment_area { areas.push(e.programme_area_id); }
        };
        "results" => ResultsOfPerson, |r| {
            if result_school { organisations.extend(r.school_id); }
        };
        "contracts" => ContractsOfPerson, |c| {
            if contract_company { organisations.push(c.company_id); }
            if contract_office { organisations.extend(c.training_office_id); }
            if contract_trade { areas.push(c.programme_area_id); }
        };
        "tradeTests" => TradeTestsOfPerson, |t| {
            if test_trade { areas.push(t.programme_area_id); }
            if test_board { boards.extend(t.exam_board_id); }
        };
        "educationRights" => RightsOfPerson;
        "followUp" => FollowUpOfPerson;
        "diplomas" => DiplomasOfPerson, |d| {
            if diploma_area { areas.extend(d.programme_area_id); }
        };
        "absence" => AbsenceOfPerson;
        "loanCustomer" => LoanCustomerOfPerson;
        "decisions" => DecisionsOfPerson;
    );
    let applications = node.field("applications");
    if applications.exists() {
        let loaded = prime::<ApplicationsOfPerson>(ctx, persons).await?;
        let ids: Vec<i32> = loaded.values().flatten().map(|a| a.id).collect();
        if applications.field("changes").exists() {
            prime::<ChangesOfApplication>(ctx, &ids).await?;
        }
        let wishes = applications.field("wishes");
        if wishes.exists() {
            let loaded = prime::<WishesOfApplication>(ctx, &ids).await?;
            let (wish_school, wish_area) = (
                wishes.field("school").exists(),
                wishes.field("programmeArea").exists(),
            );
            for wish in loaded.values().flatten() {
                if wish_school {
                    organisations.extend(wish.school_id);
                }
                if wish_area {
                    areas.push(wish.programme_area_id);
                }
            }
            if wishes.field("offers").exists() {
                let ids: Vec<i32> = loaded.values().flatten().map(|w| w.id).collect();
                prime::<OffersOfWish>(ctx, &ids).await?;
            }
        }
    }
    prime_rows::<organisation::Entity>(ctx, organisations).await?;
    prime_rows::<programme_area::Entity>(ctx, areas).await?;
    prime_rows::<exam_board::Entity>(ctx, boards).await?;
    Ok(())
}

/// One recorded access to a person's data, as the person sees it.
pub struct AccessEvent(Shared<vigo_entities::audit_event::Model>);

/// One recorded access to a person's data, as the person sees it.
#[Object]
impl AccessEvent {
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// The event's number in the audit trail, for its inclusion proof (`accessLogProof`).
    async fn id(&self) -> Option<async_graphql::ID> {
        Some(self.0.id.into())
    }
    /// When the access happened.
    async fn at(&self) -> Option<DateTime> {
        Some(self.0.at.into())
    }
    /// The event's hash in the audit trail's chain (hex): what its inclusion proof proves is
    /// in the signed trail. It also covers what the person cannot see (the other persons the
    /// request touched).
    async fn hash(&self) -> Option<&str> {
        Some(&self.0.hash)
    }
    /// The role that read or changed the data, e.g. `school`.
    async fn actor_role(&self) -> Option<&str> {
        Some(&self.0.actor_role)
    }
    /// The organisation it acted for, if any.
    async fn actor_org(&self) -> Option<&str> {
        self.0.actor_org.as_deref()
    }
    /// The name of the organisation it acted for, so that the person knows who looked.
    async fn actor_org_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        match self.0.actor_org.as_deref() {
            Some(org_no) => super::loaders::organisation_name(ctx, org_no).await,
            None => Ok(None),
        }
    }
    /// The purpose it acted for, e.g. `administration`.
    async fn purpose(&self) -> Option<&str> {
        Some(&self.0.purpose)
    }
    /// What was done, as the API's root fields, e.g. `Query.persons`.
    async fn operation(&self) -> Option<&str> {
        Some(&self.0.operation)
    }
    /// Data categories read.
    async fn categories(&self) -> Option<Vec<&str>> {
        Some(
            self.0
                .categories
                .split(',')
                .filter(|c| !c.is_empty())
                .collect(),
        )
    }
}

/// An export to a recipient that included the person (utlevering).
pub struct Disclosure(Shared<vigo_entities::disclosure::Model>);

/// An export to a recipient that included the person (utlevering).
#[Object]
impl Disclosure {
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// When the export was made.
    async fn at(&self) -> Option<DateTime> {
        Some(self.0.at.into())
    }
    /// The receiving party: its role and organisation number.
    async fn recipient(&self) -> Option<&str> {
        Some(&self.0.recipient)
    }
    /// The extract, e.g. `enrolment-status`.
    async fn extract(&self) -> Option<&str> {
        Some(&self.0.extract)
    }
    /// The purpose of the export, e.g. `statistics`.
    async fn purpose(&self) -> Option<&str> {
        Some(&self.0.purpose)
    }
    /// The law that allows the disclosure.
    async fn legal_basis(&self) -> Option<&str> {
        Some(&self.0.legal_basis)
    }
}

/// Presence of a Lånekassen customer row.
struct LoanFlag;

impl From<Shared<vigo_entities::loan_customer::Model>> for LoanFlag {
    fn from(_: Shared<vigo_entities::loan_customer::Model>) -> Self {
        LoanFlag
    }
}

/// Address from the population register, and phone and email.
pub struct Contact(Shared<contact::Model>);

impl From<Shared<contact::Model>> for Contact {
    fn from(model: Shared<contact::Model>) -> Self {
        Contact(model)
    }
}

/// Address from the population register, and phone and email.
#[Object]
impl Contact {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// Street address.
    async fn address(&self) -> Option<&str> {
        Some(&self.0.address)
    }
    /// Postal code (4 digits).
    async fn postal_code(&self) -> Option<&str> {
        Some(&self.0.postal_code)
    }
    /// Postal town (poststed).
    async fn city(&self) -> Option<&str> {
        Some(&self.0.city)
    }
    /// Municipality number; decides which county is responsible.
    async fn municipality_code(&self) -> Option<&str> {
        Some(&self.0.municipality_code)
    }
    /// Phone number: digits, optionally after `+`.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Email address.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Every change to the contact data, oldest first: what changed, from where, by whom.
    async fn changes(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<super::records::ContactChange>>> {
        let mut changes: Vec<super::records::ContactChange> =
            children::<ContactChangesOfPerson, _>(ctx, self.0.person_id).await?;
        changes.sort_by_key(|c| (c.0.changed_at, c.0.id));
        Ok(Some(changes))
    }
}
