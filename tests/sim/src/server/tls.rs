//! TLS for the simulator: kubectl only sends bearer tokens over HTTPS, so the port speaks both
//! (a first byte of 0x16 is a TLS handshake). The certificate is a fixed, test-only one for
//! 127.0.0.1/::1/localhost, signed by a fixed CA that kubeconfigs embed.
//!
//! Client certificates: like kube-apiserver (which requests one and leaves its check to the
//! x509 authenticator), the handshake asks for an optional certificate and accepts any; the
//! request is then authenticated as CN = user, O = groups only for the certificates the
//! simulator's client CA (tls/client-ca.pem) issued — `admin` (O=system:masters) and
//! `alice` (O=devs) — else by its bearer token as before.

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The CA certificate (PEM) that signs the server certificate.
pub const CA_PEM: &str = include_str!("tls/ca.pem");
const SERVER_PEM: &str = include_str!("tls/server.pem");
const SERVER_KEY: &str = include_str!("tls/server.key");

pub fn acceptor() -> anyhow::Result<TlsAcceptor> {
    let chain = vec![
        CertificateDer::from_pem_slice(SERVER_PEM.as_bytes())?,
        CertificateDer::from_pem_slice(CA_PEM.as_bytes())?,
    ];
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY.as_bytes())?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(AnyClientCert {
            algorithms: provider.signature_verification_algorithms,
        }))
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// The client CA and the certificates (PEM) it issued, with their keys, by user.
pub const CLIENT_CA_PEM: &str = include_str!("tls/client-ca.pem");
pub const CLIENT_CERTS: &[(&str, &[&str], &str, &str)] = &[
    (
        "admin",
        &["system:masters"],
        include_str!("tls/admin-client.pem"),
        include_str!("tls/admin-client.key"),
    ),
    (
        "alice",
        &["devs"],
        include_str!("tls/alice-client.pem"),
        include_str!("tls/alice-client.key"),
    ),
];

/// The user (CN) of a client certificate the client CA issued, if `der` is one.
pub fn client_cert_user(der: &[u8]) -> Option<&'static str> {
    CLIENT_CERTS.iter().find_map(|(user, _, pem, _)| {
        CertificateDer::from_pem_slice(pem.as_bytes())
            .ok()
            .filter(|c| c.as_ref() == der)
            .map(|_| *user)
    })
}

/// Asks for a client certificate, takes any (the handshake signature is still checked);
/// which ones authenticate is decided per request by [`client_cert_user`].
#[derive(Debug)]
struct AnyClientCert {
    algorithms: tokio_rustls::rustls::crypto::WebPkiSupportedAlgorithms,
}

impl tokio_rustls::rustls::server::danger::ClientCertVerifier for AnyClientCert {
    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[tokio_rustls::rustls::DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: tokio_rustls::rustls::pki_types::UnixTime,
    ) -> Result<tokio_rustls::rustls::server::danger::ClientCertVerified, tokio_rustls::rustls::Error>
    {
        Ok(tokio_rustls::rustls::server::danger::ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &tokio_rustls::rustls::DigitallySignedStruct,
    ) -> Result<
        tokio_rustls::rustls::client::danger::HandshakeSignatureValid,
        tokio_rustls::rustls::Error,
    > {
        tokio_rustls::rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &tokio_rustls::rustls::DigitallySignedStruct,
    ) -> Result<
        tokio_rustls::rustls::client::danger::HandshakeSignatureValid,
        tokio_rustls::rustls::Error,
    > {
        tokio_rustls::rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<tokio_rustls::rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The CA as kubeconfig `certificate-authority-data` (base64 of the PEM).
pub fn ca_data() -> String {
    base64(CA_PEM.as_bytes())
}

pub(crate) fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads_like_the_standard_alphabet() {
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }

    #[test]
    fn the_embedded_certificate_loads() {
        acceptor().unwrap();
    }
}
