//! Opaque page cursors: the position is sealed with authenticated encryption under a server
//! key and bound to the caller, so a cursor tells nothing (not even an internal id the caller
//! may not read) and cannot be forged, altered or handed to another caller.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use vigo_policy::Subject;

use crate::error::ApiError;

/// The server key cursors are sealed with, derived from the server's signing secret so that
/// every instance sharing the secret accepts the others' cursors.
#[derive(Clone)]
pub struct CursorKey(XChaCha20Poly1305);

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey { .. }")
    }
}

const NONCE_BYTES: usize = 24;

impl CursorKey {
    /// Derives the key from a secret (with its own domain, so it is not the signing key).
    pub fn derive(secret: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"vigo page cursor key v1\0");
        hasher.update(secret);
        let key = hasher.finalize();
        CursorKey(XChaCha20Poly1305::new(&key))
    }

    /// Seals a position for `subject`.
    pub fn seal(&self, subject: &Subject, position: i32) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self.0.encrypt(
            &nonce,
            Payload {
                msg: &position.to_be_bytes(),
                aad: binding(subject).as_bytes(),
            },
        );
        match sealed {
            Ok(sealed) => {
                let mut bytes = nonce.to_vec();
                bytes.extend(sealed);
                URL_SAFE_NO_PAD.encode(bytes)
            }
            // Encryption of four bytes does not fail; an empty cursor would be refused.
            Err(_) => String::new(),
        }
    }

    /// Opens a cursor this server sealed for `subject`; anything else is refused alike.
    pub fn open(&self, subject: &Subject, cursor: &str) -> Result<i32, ApiError> {
        let refused = || ApiError::bad_input("after", "not a cursor returned by this API to you");
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| refused())?;
        if bytes.len() <= NONCE_BYTES {
            return Err(refused());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| refused())?;
        let position = self
            .0
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: binding(subject).as_bytes(),
                },
            )
            .map_err(|_| refused())?;
        let position: [u8; 4] = position.try_into().map_err(|_| refused())?;
        Ok(i32::from_be_bytes(position))
    }
}

/// Who a cursor belongs to: the caller's role, purpose, organisation, person and token subject.
fn binding(subject: &Subject) -> String {
    format!(
        "{}|{}|{}|{}|{}",
        subject.role,
        subject.purpose,
        subject.org.as_ref().map(|o| o.as_str()).unwrap_or(""),
        subject
            .person
            .as_ref()
            .map(|p| p.as_string())
            .unwrap_or_default(),
        subject.sub
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigo_policy::{Purpose, Role};

    fn subject(sub: &str) -> Subject {
        Subject::new(
            Role::Caseworker,
            Purpose::Administration,
            None,
            None,
            sub.into(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn cursors_round_trip_hide_the_position_and_refuse_other_callers() {
        let key = CursorKey::derive(b"a secret of at least thirty-two bytes");
        let caller = subject("a");
        let cursor = key.seal(&caller, 42);
        assert_eq!(key.open(&caller, &cursor).ok(), Some(42));
        // Nothing of the position shows, and two cursors for it differ.
        let bytes = URL_SAFE_NO_PAD.decode(&cursor).unwrap_or_default();
        assert!(!bytes.windows(4).any(|w| w == 42i32.to_be_bytes()));
        assert_ne!(cursor, key.seal(&caller, 42));
        // Another caller, another key, an altered or foreign cursor: refused alike.
        assert!(key.open(&subject("b"), &cursor).is_err());
        let other = CursorKey::derive(b"another secret of thirty-two bytes!!");
        assert!(other.open(&caller, &cursor).is_err());
        let mut altered = bytes.clone();
        if let Some(last) = altered.last_mut() {
            *last ^= 1;
        }
        assert!(key.open(&caller, &URL_SAFE_NO_PAD.encode(altered)).is_err());
        assert!(
            key.open(&caller, &URL_SAFE_NO_PAD.encode("person:42"))
                .is_err()
        );
        assert!(key.open(&caller, "!!").is_err());
    }
}
