// What verifiers need to check Hallmark's signed layers, as one JSON
// document served at GET /v1/keys on the public detection listener:
//
//   {"receipt_keys": {"keys": [<Ed25519 JWK of the receipt key>]},
//    "c2pa": {"signer": "<subject>", "development": false,
//             "certificate_chain_pem": ["-----BEGIN CERTIFICATE-----...", ...]}}
//
// "receipt_keys" is a JWKS (RFC 7517 §5): the JWK's "kid" is the receipt
// header's "kid". Public material only: no private key reaches this file.
#ifndef HALLMARK_SIDECAR_PROVENANCE_PUBLISHED_KEYS_H_
#define HALLMARK_SIDECAR_PROVENANCE_PUBLISHED_KEYS_H_

#include <string>

#include "sidecar/provenance/content_credentials.h"
#include "watermark/provenance/text_receipt.h"

namespace hallmark::sidecar {

std::string PublishedKeysJson(const provenance::ReceiptSigner& receipt_signer,
                              const ContentCredentials& content_credentials);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_PROVENANCE_PUBLISHED_KEYS_H_
