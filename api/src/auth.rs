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
use vigo_entities::ids::{NationalId, OrgNo, ProgrammeAreaCode};
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

/// Verifies tokens and turns their claims into subjects.
#[derive(Clone)]
pub struct Authenticator {
    decoding: DecodingKey,
    encoding: EncodingKey,
    validation: Validation,
    /// Production issuers' public keys: key id, algorithm and key.
    issuers: Vec<(Option<String>, Algorithm, DecodingKey)>,
    /// Seals page cursors; derived from the same secret, so instances agree.
    cursor_key: crate::graphql::cursor::CursorKey,
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
            issuers: Vec::new(),
            cursor_key: crate::graphql::cursor::CursorKey::derive(secret),
        }
    }

    /// The key page cursors are sealed with.
    pub fn cursor_key(&self) -> &crate::graphql::cursor::CursorKey {
        &self.cursor_key
    }

    /// Also accepts RS256 and ES256 tokens signed by a key of the JWKS file.
    pub fn with_jwks_file(self, path: &std::path::Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the JWKS file {}: {e}", path.display()))?;
        self.with_jwks(&text)
            .map_err(|e| anyhow::anyhow!("the JWKS file {}: {e}", path.display()))
    }

    /// Also accepts RS256 and ES256 tokens signed by a key of the JWKS document.
    pub fn with_jwks(mut self, jwks: &str) -> anyhow::Result<Self> {
        use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
        let set: JwkSet =
            serde_json::from_str(jwks).map_err(|e| anyhow::anyhow!("not a JWKS document: {e}"))?;
        for jwk in &set.keys {
            let algorithm = match (&jwk.algorithm, jwk.common.key_algorithm) {
                (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Algorithm::RS256,
                (AlgorithmParameters::EllipticCurve(ec), None | Some(KeyAlgorithm::ES256))
                    if ec.curve == EllipticCurve::P256 =>
                {
                    Algorithm::ES256
                }
                _ => anyhow::bail!(
                    "key {:?}: only RS256 (RSA) and ES256 (P-256) keys are accepted",
                    jwk.common.key_id
                ),
            };
            let key = DecodingKey::from_jwk(jwk)
                .map_err(|e| anyhow::anyhow!("key {:?}: {e}", jwk.common.key_id))?;
            self.issuers
                .push((jwk.common.key_id.clone(), algorithm, key));
        }
        anyhow::ensure!(!self.issuers.is_empty(), "the JWKS document holds no keys");
        Ok(self)
    }

    /// The key that verifies a token with this header: the development secret for HS256,
    /// an issuer's key (by key id) for RS256 and ES256; nothing else is accepted.
    fn key_for(&self, header: &Header) -> Result<(&DecodingKey, Algorithm), AuthError> {
        match header.alg {
            Algorithm::HS256 => Ok((&self.decoding, Algorithm::HS256)),
            alg @ (Algorithm::RS256 | Algorithm::ES256) => {
                let candidates: Vec<_> = self
                    .issuers
                    .iter()
                    .filter(|(kid, key_alg, _)| {
                        *key_alg == alg && (header.kid.is_none() || *kid == header.kid)
                    })
                    .collect();
                match candidates.as_slice() {
                    [(_, _, key)] => Ok((key, alg)),
                    [] => Err(AuthError::Invalid(
                        "no trusted key matches the token's key id".into(),
                    )),
                    _ => Err(AuthError::Invalid(
                        "the token names no key id and several keys match".into(),
                    )),
                }
            }
            other => Err(AuthError::Invalid(format!(
                "algorithm {other:?} is not accepted"
            ))),
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
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| AuthError::Invalid(e.to_string()))?;
        let (key, algorithm) = self.key_for(&header)?;
        let mut validation = self.validation.clone();
        validation.algorithms = vec![algorithm];
        let data = jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|e| match e
            .kind()
        {
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
        trade: None,
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

    /// A key pair made for these tests only; the JWKS holds its public half.
    const TEST_ISSUER_KEY: &str = include_str!("../tests/fixtures/es256-test-key.pem");
    const TEST_JWKS: &str = include_str!("../tests/fixtures/jwks.json");

    fn issuer_token(kid: Option<&str>, claims: &Claims) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = kid.map(str::to_owned);
        let key = EncodingKey::from_ec_pem(TEST_ISSUER_KEY.as_bytes()).unwrap();
        format!(
            "Bearer {}",
            jsonwebtoken::encode(&header, claims, &key).unwrap()
        )
    }

    #[test]
    fn production_tokens_verify_against_the_jwks() {
        let auth = Authenticator::from_secret(SECRET)
            .with_jwks(TEST_JWKS)
            .unwrap();
        let org = OrgNo::parse("974760673").unwrap();
        let claims = development_claims(
            Role::Lanekassen,
            Purpose::LoanAdministration,
            Some(&org),
            None,
            "mp".into(),
            Duration::from_secs(60),
        );
        let subject = auth
            .authenticate(Some(&issuer_token(Some("test-issuer-1"), &claims)))
            .unwrap();
        assert_eq!((subject.role, subject.org), (Role::Lanekassen, Some(org)));
        assert!(
            auth.authenticate(Some(&issuer_token(None, &claims)))
                .is_ok(),
            "one key: no kid needed"
        );
        assert!(matches!(
            auth.authenticate(Some(&issuer_token(Some("other"), &claims))),
            Err(AuthError::Invalid(_))
        ));
        // Without the JWKS, the same token is refused.
        let plain = Authenticator::from_secret(SECRET);
        assert!(matches!(
            plain.authenticate(Some(&issuer_token(Some("test-issuer-1"), &claims))),
            Err(AuthError::Invalid(_))
        ));
        // A token signed with the HS256 secret but claiming ES256 does not verify.
        let mut forged = token(&auth, &claims);
        forged = forged.replacen(
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9",
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9",
            1,
        );
        assert!(auth.authenticate(Some(&forged)).is_err());
    }

    #[test]
    fn bad_jwks_documents_are_refused() {
        assert!(Authenticator::from_secret(SECRET).with_jwks("{}").is_err());
        assert!(
            Authenticator::from_secret(SECRET)
                .with_jwks(r#"{"keys":[]}"#)
                .is_err()
        );
        assert!(
            Authenticator::from_secret(SECRET)
                .with_jwks(r#"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#)
                .is_err()
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
