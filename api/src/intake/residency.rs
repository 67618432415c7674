//! The residency check from the population register's address file (`vigo intake addresses`):
//! CSV lines of national id, address, postal code, city and municipality number. Every line is
//! checked before anything is written; a malformed line is reported with its number, and
//! nothing is imported unless the operator asks to skip the bad ones. Changed contact data is
//! written with its change log; each open application of someone who lives outside the county
//! is set aside as another county's responsibility (and taken back when they move in), with a
//! decision explaining it; all in one transaction with one audit event naming every person.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, Set, TransactionTrait,
};
use serde::Serialize;
use vigo_entities::enums::{ApplicationStatus, DecisionKind};
use vigo_entities::ids::NationalId;
use vigo_entities::{application, automated_decision, contact, person};
use vigo_intake::residency::{self, County, Municipality};

use super::{IntakeError, commit_recorded};
use crate::service::{self, ContactInput, ContactSource};

/// A line of the file that cannot be imported, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BadLine {
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for BadLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// One valid line.
#[derive(Clone, Debug)]
struct AddressLine {
    /// Validated: 11 digits with valid check digits.
    national_id: String,
    contact: ContactInput,
    municipality: Municipality,
}

/// The header a file may start with.
const HEADER: [&str; 5] = [
    "national_id",
    "address",
    "postal_code",
    "city",
    "municipality_code",
];

/// Reads and checks every line: the valid ones, and the bad ones with their line numbers.
fn read(file: &[u8]) -> (Vec<AddressLine>, Vec<BadLine>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(file);
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (index, record) in reader.records().enumerate() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(index as u64 + 1, |p| p.line());
                let reason = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
                    _ => e.to_string(),
                };
                bad.push(BadLine { line, reason });
                continue;
            }
        };
        let line = record.position().map_or(index as u64 + 1, |p| p.line());
        if index == 0
            && record.len() == HEADER.len()
            && record
                .iter()
                .zip(HEADER)
                .all(|(got, want)| got.eq_ignore_ascii_case(want))
        {
            continue;
        }
        if record.len() == 1 && record.get(0).is_some_and(str::is_empty) {
            continue;
        }
        match check(&record) {
            Ok(checked) => {
                let id = checked.national_id.clone();
                if let Some(first) = seen.get(&id) {
                    bad.push(BadLine {
                        line,
                        reason: format!("the national id is on line {first} already"),
                    });
                } else {
                    seen.insert(id, line);
                    good.push(checked);
                }
            }
            Err(reason) => bad.push(BadLine { line, reason }),
        }
    }
    (good, bad)
}

fn check(record: &csv::StringRecord) -> Result<AddressLine, String> {
    if record.len() != HEADER.len() {
        return Err(format!(
            "{} fields; a line has {} ({})",
            record.len(),
            HEADER.len(),
            HEADER.join(", ")
        ));
    }
    let field = |i: usize| record.get(i).unwrap_or_default();
    let national_id = NationalId::parse(field(0))
        .map_err(|e| format!("national id: {e}"))?
        .as_string();
    let municipality = Municipality::parse(field(4)).map_err(|e| e.to_string())?;
    let contact = ContactInput {
        address: field(1).to_owned(),
        postal_code: field(2).to_owned(),
        city: field(3).to_owned(),
        municipality_code: municipality.as_str().to_owned(),
        phone: None,
        email: None,
    }
    .validate()
    .map_err(|e| e.to_string())?;
    Ok(AddressLine {
        national_id,
        contact,
        municipality,
    })
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AddressImport {
    /// Valid lines read.
    pub lines: usize,
    /// Lines skipped as malformed (only with `skip_bad`).
    pub skipped: Vec<BadLine>,
    /// Lines about persons Vigo does not hold (the register holds everyone).
    pub not_held: usize,
    /// Persons whose contact data changed.
    pub changed: usize,
    /// Applicants checked (with an open application of an intake whose school year has not
    /// started).
    pub applicants: usize,
    /// Applications set aside as another county's responsibility by this import.
    pub outside: usize,
    /// Applications taken back after a move into the county.
    pub taken_back: usize,
}

/// Imports the address file `file` as `actor` in one transaction recorded in the audit trail.
/// Any malformed line refuses the whole file (naming every such line) unless `skip_bad`.
pub async fn import_addresses(
    db: &DatabaseConnection,
    file: &[u8],
    skip_bad: bool,
    county: County,
    actor: &vigo_policy::Subject,
) -> Result<AddressImport, IntakeError> {
    let (lines, bad) = read(file);
    if !bad.is_empty() && !skip_bad {
        return Err(IntakeError::MalformedFile(bad));
    }
    let txn = db.begin().await?;
    let today = vigo_policy::Today::now();
    let (mut imported, persons) = import_in(&txn, &lines, county, actor, today).await?;
    imported.skipped = bad;
    if persons.is_empty() {
        txn.commit().await?;
    } else {
        commit_recorded(
            txn,
            actor,
            format!(
                "Intake.addresses lines={} changed={} outside={} taken_back={}",
                imported.lines, imported.changed, imported.outside, imported.taken_back
            ),
            &["contact", "admission", "admission_log", "decisions"],
            &persons,
        )
        .await?;
    }
    Ok(imported)
}

/// Statuses an application can be checked from: open for intake, or set aside by an earlier
/// check.
const CHECKED: [ApplicationStatus; 3] = [
    ApplicationStatus::Submitted,
    ApplicationStatus::IndividualHandling,
    ApplicationStatus::OutsideCounty,
];

async fn import_in(
    txn: &DatabaseTransaction,
    lines: &[AddressLine],
    county: County,
    actor: &vigo_policy::Subject,
    today: vigo_policy::Today,
) -> Result<(AddressImport, Vec<i32>), IntakeError> {
    let mut summary = AddressImport {
        lines: lines.len(),
        ..Default::default()
    };
    let mut held: HashMap<String, person::Model> = HashMap::new();
    for chunk in lines.chunks(500) {
        for found in person::Entity::find()
            .filter(person::Column::NationalId.is_in(chunk.iter().map(|l| l.national_id.as_str())))
            .all(txn)
            .await?
        {
            held.insert(found.national_id.clone(), found);
        }
    }
    let ids: Vec<i32> = held.values().map(|p| p.id).collect();
    let mut contacts: HashMap<i32, contact::Model> = HashMap::new();
    let mut open: HashMap<i32, Vec<application::Model>> = HashMap::new();
    let mut decided: HashSet<i32> = HashSet::new();
    for chunk in ids.chunks(500) {
        for found in contact::Entity::find()
            .filter(contact::Column::PersonId.is_in(chunk.iter().copied()))
            .all(txn)
            .await?
        {
            contacts.insert(found.person_id, found);
        }
        for found in application::Entity::find()
            .filter(application::Column::PersonId.is_in(chunk.iter().copied()))
            // Intakes whose school year has not started: a pupil placed already stays.
            .filter(application::Column::IntakeYear.gt(today.school_year()))
            .filter(application::Column::Status.is_in(CHECKED))
            .all(txn)
            .await?
        {
            open.entry(found.person_id).or_default().push(found);
        }
        decided.extend(
            automated_decision::Entity::find()
                .filter(automated_decision::Column::PersonId.is_in(chunk.iter().copied()))
                .filter(automated_decision::Column::Kind.eq(DecisionKind::Residency.code()))
                .all(txn)
                .await?
                .into_iter()
                .map(|d| d.person_id),
        );
    }
    let now = Utc::now();
    let mut touched = Vec::new();
    let mut decisions = Vec::new();
    for line in lines {
        let Some(person) = held.get(line.national_id.as_str()) else {
            summary.not_held += 1;
            continue;
        };
        if person.deceased_on.is_some() {
            // No contact data is kept for the dead, and their applications are withdrawn.
            continue;
        }
        let before = contacts.remove(&person.id);
        let moved = before
            .as_ref()
            .is_none_or(|c| c.municipality_code != line.municipality.as_str());
        let mut contact = line.contact.clone();
        contact.phone = before.as_ref().and_then(|c| c.phone.clone());
        contact.email = before.as_ref().and_then(|c| c.email.clone());
        let changed = service::write_contact_over(
            txn,
            person.id,
            before,
            contact,
            actor,
            ContactSource::PopulationRegister,
        )
        .await?;
        summary.changed += usize::from(changed);
        let applications = open.get(&person.id).map(Vec::as_slice).unwrap_or_default();
        if !applications.is_empty() {
            summary.applicants += 1;
        }
        let checked = residency::check(county, &line.municipality);
        let mut flipped = false;
        for made in applications {
            let status = match (checked.responsible, made.status) {
                (false, _) => ApplicationStatus::OutsideCounty,
                // Back to where it stood: without points, a caseworker's to handle.
                (true, ApplicationStatus::OutsideCounty) if made.points_hundredths.is_none() => {
                    ApplicationStatus::IndividualHandling
                }
                (true, ApplicationStatus::OutsideCounty) => ApplicationStatus::Submitted,
                (true, other) => other,
            };
            if status == made.status {
                continue;
            }
            flipped = true;
            if status == ApplicationStatus::OutsideCounty {
                summary.outside += 1;
            } else {
                summary.taken_back += 1;
            }
            service::log_change(
                txn,
                made.id,
                actor,
                "residency",
                serde_json::json!({
                    "municipalityCode": line.municipality.as_str(),
                    "responsible": checked.responsible,
                    "status": {"from": made.status.code(), "to": status.code()},
                }),
            )
            .await?;
            let mut active = made.clone().into_active_model();
            active.status = Set(status);
            active.update(txn).await?;
        }
        let decide =
            !applications.is_empty() && (flipped || moved || !decided.contains(&person.id));
        if decide {
            decisions.push(automated_decision::ActiveModel {
                person_id: Set(person.id),
                kind: Set(DecisionKind::Residency.code().to_owned()),
                made_at: Set(now),
                outcome: Set(if checked.responsible {
                    format!(
                        "{} is responsible (municipality {})",
                        county.name,
                        line.municipality.as_str()
                    )
                } else {
                    format!(
                        "another county is responsible (municipality {})",
                        line.municipality.as_str()
                    )
                }),
                explanation: Set(format!(
                    "{}\n\n{}",
                    checked.explanation.nb, checked.explanation.en
                )),
                inputs: Set(serde_json::to_string(&serde_json::json!({
                    "source": "population_register",
                    "municipalityCode": line.municipality.as_str(),
                    "county": county.number,
                    "applications": applications.iter().map(|a| a.intake_year).collect::<Vec<_>>(),
                }))?),
                ..Default::default()
            });
        }
        if changed || decide {
            touched.push(person.id);
        }
    }
    for chunk in decisions.chunks(500) {
        automated_decision::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    Ok((summary, touched))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic national id (month + 80) born on day `day` of January 2009.
    fn synthetic(day: u8) -> String {
        (0..100u8)
            .find_map(|individual| {
                let digits = [
                    day / 10,
                    day % 10,
                    8,
                    1,
                    0,
                    9,
                    5,
                    individual / 10,
                    individual % 10,
                ];
                NationalId::classic_check_digits(digits).map(|check| {
                    digits
                        .iter()
                        .chain(&check)
                        .map(|d| char::from(b'0' + d))
                        .collect()
                })
            })
            .unwrap_or_default()
    }

    #[test]
    fn every_bad_line_is_named_with_its_number() {
        let (a, b) = (synthetic(12), synthetic(13));
        let file = format!(
            "national_id,address,postal_code,city,municipality_code\n\
             {a},Storgata 1,0155,Oslo,0301\n\
             {a},\"Bygdøy allé 3, leil. H0101\",0257,Oslo,0301\n\
             ,Storgata 4,0155,Oslo\n\
             {b},Storgata 5,155,Oslo,0301\n\
             12345678901,Storgata 6,0155,Oslo,0301\n\
             {b},Kirkeveien 7,1337,Sandvika,3201\n"
        );
        let (good, bad) = read(file.as_bytes());
        let lines: Vec<u64> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [3, 4, 5, 6], "{bad:?}");
        assert!(bad[0].reason.contains("line 2 already"), "{}", bad[0]);
        assert!(bad[1].reason.contains("4 fields"), "{}", bad[1]);
        assert!(bad[2].reason.contains("postalCode"), "{}", bad[2]);
        assert!(bad[3].reason.starts_with("national id"), "{}", bad[3]);
        let kept: Vec<(&str, &str)> = good
            .iter()
            .map(|l| (l.national_id.as_str(), l.contact.city.as_str()))
            .collect();
        assert_eq!(kept, [(a.as_str(), "OSLO"), (b.as_str(), "SANDVIKA")]);
    }
}
