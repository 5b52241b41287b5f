// hallmarkd's receipt signing key (docs/provenance.md): an Ed25519 private
// key from a PEM file (a Kubernetes Secret), or an ephemeral one.
#ifndef HALLMARK_SIDECAR_KEYS_RECEIPT_KEY_H_
#define HALLMARK_SIDECAR_KEYS_RECEIPT_KEY_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "watermark/provenance/text_receipt.h"

namespace hallmark::sidecar {

// Largest receipt key file read; an Ed25519 PKCS#8 PEM is 119 bytes.
inline constexpr size_t kMaxReceiptKeyFileBytes = 16 << 10;

struct ReceiptKey {
  std::unique_ptr<const provenance::ReceiptSigner> signer;
  // True when generated at start: its receipts verify only against the
  // public key this process published.
  bool ephemeral = false;
  // The file, or "ephemeral".
  std::string source;
};

// Loads `path` (PEM PKCS#8 Ed25519 private key); with an empty `path`,
// generates an ephemeral key. Errors name the file and the problem.
absl::StatusOr<ReceiptKey> LoadReceiptKey(const std::string& path);

// Writes the signer's public key (PEM SubjectPublicKeyInfo, mode 0644) to
// `path`, replacing it atomically (a temporary file, then rename), so that
// verifiers never read half a key.
absl::Status WriteReceiptPublicKey(const provenance::ReceiptSigner& signer,
                                   const std::string& path);

// The public key PEM's base64 body on one line (SubjectPublicKeyInfo DER,
// base64), for log lines: wrap it in BEGIN/END PUBLIC KEY lines to use it.
std::string OneLinePublicKey(const provenance::ReceiptSigner& signer);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_KEYS_RECEIPT_KEY_H_
