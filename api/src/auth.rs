//! Authentication: JWTs in, [`Subject`]s out.
//!
//! Development tokens are HS256, signed with a secret from `VIGO_JWT_SECRET` or generated
//! once and kept beside the database. Claims follow Maskinporten's shape for organisations
//! (`consumer.ID = "0192:<orgno>"`) and ID-porten's for persons (`pid`).

use std::path::PathBuf;
use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};
use vigo_entities::ids::{NationalId, OrgNo};
use vigo_policy::{PolicyError, Purpose, Role, Subject};

/// Maskinporten's consumer claim: the organisation a machine token acts for.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Consumer {
    pub authority: String,
    #[serde(rename = "ID")]
    pub id: String,
}

/// The claims Vigo reads from a token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<Consumer>,
    /// ID-porten's person identifier: the national id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<String>,
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

/// Verifies tokens and turns their claims into subjects.
#[derive(Clone)]
pub struct Authenticator {
    decoding: DecodingKey,
    encoding: EncodingKey,
    validation: Validation,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authenticator { .. }")
    }
}

impl Authenticator {
    pub fn from_secret(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = 30;
        Authenticator {
            decoding: DecodingKey::from_secret(secret),
            encoding: EncodingKey::from_secret(secret),
            validation,
        }
    }

    /// Signs claims as a development token.
    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &self.encoding,
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
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => AuthError::Expired,
                jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                    AuthError::Invalid("the signature does not verify".into())
                }
                _ => AuthError::Invalid(e.to_string()),
            })?;
        subject_from_claims(&data.claims)
    }
}

/// Builds the subject a token's claims describe, validating every identifier in them.
pub fn subject_from_claims(claims: &Claims) -> Result<Subject, AuthError> {
    let role: Role = claims.role.parse().map_err(AuthError::NotPermitted)?;
    let purpose = match &claims.purpose {
        Some(p) => p.parse::<Purpose>().map_err(AuthError::NotPermitted)?,
        None => role.default_purpose(),
    };
    let org_claim = claims.org.clone().or_else(|| {
        claims
            .consumer
            .as_ref()
            .map(|c| c.id.strip_prefix("0192:").unwrap_or(&c.id).to_owned())
    });
    let org = org_claim
        .map(|o| OrgNo::parse(&o).map_err(|e| AuthError::Invalid(format!("org claim: {e}"))))
        .transpose()?;
    let person = claims
        .pid
        .as_deref()
        .map(|p| NationalId::parse(p).map_err(|e| AuthError::Invalid(format!("pid claim: {e}"))))
        .transpose()?;
    Subject::new(role, purpose, org, person, claims.sub.clone()).map_err(AuthError::NotPermitted)
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
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Claims {
        sub,
        exp: now + ttl.as_secs(),
        iat: Some(now),
        role: role.code().to_owned(),
        purpose: Some(purpose.code().to_owned()),
        org: None,
        consumer: org.map(|o| Consumer {
            authority: "iso6523-actorid-upis".to_owned(),
            id: format!("0192:{}", o.as_str()),
        }),
        pid: person.map(NationalId::as_string),
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
    fn unknown_role_and_foreign_purpose_are_not_permitted() {
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
        claims.purpose = Some("statistics".into());
        assert!(matches!(
            auth.authenticate(Some(&token(&auth, &claims))),
            Err(AuthError::NotPermitted(_))
        ));
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
