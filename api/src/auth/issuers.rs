//! Production token issuers (Maskinporten, ID-porten, a county's own identity provider):
//! each with its `iss`, the audiences Vigo accepts from it, the longest lifetime it may give
//! a token, and its signing keys from a JWKS file or URL. Keys from a URL are kept in memory
//! and fetched again at an interval, and soon after a token names a key not yet known (the
//! issuer has rotated its keys); a failed fetch keeps the keys held.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use tokio::sync::Notify;

/// Longest lifetime an issuer's token may have unless its settings say otherwise.
pub const DEFAULT_MAX_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// How often keys from a URL are fetched again unless the settings say otherwise.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(10 * 60);
/// Shortest time between two fetches of an issuer's keys, however many tokens name unknown
/// keys.
const MIN_REFETCH: Duration = Duration::from_secs(30);

/// One issuer's settings, as an `[[issuer]]` table of the issuers file (`VIGO_ISSUERS`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerSettings {
    /// The `iss` its tokens carry, exactly.
    pub iss: String,
    /// `aud` values Vigo accepts; a token must name one of them.
    pub audiences: Vec<String>,
    /// A JWKS document on disk.
    #[serde(default)]
    pub jwks_file: Option<PathBuf>,
    /// A JWKS document fetched over HTTPS (HTTP only on the loopback interface).
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// Longest lifetime (from `iat`, else `nbf`, to `exp`) accepted, e.g. `2m`, `1h`.
    #[serde(default, with = "duration")]
    pub max_lifetime: Option<Duration>,
    /// How often keys from `jwks_url` are fetched again, e.g. `10m`.
    #[serde(default, with = "duration")]
    pub refresh: Option<Duration>,
    /// Roles by scope (Maskinporten grants scopes): `"vigo:lanekassen" = "lanekassen"`.
    /// When set, a token's role is its scope's, and a `role` claim must agree.
    #[serde(default)]
    pub scopes: BTreeMap<String, String>,
    /// The one role of every token this issuer signs (ID-porten: `student`); a `role`
    /// claim must agree.
    #[serde(default)]
    pub role: Option<String>,
    /// The roles this issuer may grant at all; any when empty.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// The issuers file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IssuersFile {
    #[serde(default)]
    issuer: Vec<IssuerSettings>,
}

/// Reads the issuers file (TOML, one `[[issuer]]` table each).
pub fn read_issuers_file(path: &Path) -> anyhow::Result<Vec<IssuerSettings>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the issuers file {}: {e}", path.display()))?;
    let file: IssuersFile = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("the issuers file {}: {e}", path.display()))?;
    anyhow::ensure!(
        !file.issuer.is_empty(),
        "the issuers file {} names no [[issuer]]",
        path.display()
    );
    Ok(file.issuer)
}

mod duration {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text)
            .map(Some)
            .map_err(|e| serde::de::Error::custom(format!("{text:?}: {e}")))
    }
}

/// One verification key: its id, algorithm and public key.
#[derive(Clone)]
pub(super) struct Key {
    pub kid: Option<String>,
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

/// A trusted issuer with the keys it signs with.
#[derive(Clone)]
pub struct Issuer {
    pub(super) iss: String,
    pub(super) audiences: Vec<String>,
    pub(super) max_lifetime: Duration,
    pub(super) scopes: BTreeMap<String, String>,
    pub(super) role: Option<String>,
    pub(super) roles: Vec<String>,
    keys: Arc<RwLock<Vec<Key>>>,
    /// Wakes the refresher of keys fetched from a URL.
    refetch: Option<Arc<Notify>>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer").field("iss", &self.iss).finish()
    }
}

impl Issuer {
    /// Sets up an issuer: checks its settings and loads its keys (a URL is fetched now, and
    /// again in the background). Fails when the keys cannot be had: a server that cannot
    /// verify its callers' tokens does not start.
    pub async fn start(settings: IssuerSettings) -> anyhow::Result<Issuer> {
        let settings = settings.checked()?;
        let name = settings.iss.clone();
        let issuer = |keys: Vec<Key>, refetch| Issuer::new(settings.clone(), keys, refetch);
        match (&settings.jwks_file, &settings.jwks_url) {
            (Some(path), None) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    anyhow::anyhow!("issuer {name}: cannot read {}: {e}", path.display())
                })?;
                let keys = parse_jwks(&text)
                    .map_err(|e| anyhow::anyhow!("issuer {name}: {}: {e}", path.display()))?;
                Ok(issuer(keys, None))
            }
            (None, Some(url)) => {
                let url = checked_url(url).map_err(|e| anyhow::anyhow!("issuer {name}: {e}"))?;
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .redirect(reqwest::redirect::Policy::none())
                    .build()?;
                let keys = fetch(&client, &url)
                    .await
                    .map_err(|e| anyhow::anyhow!("issuer {name}: {e}"))?;
                let notify = Arc::new(Notify::new());
                let started = issuer(keys, Some(notify.clone()));
                let refresh = settings.refresh.unwrap_or(DEFAULT_REFRESH).max(MIN_REFETCH);
                tokio::spawn(refresh_keys(
                    name,
                    client,
                    url,
                    Arc::downgrade(&started.keys),
                    notify,
                    refresh,
                ));
                Ok(started)
            }
            _ => anyhow::bail!("issuer {name}: give exactly one of `jwks_file` and `jwks_url`"),
        }
    }

    /// An issuer whose keys are the given JWKS document, for tests and fixed keys.
    pub fn with_jwks(settings: IssuerSettings, jwks: &str) -> anyhow::Result<Issuer> {
        Ok(Issuer::new(settings.checked()?, parse_jwks(jwks)?, None))
    }

    fn new(settings: IssuerSettings, keys: Vec<Key>, refetch: Option<Arc<Notify>>) -> Issuer {
        Issuer {
            iss: settings.iss,
            audiences: settings.audiences,
            max_lifetime: settings.max_lifetime.unwrap_or(DEFAULT_MAX_LIFETIME),
            scopes: settings.scopes,
            role: settings.role,
            roles: settings.roles,
            keys: Arc::new(RwLock::new(keys)),
            refetch,
        }
    }

    /// The role a verified token of this issuer acts in: the issuer's one role, else the
    /// role its scopes map to, else its `role` claim; a claim that disagrees with the
    /// issuer's, or a role the issuer may not grant, is refused.
    pub(super) fn role_of(&self, claim: &str, scope: Option<&str>) -> Result<String, String> {
        let granted = match (&self.role, self.scopes.is_empty()) {
            (Some(role), _) => role.clone(),
            (None, false) => {
                let mut roles: Vec<&String> = scope
                    .unwrap_or_default()
                    .split_whitespace()
                    .filter_map(|s| self.scopes.get(s))
                    .collect();
                roles.sort();
                roles.dedup();
                match roles.as_slice() {
                    [role] => (*role).clone(),
                    [] => return Err("none of the token's scopes grants a role".into()),
                    _ => return Err("the token's scopes grant more than one role".into()),
                }
            }
            (None, true) if !claim.is_empty() => claim.to_owned(),
            (None, true) => return Err("the token has no role".into()),
        };
        if !claim.is_empty() && claim != granted {
            return Err("the token's role claim disagrees with what its issuer grants".into());
        }
        if !self.roles.is_empty() && !self.roles.contains(&granted) {
            return Err(format!("its issuer may not grant the role {granted}"));
        }
        Ok(granted)
    }

    /// The key that verifies a token with this algorithm and key id. When none does, keys
    /// from a URL are fetched again soon: the issuer may have rotated them.
    pub(super) fn key(&self, algorithm: Algorithm, kid: Option<&str>) -> Result<Key, String> {
        let keys = self
            .keys
            .read()
            .map_err(|_| "the issuer's keys are unavailable")?;
        let candidates: Vec<&Key> = keys
            .iter()
            .filter(|k| k.algorithm == algorithm && (kid.is_none() || k.kid.as_deref() == kid))
            .collect();
        match candidates.as_slice() {
            [key] => Ok((*key).clone()),
            [] => {
                if let Some(refetch) = &self.refetch {
                    refetch.notify_one();
                }
                Err("no trusted key matches the token's key id".into())
            }
            _ => Err("the token names no key id and several keys match".into()),
        }
    }
}

impl IssuerSettings {
    /// The settings with empty audiences dropped, refused when they name no issuer, no
    /// audience, or both a fixed role and roles by scope.
    fn checked(mut self) -> anyhow::Result<Self> {
        let name = self.iss.clone();
        anyhow::ensure!(!name.trim().is_empty(), "an issuer needs its `iss`");
        self.audiences.retain(|a| !a.trim().is_empty());
        anyhow::ensure!(
            !self.audiences.is_empty(),
            "issuer {name}: name the audiences Vigo accepts (`audiences`)"
        );
        anyhow::ensure!(
            self.role.is_none() || self.scopes.is_empty(),
            "issuer {name}: give one role (`role`) or roles by scope (`scopes`), not both"
        );
        Ok(self)
    }
}

/// A JWKS URL Vigo will fetch: HTTPS, or HTTP on the loopback interface only.
fn checked_url(url: &str) -> anyhow::Result<reqwest::Url> {
    let parsed = reqwest::Url::parse(url).map_err(|e| anyhow::anyhow!("jwks_url {url}: {e}"))?;
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        _ => anyhow::bail!("jwks_url {url}: keys are fetched over https only"),
    }
}

async fn fetch(client: &reqwest::Client, url: &reqwest::Url) -> anyhow::Result<Vec<Key>> {
    let response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("cannot fetch {url}: {e}"))?;
    anyhow::ensure!(
        response.status().is_success(),
        "{url} answered {}",
        response.status()
    );
    let text = response
        .text()
        .await
        .map_err(|e| anyhow::anyhow!("cannot read {url}: {e}"))?;
    parse_jwks(&text).map_err(|e| anyhow::anyhow!("{url}: {e}"))
}

/// Fetches keys again every `refresh`, or soon after a token names an unknown key, until the
/// issuer is gone. A failed fetch keeps the keys held and is logged.
async fn refresh_keys(
    name: String,
    client: reqwest::Client,
    url: reqwest::Url,
    keys: Weak<RwLock<Vec<Key>>>,
    notify: Arc<Notify>,
    refresh: Duration,
) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(refresh) => {}
            () = notify.notified() => {}
        }
        let Some(held) = keys.upgrade() else {
            return;
        };
        match fetch(&client, &url).await {
            Ok(fresh) => {
                if let Ok(mut held) = held.write() {
                    *held = fresh;
                }
                tracing::debug!(issuer = name, "issuer keys fetched");
            }
            Err(e) => tracing::warn!(issuer = name, "keeping the keys held: {e}"),
        }
        drop(held);
        tokio::time::sleep(MIN_REFETCH).await;
    }
}

/// The RS256 and ES256 (P-256) signing keys of a JWKS document. Other keys (other
/// algorithms, encryption keys) are left out, so that an issuer publishing one more kind of
/// key does not lock its tokens out; a document with no usable key is refused.
pub(super) fn parse_jwks(jwks: &str) -> anyhow::Result<Vec<Key>> {
    use jsonwebtoken::jwk::PublicKeyUse;
    let set: JwkSet =
        serde_json::from_str(jwks).map_err(|e| anyhow::anyhow!("not a JWKS document: {e}"))?;
    let mut keys = Vec::new();
    for jwk in &set.keys {
        if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
            continue;
        }
        let algorithm = match (&jwk.algorithm, jwk.common.key_algorithm) {
            (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Algorithm::RS256,
            (AlgorithmParameters::EllipticCurve(ec), None | Some(KeyAlgorithm::ES256))
                if ec.curve == EllipticCurve::P256 =>
            {
                Algorithm::ES256
            }
            _ => {
                tracing::debug!(kid = ?jwk.common.key_id, "JWKS key left out: not RS256 or ES256 (P-256)");
                continue;
            }
        };
        let key = DecodingKey::from_jwk(jwk)
            .map_err(|e| anyhow::anyhow!("key {:?}: {e}", jwk.common.key_id))?;
        keys.push(Key {
            kid: jwk.common.key_id.clone(),
            algorithm,
            key,
        });
    }
    anyhow::ensure!(
        !keys.is_empty(),
        "the JWKS document holds no RS256 or ES256 (P-256) signing key"
    );
    Ok(keys)
}
