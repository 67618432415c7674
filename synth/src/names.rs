//! Name and address material. Combinations are random, email domains are reserved for
//! examples (RFC 2606) and phone numbers use the unassigned `+47 0` range, so no generated
//! contact detail reaches a real person.

pub(crate) const FEMALE: &[&str] = &[
    "Nora", "Emma", "Olivia", "Ella", "Sofie", "Leah", "Frida", "Ingrid", "Maja", "Sara", "Astrid",
    "Amalie", "Hedda", "Thea", "Selma", "Tiril", "Ada", "Vilde", "Aurora", "Hanna", "Aisha",
    "Mariam", "Zofia", "Linnea", "Mathilde", "Iben", "Julie", "Eline", "Sigrid", "Karoline",
];

pub(crate) const MALE: &[&str] = &[
    "Jakob",
    "Emil",
    "Noah",
    "Oliver",
    "Filip",
    "William",
    "Lucas",
    "Liam",
    "Henrik",
    "Oskar",
    "Aksel",
    "Theodor",
    "Elias",
    "Kasper",
    "Magnus",
    "Johannes",
    "Isak",
    "Mohammed",
    "Ali",
    "Jonas",
    "Sander",
    "Tobias",
    "Adrian",
    "Mikkel",
    "Ludvig",
    "Sebastian",
    "Vetle",
    "Eirik",
    "Mateusz",
    "Kristian",
];

pub(crate) const FAMILY: &[&str] = &[
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Halvorsen",
    "Henriksen",
    "Lund",
    "Sørensen",
    "Jakobsen",
    "Moen",
    "Gundersen",
    "Iversen",
    "Strand",
    "Solberg",
    "Svendsen",
    "Eide",
    "Knutsen",
    "Martinsen",
    "Paulsen",
    "Bakken",
    "Kristoffersen",
    "Mathisen",
    "Lie",
    "Amundsen",
    "Nguyen",
    "Rasmussen",
    "Ali",
    "Lunde",
    "Solheim",
    "Berge",
    "Moe",
    "Nygård",
    "Bakke",
    "Kowalski",
    "Ahmed",
    "Hussain",
    "Khan",
    "Haugland",
];

pub(crate) const STREETS: &[&str] = &[
    "Prøvegata",
    "Eksempelveien",
    "Fiktivgata",
    "Syntesveien",
    "Modellgata",
    "Demobakken",
    "Testlia",
    "Øvelsesgata",
    "Utkastveien",
    "Skissegata",
    "Mønsterveien",
    "Kladdeveien",
    "Simulasjonsgata",
    "Prototypveien",
    "Attrappgata",
    "Variabelveien",
];

pub(crate) const COMPANY_WORDS: &[&str] = &[
    "Elektro",
    "Bygg",
    "Rør",
    "Bil",
    "Mekaniske",
    "Omsorg",
    "Barnehager",
    "Kjøkken",
    "IT",
    "Handel",
    "Frisør",
    "Data",
    "Industri",
    "Service",
    "Installasjon",
];

/// Postal codes and places in Oslo, and a few neighbouring municipalities (outside the
/// county's responsibility, which the residency check needs).
pub(crate) const OSLO_POSTAL: &[(&str, &str)] = &[
    ("0150", "OSLO"),
    ("0250", "OSLO"),
    ("0350", "OSLO"),
    ("0450", "OSLO"),
    ("0550", "OSLO"),
    ("0650", "OSLO"),
    ("0750", "OSLO"),
    ("0850", "OSLO"),
    ("0950", "OSLO"),
    ("1050", "OSLO"),
    ("1150", "OSLO"),
    ("1250", "OSLO"),
];
pub(crate) const ELSEWHERE: &[(&str, &str, &str)] = &[
    ("1337", "SANDVIKA", "3201"),
    ("2000", "LILLESTRØM", "3205"),
    ("1400", "SKI", "3207"),
];

pub(crate) const CITIZENSHIPS: &[&str] =
    &["SE", "PL", "SO", "SY", "LT", "PK", "DK", "ER", "AF", "VN"];

/// An address at a reserved example domain.
pub(crate) fn email(given: &str, family: &str, n: i32) -> String {
    let ascii = |s: &str| -> String {
        s.to_lowercase()
            .chars()
            .map(|c| match c {
                'æ' => 'e',
                'ø' => 'o',
                'å' => 'a',
                c if c.is_ascii_alphanumeric() => c,
                _ => '-',
            })
            .collect()
    };
    format!("{}.{}{}@example.org", ascii(given), ascii(family), n)
}
