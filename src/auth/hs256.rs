//! The one signature the service makes and checks, HMAC-SHA256, as jsonwebtoken's crypto
//! provider.
//!
//! jsonwebtoken's own providers bring every algorithm it knows: `rust_crypto` compiles `rsa`
//! (RUSTSEC-2023-0071, a timing side channel with no fixed release) and three elliptic
//! curves, `aws_lc_rs` a C library built with cmake. Access tokens here are HS256 only, so
//! this provider is HMAC-SHA256 from the RustCrypto crates the service (and its PostgreSQL
//! client) already uses, and refuses every other algorithm. The JWK helpers are left
//! unimplemented: the service reads no JWKs.

use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{Error, ErrorKind};
use jsonwebtoken::signature::{self, Signer, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey};
use sha2::Sha256;

static HS256_ONLY: CryptoProvider = CryptoProvider {
    signer_factory: signer,
    verifier_factory: verifier,
    key_utils: KeyUtils::new_unimplemented(),
};

/// Makes HS256 jsonwebtoken's provider for this process. Idempotent; it must run before the
/// first token is signed or checked (jsonwebtoken panics without a provider), which
/// `TokenKeys::new` sees to.
pub fn install() {
    // An error means a provider is installed already: only this one ever is.
    let _ = HS256_ONLY.install_default();
}

struct Hs256(Hmac<Sha256>);

impl Hs256 {
    fn new(algorithm: &Algorithm, family: AlgorithmFamily, key: &[u8]) -> Result<Hs256, Error> {
        if *algorithm != Algorithm::HS256 {
            return Err(ErrorKind::InvalidAlgorithm.into());
        }
        if family != AlgorithmFamily::Hmac {
            return Err(ErrorKind::InvalidKeyFormat.into());
        }
        let mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| ErrorKind::InvalidKeyFormat)?;
        Ok(Hs256(mac))
    }
}

fn signer(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>, Error> {
    Ok(Box::new(Hs256::new(
        algorithm,
        key.family(),
        key.as_bytes(),
    )?))
}

fn verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>, Error> {
    let bytes = key.try_get_as_bytes()?;
    Ok(Box::new(Hs256::new(algorithm, key.family(), bytes)?))
}

impl Signer<Vec<u8>> for Hs256 {
    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>, signature::Error> {
        let mut mac = self.0.clone();
        mac.update(message);
        Ok(mac.finalize().into_bytes().to_vec())
    }
}

impl Verifier<Vec<u8>> for Hs256 {
    fn verify(&self, message: &[u8], signature: &Vec<u8>) -> Result<(), signature::Error> {
        let mut mac = self.0.clone();
        mac.update(message);
        // Constant-time comparison.
        mac.verify_slice(signature)
            .map_err(signature::Error::from_source)
    }
}

impl JwtSigner for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

impl JwtVerifier for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{encode, Header};

    /// RFC 7515, appendix A.1: the HS256 example's signature, computed by this provider.
    #[test]
    fn signs_the_rfc_7515_example() {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let key = b64
            .decode(
                "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
            )
            .unwrap();
        let message = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.\
                       eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        let signer = signer(&Algorithm::HS256, &EncodingKey::from_secret(&key)).unwrap();
        assert_eq!(
            b64.encode(signer.try_sign(message.as_bytes()).unwrap()),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
    }

    #[test]
    fn other_algorithms_are_refused() {
        install();
        let key = EncodingKey::from_secret(b"k");
        for algorithm in [Algorithm::HS384, Algorithm::HS512] {
            let refused = encode(&Header::new(algorithm), &serde_json::json!({}), &key);
            assert!(
                matches!(refused.unwrap_err().kind(), ErrorKind::InvalidAlgorithm),
                "{algorithm:?}"
            );
        }
    }
}
