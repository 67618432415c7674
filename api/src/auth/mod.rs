//! Authentication: JWTs in, [`Subject`]s out.
//!
//! Production tokens are RS256 or ES256 from configured issuers ([`issuers`]), each checked
//! for its `iss`, an accepted `aud` and a lifetime within the issuer's maximum. Development
//! tokens are HS256 and accepted only where a development secret is configured. Claims follow
//! Maskinporten's shape for organisations (`consumer.ID = "0192:<orgno>"`, `scope`) and
//! ID-porten's for persons (`pid`).

pub mod issuers;

use std::path::PathBuf;
use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};
use vigo_entities::ids::{NationalId, OrgNo, ProgrammeAreaCode};
use vigo_policy::{PolicyError, Purpose, Role, Subject};

pub use issuers::{Issuer, IssuerSettings};

/// Maskinporten's consumer claim: the organisation a machine token acts for.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Consumer {
    pub authority: String,
    #[serde(rename = "ID")]
    pub id: String,
}

/// Maskinporten's and ID-porten's scheme for organisation numbers in `consumer`.
const CONSUMER_AUTHORITY: &str = "iso6523-actorid-upis";
/// The ISO 6523 code of Norwegian organisation numbers, before the number in `consumer.ID`.
const ORGNO_PREFIX: &str = "0192:";

/// Seconds a token's times may be off the server's clock.
pub const LEEWAY_SECONDS: u64 = 30;
/// Longest lifetime of a development token.
pub const MAX_DEVELOPMENT_LIFETIME: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The claims Vigo reads from a token.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Who the token names; Maskinporten's tokens name their client in `client_id` instead.
    #[serde(default)]
    pub sub: String,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// One audience or several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<serde_json::Value>,
    /// The role; for issuers that grant scopes instead, the role of the token's scope.
    #[serde(default)]
    pub role: String,
    /// Space-separated scopes (Maskinporten, ID-porten).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<Consumer>,
    /// ID-porten's person identifier: the national id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<String>,
    /// The trade (programme area code) an exam board assesses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade: Option<String>,
}

/// Why a request could not be authenticated or authorised to act at all.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("missing bearer token in the Authorization header")]
    Missing,
    #[error("invalid token: {0}")]
    Invalid(String),
    #[error("the token has expired")]
    Expired,
    /// The token is genuine, but its role or purpose gives no access (HTTP 403).
    #[error("{0}")]
    NotPermitted(PolicyError),
}

/// The HS256 keys of development tokens.
#[derive(Clone)]
struct Development {
    decoding: DecodingKey,
    encoding: EncodingKey,
}

/// Verifies tokens and turns their claims into subjects.
#[derive(Clone)]
pub struct Authenticator {
    /// Present only where a development secret is configured.
    development: Option<Development>,
    issuers: Vec<Issuer>,
    /// Seals page cursors; derived from a shared secret, so instances agree.
    cursor_key: crate::graphql::cursor::CursorKey,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authenticator { .. }")
    }
}

/// What a token's unverified payload says of its issuer, to choose the keys that verify it.
#[derive(Deserialize)]
struct Issued {
    #[serde(default)]
    iss: Option<String>,
}

impl Authenticator {
    /// Accepts development tokens signed with `secret`, and nothing else until issuers are
    /// added. Page cursors are sealed with a key derived from the same secret.
    pub fn from_secret(secret: &[u8]) -> Self {
        Authenticator {
            development: Some(Development {
                decoding: DecodingKey::from_secret(secret),
                encoding: EncodingKey::from_secret(secret),
            }),
            issuers: Vec::new(),
            cursor_key: crate::graphql::cursor::CursorKey::derive(secret),
        }
    }

    /// Accepts only the issuers' tokens (added with [`Authenticator::with_issuer`]); page
    /// cursors are sealed with a key derived from `cursor_secret`, which every instance must
    /// share.
    pub fn production(cursor_secret: &[u8]) -> Self {
        Authenticator {
            development: None,
            issuers: Vec::new(),
            cursor_key: crate::graphql::cursor::CursorKey::derive(cursor_secret),
        }
    }

    /// Seals page cursors with a key derived from `secret` rather than the development secret.
    pub fn with_cursor_secret(mut self, secret: &[u8]) -> Self {
        self.cursor_key = crate::graphql::cursor::CursorKey::derive(secret);
        self
    }

    /// Also accepts the tokens of `issuer`.
    pub fn with_issuer(mut self, issuer: Issuer) -> Self {
        self.issuers.push(issuer);
        self
    }

    /// Whether any token at all can be verified.
    pub fn accepts_any(&self) -> bool {
        self.development.is_some() || !self.issuers.is_empty()
    }

    /// The key page cursors are sealed with.
    pub fn cursor_key(&self) -> &crate::graphql::cursor::CursorKey {
        &self.cursor_key
    }

    /// Signs claims as a development token.
    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        let development = self
            .development
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("no development secret is configured"))?;
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &development.encoding,
        )?)
    }

    /// Verifies an `Authorization` header value and returns the subject it authenticates.
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<Subject, AuthError> {
        let token = authorization
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::Missing)?;
        let header = jsonwebtoken::decode_header(token).map_err(|e| malformed(token, &e))?;
        let mut validation;
        let key;
        let issuer = match header.alg {
            Algorithm::HS256 => {
                let development = self.development.as_ref().ok_or_else(|| {
                    AuthError::Invalid("development tokens are not accepted by this server".into())
                })?;
                validation = Validation::new(Algorithm::HS256);
                // Development tokens name no audience; one that does is not one of them.
                validation.validate_aud = false;
                key = development.decoding.clone();
                None
            }
            algorithm @ (Algorithm::RS256 | Algorithm::ES256) => {
                let issued = jsonwebtoken::dangerous::insecure_decode::<Issued>(token)
                    .map_err(|e| unreadable_claims(&e))?;
                let iss = issued.claims.iss.unwrap_or_default();
                let issuer = self.issuers.iter().find(|i| i.iss == iss).ok_or_else(|| {
                    AuthError::Invalid("the token's issuer is not trusted".into())
                })?;
                key = issuer
                    .key(algorithm, header.kid.as_deref())
                    .map_err(AuthError::Invalid)?
                    .key;
                validation = Validation::new(algorithm);
                validation.set_issuer(&[&issuer.iss]);
                validation.set_audience(&issuer.audiences);
                validation.set_required_spec_claims(&["exp", "iss", "aud"]);
                Some(issuer)
            }
            other => {
                return Err(AuthError::Invalid(format!(
                    "algorithm {other:?} is not accepted"
                )));
            }
        };
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                ErrorKind::InvalidSignature => {
                    AuthError::Invalid("the signature does not verify".into())
                }
                ErrorKind::InvalidAudience => {
                    AuthError::Invalid("the token is not meant for this service (aud)".into())
                }
                ErrorKind::InvalidIssuer => {
                    AuthError::Invalid("the token's issuer is not trusted".into())
                }
                ErrorKind::ImmatureSignature => {
                    AuthError::Invalid("the token is not valid yet (nbf)".into())
                }
                _ => unreadable_claims(&e),
            }
        })?;
        let mut claims = data.claims;
        let max_lifetime = issuer.map_or(MAX_DEVELOPMENT_LIFETIME, |i| i.max_lifetime);
        check_times(&claims, max_lifetime, now_seconds())?;
        if let Some(issuer) = issuer {
            if claims.sub.is_empty() {
                claims.sub = claims.client_id.clone().unwrap_or_default();
            }
            claims.role = issuer
                .role_of(&claims.role, claims.scope.as_deref())
                .map_err(AuthError::Invalid)?;
        }
        subject_from_claims(&claims)
    }
}

/// What is wrong with a token that is not a JWT at all, in words: a pasted fragment, a
/// token with its quotes, an `Authorization` header pasted whole, …
fn malformed(token: &str, error: &jsonwebtoken::errors::Error) -> AuthError {
    use jsonwebtoken::errors::ErrorKind;
    let parts = token.split('.').count();
    let what = if token.contains(char::is_whitespace) || token.starts_with(['"', '\'']) {
        "it contains spaces or quotes; send only the token after 'Bearer '".to_owned()
    } else if parts != 3 {
        format!(
            "a JWT has three parts separated by dots (header.payload.signature), this has {parts}; was it copied whole?"
        )
    } else {
        match error.kind() {
            ErrorKind::Base64(_) | ErrorKind::Utf8(_) => {
                "its header is not base64url-encoded; was it copied whole?".to_owned()
            }
            ErrorKind::Json(_) => "its header is not the JSON of a JWT header".to_owned(),
            _ => "it is not a JWT".to_owned(),
        }
    };
    AuthError::Invalid(format!("the bearer token is malformed: {what}"))
}

/// A token whose payload or signature cannot be read, or whose claims lack what Vigo needs.
fn unreadable_claims(error: &jsonwebtoken::errors::Error) -> AuthError {
    use jsonwebtoken::errors::ErrorKind;
    AuthError::Invalid(match error.kind() {
        ErrorKind::Base64(_) | ErrorKind::Utf8(_) | ErrorKind::InvalidToken => {
            "the bearer token is malformed: its payload or signature is not base64url-encoded; was it copied whole?".to_owned()
        }
        ErrorKind::Json(e) => format!("the token's claims are not what Vigo needs: {e}"),
        ErrorKind::MissingRequiredClaim(claim) => format!("the token has no '{claim}' claim"),
        ErrorKind::InvalidAlgorithm => {
            "the token's algorithm does not match its issuer's key".to_owned()
        }
        _ => format!("the token does not verify: {error}"),
    })
}

fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Refuses a token issued in the future (`iat`; `nbf` is checked by the verification), or
/// living longer than `max_lifetime` from its `iat` (else `nbf`, else now) to its `exp`.
fn check_times(claims: &Claims, max_lifetime: Duration, now: u64) -> Result<(), AuthError> {
    if claims.iat.is_some_and(|iat| iat > now + LEEWAY_SECONDS) {
        return Err(AuthError::Invalid(
            "the token is issued in the future (iat)".into(),
        ));
    }
    let start = claims.iat.or(claims.nbf).unwrap_or(now);
    let lifetime = claims.exp.saturating_sub(start);
    if lifetime > max_lifetime.as_secs() + LEEWAY_SECONDS {
        return Err(AuthError::Invalid(format!(
            "the token lives {} s, longer than the {} s accepted",
            lifetime,
            max_lifetime.as_secs()
        )));
    }
    Ok(())
}

/// Builds the subject a token's claims describe, validating every identifier in them: a
/// subject that names nobody, a `consumer` in another scheme or without the `0192:` prefix,
/// and an `org` that disagrees with `consumer.ID` are refused.
pub fn subject_from_claims(claims: &Claims) -> Result<Subject, AuthError> {
    if claims.sub.trim().is_empty() {
        return Err(AuthError::Invalid(
            "the token names no subject (sub)".into(),
        ));
    }
    let role: Role = claims.role.parse().map_err(AuthError::NotPermitted)?;
    let purpose = match &claims.purpose {
        Some(p) => p.parse::<Purpose>().map_err(AuthError::NotPermitted)?,
        None => role.default_purpose(),
    };
    let consumer_org = claims
        .consumer
        .as_ref()
        .map(|c| {
            if c.authority != CONSUMER_AUTHORITY {
                return Err(AuthError::Invalid(format!(
                    "consumer.authority must be {CONSUMER_AUTHORITY}"
                )));
            }
            c.id.strip_prefix(ORGNO_PREFIX)
                .map(str::to_owned)
                .ok_or_else(|| {
                    AuthError::Invalid(format!(
                        "consumer.ID must be {ORGNO_PREFIX}<organisation number>"
                    ))
                })
        })
        .transpose()?;
    let org_claim = match (&claims.org, consumer_org) {
        (Some(org), Some(consumer)) if *org != consumer => {
            return Err(AuthError::Invalid(
                "org and consumer.ID name different organisations".into(),
            ));
        }
        (Some(org), _) => Some(org.clone()),
        (None, consumer) => consumer,
    };
    let org = org_claim
        .map(|o| OrgNo::parse(&o).map_err(|e| AuthError::Invalid(format!("org claim: {e}"))))
        .transpose()?;
    let person = claims
        .pid
        .as_deref()
        .map(|p| NationalId::parse(p).map_err(|e| AuthError::Invalid(format!("pid claim: {e}"))))
        .transpose()?;
    let trade = claims
        .trade
        .as_deref()
        .map(|t| {
            ProgrammeAreaCode::parse(t).map_err(|e| AuthError::Invalid(format!("trade claim: {e}")))
        })
        .transpose()?;
    Subject::new(role, purpose, org, person, claims.sub.clone())
        .and_then(|s| s.with_trade(trade))
        .map_err(AuthError::NotPermitted)
}

/// Builds the claims of a development token.
pub fn development_claims(
    role: Role,
    purpose: Purpose,
    org: Option<&OrgNo>,
    person: Option<&NationalId>,
    sub: String,
    ttl: Duration,
) -> Claims {
    let now = now_seconds();
    Claims {
        sub,
        exp: now + ttl.as_secs(),
        iat: Some(now),
        role: role.code().to_owned(),
        purpose: Some(purpose.code().to_owned()),
        consumer: org.map(|o| Consumer {
            authority: CONSUMER_AUTHORITY.to_owned(),
            id: format!("{ORGNO_PREFIX}{}", o.as_str()),
        }),
        pid: person.map(NationalId::as_string),
        ..Claims::default()
    }
}

/// Where the generated development secret is kept: beside an SQLite database file, or in
/// the working directory for other databases.
fn secret_path(database_url: &str) -> PathBuf {
    let file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|path| !path.is_empty() && !path.starts_with(":memory:"));
    match file {
        Some(path) => PathBuf::from(format!("{path}.jwt-secret")),
        None => PathBuf::from("vigo.jwt-secret"),
    }
}

/// The development signing secret: the explicit one, or the one kept beside the database,
/// generated on first use.
pub fn signing_secret(explicit: Option<&str>, database_url: &str) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = explicit {
        anyhow::ensure!(
            secret.len() >= 32,
            "VIGO_JWT_SECRET must be at least 32 characters"
        );
        return Ok(secret.as_bytes().to_vec());
    }
    let path = secret_path(database_url);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        anyhow::ensure!(
            existing.len() >= 32,
            "the secret in {} is too short",
            path.display()
        );
        return Ok(existing.as_bytes().to_vec());
    }
    let mut bytes = [0u8; 32];
    rand::rngs::StdRng::from_os_rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut file) => {
            std::io::Write::write_all(&mut file, secret.as_bytes())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            Ok(secret.into_bytes())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(std::fs::read_to_string(&path)?.trim().as_bytes().to_vec())
        }
        Err(e) => anyhow::bail!("cannot create {}: {e}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn token(auth: &Authenticator, claims: &Claims) -> String {
        format!("Bearer {}", auth.sign(claims).unwrap())
    }

    #[test]
    fn round_trip_of_an_organisation_token() {
        let auth = Authenticator::from_secret(SECRET);
        let org = OrgNo::parse("974760673").unwrap();
        let claims = development_claims(
            Role::School,
            Purpose::Administration,
            Some(&org),
            None,
            "s1".into(),
            Duration::from_secs(60),
        );
        let subject = auth.authenticate(Some(&token(&auth, &claims))).unwrap();
        assert_eq!(subject.role, Role::School);
        assert_eq!(subject.org, Some(org));
    }

    #[test]
    fn rejects_missing_expired_and_foreign_tokens() {
        let auth = Authenticator::from_secret(SECRET);
        assert!(matches!(auth.authenticate(None), Err(AuthError::Missing)));
        assert!(matches!(
            auth.authenticate(Some("Basic abc")),
            Err(AuthError::Missing)
        ));
        assert!(matches!(
            auth.authenticate(Some("Bearer not.a.jwt")),
            Err(AuthError::Invalid(_))
        ));
        let mut claims = development_claims(
            Role::Caseworker,
            Purpose::Administration,
            None,
            None,
            "c".into(),
            Duration::from_secs(60),
        );
        claims.exp -= 3600;
        assert!(matches!(
            auth.authenticate(Some(&token(&auth, &claims))),
            Err(AuthError::Expired)
        ));
        let other = Authenticator::from_secret(b"another-secret-another-secret-xx");
        let claims = development_claims(
            Role::Caseworker,
            Purpose::Administration,
            None,
            None,
            "c".into(),
            Duration::from_secs(60),
        );
        assert!(matches!(
            auth.authenticate(Some(&token(&other, &claims))),
            Err(AuthError::Invalid(_))
        ));
    }

    #[test]
    fn unknown_role_and_purpose_are_not_permitted() {
        let auth = Authenticator::from_secret(SECRET);
        let mut claims = development_claims(
            Role::Caseworker,
            Purpose::Administration,
            None,
            None,
            "c".into(),
            Duration::from_secs(60),
        );
        claims.role = "janitor".into();
        assert!(matches!(
            auth.authenticate(Some(&token(&auth, &claims))),
            Err(AuthError::NotPermitted(_))
        ));
        claims.role = "caseworker".into();
        claims.purpose = Some("gossip".into());
        assert!(matches!(
            auth.authenticate(Some(&token(&auth, &claims))),
            Err(AuthError::NotPermitted(_))
        ));
    }

    /// Key pairs made for these tests only; the JWKS holds their public halves.
    const EC_KEY: &str = include_str!("../../tests/fixtures/es256-test-key.pem");
    const RSA_KEY: &str = include_str!("../../tests/fixtures/rs256-test-key.pem");
    const TEST_JWKS: &str = include_str!("../../tests/fixtures/jwks.json");
    const ISS: &str = "https://issuer.test/";
    const AUD: &str = "https://vigo.test/api";

    /// Both key pairs: (algorithm, key id, signing key).
    fn key_pairs() -> Vec<(Algorithm, &'static str, EncodingKey)> {
        vec![
            (
                Algorithm::ES256,
                "test-issuer-1",
                EncodingKey::from_ec_pem(EC_KEY.as_bytes()).unwrap(),
            ),
            (
                Algorithm::RS256,
                "test-issuer-rsa",
                EncodingKey::from_rsa_pem(RSA_KEY.as_bytes()).unwrap(),
            ),
        ]
    }

    fn settings() -> IssuerSettings {
        IssuerSettings {
            iss: ISS.into(),
            audiences: vec![AUD.into(), "other-audience".into()],
            jwks_file: None,
            jwks_url: None,
            max_lifetime: Some(Duration::from_secs(120)),
            refresh: None,
            scopes: [
                ("vigo:lanekassen".to_owned(), "lanekassen".to_owned()),
                ("vigo:ssb".to_owned(), "ssb".to_owned()),
            ]
            .into(),
            role: None,
            roles: vec!["lanekassen".into(), "ssb".into()],
        }
    }

    const IDPORTEN: &str = "https://idporten.test";

    /// An ID-porten-like issuer: persons, whose tokens carry no role.
    fn idporten() -> IssuerSettings {
        IssuerSettings {
            iss: IDPORTEN.into(),
            audiences: vec![AUD.into(), " ".into()],
            scopes: Default::default(),
            role: Some("student".into()),
            roles: Vec::new(),
            ..settings()
        }
    }

    /// A server with the test issuers and no development secret.
    fn production() -> Authenticator {
        Authenticator::production(SECRET)
            .with_issuer(Issuer::with_jwks(settings(), TEST_JWKS).unwrap())
            .with_issuer(Issuer::with_jwks(idporten(), TEST_JWKS).unwrap())
    }

    /// A Maskinporten token as it arrives: `iss`, `aud`, `scope`, `consumer`, `client_id`,
    /// two minutes long.
    fn maskinporten_claims() -> Claims {
        let now = now_seconds();
        Claims {
            exp: now + 120,
            iat: Some(now),
            iss: Some(ISS.into()),
            aud: Some(serde_json::json!(AUD)),
            scope: Some("vigo:lanekassen".into()),
            client_id: Some("a1b2c3-client".into()),
            consumer: Some(Consumer {
                authority: CONSUMER_AUTHORITY.into(),
                id: "0192:974760673".into(),
            }),
            ..Claims::default()
        }
    }

    fn issued(
        algorithm: Algorithm,
        kid: Option<&str>,
        key: &EncodingKey,
        claims: &Claims,
    ) -> String {
        let mut header = Header::new(algorithm);
        header.kid = kid.map(str::to_owned);
        format!(
            "Bearer {}",
            jsonwebtoken::encode(&header, claims, key).unwrap()
        )
    }

    fn refused(auth: &Authenticator, token: &str) -> String {
        match auth.authenticate(Some(token)) {
            Ok(subject) => panic!("accepted as {subject:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn maskinporten_and_id_porten_tokens_are_accepted_with_either_key() {
        let auth = production();
        for (algorithm, kid, key) in key_pairs() {
            let claims = maskinporten_claims();
            let subject = auth
                .authenticate(Some(&issued(algorithm, Some(kid), &key, &claims)))
                .unwrap();
            assert_eq!(subject.role, Role::Lanekassen, "{algorithm:?}");
            assert_eq!(subject.org, Some(OrgNo::parse("974760673").unwrap()));
            assert_eq!(subject.sub, "a1b2c3-client", "client_id names the client");
            // No kid: the one key of the algorithm.
            assert!(
                auth.authenticate(Some(&issued(algorithm, None, &key, &claims)))
                    .is_ok()
            );
            // An audience among several, as an array.
            let mut several = claims.clone();
            several.aud = Some(serde_json::json!(["someone-else", AUD]));
            assert!(
                auth.authenticate(Some(&issued(algorithm, Some(kid), &key, &several)))
                    .is_ok()
            );
            // ID-porten: a person's token with `pid` and a pairwise `sub`, no role claim.
            let person = Claims {
                iss: Some(IDPORTEN.into()),
                sub: "pairwise-subject".into(),
                pid: Some("30108299920".into()),
                consumer: None,
                scope: Some("openid".into()),
                ..claims.clone()
            };
            let subject = auth
                .authenticate(Some(&issued(algorithm, Some(kid), &key, &person)))
                .unwrap();
            assert_eq!(subject.role, Role::Student);
            assert_eq!(
                subject.person,
                Some(NationalId::parse("30108299920").unwrap())
            );
            // A role the issuer does not grant is refused, claimed or scoped.
            let claimed = Claims {
                role: "privacy_officer".into(),
                ..person.clone()
            };
            let scoped = Claims {
                role: "caseworker".into(),
                ..claims.clone()
            };
            for wrong in [claimed, scoped] {
                let message = refused(&auth, &issued(algorithm, Some(kid), &key, &wrong));
                assert!(message.contains("disagrees"), "{message}");
            }
        }
    }

    /// A change to a token's claims.
    type Change = Box<dyn Fn(&mut Claims)>;

    #[test]
    fn issuer_tokens_are_refused_unless_every_claim_holds() {
        let auth = production();
        let now = now_seconds();
        let cases: Vec<(&str, Change, &str)> = vec![
            (
                "another issuer",
                Box::new(|c| c.iss = Some("https://evil.test/".into())),
                "issuer",
            ),
            ("no issuer", Box::new(|c| c.iss = None), "issuer"),
            (
                "another audience",
                Box::new(|c| c.aud = Some(serde_json::json!("https://elsewhere/"))),
                "aud",
            ),
            ("no audience", Box::new(|c| c.aud = None), "aud"),
            (
                "expired",
                Box::new(move |c| {
                    c.iat = Some(now - 300);
                    c.exp = now - 200
                }),
                "expired",
            ),
            (
                "not valid yet",
                Box::new(move |c| {
                    c.nbf = Some(now + 600);
                    c.exp = now + 700;
                    c.iat = None
                }),
                "nbf",
            ),
            (
                "issued in the future",
                Box::new(move |c| {
                    c.iat = Some(now + 600);
                    c.exp = now + 700
                }),
                "iat",
            ),
            ("too long", Box::new(move |c| c.exp = now + 3600), "longer"),
            (
                "too long without iat",
                Box::new(move |c| {
                    c.iat = None;
                    c.exp = now + 3600
                }),
                "longer",
            ),
            (
                "empty sub and client",
                Box::new(|c| {
                    c.sub = String::new();
                    c.client_id = Some(" ".into())
                }),
                "subject",
            ),
            (
                "no role, no scope",
                Box::new(|c| c.scope = Some("openid".into())),
                "role",
            ),
            (
                "two roles by scope",
                Box::new(|c| c.scope = Some("vigo:lanekassen vigo:ssb".into())),
                "more than one role",
            ),
            (
                "org disagrees",
                Box::new(|c| c.org = Some("971524960".into())),
                "different",
            ),
            (
                "no 0192 prefix",
                Box::new(|c| {
                    c.consumer = Some(Consumer {
                        authority: CONSUMER_AUTHORITY.into(),
                        id: "974760673".into(),
                    })
                }),
                "0192",
            ),
            (
                "another scheme",
                Box::new(|c| {
                    c.consumer = Some(Consumer {
                        authority: "other".into(),
                        id: "0192:974760673".into(),
                    })
                }),
                "authority",
            ),
        ];
        for (algorithm, kid, key) in key_pairs() {
            for (case, change, expected) in &cases {
                let mut claims = maskinporten_claims();
                change(&mut claims);
                let message = refused(&auth, &issued(algorithm, Some(kid), &key, &claims));
                assert!(
                    message.contains(expected),
                    "{algorithm:?} {case}: {message}"
                );
            }
            // A key the issuer does not hold.
            let message = refused(
                &auth,
                &issued(
                    algorithm,
                    Some("rotated-away"),
                    &key,
                    &maskinporten_claims(),
                ),
            );
            assert!(message.contains("key"), "{message}");
        }
        // The ES256 key cannot sign as the RSA key's id, nor the reverse.
        let pairs = key_pairs();
        let message = refused(
            &auth,
            &issued(
                Algorithm::ES256,
                Some("test-issuer-rsa"),
                &pairs[0].2,
                &maskinporten_claims(),
            ),
        );
        assert!(message.contains("key"), "{message}");
    }

    #[test]
    fn development_tokens_need_a_configured_secret() {
        let development = Authenticator::from_secret(SECRET);
        let claims = development_claims(
            Role::Caseworker,
            Purpose::Administration,
            None,
            None,
            "c".into(),
            Duration::from_secs(60),
        );
        let signed = token(&development, &claims);
        assert!(development.authenticate(Some(&signed)).is_ok());
        let message = refused(&production(), &signed);
        assert!(
            message.contains("development tokens are not accepted"),
            "{message}"
        );
        assert!(production().sign(&claims).is_err());
        // Issuer tokens are refused where no issuer is configured.
        for (algorithm, kid, key) in key_pairs() {
            let message = refused(
                &development,
                &issued(algorithm, Some(kid), &key, &maskinporten_claims()),
            );
            assert!(message.contains("issuer"), "{message}");
        }
        // A development token longer than a week, or with an empty subject, is refused.
        let mut long = claims.clone();
        long.exp = now_seconds() + 30 * 24 * 3600;
        assert!(refused(&development, &token(&development, &long)).contains("longer"));
        let mut nobody = claims;
        nobody.sub = String::new();
        assert!(refused(&development, &token(&development, &nobody)).contains("subject"));
    }

    #[tokio::test]
    async fn keys_from_a_url_are_fetched_again_when_the_issuer_rotates_them() {
        use std::sync::{Arc, Mutex};
        let ec_only = r#"{"keys":[KEY]}"#.replace(
            "KEY",
            &serde_json::to_string(
                &serde_json::from_str::<serde_json::Value>(TEST_JWKS).unwrap()["keys"][0],
            )
            .unwrap(),
        );
        let served = Arc::new(Mutex::new(ec_only));
        let state = served.clone();
        let app = axum::Router::new().route(
            "/jwks",
            axum::routing::get(move || {
                let state = state.clone();
                async move { state.lock().unwrap().clone() }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let mut settings = settings();
        settings.jwks_url = Some(format!("http://{address}/jwks"));
        let auth =
            Authenticator::production(SECRET).with_issuer(Issuer::start(settings).await.unwrap());
        let pairs = key_pairs();
        let (ec, rsa) = (&pairs[0], &pairs[1]);
        let claims = maskinporten_claims();
        assert!(
            auth.authenticate(Some(&issued(ec.0, Some(ec.1), &ec.2, &claims)))
                .is_ok()
        );
        // The issuer adds its RSA key: the first token naming it is refused and wakes a fetch,
        // after which it verifies.
        *served.lock().unwrap() = TEST_JWKS.to_owned();
        let rsa_token = issued(rsa.0, Some(rsa.1), &rsa.2, &claims);
        assert!(auth.authenticate(Some(&rsa_token)).is_err());
        let mut accepted = false;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if auth.authenticate(Some(&rsa_token)).is_ok() {
                accepted = true;
                break;
            }
        }
        assert!(accepted, "the rotated key was fetched");
        // Keys are fetched only over https, but on the loopback interface.
        let mut plain = settings_with_url("http://issuer.test/jwks");
        assert!(Issuer::start(plain.clone()).await.is_err());
        plain.jwks_url = Some("https://127.0.0.1:1/jwks".into());
        let unreachable = Issuer::start(plain).await.unwrap_err().to_string();
        assert!(unreachable.contains("cannot fetch"), "{unreachable}");
    }

    fn settings_with_url(url: &str) -> IssuerSettings {
        IssuerSettings {
            jwks_url: Some(url.into()),
            ..settings()
        }
    }

    #[test]
    fn bad_issuer_settings_are_refused() {
        assert!(
            issuers::read_issuers_file(std::path::Path::new("/nonexistent/issuers.toml")).is_err()
        );
        let dir = std::env::temp_dir().join(format!("vigo-issuers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("issuers.toml");
        std::fs::write(
            &file,
            "[[issuer]]\niss = \"x\"\naudiences = [\"a\"]\nmax_lifetime = \"2 fortnights\"\n",
        )
        .unwrap();
        assert!(
            issuers::read_issuers_file(&file)
                .unwrap_err()
                .to_string()
                .contains("fortnights")
        );
        std::fs::write(&file, "[[issuer]]\niss = \"https://maskinporten.no/\"\naudiences = [\"https://vigo.example/\"]\njwks_file = \"keys.json\"\nmax_lifetime = \"2m\"\n[issuer.scopes]\n\"vigo:lanekassen\" = \"lanekassen\"\n").unwrap();
        let read = issuers::read_issuers_file(&file).unwrap();
        assert_eq!(read[0].max_lifetime, Some(Duration::from_secs(120)));
        assert_eq!(read[0].scopes["vigo:lanekassen"], "lanekassen");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_jwks_documents_are_refused() {
        assert!(Issuer::with_jwks(settings(), "{}").is_err());
        assert!(Issuer::with_jwks(settings(), r#"{"keys":[]}"#).is_err());
        assert!(
            Issuer::with_jwks(settings(), r#"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#).is_err()
        );
    }

    #[test]
    fn pid_claims_become_the_persons_subject() {
        let auth = Authenticator::from_secret(SECRET);
        let person = NationalId::parse("30108299920").unwrap();
        let claims = development_claims(
            Role::Student,
            Purpose::SelfService,
            None,
            Some(&person),
            "idporten".into(),
            Duration::from_secs(60),
        );
        let subject = auth.authenticate(Some(&token(&auth, &claims))).unwrap();
        assert_eq!(subject.person, Some(person));
    }

    #[test]
    fn secret_is_kept_beside_an_sqlite_file() {
        assert_eq!(
            secret_path("sqlite://data/vigo.db?mode=rwc"),
            PathBuf::from("data/vigo.db.jwt-secret")
        );
        assert_eq!(
            secret_path("postgres://x@y/z"),
            PathBuf::from("vigo.jwt-secret")
        );
        assert_eq!(
            secret_path("sqlite::memory:"),
            PathBuf::from("vigo.jwt-secret")
        );
    }
}
