//! Ids and tokens: a draft's id, its owner, a create's idempotency key and create token.

use std::fmt;

use uuid::Uuid;

/// A session id: a random (version 4) UUID in its canonical spelling, lowercase and hyphenated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionId(Uuid);

impl SessionId {
    /// A fresh id from the operating system's CSPRNG.
    pub fn generate() -> Self {
        Self(Uuid::new_v4())
    }

    /// Accepts only the canonical form: `Uuid::try_parse` alone also takes uppercase, braced,
    /// `urn:` and unhyphenated spellings, which would give one draft several names.
    pub fn parse(text: &str) -> Option<Self> {
        let uuid = Uuid::try_parse(text).ok()?;
        let canonical = uuid.get_version() == Some(uuid::Version::Random)
            && uuid.get_variant() == uuid::Variant::RFC4122
            && uuid.hyphenated().to_string() == text;
        canonical.then_some(Self(uuid))
    }

    /// A short, non-reversible tag for logs: the id itself is the draft's only credential.
    pub fn log_tag(&self) -> String {
        let hash = self
            .0
            .as_bytes()
            .iter()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
            });
        format!("{:08x}", hash >> 32)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// Whose draft it is in owned mode (`AUTH_MODE=jwt`): the `sub` claim of the caller's token, as
/// API Gateway's JWT authorizer verified it. Anonymous drafts have none.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Owner(String);

impl Owner {
    /// OpenID Connect caps `sub` at 255 ASCII characters.
    pub const MAX_LEN: usize = 255;

    pub fn parse(sub: &str) -> Option<Self> {
        (!sub.is_empty() && sub.len() <= Self::MAX_LEN).then(|| Self(sub.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A client's `Idempotency-Key` for a create: the draft's id is derived from it, so every
/// repeat of that create names the same draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

/// Fixed namespaces of the name-based UUIDs below; changing one orphans every key in flight.
const KEY_ID_NAMESPACE: Uuid = Uuid::from_u128(0x5d1c_2b4e_8f0a_4c6e_9b3d_7a21_e4f6_0c88);
const KEY_TOKEN_NAMESPACE: Uuid = Uuid::from_u128(0x9e47_a0d3_16bb_4f52_a8c9_3f60_d21e_7b14);

impl IdempotencyKey {
    /// A random (version 4, RFC 9562 variant) UUID, hyphenated, in any case: the draft's id
    /// comes from the key, and the id is the draft's only credential, so the key must be as hard
    /// to guess as a random id (the nil UUID, or a time- or name-based one, is not). An RFC 8941
    /// string (in quotes, as the IETF draft spells it) or bare, as most APIs take it.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let bare = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text);
        let uuid = Uuid::try_parse(bare).ok()?;
        let random = uuid.get_version() == Some(uuid::Version::Random)
            && uuid.get_variant() == uuid::Variant::RFC4122;
        (bare.len() == 36 && random).then(|| Self(uuid.hyphenated().to_string()))
    }

    /// A version 4 UUID in form (so it passes `SessionId::parse`) whose bits come from the key
    /// (and the owner's, in owned mode): no one without the key can find it, exactly as with a
    /// random id, and two owners' keys never name one draft.
    pub fn session_id(&self, owner: Option<&Owner>) -> SessionId {
        let name = match owner {
            None => self.0.clone(),
            Some(owner) => format!("{}\0{}", self.0, owner.as_str()),
        };
        let named = Uuid::new_v5(&KEY_ID_NAMESPACE, name.as_bytes());
        SessionId(uuid::Builder::from_random_bytes(named.into_bytes()).into_uuid())
    }
}

/// Stored on a draft by the create that made it, and compared when a create finds its id
/// taken: the same token means this very create was sent before (a client retry with the same
/// key and body, or an SDK retry of a write whose reply was lost), so its draft is the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateToken(String);

impl CreateToken {
    /// A create without a key: its SDK attempts share the token, nothing else does.
    pub fn random() -> Self {
        Self(Uuid::new_v4().simple().to_string())
    }

    /// The same key and body give the same token; the same key with another body does not.
    pub fn for_key(key: &IdempotencyKey, body: &[u8]) -> Self {
        let mut name = Vec::with_capacity(key.0.len() + 1 + body.len());
        name.extend_from_slice(key.0.as_bytes());
        name.push(0);
        name.extend_from_slice(body);
        Self(
            Uuid::new_v5(&KEY_TOKEN_NAMESPACE, &name)
                .simple()
                .to_string(),
        )
    }

    pub fn from_stored(text: &str) -> Self {
        Self(text.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
