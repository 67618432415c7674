//! The county's organisations: programme areas, schools with their offers, training
//! companies and offices with approved trades, authorities, exam boards and employees.

use chrono::NaiveDate;
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use vigo_entities::enums::OrganisationKind;
use vigo_entities::ids::{AccountNo, OrgNo};
use vigo_entities::{
    approved_trade, employee, employee_role, exam_board, exam_board_member, organisation,
    programme_area, school_offer,
};

use crate::names;

/// An education programme (utdanningsprogram) with its path through Vg1, Vg2 and Vg3 or
/// apprenticeship. Codes follow the shape of Vigo's code list; the set is abridged.
pub(crate) struct Programme {
    pub code: &'static str,
    pub vocational: bool,
    pub vg1: (&'static str, &'static str),
    /// Vg2 areas, each with the Vg3 area or trade it leads to.
    pub tracks: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

pub(crate) const PROGRAMMES: &[Programme] = &[
    Programme {
        code: "ST",
        vocational: false,
        vg1: ("STSSA1----", "Studiespesialisering Vg1"),
        tracks: &[(
            "STSSA2----",
            "Studiespesialisering Vg2",
            "STSSA3----",
            "Studiespesialisering Vg3",
        )],
    },
    Programme {
        code: "ID",
        vocational: false,
        vg1: ("IDIDR1----", "Idrettsfag Vg1"),
        tracks: &[(
            "IDIDR2----",
            "Idrettsfag Vg2",
            "IDIDR3----",
            "Idrettsfag Vg3",
        )],
    },
    Programme {
        code: "MD",
        vocational: false,
        vg1: ("MDMDD1----", "Musikk, dans og drama Vg1"),
        tracks: &[(
            "MDMDD2----",
            "Musikk, dans og drama Vg2",
            "MDMDD3----",
            "Musikk, dans og drama Vg3",
        )],
    },
    Programme {
        code: "EL",
        vocational: true,
        vg1: ("ELELE1----", "Elektro og datateknologi Vg1"),
        tracks: &[
            (
                "ELELE2----",
                "Elenergi og ekom Vg2",
                "ELELE3----",
                "Elektrikerfaget",
            ),
            (
                "ELDTA2----",
                "Datateknologi og elektronikk Vg2",
                "ELDAT3----",
                "Dataelektronikerfaget",
            ),
        ],
    },
    Programme {
        code: "BA",
        vocational: true,
        vg1: ("BABAT1----", "Bygg- og anleggsteknikk Vg1"),
        tracks: &[
            ("BATMF2----", "Tømrer Vg2", "BATMF3----", "Tømrerfaget"),
            (
                "BARRL2----",
                "Rørlegger Vg2",
                "BARRL3----",
                "Rørleggerfaget",
            ),
        ],
    },
    Programme {
        code: "HS",
        vocational: true,
        vg1: ("HSHSF1----", "Helse- og oppvekstfag Vg1"),
        tracks: &[
            (
                "HSHEA2----",
                "Helsearbeiderfag Vg2",
                "HSHEA3----",
                "Helsearbeiderfaget",
            ),
            (
                "HSBUA2----",
                "Barne- og ungdomsarbeiderfag Vg2",
                "HSBUA3----",
                "Barne- og ungdomsarbeiderfaget",
            ),
        ],
    },
    Programme {
        code: "TP",
        vocational: true,
        vg1: ("TPTIP1----", "Teknologi- og industrifag Vg1"),
        tracks: &[
            (
                "TPKJM2----",
                "Kjøretøy Vg2",
                "TPLBI3----",
                "Bilfaget, lette kjøretøy",
            ),
            (
                "TPIPR2----",
                "Industriteknologi Vg2",
                "TPIMA3----",
                "Industrimekanikerfaget",
            ),
        ],
    },
    Programme {
        code: "RM",
        vocational: true,
        vg1: ("RMRMF1----", "Restaurant- og matfag Vg1"),
        tracks: &[(
            "RMRKO2----",
            "Kokk og servitør Vg2",
            "RMKOK3----",
            "Kokkfaget",
        )],
    },
    Programme {
        code: "IM",
        vocational: true,
        vg1: ("IMIMP1----", "Informasjonsteknologi og medieproduksjon Vg1"),
        tracks: &[(
            "IMITK2----",
            "IT og medieproduksjon Vg2",
            "IMITD3----",
            "IT-utviklerfaget",
        )],
    },
    Programme {
        code: "SR",
        vocational: true,
        vg1: ("SRSSR1----", "Salg, service og reiseliv Vg1"),
        tracks: &[(
            "SRSAL2----",
            "Salg og reiseliv Vg2",
            "SRSAL3----",
            "Salgsfaget",
        )],
    },
    Programme {
        code: "FD",
        vocational: true,
        vg1: (
            "FDFBI1----",
            "Frisør, blomster, interiør og eksponeringsdesign Vg1",
        ),
        tracks: &[("FDFRI2----", "Frisør Vg2", "FDFRI3----", "Frisørfaget")],
    },
];

const SCHOOL_PLACES: &[&str] = &[
    "Nordkollen",
    "Sagelund",
    "Bjørkås",
    "Elvebakken Nord",
    "Grefsrud",
    "Hovseter Øst",
    "Lindeberg",
    "Marienlyst Vest",
    "Nydal",
    "Ospeli",
    "Rosenlund",
    "Skøyenhagen",
    "Tøyenløkka",
    "Ullevål Park",
    "Vestli Senter",
    "Årvollåsen",
    "Bekkefaret",
    "Dalsbråten",
    "Furuset Nord",
    "Haugerud Vest",
    "Kampenhagen",
    "Lambertseter Øst",
    "Mortensrud Nord",
    "Nordstrand Sør",
    "Romsås Øst",
    "Sinsenkrysset",
    "Stovnerhagen",
    "Torshovdalen",
    "Vahlhagen",
    "Økernbråten",
];

/// Municipality number of Oslo, the county this population lives in.
pub(crate) const OSLO: &str = "0301";

/// Index of organisations and programme areas that people generation draws from.
pub(crate) struct County {
    pub programme_areas: Vec<programme_area::Model>,
    pub organisations: Vec<organisation::Model>,
    pub approved_trades: Vec<approved_trade::Model>,
    pub school_offers: Vec<school_offer::Model>,
    pub employees: Vec<employee::Model>,
    pub employee_roles: Vec<employee_role::Model>,
    pub exam_boards: Vec<exam_board::Model>,
    pub exam_board_members: Vec<exam_board_member::Model>,
    /// For each programme, the schools offering its Vg1 (organisation ids).
    pub schools_by_programme: Vec<Vec<i32>>,
    /// For each trade's programme area id, the companies approved for it.
    pub companies_by_trade: std::collections::HashMap<i32, Vec<i32>>,
    /// For each trade's programme area id, its exam board.
    pub board_by_trade: std::collections::HashMap<i32, i32>,
}

impl County {
    pub fn area_id(&self, code: &str) -> i32 {
        self.programme_areas
            .iter()
            .find(|a| a.code == code)
            .map(|a| a.id)
            .unwrap_or_else(|| unreachable!("programme area {code} is generated"))
    }

    pub fn organisation(&self, id: i32) -> &organisation::Model {
        &self.organisations[(id - 1) as usize]
    }
}

/// Hands out organisation numbers and account numbers with valid check digits.
struct NumberSource {
    next_org: u32,
    next_account: u64,
}

impl NumberSource {
    fn org_no(&mut self) -> String {
        loop {
            self.next_org += 1;
            if let Some(org) = OrgNo::from_base(self.next_org) {
                return org.as_str().to_owned();
            }
        }
    }

    fn account_no(&mut self) -> String {
        loop {
            self.next_account += 7;
            if let Some(acc) = AccountNo::from_base(self.next_account) {
                return acc.as_str().to_owned();
            }
        }
    }
}

/// The organisations the demo's roles act for; their numbers are printed with the tokens.
pub const AUTHORITIES: &[&str] = &[
    "Oslo fylkeskommune, Utdanningsetaten",
    "Statens lånekasse for utdanning",
    "Statistisk sentralbyrå",
    "Utdanningsdirektoratet",
    "Skatteetaten, Folkeregisteret",
    "Digitaliseringsdirektoratet",
    "Direktoratet for høyere utdanning og kompetanse",
    "Sparebanken Syntetisk",
];

pub(crate) fn generate(rng: &mut ChaCha8Rng, school_year: i32) -> County {
    let mut numbers = NumberSource {
        next_org: 91_000_000,
        next_account: 1_503_000_000,
    };
    let mut areas = Vec::new();
    let mut push_area = |code: &str, name: &str, level: &str, programme: &str, vocational: bool| {
        areas.push(programme_area::Model {
            id: areas.len() as i32 + 1,
            code: code.to_owned(),
            name: name.to_owned(),
            level: level.to_owned(),
            education_programme: programme.to_owned(),
            vocational,
        });
    };
    for p in PROGRAMMES {
        push_area(p.vg1.0, p.vg1.1, "vg1", p.code, p.vocational);
        for (vg2, vg2_name, vg3, vg3_name) in p.tracks {
            push_area(vg2, vg2_name, "vg2", p.code, p.vocational);
            let level = if p.vocational {
                "apprenticeship"
            } else {
                "vg3"
            };
            push_area(vg3, vg3_name, level, p.code, p.vocational);
        }
    }

    let mut county = County {
        programme_areas: areas,
        organisations: Vec::new(),
        approved_trades: Vec::new(),
        school_offers: Vec::new(),
        employees: Vec::new(),
        employee_roles: Vec::new(),
        exam_boards: Vec::new(),
        exam_board_members: Vec::new(),
        schools_by_programme: vec![Vec::new(); PROGRAMMES.len()],
        companies_by_trade: Default::default(),
        board_by_trade: Default::default(),
    };

    for name in AUTHORITIES {
        let id = county.organisations.len() as i32 + 1;
        county.organisations.push(organisation::Model {
            id,
            org_no: numbers.org_no(),
            name: (*name).to_owned(),
            kind: OrganisationKind::Authority,
            school_number: None,
            municipality_code: Some(OSLO.to_owned()),
            training_office_id: None,
            account_no: None,
        });
    }

    // Schools: general, vocational and combined, each offering a few programmes.
    let general: Vec<usize> = (0..PROGRAMMES.len())
        .filter(|i| !PROGRAMMES[*i].vocational)
        .collect();
    let vocational: Vec<usize> = (0..PROGRAMMES.len())
        .filter(|i| PROGRAMMES[*i].vocational)
        .collect();
    for (n, place) in SCHOOL_PLACES.iter().enumerate() {
        let id = county.organisations.len() as i32 + 1;
        let mut offered: Vec<usize> = match n % 3 {
            0 => vec![0],
            1 => vocational.choose_multiple(rng, 3).copied().collect(),
            _ => {
                let mut v = vec![0];
                v.extend(vocational.choose_multiple(rng, 2).copied());
                v
            }
        };
        // Every programme is offered somewhere; the first schools guarantee it.
        if n < PROGRAMMES.len() && !offered.contains(&n) {
            offered.push(n);
        }
        if n % 3 == 0 && rng.random_bool(0.4) {
            offered.extend(
                general
                    .choose(rng)
                    .copied()
                    .filter(|g| !offered.contains(g)),
            );
        }
        county.organisations.push(organisation::Model {
            id,
            org_no: numbers.org_no(),
            name: format!("{place} videregående skole"),
            kind: OrganisationKind::School,
            school_number: Some(format!("03{:03}", 101 + n)),
            municipality_code: Some(OSLO.to_owned()),
            training_office_id: None,
            account_no: Some(numbers.account_no()),
        });
        for p in offered {
            county.schools_by_programme[p].push(id);
            let prog = &PROGRAMMES[p];
            let mut codes = vec![prog.vg1.0];
            for (vg2, _, vg3, _) in prog.tracks {
                codes.push(vg2);
                if !prog.vocational {
                    codes.push(vg3);
                }
            }
            let base_capacity = rng.random_range(2..=6) * 15;
            for year in school_year - 9..=school_year {
                for code in &codes {
                    let programme_area_id = county.area_id(code);
                    county.school_offers.push(school_offer::Model {
                        id: county.school_offers.len() as i32 + 1,
                        school_id: id,
                        programme_area_id,
                        intake_year: year,
                        capacity: base_capacity,
                    });
                }
            }
        }
    }

    let trades: Vec<i32> = county
        .programme_areas
        .iter()
        .filter(|a| a.level == "apprenticeship")
        .map(|a| a.id)
        .collect();

    // Training offices, each approved for a few trades.
    let mut offices = Vec::new();
    for n in 0..12 {
        let id = county.organisations.len() as i32 + 1;
        county.organisations.push(organisation::Model {
            id,
            org_no: numbers.org_no(),
            name: format!(
                "Opplæringskontoret {} {}",
                names::COMPANY_WORDS[n % names::COMPANY_WORDS.len()],
                n + 1
            ),
            kind: OrganisationKind::TrainingOffice,
            school_number: None,
            municipality_code: Some(OSLO.to_owned()),
            training_office_id: None,
            account_no: Some(numbers.account_no()),
        });
        let office_trades: Vec<i32> = trades.choose_multiple(rng, 3).copied().collect();
        offices.push((id, office_trades));
    }

    // Training companies; about four in ten are member companies of an office.
    for n in 0..320 {
        let id = county.organisations.len() as i32 + 1;
        let office = rng.random_bool(0.4).then(|| offices.choose(rng)).flatten();
        let company_trades: Vec<i32> = match office {
            Some((_, office_trades)) => vec![*office_trades.choose(rng).unwrap_or(&trades[0])],
            None => {
                let how_many = rng.random_range(1..=2);
                trades.choose_multiple(rng, how_many).copied().collect()
            }
        };
        let word = names::COMPANY_WORDS[n % names::COMPANY_WORDS.len()];
        let family = names::FAMILY.choose(rng).unwrap_or(&"Nordmann");
        county.organisations.push(organisation::Model {
            id,
            org_no: numbers.org_no(),
            name: format!("{family} {word} AS"),
            kind: OrganisationKind::Company,
            school_number: None,
            municipality_code: Some(if rng.random_bool(0.85) { OSLO } else { "3201" }.to_owned()),
            training_office_id: office.map(|(office_id, _)| *office_id),
            account_no: Some(numbers.account_no()),
        });
        for trade in company_trades {
            county.companies_by_trade.entry(trade).or_default().push(id);
            county.approved_trades.push(approved_trade::Model {
                id: county.approved_trades.len() as i32 + 1,
                organisation_id: id,
                programme_area_id: trade,
                approved_on: NaiveDate::from_ymd_opt(school_year - rng.random_range(1..15), 1, 15)
                    .unwrap_or_default(),
                positions: rng.random_range(1..=3),
            });
        }
        add_employee(&mut county, rng, id, "professional_supervisor");
    }
    for (office_id, office_trades) in &offices {
        for trade in office_trades {
            county.approved_trades.push(approved_trade::Model {
                id: county.approved_trades.len() as i32 + 1,
                organisation_id: *office_id,
                programme_area_id: *trade,
                approved_on: NaiveDate::from_ymd_opt(school_year - 10, 1, 15).unwrap_or_default(),
                positions: rng.random_range(2..=6),
            });
        }
    }
    // A trade without any approved company would leave its apprentices nowhere to go.
    for trade in &trades {
        if !county.companies_by_trade.contains_key(trade) {
            let company = county
                .organisations
                .iter()
                .filter(|o| o.kind == OrganisationKind::Company && o.training_office_id.is_none())
                .nth(*trade as usize)
                .map(|o| o.id)
                .unwrap_or(1);
            county.companies_by_trade.insert(*trade, vec![company]);
            county.approved_trades.push(approved_trade::Model {
                id: county.approved_trades.len() as i32 + 1,
                organisation_id: company,
                programme_area_id: *trade,
                approved_on: NaiveDate::from_ymd_opt(school_year - 5, 1, 15).unwrap_or_default(),
                positions: 2,
            });
        }
    }

    // One exam board per trade, with three members from approved companies.
    for trade in &trades {
        let board_id = county.exam_boards.len() as i32 + 1;
        let trade_name = county.programme_areas[(*trade - 1) as usize].name.clone();
        county.exam_boards.push(exam_board::Model {
            id: board_id,
            name: format!("Prøvenemnd for {}", trade_name.to_lowercase()),
            programme_area_id: *trade,
        });
        county.board_by_trade.insert(*trade, board_id);
        let companies = county
            .companies_by_trade
            .get(trade)
            .cloned()
            .unwrap_or_default();
        for _ in 0..3 {
            let employer = companies.choose(rng).copied().unwrap_or(1);
            let employee_id = add_employee(&mut county, rng, employer, "exam_board_member");
            county.exam_board_members.push(exam_board_member::Model {
                id: county.exam_board_members.len() as i32 + 1,
                exam_board_id: board_id,
                employee_id,
            });
        }
    }
    county
}

fn add_employee(
    county: &mut County,
    rng: &mut ChaCha8Rng,
    organisation_id: i32,
    role: &str,
) -> i32 {
    let id = county.employees.len() as i32 + 1;
    let given = if rng.random_bool(0.5) {
        names::FEMALE
    } else {
        names::MALE
    }
    .choose(rng)
    .unwrap_or(&"Kari");
    let family = names::FAMILY.choose(rng).unwrap_or(&"Nordmann");
    county.employees.push(employee::Model {
        id,
        organisation_id,
        given_name: (*given).to_owned(),
        family_name: (*family).to_owned(),
        email: Some(names::email(given, family, id)),
    });
    county.employee_roles.push(employee_role::Model {
        id: county.employee_roles.len() as i32 + 1,
        employee_id: id,
        role: role.to_owned(),
    });
    id
}
