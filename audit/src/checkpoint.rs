//! Signed tree heads: C2SP tlog-checkpoint bodies in the C2SP signed-note format, signed with
//! Ed25519 (the format of Go's `golang.org/x/mod/sumdb/note`).
//!
//! Using the common format means any note or checkpoint tool, and any witness, can check what
//! this log publishes. Keys are written in Go's note key text, so keys made by either side work
//! on the other.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::Signer as _;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::merkle::Hash;

/// Signature type byte for Ed25519 (C2SP signed-note); part of the key hash and key text.
const ALG_ED25519: u8 = 0x01;

/// Largest signed note [`Verifier::open`] reads (1 MiB), so a hostile note cannot make it
/// parse or verify for long.
pub const MAX_NOTE_BYTES: usize = 1 << 20;

/// Most signature lines [`Verifier::open`] reads, Go's limit; C2SP asks for at least 16.
const MAX_SIGNATURES: usize = 100;

/// Starts every signature line: an em dash (U+2014) and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// Starts a signer key, so it is never mistaken for the public verifier key.
const SIGNER_PREFIX: &str = "PRIVATE+KEY+";

/// Why a key, a note or a checkpoint was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("signed note is {len} bytes, over the limit of {max}")]
    NoteTooLarge { len: usize, max: usize },
    #[error("malformed signed note: {0}")]
    MalformedNote(&'static str),
    #[error("invalid signature by key {name}+{key_hash:08x}")]
    InvalidSignature { name: String, key_hash: u32 },
    #[error("note has no signature by key {name}+{key_hash:08x}")]
    NotSigned { name: String, key_hash: u32 },
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(&'static str),
    #[error(
        "invalid key name {0:?}: it must be non-empty, with no spaces, '+' or control characters"
    )]
    InvalidKeyName(String),
    #[error("malformed key: {0}")]
    MalformedKey(&'static str),
    #[error("unsupported key algorithm {0:#04x}: only Ed25519 (0x01) is supported")]
    UnsupportedAlgorithm(u8),
    #[error("key hash {stated:08x} does not match the key's name and public key ({computed:08x})")]
    KeyHashMismatch { stated: u32, computed: u32 },
}

/// A log's signed statement of its size and root hash (C2SP tlog-checkpoint).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, e.g. `example.com/audit`; non-empty, one line.
    pub origin: String,
    /// Number of leaves in the tree.
    pub size: u64,
    /// RFC 6962 root hash of the tree at `size`.
    pub root: Hash,
    /// Opaque extra lines; C2SP advises against them since monitors cannot audit them.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The note text that is signed: origin, size, base64 root, then any extension lines,
    /// each ending in a newline. Extensions are written back so a parsed checkpoint
    /// round-trips; a log that sets none produces the plain three-line body.
    pub fn body(&self) -> String {
        let mut body = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        );
        for line in &self.extensions {
            body.push_str(line);
            body.push('\n');
        }
        body
    }

    /// Parses a note text as a checkpoint, strictly: canonical decimal size, 32-byte standard
    /// base64 root, no empty lines, final newline. Strict parsing keeps one checkpoint from
    /// having two encodings.
    pub fn parse_body(text: &str) -> Result<Self, CheckpointError> {
        let malformed = CheckpointError::MalformedCheckpoint;
        let Some(text) = text.strip_suffix('\n') else {
            return Err(malformed("the body does not end in a newline"));
        };
        let mut lines = text.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(malformed("fewer than three lines"));
        };
        check_origin(origin)?;
        let size = parse_size(size)?;
        let root = STANDARD
            .decode(root)
            .ok()
            .and_then(|bytes| Hash::try_from(bytes).ok())
            .ok_or(malformed(
                "the root hash is not 32 bytes of standard base64",
            ))?;
        let extensions = lines
            .map(|line| check_extension(line).map(|()| line.to_owned()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// Checks that [`Checkpoint::body`] will be a valid checkpoint text. [`Signer::sign`] signs
    /// whatever it is given, so call this first when the fields come from outside.
    pub fn validate(&self) -> Result<(), CheckpointError> {
        check_origin(&self.origin)?;
        for line in &self.extensions {
            check_extension(line)?;
        }
        Ok(())
    }
}

/// A checkpoint line must be non-empty and hold no control character (a newline would split
/// it, and signed notes forbid the others).
fn check_line(
    line: &str,
    empty: &'static str,
    control: &'static str,
) -> Result<(), CheckpointError> {
    if line.is_empty() {
        return Err(CheckpointError::MalformedCheckpoint(empty));
    }
    if line.chars().any(char::is_control) {
        return Err(CheckpointError::MalformedCheckpoint(control));
    }
    Ok(())
}

fn check_origin(origin: &str) -> Result<(), CheckpointError> {
    check_line(
        origin,
        "the origin is empty",
        "the origin has a control character",
    )
}

fn check_extension(line: &str) -> Result<(), CheckpointError> {
    check_line(
        line,
        "an extension line is empty",
        "an extension line has a control character",
    )
}

/// ASCII decimal without sign or leading zeros, as C2SP requires.
fn parse_size(text: &str) -> Result<u64, CheckpointError> {
    let malformed = CheckpointError::MalformedCheckpoint;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("the tree size is not a decimal number"));
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(malformed("the tree size has a leading zero"));
    }
    text.parse()
        .map_err(|_| malformed("the tree size does not fit in 64 bits"))
}

/// Go's rule for key names (non-empty, no Unicode space, no '+'), plus no control characters,
/// which a signed note could not carry anyway.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

fn check_name(name: &str) -> Result<(), CheckpointError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(CheckpointError::InvalidKeyName(name.to_owned()))
    }
}

/// C2SP key ID: the first four bytes of SHA-256(name || "\n" || 0x01 || public key).
fn key_hash(name: &str, public_key: &[u8; 32]) -> u32 {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update(b"\n")
        .chain_update([ALG_ED25519])
        .chain_update(public_key)
        .finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// Parses the `<8 hex digits>` key hash of a key text.
fn parse_key_hash(text: &str) -> Result<u32, CheckpointError> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(CheckpointError::MalformedKey(
            "the key hash is not 8 hex digits",
        ));
    }
    u32::from_str_radix(text, 16)
        .map_err(|_| CheckpointError::MalformedKey("the key hash is not 8 hex digits"))
}

/// Decodes the `base64(0x01 || 32-byte key)` part of a key text.
fn decode_key(text: &str) -> Result<[u8; 32], CheckpointError> {
    let mut bytes = STANDARD
        .decode(text)
        .map_err(|_| CheckpointError::MalformedKey("the key is not standard base64"))?;
    let result = match bytes.split_first() {
        None => Err(CheckpointError::MalformedKey("the key is empty")),
        Some((&alg, _)) if alg != ALG_ED25519 => Err(CheckpointError::UnsupportedAlgorithm(alg)),
        Some((_, key)) => <[u8; 32]>::try_from(key)
            .map_err(|_| CheckpointError::MalformedKey("an Ed25519 key must be 32 bytes")),
    };
    wipe(&mut bytes);
    result
}

/// Best-effort clearing of a buffer that held a private key, before it is freed.
fn wipe(buffer: &mut [u8]) {
    buffer.fill(0);
    std::hint::black_box(buffer);
}

/// A log's private signing key with its name. Debug shows only the name and key hash.
#[derive(Clone)]
pub struct Signer {
    name: String,
    key_hash: u32,
    key: SigningKey,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("name", &self.name)
            .field("key_hash", &format_args!("{:08x}", self.key_hash))
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Parses a Go note signer key, `PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>`, and
    /// checks its hash against the derived public key so a mislabelled key is refused.
    pub fn from_text(text: &str) -> Result<Self, CheckpointError> {
        let rest = text
            .strip_prefix(SIGNER_PREFIX)
            .ok_or(CheckpointError::MalformedKey(
                "a signer key starts with PRIVATE+KEY+",
            ))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CheckpointError::MalformedKey(
                "a signer key is PRIVATE+KEY+<name>+<hash>+<key>",
            ));
        };
        check_name(name)?;
        let stated = parse_key_hash(hash)?;
        let mut seed = decode_key(key)?;
        let signer = Self::generate(name, seed);
        wipe(&mut seed);
        let signer = signer?;
        if signer.key_hash != stated {
            return Err(CheckpointError::KeyHashMismatch {
                stated,
                computed: signer.key_hash,
            });
        }
        Ok(signer)
    }

    /// Makes a signer from 32 random bytes; the caller supplies them (from the OS RNG) so this
    /// module needs no RNG of its own.
    pub fn generate(name: &str, seed: [u8; 32]) -> Result<Self, CheckpointError> {
        check_name(name)?;
        let key = SigningKey::from_bytes(&seed);
        let key_hash = key_hash(name, key.verifying_key().as_bytes());
        Ok(Self {
            name: name.to_owned(),
            key_hash,
            key,
        })
    }

    /// The signer key text, `PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>`; secret.
    pub fn to_text(&self) -> String {
        let mut bytes = [0u8; 33];
        bytes[0] = ALG_ED25519;
        bytes[1..].copy_from_slice(self.key.as_bytes());
        let text = format!(
            "{SIGNER_PREFIX}{}+{:08x}+{}",
            self.name,
            self.key_hash,
            STANDARD.encode(bytes)
        );
        wipe(&mut bytes);
        text
    }

    /// The matching public verifier, to publish or to check this log's own output.
    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            key_hash: self.key_hash,
            key: self.key.verifying_key(),
        }
    }

    /// The key name, written in every signature line.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Signs the checkpoint and returns the whole signed note: body, blank line, signature
    /// line. The checkpoint is not validated here; see [`Checkpoint::validate`].
    pub fn sign(&self, checkpoint: &Checkpoint) -> String {
        let body = checkpoint.body();
        let line = self.signature_line(&body);
        format!("{body}\n{line}")
    }

    /// `— <name> base64(key hash || Ed25519 signature of text)`, with its newline.
    fn signature_line(&self, text: &str) -> String {
        let signature = self.key.sign(text.as_bytes());
        let mut bytes = Vec::with_capacity(4 + Signature::BYTE_SIZE);
        bytes.extend_from_slice(&self.key_hash.to_be_bytes());
        bytes.extend_from_slice(&signature.to_bytes());
        format!(
            "{SIGNATURE_PREFIX}{} {}\n",
            self.name,
            STANDARD.encode(bytes)
        )
    }
}

/// A log's public key with its name: checks the log's signed checkpoints.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    key_hash: u32,
    key: VerifyingKey,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("name", &self.name)
            .field("key_hash", &format_args!("{:08x}", self.key_hash))
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Parses a Go note verifier key, `<name>+<hash>+<base64(0x01 || public key)>`, refusing a
    /// hash that does not match the name and key, and keys that are not usable Ed25519 points.
    pub fn from_text(text: &str) -> Result<Self, CheckpointError> {
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CheckpointError::MalformedKey(
                "a verifier key is <name>+<hash>+<key>",
            ));
        };
        check_name(name)?;
        let stated = parse_key_hash(hash)?;
        let key = decode_key(key)?;
        let computed = key_hash(name, &key);
        if computed != stated {
            return Err(CheckpointError::KeyHashMismatch { stated, computed });
        }
        let key = VerifyingKey::from_bytes(&key)
            .map_err(|_| CheckpointError::MalformedKey("the key is not an Ed25519 point"))?;
        if key.is_weak() {
            return Err(CheckpointError::MalformedKey(
                "the key is a small-order Ed25519 point",
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            key_hash: computed,
            key,
        })
    }

    /// The verifier key text, `<name>+<hash>+<base64(0x01 || public key)>`.
    pub fn to_text(&self) -> String {
        let mut bytes = [0u8; 33];
        bytes[0] = ALG_ED25519;
        bytes[1..].copy_from_slice(self.key.as_bytes());
        format!(
            "{}+{:08x}+{}",
            self.name,
            self.key_hash,
            STANDARD.encode(bytes)
        )
    }

    /// The key name, which this verifier looks for in signature lines.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Verifies a signed note and parses its body as a checkpoint. The note must carry a
    /// signature line with this key's name and hash that verifies; lines of other keys (such
    /// as witness cosignatures) are ignored, but a bad signature under this key rejects it.
    /// It does not compare the origin with the key name; callers that care should.
    pub fn open(&self, note: &str) -> Result<Checkpoint, CheckpointError> {
        Checkpoint::parse_body(verify_note(note, self)?)
    }
}

/// Checks a signed note's syntax as Go's `note.Open` does and verifies `verifier`'s signature
/// over its text; returns the text (ending in its newline, without the blank line).
pub(crate) fn verify_note<'a>(
    note: &'a str,
    verifier: &Verifier,
) -> Result<&'a str, CheckpointError> {
    let malformed = CheckpointError::MalformedNote;
    if note.len() > MAX_NOTE_BYTES {
        return Err(CheckpointError::NoteTooLarge {
            len: note.len(),
            max: MAX_NOTE_BYTES,
        });
    }
    if note.chars().any(|c| c < ' ' && c != '\n') {
        return Err(malformed("it contains a control character"));
    }
    // The text is everything up to the last blank line; it keeps its final newline.
    let Some(split) = note.rfind("\n\n") else {
        return Err(malformed("no blank line before the signatures"));
    };
    let (text, signatures) = (&note[..=split], &note[split + 2..]);
    let Some(signatures) = signatures.strip_suffix('\n') else {
        return Err(malformed("the signatures do not end in a newline"));
    };
    let mut verified = false;
    for (count, line) in signatures.split('\n').enumerate() {
        if count >= MAX_SIGNATURES {
            return Err(malformed("more than 100 signatures"));
        }
        let Some(line) = line.strip_prefix(SIGNATURE_PREFIX) else {
            return Err(malformed("a signature line does not start with an em dash"));
        };
        let (name, encoded) = line.split_once(' ').unwrap_or((line, ""));
        if !is_valid_name(name) || encoded.is_empty() {
            return Err(malformed(
                "a signature line has no valid key name and signature",
            ));
        }
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| malformed("a signature is not standard base64"))?;
        let Some((hash, signature)) = bytes.split_first_chunk::<4>() else {
            return Err(malformed("a signature is too short"));
        };
        if signature.is_empty() {
            return Err(malformed("a signature is too short"));
        }
        if name != verifier.name || u32::from_be_bytes(*hash) != verifier.key_hash {
            continue;
        }
        let valid = Signature::from_slice(signature)
            .is_ok_and(|s| verifier.key.verify_strict(text.as_bytes(), &s).is_ok());
        if !valid {
            return Err(CheckpointError::InvalidSignature {
                name: verifier.name.clone(),
                key_hash: verifier.key_hash,
            });
        }
        verified = true;
    }
    if !verified {
        return Err(CheckpointError::NotSigned {
            name: verifier.name.clone(),
            key_hash: verifier.key_hash,
        });
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::leaf_hash;

    // Keys and notes from golang.org/x/mod sumdb/note/note_test.go (and the package docs).
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    // sum.golang.org's key as built into the go command (golang/go
    // src/cmd/go/internal/modfetch/key.go) and one of its published checkpoints.
    const SUMDB_VKEY: &str = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
    const SUMDB_NOTE: &str = "go.sum database tree\n15368405\n/g9am3I6YWNKaZX/jkne1fqd9zEyjss+JXyPXG0WfkY=\n\n\u{2014} sum.golang.org Az3grqJGUaSGukG9p8nI2vKgiFn7qGHxn0W+mrwyI6Gz3F0t1J3LzmWk/p96Ybf295EjwdSwlzgijq5WA9d1Ded7owM=\n";

    fn peter() -> Verifier {
        Verifier::from_text(PETER_VKEY).unwrap()
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            origin: "example.com/audit".into(),
            size: 12345,
            root: leaf_hash(b"root"),
            extensions: Vec::new(),
        }
    }

    #[test]
    fn go_keys_round_trip() {
        let verifier = peter();
        assert_eq!(verifier.name(), "PeterNeumann");
        assert_eq!(verifier.to_text(), PETER_VKEY);
        let signer = Signer::from_text(PETER_SKEY).unwrap();
        assert_eq!(signer.name(), "PeterNeumann");
        assert_eq!(signer.to_text(), PETER_SKEY);
        assert_eq!(signer.verifier(), verifier);
        assert_eq!(signer.verifier().to_text(), PETER_VKEY);
        assert_eq!(
            Verifier::from_text(ENOCH_VKEY).unwrap().to_text(),
            ENOCH_VKEY
        );
    }

    #[test]
    fn go_sign_vector() {
        // Go's TestSign: Ed25519 is deterministic, so the note must match byte for byte.
        let signer = Signer::from_text(PETER_SKEY).unwrap();
        let note = format!("{TEXT}\n{}", signer.signature_line(TEXT));
        assert_eq!(note, format!("{TEXT}\n{PETER_SIG}"));
    }

    #[test]
    fn go_open_vectors() {
        let peter = peter();
        let enoch = Verifier::from_text(ENOCH_VKEY).unwrap();
        let both = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        assert_eq!(
            verify_note(&format!("{TEXT}\n{PETER_SIG}"), &peter),
            Ok(TEXT)
        );
        assert_eq!(verify_note(&both, &peter), Ok(TEXT));
        assert_eq!(verify_note(&both, &enoch), Ok(TEXT));
        assert_eq!(
            verify_note(&format!("{TEXT}\n{ENOCH_SIG}"), &peter),
            Err(CheckpointError::NotSigned {
                name: "PeterNeumann".into(),
                key_hash: 0xc74f20a3
            })
        );

        // Too many signatures.
        let many = |n| format!("{TEXT}\n{}", PETER_SIG.repeat(n));
        assert_eq!(verify_note(&many(100), &peter), Ok(TEXT));
        assert!(matches!(
            verify_note(&many(101), &peter),
            Err(CheckpointError::MalformedNote(_))
        ));

        // A corrupted signature under the known key.
        let bad = format!("{TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
        assert_eq!(
            verify_note(&bad, &peter),
            Err(CheckpointError::InvalidSignature {
                name: "PeterNeumann".into(),
                key_hash: 0xc74f20a3
            })
        );

        // Repeated signatures, and a corrupted signature by a key we do not hold.
        let mixed = format!(
            "{TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}{}ABCD{}",
            &ENOCH_SIG[..60],
            &ENOCH_SIG[60..]
        );
        assert_eq!(verify_note(&mixed, &peter), Ok(TEXT));

        // Go's badMsgs, except "\xff" + ..., which a &str cannot hold.
        let bad_msgs = [
            TEXT.to_owned(),
            format!("{TEXT}\n"),
            format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
            format!("\u{1}{TEXT}\n{PETER_SIG}"),
            format!(
                "{TEXT}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
            ),
            format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
        ];
        for msg in &bad_msgs {
            assert!(
                matches!(
                    verify_note(msg, &peter),
                    Err(CheckpointError::MalformedNote(_))
                ),
                "accepted {msg:?}"
            );
        }
    }

    #[test]
    fn go_key_manglings() {
        // Go's TestNewVerifier and TestNewSigner: every proper substring and every single-byte
        // increment of a valid key must be refused.
        fn mangled(key: &str) -> Vec<String> {
            let b = key.as_bytes();
            let mut out = Vec::new();
            for i in 0..=b.len() {
                for j in i + 1..=b.len() {
                    if i != 0 || j != b.len() {
                        out.push(String::from_utf8(b[i..j].to_vec()).unwrap());
                    }
                }
            }
            for i in 0..b.len() {
                let mut c = b.to_vec();
                c[i] += 1;
                out.push(String::from_utf8(c).unwrap());
            }
            out
        }
        for key in mangled(PETER_VKEY) {
            assert!(Verifier::from_text(&key).is_err(), "accepted {key:?}");
        }
        for key in mangled(PETER_SKEY) {
            assert!(Signer::from_text(&key).is_err(), "accepted {key:?}");
        }
        // Wrong key length and unknown algorithm, each with an adjusted key hash. (The first
        // also has non-canonical base64, which this parser already refuses.)
        assert!(
            Verifier::from_text(
                "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
            )
            .is_err()
        );
        assert_eq!(
            Verifier::from_text(
                "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
            ),
            Err(CheckpointError::UnsupportedAlgorithm(0x65))
        );
    }

    #[test]
    fn key_hash_must_match() {
        assert!(matches!(
            Verifier::from_text(
                "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
            ),
            Err(CheckpointError::KeyHashMismatch {
                stated: 0xc74f20a4,
                computed: 0xc74f20a3
            })
        ));
        // Same key under another name.
        assert!(matches!(
            Verifier::from_text(
                "PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
            ),
            Err(CheckpointError::KeyHashMismatch { .. })
        ));
        assert!(matches!(
            Signer::from_text(
                "PRIVATE+KEY+PeterNeuman+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
            ),
            Err(CheckpointError::KeyHashMismatch { .. })
        ));
        // Upper-case hex is accepted, as in Go.
        assert!(
            Verifier::from_text(
                "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
            )
            .is_ok()
        );
    }

    #[test]
    fn sumdb_checkpoint() {
        let verifier = Verifier::from_text(SUMDB_VKEY).unwrap();
        let checkpoint = verifier.open(SUMDB_NOTE).unwrap();
        assert_eq!(checkpoint.origin, "go.sum database tree");
        assert_eq!(checkpoint.size, 15368405);
        assert_eq!(
            STANDARD.encode(checkpoint.root),
            "/g9am3I6YWNKaZX/jkne1fqd9zEyjss+JXyPXG0WfkY="
        );
        assert!(checkpoint.extensions.is_empty());
        let tampered = SUMDB_NOTE.replace("15368405", "15368406");
        assert!(matches!(
            verifier.open(&tampered),
            Err(CheckpointError::InvalidSignature { .. })
        ));
    }

    #[test]
    fn sign_and_open() {
        let signer = Signer::generate("example.com/audit", [7; 32]).unwrap();
        let verifier = signer.verifier();
        let checkpoint = checkpoint();
        let note = signer.sign(&checkpoint);
        assert!(note.starts_with(&format!(
            "{}\n\u{2014} example.com/audit ",
            checkpoint.body()
        )));
        assert_eq!(verifier.open(&note), Ok(checkpoint.clone()));

        // Key texts round-trip.
        let again = Verifier::from_text(&verifier.to_text()).unwrap();
        assert_eq!(again, verifier);
        assert_eq!(again.open(&note), Ok(checkpoint.clone()));
        let copy = Signer::from_text(&signer.to_text()).unwrap();
        assert_eq!(copy.sign(&checkpoint), note);

        // A cosignature by another key is ignored by this verifier and read by its own.
        let witness = Signer::generate("witness.example", [9; 32]).unwrap();
        let cosigned = format!("{note}{}", witness.signature_line(&checkpoint.body()));
        assert_eq!(verifier.open(&cosigned), Ok(checkpoint.clone()));
        assert_eq!(witness.verifier().open(&cosigned), Ok(checkpoint.clone()));

        // Extensions round-trip too.
        let mut extended = checkpoint.clone();
        extended.extensions = vec!["extra one".into(), "— two".into()];
        assert_eq!(verifier.open(&signer.sign(&extended)), Ok(extended));
    }

    #[test]
    fn tampering_fails() {
        let signer = Signer::generate("example.com/audit", [7; 32]).unwrap();
        let verifier = signer.verifier();
        let checkpoint = checkpoint();
        let note = signer.sign(&checkpoint);
        let root = STANDARD.encode(checkpoint.root);
        let other_root = STANDARD.encode(leaf_hash(b"other"));
        let invalid = |n: &str| {
            matches!(
                verifier.open(n),
                Err(CheckpointError::InvalidSignature { .. })
            )
        };
        assert!(invalid(&note.replacen("12345", "12346", 1)));
        assert!(invalid(&note.replacen(&root, &other_root, 1)));
        assert!(invalid(&note.replacen(
            "example.com/audit\n",
            "example.com/audiT\n",
            1
        )));

        // Flip each byte of the signature itself.
        let (body, line) = note.split_at(note.rfind("\n\n").unwrap() + 2);
        let encoded = line
            .strip_prefix("\u{2014} example.com/audit ")
            .and_then(|l| l.strip_suffix('\n'))
            .unwrap();
        let bytes = STANDARD.decode(encoded).unwrap();
        assert_eq!(bytes.len(), 68);
        for i in 4..68 {
            let mut b = bytes.clone();
            b[i] ^= 1;
            let forged = format!("{body}\u{2014} example.com/audit {}\n", STANDARD.encode(&b));
            assert!(invalid(&forged), "flipped byte {i} verified");
        }
        // A changed key hash makes the line another key's, leaving no signature of ours.
        let mut b = bytes.clone();
        b[0] ^= 1;
        let forged = format!("{body}\u{2014} example.com/audit {}\n", STANDARD.encode(&b));
        assert!(matches!(
            verifier.open(&forged),
            Err(CheckpointError::NotSigned { .. })
        ));
    }

    #[test]
    fn other_keys_fail() {
        let checkpoint = checkpoint();
        let signer = Signer::generate("example.com/audit", [7; 32]).unwrap();
        // Same name, different key: its line has another key hash and is ignored.
        let impostor = Signer::generate("example.com/audit", [8; 32]).unwrap();
        let forged = impostor.sign(&checkpoint);
        assert!(matches!(
            signer.verifier().open(&forged),
            Err(CheckpointError::NotSigned { .. })
        ));
        // A line carrying our name and key hash but another key's signature.
        let note = signer.sign(&checkpoint);
        let (body, _) = note.split_at(note.rfind("\n\n").unwrap() + 2);
        let theirs = impostor.sign(&checkpoint);
        let encoded = theirs.rsplit(' ').next().unwrap().trim_end();
        let mut bytes = STANDARD.decode(encoded).unwrap();
        bytes[..4].copy_from_slice(&signer.verifier().key_hash.to_be_bytes());
        let spliced = format!(
            "{body}\u{2014} example.com/audit {}\n",
            STANDARD.encode(&bytes)
        );
        assert!(matches!(
            signer.verifier().open(&spliced),
            Err(CheckpointError::InvalidSignature { .. })
        ));
        assert!(matches!(
            peter().open(&note),
            Err(CheckpointError::NotSigned { .. })
        ));
    }

    #[test]
    fn open_rejects_bad_notes() {
        let signer = Signer::generate("example.com/audit", [7; 32]).unwrap();
        let verifier = signer.verifier();

        // Over the size limit, even if otherwise well signed.
        let mut big = checkpoint();
        big.extensions = vec!["x".repeat(MAX_NOTE_BYTES)];
        assert!(matches!(
            verifier.open(&signer.sign(&big)),
            Err(CheckpointError::NoteTooLarge { .. })
        ));

        // Correctly signed texts that are not checkpoints.
        let text = "example.com/audit\n\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        let note = format!("{text}\n{}", signer.signature_line(text));
        assert_eq!(verify_note(&note, &verifier), Ok(text));
        assert!(matches!(
            verifier.open(&note),
            Err(CheckpointError::MalformedCheckpoint(_))
        ));
        let text = "example.com/audit\n5\n";
        let note = format!("{text}\n{}", signer.signature_line(text));
        assert!(matches!(
            verifier.open(&note),
            Err(CheckpointError::MalformedCheckpoint(_))
        ));
        // A note whose text lacks the final newline has no blank line to split at.
        let note = "no newline\u{2014} x AAAA\n";
        assert!(matches!(
            verifier.open(note),
            Err(CheckpointError::MalformedNote(_))
        ));
    }

    #[test]
    fn parse_body_is_strict() {
        let root = STANDARD.encode([0u8; 32]);
        let ok = Checkpoint::parse_body;
        let cp = ok(&format!("o\n0\n{root}\n")).unwrap();
        assert_eq!((cp.origin.as_str(), cp.size, cp.root), ("o", 0, [0u8; 32]));
        let cp = ok(&format!("o\n18446744073709551615\n{root}\next a\next b\n")).unwrap();
        assert_eq!(cp.size, u64::MAX);
        assert_eq!(cp.extensions, vec!["ext a", "ext b"]);
        assert_eq!(
            cp.body(),
            format!("o\n18446744073709551615\n{root}\next a\next b\n")
        );

        let bad = [
            format!("o\n1\n{root}"),
            "o\n1\n".to_owned(),
            format!("\n1\n{root}\n"),
            format!("o\n\n{root}\n"),
            format!("o\n01\n{root}\n"),
            format!("o\n+1\n{root}\n"),
            format!("o\n-1\n{root}\n"),
            format!("o\n1 \n{root}\n"),
            format!("o\n18446744073709551616\n{root}\n"),
            format!("o\n1\n{}\n", &root[..root.len() - 1]),
            format!("o\n1\n{}\n", STANDARD.encode([0u8; 31])),
            format!("o\n1\n{}B=\n", "A".repeat(42)),
            format!("o\n1\n{root}\n\n"),
            format!("o\n1\n{root}\next\n\nmore\n"),
            format!("o\tx\n1\n{root}\n"),
        ];
        for text in &bad {
            assert!(
                matches!(ok(text), Err(CheckpointError::MalformedCheckpoint(_))),
                "accepted {text:?}"
            );
        }
    }

    #[test]
    fn validate_and_names() {
        assert_eq!(checkpoint().validate(), Ok(()));
        let mut cp = checkpoint();
        cp.origin = "two\nlines".into();
        assert!(cp.validate().is_err());
        cp.origin = String::new();
        assert!(cp.validate().is_err());
        let mut cp = checkpoint();
        cp.extensions = vec![String::new()];
        assert!(cp.validate().is_err());

        for name in ["", "a b", "a+b", "a\tb", "a\u{a0}b", "a\u{1}b"] {
            assert_eq!(
                Signer::generate(name, [1; 32]).map(|s| s.name().to_owned()),
                Err(CheckpointError::InvalidKeyName(name.to_owned()))
            );
        }
        assert!(Signer::generate("example.com/log-1_é", [1; 32]).is_ok());
    }

    #[test]
    fn debug_hides_the_secret() {
        let signer = Signer::from_text(PETER_SKEY).unwrap();
        let shown = format!("{signer:?} {signer:#?}");
        assert!(shown.contains("PeterNeumann") && shown.contains("c74f20a3"));
        let seed = &PETER_SKEY["PRIVATE+KEY+PeterNeumann+c74f20a3+".len()..];
        let seed_bytes = STANDARD.decode(seed).unwrap();
        for needle in [
            seed.to_owned(),
            hex::encode(&seed_bytes[1..]),
            format!("{:?}", &seed_bytes[1..5]),
        ] {
            assert!(!shown.contains(&needle), "{shown} shows {needle}");
        }
        assert_eq!(
            format!("{:?}", peter()),
            "Verifier { name: \"PeterNeumann\", key_hash: c74f20a3, .. }"
        );
    }
}
