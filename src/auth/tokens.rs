//! Access tokens (JWT, HS256, short-lived) and refresh tokens (random, stored hashed).

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::Role;

/// What an access token says about its bearer. `ver` is the user's token version when the
/// token was issued: bumping the version (password change, deactivation, scope change)
/// invalidates every token issued before.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub tid: Option<Uuid>,
    pub role: Role,
    pub gid: Option<Uuid>,
    pub ver: i32,
    pub iat: i64,
    pub exp: i64,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl_secs: i64,
}

impl TokenKeys {
    pub fn new(secret: &SecretString, access_ttl_secs: i64) -> TokenKeys {
        super::hs256::install();
        let bytes = secret.expose_secret().as_bytes();
        // Only HS256 is accepted: `alg: none` and algorithm swaps fail verification.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        TokenKeys {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            access_ttl_secs,
        }
    }

    pub fn issue(
        &self,
        sub: Uuid,
        tid: Option<Uuid>,
        role: Role,
        gid: Option<Uuid>,
        ver: i32,
    ) -> String {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub,
            tid,
            role,
            gid,
            ver,
            iat: now,
            exp: now + self.access_ttl_secs,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 encoding of plain claims cannot fail")
    }

    /// The claims of a valid, unexpired token signed with our key; `None` otherwise.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// A new refresh token: 32 random bytes, URL-safe base64. Only its hash is stored.
pub fn new_refresh_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn refresh_token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(&SecretString::from("k".repeat(32)), 900)
    }

    #[test]
    fn issued_tokens_verify_and_tampered_ones_do_not() {
        let keys = keys();
        let user = Uuid::now_v7();
        let token = keys.issue(user, None, Role::PlatformAdmin, None, 3);
        let claims = keys.verify(&token).unwrap();
        assert_eq!(
            (claims.sub, claims.ver, claims.role),
            (user, 3, Role::PlatformAdmin)
        );

        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert!(keys.verify(&tampered).is_none());

        let other = TokenKeys::new(&SecretString::from("x".repeat(32)), 900);
        assert!(other.verify(&token).is_none());
    }

    #[test]
    fn expired_and_unsigned_tokens_are_refused() {
        let keys = keys();
        let expired = TokenKeys {
            access_ttl_secs: -60,
            ..keys
        };
        let token = expired.issue(Uuid::now_v7(), None, Role::Leader, None, 0);
        assert!(expired.verify(&token).is_none());

        use base64::Engine;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let payload = format!(
            r#"{{"sub":"{}","tid":null,"role":"platform_admin","gid":null,"ver":0,"iat":0,"exp":9999999999}}"#,
            Uuid::now_v7()
        );
        let unsigned = format!(
            "{}.{}.",
            b64(r#"{"alg":"none","typ":"JWT"}"#),
            b64(&payload)
        );
        assert!(expired.verify(&unsigned).is_none());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, b) = (new_refresh_token(), new_refresh_token());
        assert_ne!(a, b);
        assert_eq!(refresh_token_hash(&a).len(), 32);
        assert_ne!(refresh_token_hash(&a), refresh_token_hash(&b));
    }
}
