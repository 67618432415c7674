//! The catalogue of statistics: named tables of counts, each computed from bulk reads of the
//! database into polars frames (one query per table read, never one per person), then
//! suppressed. Each is documented: title, unit, population, dimensions, reference date.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use polars::prelude::{DataFrame, DataType, IntoLazy, NamedFrom, Series, col, len};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use vigo_entities::enums::{ContractStatus, EnrolmentStatus, ResultKind, TradeTestResult};
use vigo_entities::{
    absence, application, application_wish, apprenticeship_contract, enrolment, follow_up_status,
    organisation, person, programme_area, school_offer, subject_result, trade_test,
};

use super::dataset::{Dataset, Derivation, Measure};
use super::formats::About;
use super::suppress::suppress;
use super::table::{Dimension, Selection, SelectionError, Table};
use crate::ExtractError;

/// The threshold below which counts are withheld, unless a statistic says otherwise.
pub const DEFAULT_THRESHOLD: u64 = 5;

/// One named statistic.
#[derive(Debug)]
pub struct Statistic {
    pub name: &'static str,
    pub title: &'static str,
    /// What is counted.
    pub unit: &'static str,
    /// Whom the table counts, and when.
    pub population: &'static str,
    /// Its dimensions: id and label.
    pub dimensions: &'static [(&'static str, &'static str)],
    /// Counts from 1 to `threshold - 1` are withheld.
    pub threshold: u64,
    kind: Kind,
    /// For rates and ratios: the statistic of counts they are computed from, and how. The
    /// rates are published only where those counts are.
    pub derived: Option<(&'static str, Derivation)>,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Applicants,
    ApplicantsBySchool,
    Pupils,
    PupilsByAge,
    Apprentices,
    Contracts,
    TradeTests,
    Grades,
    Absence,
    FollowUp,
    CoursePercentage,
    Completion,
}

const GENDER: (&str, &str) = ("gender", "Gender");
const MEASURE: &str = super::dataset::MEASURE;
const LEVEL: (&str, &str) = ("level", "Level");
const PROGRAMME: (&str, &str) = ("programme", "Education programme");

/// Every statistic, by name.
pub const CATALOGUE: &[Statistic] = &[
    Statistic {
        name: "applicants-by-programme",
        title: "Applicants for upper secondary by education programme of first wish, gender and intake year",
        unit: "applicants",
        population: "applications for upper secondary not withdrawn, by the programme of the first wish",
        dimensions: &[PROGRAMME, GENDER, ("intake_year", "Intake year")],
        threshold: DEFAULT_THRESHOLD,
        derived: None,
        kind: Kind::Applicants,
    },
    Statistic {
        name: "applicants-by-school",
        title: "Applicants for Vg1 of the current intake by school and education programme of first wish",
        unit: "applicants",
        population: "applications for Vg1 in the current intake year not withdrawn, by the school and programme of the first wish",
        dimensions: &[("school", "School"), PROGRAMME],
        threshold: DEFAULT_THRESHOLD,
        derived: None,
        kind: Kind::ApplicantsBySchool,
    },
    Statistic {
        name: "applicants-per-place",
        title: "Applicants per place for Vg1 of the current intake by school and education programme",
        unit: "applicants per place",
        population: "first wishes for Vg1 in the current intake year (as applicants-by-school) against the places the schools offer",
        dimensions: &[("school", "School"), PROGRAMME, (MEASURE, "Measure")],
        threshold: DEFAULT_THRESHOLD,
        derived: Some((
            "applicants-by-school",
            Derivation::PerUnit {
                quantity: Measure {
                    id: "places",
                    label: "Places",
                    decimals: 0,
                },
                count: Measure {
                    id: "applicants",
                    label: "Applicants (first wish)",
                    decimals: 0,
                },
                ratio: Measure {
                    id: "applicants-per-place",
                    label: "Applicants per place",
                    decimals: 2,
                },
            },
        )),
        kind: Kind::ApplicantsBySchool,
    },
    Statistic {
        name: "pupils-by-school",
        title: "Pupils by school, level, education programme and gender",
        unit: "pupils",
        population: "active enrolments of the current school year",
        dimensions: &[("school", "School"), LEVEL, PROGRAMME, GENDER],
        threshold: DEFAULT_THRESHOLD,
        derived: None,
        kind: Kind::Pupils,
    },
    Statistic {
        name: "pupils-by-age",
        title: "Pupils by level and age",
        unit: "pupils",
        population: "active enrolments of the current school year; age on the reference date",
        dimensions: &[LEVEL, ("age", "Age")],
        threshold: DEFAULT_THRESHOLD,
        derived: None,
        kind: Kind::PupilsByAge,
    },
    Statistic {
        name: "apprentices-by-trade",
        title: "Apprentices and training candidates by trade and contract status",
        unit: "contracts",
        population: "apprenticeship and training contracts (lærekontrakter and opplæringskontrakter)",
        dimensions: &[
            ("trade", "Trade"),
            ("kind", "Contract kind"),
            ("status", "Contract status"),
        ],
        threshold: DEFAULT_THRESHOLD,
        derived: None,
        kind: Kind::Apprentices,
    },
    Statistic {
        name: "contracts-by-year",
        title: "Contracts approved and cancelled per year",
        unit: "contracts",
        population: "contracts approved (by the year of approval) and cancelled (by the year they ended)",
        dimensions: &[("year", "Year"), ("event", "Event")],
        threshold: DEFAULT_THRESHOLD,
        derived: None,
        kind: Kind::Contracts,
    },
    Statistic {
        name: "trade-tests",
        title: "Trade tests by trade, year and outcome",
        unit: "tests",
        population: "trade, journeyman and competence tests held, by the year of the test",
        dimensions: &[("trade", "Trade"), ("year", "Year"), ("outcome", "Outcome")],
        threshold: DEFAULT_THRESHOLD,
        derived: None,
        kind: Kind::TradeTests,
    },
    Statistic {
        name: "trade-test-pass-rate",
        title: "Trade tests taken and passed, and the pass rate, by trade and year",
        unit: "tests; per cent",
        population: "trade, journeyman and competence tests held, by the year of the test (as trade-tests)",
        dimensions: &[("trade", "Trade"), ("year", "Year"), (MEASURE, "Measure")],
        threshold: DEFAULT_THRESHOLD,
        derived: Some((
            "trade-tests",
            Derivation::Share {
                over: "outcome",
                denominator: (
                    "total",
                    Measure {
                        id: "taken",
                        label: "Tests taken",
                        decimals: 0,
                    },
                ),
                numerator: (
                    "passed",
                    Measure {
                        id: "passed",
                        label: "Tests passed",
                        decimals: 0,
                    },
                ),
                share: Measure {
                    id: "pass-rate",
                    label: "Pass rate (per cent)",
                    decimals: 1,
                },
            },
        )),
        kind: Kind::TradeTests,
    },
    Statistic {
        name: "grades-by-subject",
        title: "Upper-secondary grades by subject and grade",
        unit: "grades",
        population: "final grades and exam grades of upper secondary in the previous school year",
        dimensions: &[("subject", "Subject code"), ("grade", "Grade")],
        threshold: DEFAULT_THRESHOLD,
        derived: None,
        kind: Kind::Grades,
    },
    Statistic {
        name: "subject-pass-rate",
        title: "Upper-secondary grades given and passed (2–6), and the pass rate, by subject",
        unit: "grades; per cent",
        population: "final grades and exam grades of upper secondary in the previous school year (as grades-by-subject)",
        dimensions: &[("subject", "Subject code"), (MEASURE, "Measure")],
        threshold: DEFAULT_THRESHOLD,
        derived: Some((
            "grades-by-subject",
            Derivation::Share {
                over: "grade",
                denominator: (
                    "total",
                    Measure {
                        id: "graded",
                        label: "Grades given",
                        decimals: 0,
                    },
                ),
                numerator: (
                    "total-passed",
                    Measure {
                        id: "passed",
                        label: "Passed (2–6)",
                        decimals: 0,
                    },
                ),
                share: Measure {
                    id: "pass-rate",
                    label: "Pass rate (per cent)",
                    decimals: 1,
                },
            },
        )),
        kind: Kind::Grades,
    },
    Statistic {
        name: "absence-by-level",
        title: "Enrolments by absence band and level",
        unit: "enrolments",
        population: "enrolments of the previous school year, by days absent as a share of 190 school days",
        dimensions: &[LEVEL, ("band", "Absence")],
        threshold: DEFAULT_THRESHOLD,
        derived: None,
        kind: Kind::Absence,
    },
    Statistic {
        name: "ot-target-group",
        title: "The follow-up service's target group by status code and age",
        unit: "persons",
        population: "persons with a follow-up (OT) status registered in the current school year",
        dimensions: &[("status", "Status code"), ("age", "Age")],
        threshold: DEFAULT_THRESHOLD,
        derived: None,
        kind: Kind::FollowUp,
    },
    Statistic {
        name: "course-percentage",
        title: "Enrolments by course percentage and level",
        unit: "enrolments",
        population: "active enrolments of the current school year",
        dimensions: &[LEVEL, ("percentage", "Course percentage")],
        threshold: DEFAULT_THRESHOLD,
        derived: None,
        kind: Kind::CoursePercentage,
    },
    Statistic {
        name: "completion",
        title: "Completion of upper secondary: first-time Vg1 pupils of a year followed five years (general studies) or six (vocational), by SSB's outcomes",
        unit: "pupils",
        population: "persons starting Vg1 for the first time in a school year whose follow-up period (to 1 October five or six years on) has ended",
        dimensions: &[
            ("cohort", "Year starting Vg1"),
            ("programme_type", "Programme type"),
            GENDER,
            ("outcome", "Outcome"),
        ],
        threshold: DEFAULT_THRESHOLD,
        derived: None,
        kind: Kind::Completion,
    },
];

/// The names of every statistic, for messages.
pub fn names() -> String {
    CATALOGUE
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Statistic {
    /// The statistic with this name, or an error listing them all.
    pub fn named(name: &str) -> Option<&'static Statistic> {
        CATALOGUE.iter().find(|s| s.name == name)
    }

    /// Computes and suppresses the table of counts, as of `today` (for a rate, the table of
    /// counts it is computed from).
    pub async fn compute(
        &'static self,
        db: &DatabaseConnection,
        today: NaiveDate,
    ) -> Result<Computed, ExtractError> {
        let school_year = school_year(today);
        let mut quantities = HashMap::new();
        let mut table = match self.kind {
            Kind::Applicants => applicants(db).await?,
            Kind::ApplicantsBySchool => {
                let (table, places) = applicants_by_school(db, today.year()).await?;
                quantities = places;
                table
            }
            Kind::Pupils => pupils(db, school_year).await?,
            Kind::PupilsByAge => pupils_by_age(db, school_year, today).await?,
            Kind::Apprentices => apprentices(db).await?,
            Kind::Contracts => contracts(db).await?,
            Kind::TradeTests => trade_tests(db).await?,
            Kind::Grades => grades(db, school_year - 1).await?,
            Kind::Absence => absence_bands(db, school_year - 1).await?,
            Kind::FollowUp => follow_up(db, school_year, today).await?,
            Kind::CoursePercentage => course_percentage(db, school_year).await?,
            Kind::Completion => completion(db, today).await?,
        };
        // Suppression solves many small linear programs: off the async workers too.
        let threshold = self.threshold;
        let table = tokio::task::spawn_blocking(move || {
            suppress(&mut table, threshold);
            table
        })
        .await
        .map_err(|e| ExtractError::Io {
            path: self.name.into(),
            source: std::io::Error::other(e),
        })?;
        let about = About {
            name: self.name.to_owned(),
            title: self.title.to_owned(),
            unit: self.unit.to_owned(),
            population: self.population.to_owned(),
            reference_date: today.to_string(),
            updated: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            threshold: self.threshold,
        };
        Ok(Computed {
            statistic: self,
            counts: table,
            quantities,
            about,
        })
    }
}

/// A statistic computed and suppressed, before it is cut to a selection and published.
#[derive(Debug)]
pub struct Computed {
    pub statistic: &'static Statistic,
    /// The suppressed counts (for a rate: those it is computed from).
    pub counts: Table,
    /// For a ratio per unit: the quantity of each inner cell, by leaf ids.
    quantities: HashMap<Vec<String>, u64>,
    pub about: About,
}

impl Computed {
    /// What is published of the selected categories.
    pub fn publish(&self, selections: &[Selection]) -> Result<Dataset, SelectionError> {
        match &self.statistic.derived {
            None => Ok(Dataset::counts(&self.counts.select(selections)?)),
            Some((_, derivation)) => derivation.derive(&self.counts, selections, &self.quantities),
        }
    }
}

/// The year the school year of `date` started (August).
fn school_year(date: NaiveDate) -> i32 {
    if date.month() >= 8 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// One dimension of a count: the frame column it is read from, and its categories.
struct Axis {
    column: &'static str,
    dimension: Dimension,
}

impl Axis {
    fn new(column: &'static str, dimension: Dimension) -> Self {
        Axis { column, dimension }
    }
}

/// Counts the frame's rows by the axes' columns (polars), into a table: a row whose value
/// is not a leaf of its dimension is not counted. Polars computes on a thread of its own,
/// off the async runtime's workers.
async fn counted(frame: DataFrame, axes: Vec<Axis>) -> Result<Table, ExtractError> {
    tokio::task::spawn_blocking(move || count_rows(frame, axes))
        .await
        .map_err(|e| ExtractError::Io {
            path: "statistics".into(),
            source: std::io::Error::other(e),
        })?
}

fn count_rows(frame: DataFrame, axes: Vec<Axis>) -> Result<Table, ExtractError> {
    let keys: Vec<_> = axes.iter().map(|a| col(a.column)).collect();
    let grouped = frame
        .lazy()
        .group_by(keys)
        .agg([len().cast(DataType::UInt64).alias("n")])
        .collect()?;
    let leaf_index: Vec<HashMap<&str, usize>> = axes
        .iter()
        .map(|a| {
            a.dimension
                .leaves()
                .enumerate()
                .map(|(i, c)| (c.id.as_str(), i))
                .collect()
        })
        .collect();
    let columns = axes
        .iter()
        .map(|a| grouped.column(a.column).and_then(|c| Ok(c.str()?.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    let n = grouped.column("n")?.u64()?.clone();
    let mut counts = Vec::with_capacity(grouped.height());
    'rows: for row in 0..grouped.height() {
        let mut leaves = Vec::with_capacity(axes.len());
        for (d, column) in columns.iter().enumerate() {
            match column.get(row).and_then(|v| leaf_index[d].get(v)) {
                Some(leaf) => leaves.push(*leaf),
                None => continue 'rows,
            }
        }
        counts.push((leaves, n.get(row).unwrap_or(0)));
    }
    Ok(Table::from_counts(
        axes.into_iter().map(|a| a.dimension).collect(),
        counts,
    ))
}

/// A frame of string columns.
fn frame(columns: Vec<(&'static str, Vec<String>)>) -> Result<DataFrame, ExtractError> {
    let height = columns.first().map_or(0, |(_, v)| v.len());
    Ok(DataFrame::new(
        height,
        columns
            .into_iter()
            .map(|(name, values)| Series::new(name.into(), values).into())
            .collect(),
    )?)
}

fn leaves<I: IntoIterator<Item = (String, String)>>(items: I) -> Vec<(String, String)> {
    items.into_iter().collect()
}

fn gender_dimension() -> Dimension {
    Dimension::new(
        "gender",
        "Gender",
        leaves([
            ("female".to_owned(), "Female".to_owned()),
            ("male".to_owned(), "Male".to_owned()),
        ]),
    )
    .with_total("Both genders")
}

fn level_dimension() -> Dimension {
    Dimension::new(
        "level",
        "Level",
        leaves(["vg1", "vg2", "vg3"].map(|l| (l.to_owned(), l.to_uppercase().replace("VG", "Vg")))),
    )
    .with_total("All levels")
}

/// The education programmes, with subtotals for general studies and vocational programmes.
fn programme_dimension(areas: &[programme_area::Model]) -> Dimension {
    let mut programmes: BTreeMap<&str, bool> = BTreeMap::new();
    for area in areas {
        programmes.insert(area.education_programme.as_str(), area.vocational);
    }
    let general: Vec<&str> = programmes
        .iter()
        .filter(|(_, v)| !**v)
        .map(|(p, _)| *p)
        .collect();
    let vocational: Vec<&str> = programmes
        .iter()
        .filter(|(_, v)| **v)
        .map(|(p, _)| *p)
        .collect();
    let mut ordered: Vec<&str> = general.clone();
    ordered.extend(&vocational);
    Dimension::new(
        "programme",
        "Education programme",
        ordered
            .iter()
            .map(|p| ((*p).to_owned(), (*p).to_owned()))
            .collect(),
    )
    .with_subtotal("general", "General studies", &general)
    .with_subtotal("vocational", "Vocational programmes", &vocational)
    .with_total("All programmes")
}

/// Observed values in order, as leaves labelled by themselves.
fn observed(id: &str, label: &str, values: impl IntoIterator<Item = String>) -> Dimension {
    let set: BTreeSet<String> = values.into_iter().collect();
    Dimension::new(id, label, set.into_iter().map(|v| (v.clone(), v)).collect())
}

/// Fixed bands, in order.
fn bands(id: &str, label: &str, bands: &[&str]) -> Dimension {
    Dimension::new(
        id,
        label,
        bands
            .iter()
            .map(|b| ((*b).to_owned(), (*b).to_owned()))
            .collect(),
    )
}

const AGES: &[&str] = &["15", "16", "17", "18", "19", "20-24", "25+"];

fn age_band(birth: NaiveDate, on: NaiveDate) -> String {
    let age = on.years_since(birth).unwrap_or(0);
    match age {
        0..=15 => "15".to_owned(),
        16..=19 => age.to_string(),
        20..=24 => "20-24".to_owned(),
        _ => "25+".to_owned(),
    }
}

async fn genders(
    db: &DatabaseConnection,
) -> Result<HashMap<i32, (String, NaiveDate)>, ExtractError> {
    let rows: Vec<(i32, Option<String>, NaiveDate)> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .column(person::Column::Gender)
        .column(person::Column::BirthDate)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, gender, birth)| (id, (gender.unwrap_or_default(), birth)))
        .collect())
}

async fn areas(db: &DatabaseConnection) -> Result<Vec<programme_area::Model>, ExtractError> {
    Ok(programme_area::Entity::find().all(db).await?)
}

async fn applicants(db: &DatabaseConnection) -> Result<Table, ExtractError> {
    let persons = genders(db).await?;
    let areas = areas(db).await?;
    let programme_of: HashMap<i32, &str> = areas
        .iter()
        .map(|a| (a.id, a.education_programme.as_str()))
        .collect();
    let applications: HashMap<i32, (i32, i32)> = application::Entity::find()
        .select_only()
        .column(application::Column::Id)
        .column(application::Column::PersonId)
        .column(application::Column::IntakeYear)
        .filter(application::Column::Status.ne(vigo_entities::enums::ApplicationStatus::Withdrawn))
        .into_tuple::<(i32, i32, i32)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, person, year)| (id, (person, year)))
        .collect();
    let first_wishes: Vec<(i32, i32)> = application_wish::Entity::find()
        .select_only()
        .column(application_wish::Column::ApplicationId)
        .column(application_wish::Column::ProgrammeAreaId)
        .filter(application_wish::Column::Rank.eq(1))
        .into_tuple()
        .all(db)
        .await?;
    let (mut programme, mut gender, mut year) = (Vec::new(), Vec::new(), Vec::new());
    for (application, area) in first_wishes {
        let Some((person, intake_year)) = applications.get(&application) else {
            continue;
        };
        programme.push(programme_of.get(&area).copied().unwrap_or("").to_owned());
        gender.push(persons.get(person).map(|p| p.0.clone()).unwrap_or_default());
        year.push(intake_year.to_string());
    }
    let years = observed("intake_year", "Intake year", year.iter().cloned());
    counted(
        frame(vec![
            ("programme", programme),
            ("gender", gender),
            ("intake_year", year),
        ])?,
        vec![
            Axis::new("programme", programme_dimension(&areas)),
            Axis::new("gender", gender_dimension()),
            Axis::new("intake_year", years),
        ],
    )
    .await
}

/// First wishes for Vg1 at a school in the latest intake up to `year`, by school and
/// programme, and the places the schools offer in that intake (by school and programme).
async fn applicants_by_school(
    db: &DatabaseConnection,
    year: i32,
) -> Result<(Table, HashMap<Vec<String>, u64>), ExtractError> {
    let intake: Option<i32> = application::Entity::find()
        .select_only()
        .column_as(application::Column::IntakeYear.max(), "intake")
        .filter(application::Column::IntakeYear.lte(year))
        .into_tuple::<Option<i32>>()
        .one(db)
        .await?
        .flatten();
    let intake = intake.unwrap_or(year);
    let areas = areas(db).await?;
    let vg1: HashMap<i32, &str> = areas
        .iter()
        .filter(|a| a.level == "vg1")
        .map(|a| (a.id, a.education_programme.as_str()))
        .collect();
    let schools: Vec<(i32, String, String)> = organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Id)
        .column(organisation::Column::OrgNo)
        .column(organisation::Column::Name)
        .filter(organisation::Column::Kind.eq(vigo_entities::enums::OrganisationKind::School))
        .into_tuple()
        .all(db)
        .await?;
    let school_of: HashMap<i32, &str> = schools
        .iter()
        .map(|(id, no, _)| (*id, no.as_str()))
        .collect();
    let applications: HashSet<i32> = application::Entity::find()
        .select_only()
        .column(application::Column::Id)
        .filter(application::Column::IntakeYear.eq(intake))
        .filter(application::Column::Status.ne(vigo_entities::enums::ApplicationStatus::Withdrawn))
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let first_wishes: Vec<(i32, Option<i32>, i32)> = application_wish::Entity::find()
        .select_only()
        .column(application_wish::Column::ApplicationId)
        .column(application_wish::Column::SchoolId)
        .column(application_wish::Column::ProgrammeAreaId)
        .filter(application_wish::Column::Rank.eq(1))
        .into_tuple()
        .all(db)
        .await?;
    let (mut school, mut programme) = (Vec::new(), Vec::new());
    for (application, school_id, area) in first_wishes {
        let (Some(no), Some(p)) = (school_id.and_then(|s| school_of.get(&s)), vg1.get(&area))
        else {
            continue;
        };
        if applications.contains(&application) {
            school.push((*no).to_owned());
            programme.push((*p).to_owned());
        }
    }
    let offers: Vec<(i32, i32, i32)> = school_offer::Entity::find()
        .select_only()
        .column(school_offer::Column::SchoolId)
        .column(school_offer::Column::ProgrammeAreaId)
        .column(school_offer::Column::Capacity)
        .filter(school_offer::Column::IntakeYear.eq(intake))
        .into_tuple()
        .all(db)
        .await?;
    let mut places: HashMap<Vec<String>, u64> = HashMap::new();
    for (school_id, area, capacity) in offers {
        if let (Some(no), Some(p)) = (school_of.get(&school_id), vg1.get(&area)) {
            *places
                .entry(vec![(*no).to_owned(), (*p).to_owned()])
                .or_default() += u64::try_from(capacity).unwrap_or(0);
        }
    }
    let mut sorted = schools.clone();
    sorted.sort_by(|a, b| a.1.cmp(&b.1));
    let schools = Dimension::new(
        "school",
        "School",
        sorted.into_iter().map(|(_, no, name)| (no, name)).collect(),
    )
    .with_total("All schools");
    let table = counted(
        frame(vec![("school", school), ("programme", programme)])?,
        vec![
            Axis::new("school", schools),
            Axis::new("programme", programme_dimension(&areas)),
        ],
    )
    .await?;
    Ok((table, places))
}

/// Active enrolments of a school year, with the person and the programme area.
async fn active_enrolments(
    db: &DatabaseConnection,
    school_year: i32,
) -> Result<Vec<(i32, i32, i32, i32)>, ExtractError> {
    Ok(enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::PersonId)
        .column(enrolment::Column::SchoolId)
        .column(enrolment::Column::ProgrammeAreaId)
        .column(enrolment::Column::CoursePercentage)
        .filter(enrolment::Column::SchoolYear.eq(school_year))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Active))
        .into_tuple()
        .all(db)
        .await?)
}

async fn pupils(db: &DatabaseConnection, school_year: i32) -> Result<Table, ExtractError> {
    let persons = genders(db).await?;
    let areas = areas(db).await?;
    let area_of: HashMap<i32, &programme_area::Model> = areas.iter().map(|a| (a.id, a)).collect();
    let schools: Vec<(i32, String, String)> = organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Id)
        .column(organisation::Column::OrgNo)
        .column(organisation::Column::Name)
        .filter(organisation::Column::Kind.eq(vigo_entities::enums::OrganisationKind::School))
        .into_tuple()
        .all(db)
        .await?;
    let school_of: HashMap<i32, &str> = schools
        .iter()
        .map(|(id, no, _)| (*id, no.as_str()))
        .collect();
    let (mut school, mut level, mut programme, mut gender) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (person, school_id, area, _) in active_enrolments(db, school_year).await? {
        let Some(area) = area_of.get(&area) else {
            continue;
        };
        school.push(school_of.get(&school_id).copied().unwrap_or("").to_owned());
        level.push(area.level.clone());
        programme.push(area.education_programme.clone());
        gender.push(
            persons
                .get(&person)
                .map(|p| p.0.clone())
                .unwrap_or_default(),
        );
    }
    let mut sorted = schools.clone();
    sorted.sort_by(|a, b| a.1.cmp(&b.1));
    let schools = Dimension::new(
        "school",
        "School",
        sorted.into_iter().map(|(_, no, name)| (no, name)).collect(),
    )
    .with_total("All schools");
    counted(
        frame(vec![
            ("school", school),
            ("level", level),
            ("programme", programme),
            ("gender", gender),
        ])?,
        vec![
            Axis::new("school", schools),
            Axis::new("level", level_dimension()),
            Axis::new("programme", programme_dimension(&areas)),
            Axis::new("gender", gender_dimension()),
        ],
    )
    .await
}

async fn pupils_by_age(
    db: &DatabaseConnection,
    school_year: i32,
    today: NaiveDate,
) -> Result<Table, ExtractError> {
    let persons = genders(db).await?;
    let areas = areas(db).await?;
    let level_of: HashMap<i32, &str> = areas.iter().map(|a| (a.id, a.level.as_str())).collect();
    let (mut level, mut age) = (Vec::new(), Vec::new());
    for (person, _, area, _) in active_enrolments(db, school_year).await? {
        let Some(birth) = persons.get(&person).map(|p| p.1) else {
            continue;
        };
        level.push(level_of.get(&area).copied().unwrap_or("").to_owned());
        age.push(age_band(birth, today));
    }
    counted(
        frame(vec![("level", level), ("age", age)])?,
        vec![
            Axis::new("level", level_dimension()),
            Axis::new("age", bands("age", "Age", AGES).with_total("All ages")),
        ],
    )
    .await
}

/// Vocational programme areas by id: code and name (the trades).
fn trades(areas: &[programme_area::Model]) -> HashMap<i32, (&str, &str)> {
    areas
        .iter()
        .filter(|a| a.vocational)
        .map(|a| (a.id, (a.code.as_str(), a.name.as_str())))
        .collect()
}

fn trade_dimension(trades: &HashMap<i32, (&str, &str)>, used: &BTreeSet<String>) -> Dimension {
    let mut leaves: Vec<(String, String)> = trades
        .values()
        .filter(|(code, _)| used.contains(*code))
        .map(|(code, name)| ((*code).to_owned(), (*name).to_owned()))
        .collect();
    leaves.sort();
    leaves.dedup();
    Dimension::new("trade", "Trade", leaves).with_total("All trades")
}

async fn apprentices(db: &DatabaseConnection) -> Result<Table, ExtractError> {
    let areas = areas(db).await?;
    let trades = trades(&areas);
    let rows: Vec<(i32, vigo_entities::enums::ContractKind, ContractStatus)> =
        apprenticeship_contract::Entity::find()
            .select_only()
            .column(apprenticeship_contract::Column::ProgrammeAreaId)
            .column(apprenticeship_contract::Column::Kind)
            .column(apprenticeship_contract::Column::Status)
            .into_tuple()
            .all(db)
            .await?;
    let (mut trade, mut kind, mut status) = (Vec::new(), Vec::new(), Vec::new());
    for (area, k, s) in rows {
        trade.push(trades.get(&area).map(|t| t.0).unwrap_or("").to_owned());
        kind.push(k.code().to_owned());
        status.push(s.code().to_owned());
    }
    let used: BTreeSet<String> = trade.iter().cloned().collect();
    counted(
        frame(vec![("trade", trade), ("kind", kind), ("status", status)])?,
        vec![
            Axis::new("trade", trade_dimension(&trades, &used)),
            Axis::new(
                "kind",
                bands(
                    "kind",
                    "Contract kind",
                    &["apprentice", "training_candidate"],
                )
                .with_total("Both kinds"),
            ),
            Axis::new(
                "status",
                bands(
                    "status",
                    "Contract status",
                    &["draft", "approved", "terminated", "completed"],
                )
                .with_total("All statuses"),
            ),
        ],
    )
    .await
}

async fn contracts(db: &DatabaseConnection) -> Result<Table, ExtractError> {
    let rows: Vec<(ContractStatus, NaiveDate, Option<NaiveDate>)> =
        apprenticeship_contract::Entity::find()
            .select_only()
            .column(apprenticeship_contract::Column::Status)
            .column(apprenticeship_contract::Column::EndDate)
            .column(apprenticeship_contract::Column::ApprovedOn)
            .into_tuple()
            .all(db)
            .await?;
    let (mut year, mut event) = (Vec::new(), Vec::new());
    for (status, end, approved) in rows {
        if let Some(approved) = approved {
            year.push(approved.year().to_string());
            event.push("approved".to_owned());
        }
        if status == ContractStatus::Terminated {
            year.push(end.year().to_string());
            event.push("cancelled".to_owned());
        }
    }
    let years = observed("year", "Year", year.iter().cloned());
    counted(
        frame(vec![("year", year), ("event", event)])?,
        vec![
            Axis::new("year", years),
            Axis::new("event", bands("event", "Event", &["approved", "cancelled"])),
        ],
    )
    .await
}

async fn trade_tests(db: &DatabaseConnection) -> Result<Table, ExtractError> {
    let areas = areas(db).await?;
    let trades = trades(&areas);
    let rows: Vec<(i32, Option<NaiveDate>, Option<TradeTestResult>)> = trade_test::Entity::find()
        .select_only()
        .column(trade_test::Column::ProgrammeAreaId)
        .column(trade_test::Column::TestDate)
        .column(trade_test::Column::Result)
        .into_tuple()
        .all(db)
        .await?;
    let (mut trade, mut year, mut outcome) = (Vec::new(), Vec::new(), Vec::new());
    for (area, date, result) in rows {
        let (Some(date), Some(result)) = (date, result) else {
            continue;
        };
        trade.push(trades.get(&area).map(|t| t.0).unwrap_or("").to_owned());
        year.push(date.year().to_string());
        outcome.push(
            match result {
                TradeTestResult::Failed => "failed",
                TradeTestResult::Passed | TradeTestResult::PassedWithDistinction => "passed",
            }
            .to_owned(),
        );
    }
    let used: BTreeSet<String> = trade.iter().cloned().collect();
    let years = observed("year", "Year", year.iter().cloned());
    counted(
        frame(vec![("trade", trade), ("year", year), ("outcome", outcome)])?,
        vec![
            Axis::new("trade", trade_dimension(&trades, &used)),
            Axis::new("year", years),
            Axis::new(
                "outcome",
                bands("outcome", "Outcome", &["passed", "failed"]).with_total("Taken"),
            ),
        ],
    )
    .await
}

async fn grades(db: &DatabaseConnection, school_year: i32) -> Result<Table, ExtractError> {
    let rows: Vec<(String, String)> = subject_result::Entity::find()
        .select_only()
        .column(subject_result::Column::SubjectCode)
        .column(subject_result::Column::Grade)
        .filter(subject_result::Column::SchoolYear.eq(school_year))
        .filter(subject_result::Column::Kind.is_in([
            ResultKind::Final,
            ResultKind::WrittenExam,
            ResultKind::OralExam,
        ]))
        .into_tuple()
        .all(db)
        .await?;
    let (subject, grade): (Vec<String>, Vec<String>) = rows.into_iter().unzip();
    let subjects = observed("subject", "Subject code", subject.iter().cloned());
    counted(
        frame(vec![("subject", subject), ("grade", grade)])?,
        vec![
            Axis::new("subject", subjects),
            Axis::new(
                "grade",
                bands("grade", "Grade", &["1", "2", "3", "4", "5", "6"])
                    .with_subtotal("passed", "Passed (2–6)", &["2", "3", "4", "5", "6"])
                    .with_total("All grades"),
            ),
        ],
    )
    .await
}

/// School days in a school year, for absence as a share.
const SCHOOL_DAYS: f64 = 190.0;

async fn absence_bands(db: &DatabaseConnection, school_year: i32) -> Result<Table, ExtractError> {
    let areas = areas(db).await?;
    let level_of: HashMap<i32, &str> = areas.iter().map(|a| (a.id, a.level.as_str())).collect();
    let enrolments: HashMap<i32, i32> = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::Id)
        .column(enrolment::Column::ProgrammeAreaId)
        .filter(enrolment::Column::SchoolYear.eq(school_year))
        .into_tuple::<(i32, i32)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let rows: Vec<(i32, i32)> = absence::Entity::find()
        .select_only()
        .column(absence::Column::EnrolmentId)
        .column(absence::Column::Days)
        .filter(absence::Column::SchoolYear.eq(school_year))
        .into_tuple()
        .all(db)
        .await?;
    let mut days_of: HashMap<i32, i32> = enrolments.keys().map(|e| (*e, 0)).collect();
    for (enrolment, days) in rows {
        *days_of.entry(enrolment).or_default() += days;
    }
    let (mut level, mut band) = (Vec::new(), Vec::new());
    for (enrolment, days) in days_of {
        let Some(area) = enrolments.get(&enrolment) else {
            continue;
        };
        let share = f64::from(days) * 100.0 / SCHOOL_DAYS;
        level.push(level_of.get(area).copied().unwrap_or("").to_owned());
        band.push(
            if share <= 2.0 {
                "0-2"
            } else if share <= 5.0 {
                "2-5"
            } else if share <= 10.0 {
                "5-10"
            } else {
                "10+"
            }
            .to_owned(),
        );
    }
    counted(
        frame(vec![("level", level), ("band", band)])?,
        vec![
            Axis::new("level", level_dimension()),
            Axis::new(
                "band",
                bands(
                    "band",
                    "Absence (% of school days)",
                    &["0-2", "2-5", "5-10", "10+"],
                )
                .with_total("All"),
            ),
        ],
    )
    .await
}

async fn follow_up(
    db: &DatabaseConnection,
    school_year: i32,
    today: NaiveDate,
) -> Result<Table, ExtractError> {
    let persons = genders(db).await?;
    let rows: Vec<(i32, String, chrono::DateTime<chrono::Utc>)> = follow_up_status::Entity::find()
        .select_only()
        .column(follow_up_status::Column::PersonId)
        .column(follow_up_status::Column::Code)
        .column(follow_up_status::Column::RegisteredAt)
        .filter(follow_up_status::Column::SchoolYear.eq(school_year))
        .into_tuple()
        .all(db)
        .await?;
    // A person counts once, under their latest status of the year.
    let mut latest: HashMap<i32, (chrono::DateTime<chrono::Utc>, String)> = HashMap::new();
    for (person, code, at) in rows {
        let entry = latest.entry(person).or_insert((at, code.clone()));
        if at > entry.0 {
            *entry = (at, code);
        }
    }
    let (mut status, mut age) = (Vec::new(), Vec::new());
    for (person, (_, code)) in latest {
        let Some(birth) = persons.get(&person).map(|p| p.1) else {
            continue;
        };
        status.push(code);
        age.push(age_band(birth, today));
    }
    let codes = observed("status", "Status code", status.iter().cloned()).with_total("All codes");
    counted(
        frame(vec![("status", status), ("age", age)])?,
        vec![
            Axis::new("status", codes),
            Axis::new("age", bands("age", "Age", AGES).with_total("All ages")),
        ],
    )
    .await
}

async fn course_percentage(
    db: &DatabaseConnection,
    school_year: i32,
) -> Result<Table, ExtractError> {
    let areas = areas(db).await?;
    let level_of: HashMap<i32, &str> = areas.iter().map(|a| (a.id, a.level.as_str())).collect();
    let (mut level, mut percentage) = (Vec::new(), Vec::new());
    for (_, _, area, course) in active_enrolments(db, school_year).await? {
        level.push(level_of.get(&area).copied().unwrap_or("").to_owned());
        percentage.push(
            match course {
                100.. => "100",
                75..=99 => "75-99",
                50..=74 => "50-74",
                _ => "under 50",
            }
            .to_owned(),
        );
    }
    counted(
        frame(vec![("level", level), ("percentage", percentage)])?,
        vec![
            Axis::new("level", level_dimension()),
            Axis::new(
                "percentage",
                bands(
                    "percentage",
                    "Course percentage",
                    &["100", "75-99", "50-74", "under 50"],
                )
                .with_total("All"),
            ),
        ],
    )
    .await
}

/// SSB's five outcomes of a cohort, in SSB's order.
const OUTCOMES: &[(&str, &str)] = &[
    ("normal_time", "Completed in normal time"),
    ("more_time", "Completed in more than normal time"),
    ("still_enrolled", "Still in upper secondary"),
    (
        "vg3_not_passed",
        "Completed Vg3 or the apprenticeship, but did not pass",
    ),
    ("dropped_out", "Dropped out"),
];

/// Completion as SSB defines it: each person's first Vg1 year and programme type, followed to
/// 1 October five years on (general studies) or six (vocational); completed when a diploma,
/// trade or journeyman certificate is issued (in normal time: within three years, or four
/// for vocational programmes), still enrolled when actively enrolled in the school year that
/// holds the follow-up's last day or under a running contract then, Vg3 not passed when Vg3 or an apprenticeship
/// was completed without one, and otherwise dropped out. Cohorts whose follow-up has not
/// ended are left out.
async fn completion(db: &DatabaseConnection, today: NaiveDate) -> Result<Table, ExtractError> {
    use vigo_entities::diploma;
    use vigo_entities::enums::DiplomaKind;
    // The four reads are independent: the database serves them at once.
    let enrolments = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::PersonId)
        .column(enrolment::Column::ProgrammeAreaId)
        .column(enrolment::Column::SchoolYear)
        .column(enrolment::Column::Status)
        .into_tuple::<(i32, i32, i32, EnrolmentStatus)>()
        .all(db);
    let diplomas = diploma::Entity::find()
        .select_only()
        .column(diploma::Column::PersonId)
        .column(diploma::Column::Kind)
        .column(diploma::Column::IssuedOn)
        .into_tuple::<(i32, DiplomaKind, NaiveDate)>()
        .all(db);
    let contracts = apprenticeship_contract::Entity::find()
        .select_only()
        .column(apprenticeship_contract::Column::PersonId)
        .column(apprenticeship_contract::Column::Status)
        .column(apprenticeship_contract::Column::StartDate)
        .column(apprenticeship_contract::Column::EndDate)
        .into_tuple::<(i32, ContractStatus, NaiveDate, NaiveDate)>()
        .all(db);
    let (persons, areas, enrolments, diplomas, contracts) = tokio::try_join!(
        genders(db),
        areas(db),
        async { Ok::<_, ExtractError>(enrolments.await?) },
        async { Ok::<_, ExtractError>(diplomas.await?) },
        async { Ok::<_, ExtractError>(contracts.await?) },
    )?;
    let area_of: HashMap<i32, &programme_area::Model> = areas.iter().map(|a| (a.id, a)).collect();
    let mut first_vg1: HashMap<i32, (i32, bool)> = HashMap::new();
    // Active enrolments by person and school year; the first school year of a completed Vg3.
    let mut enrolled: BTreeSet<(i32, i32)> = BTreeSet::new();
    let mut vg3_completed: HashMap<i32, i32> = HashMap::new();
    for (person, area, year, status) in &enrolments {
        let Some(area) = area_of.get(area) else {
            continue;
        };
        if *status == EnrolmentStatus::Active {
            enrolled.insert((*person, *year));
        }
        if area.level == "vg1" {
            // The earliest Vg1 year; general studies when both began that year.
            let entry = first_vg1.entry(*person).or_insert((*year, area.vocational));
            if *year < entry.0 || (*year == entry.0 && !area.vocational) {
                *entry = (*year, area.vocational);
            }
        }
        if area.level == "vg3" && *status == EnrolmentStatus::Completed {
            let first = vg3_completed.entry(*person).or_insert(*year);
            *first = (*first).min(*year);
        }
    }
    let mut completed_on: HashMap<i32, NaiveDate> = HashMap::new();
    for (person, kind, issued) in diplomas {
        if matches!(
            kind,
            DiplomaKind::Diploma
                | DiplomaKind::TradeCertificate
                | DiplomaKind::JourneymanCertificate
        ) {
            let entry = completed_on.entry(person).or_insert(issued);
            *entry = (*entry).min(issued);
        }
    }
    let mut contracts_of: HashMap<i32, Vec<(ContractStatus, NaiveDate, NaiveDate)>> =
        HashMap::new();
    for (person, status, start, end) in contracts {
        contracts_of
            .entry(person)
            .or_default()
            .push((status, start, end));
    }
    let october = |year: i32| NaiveDate::from_ymd_opt(year, 10, 1).unwrap_or(NaiveDate::MIN);
    let (mut cohort, mut programme_type, mut gender, mut outcome) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (person, (year, vocational)) in first_vg1 {
        let (normal, followed) = if vocational { (4, 6) } else { (3, 5) };
        let end = october(year + followed);
        if end > today {
            continue;
        }
        let contracts = contracts_of.get(&person).map(Vec::as_slice).unwrap_or(&[]);
        let result = match completed_on.get(&person) {
            Some(on) if *on <= october(year + normal) => "normal_time",
            Some(on) if *on <= end => "more_time",
            // The school year holding the follow-up's last day.
            _ if enrolled.contains(&(person, year + followed))
                || contracts.iter().any(|(status, start, until)| {
                    *status == ContractStatus::Approved && *start <= end && *until >= end
                }) =>
            {
                "still_enrolled"
            }
            _ if vg3_completed
                .get(&person)
                .is_some_and(|y| *y < year + followed)
                || contracts.iter().any(|(status, _, until)| {
                    *status == ContractStatus::Completed && *until <= end
                }) =>
            {
                "vg3_not_passed"
            }
            _ => "dropped_out",
        };
        cohort.push(year.to_string());
        programme_type.push(if vocational { "vocational" } else { "general" }.to_owned());
        gender.push(
            persons
                .get(&person)
                .map(|p| p.0.clone())
                .unwrap_or_default(),
        );
        outcome.push(result.to_owned());
    }
    let cohorts = observed("cohort", "Year starting Vg1", cohort.iter().cloned());
    counted(
        frame(vec![
            ("cohort", cohort),
            ("programme_type", programme_type),
            ("gender", gender),
            ("outcome", outcome),
        ])?,
        vec![
            Axis::new("cohort", cohorts),
            Axis::new(
                "programme_type",
                Dimension::new(
                    "programme_type",
                    "Programme type",
                    leaves([
                        ("general".to_owned(), "General studies".to_owned()),
                        ("vocational".to_owned(), "Vocational programmes".to_owned()),
                    ]),
                )
                .with_total("Both"),
            ),
            Axis::new("gender", gender_dimension()),
            Axis::new(
                "outcome",
                Dimension::new(
                    "outcome",
                    "Outcome",
                    OUTCOMES
                        .iter()
                        .map(|(id, label)| ((*id).to_owned(), (*label).to_owned()))
                        .collect(),
                )
                .with_subtotal("completed", "Completed", &["normal_time", "more_time"])
                .with_total("The whole cohort"),
            ),
        ],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_knows_every_statistic_and_no_other() {
        let names: Vec<&str> = CATALOGUE.iter().map(|s| s.name).collect();
        assert_eq!(names, vigo_policy::STATISTICS);
    }

    #[test]
    fn a_rate_is_computed_from_a_statistic_of_counts_with_its_dimensions() {
        for statistic in CATALOGUE {
            let Some((base, derivation)) = &statistic.derived else {
                continue;
            };
            let base = Statistic::named(base).unwrap_or_else(|| panic!("{base} exists"));
            assert!(base.derived.is_none(), "{} counts", base.name);
            assert_eq!(base.threshold, statistic.threshold);
            let mut expected: Vec<&str> = base.dimensions.iter().map(|(id, _)| *id).collect();
            if let Derivation::Share { over, .. } = derivation {
                expected.retain(|id| id != over);
            }
            expected.push(MEASURE);
            let declared: Vec<&str> = statistic.dimensions.iter().map(|(id, _)| *id).collect();
            assert_eq!(declared, expected, "{}", statistic.name);
        }
    }
}
