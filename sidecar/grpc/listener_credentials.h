// Transport security of hallmarkd's gRPC listener: plaintext (unix sockets,
// and TCP when no certificate is given), TLS, or mutual TLS, from PEM files
// that gRPC re-reads on an interval, so that renewed certificates (a
// Kubernetes Secret, cert-manager) are used without a restart.
#ifndef HALLMARK_SIDECAR_GRPC_LISTENER_CREDENTIALS_H_
#define HALLMARK_SIDECAR_GRPC_LISTENER_CREDENTIALS_H_

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hallmark::sidecar {

// The TLS settings of the listener (the --tls_* flags). All paths empty:
// plaintext.
struct ListenerTlsSettings {
  std::string cert_path;       // the server's certificate chain, PEM, leaf first
  std::string key_path;        // its private key, PEM
  std::string client_ca_path;  // CA certificates of the clients, PEM: set = mutual TLS
  // How often gRPC re-reads the three files (at least one second).
  absl::Duration reload_interval = absl::Seconds(10);
};

enum class TransportSecurity { kPlaintext, kTls, kMutualTls };

// "plaintext", "tls" or "mtls", for the ready line.
absl::string_view TransportSecurityName(TransportSecurity security);

// The credentials of a listener on `listen` ("host:port" or "unix:/path").
// Thread-compatible.
struct ListenerCredentials {
  TransportSecurity security = TransportSecurity::kPlaintext;
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // For the start-up log: the certificate's subject and expiry, the number of
  // client CA certificates. Empty for plaintext.
  std::string summary;
};

// Checks the settings against the address and the files themselves, so that
// a mistake stops the start with a message naming the flag or file instead
// of failing every handshake later: TLS needs both --tls_cert and
// --tls_key, --tls_client_ca needs them too, unix sockets take none of them;
// the certificate chain and the CA bundle must parse, and the key must match
// the certificate. Errors are INVALID_ARGUMENT (or NOT_FOUND for a file that
// cannot be read).
//
// Later changes to the files are picked up by gRPC on its next read: a new
// certificate and key are used for new connections; files that cannot be
// read or do not match make new handshakes fail until they are fixed (write
// them atomically: see docs/operations.md). Established connections keep
// the credentials they were made with.
absl::StatusOr<ListenerCredentials> MakeListenerCredentials(absl::string_view listen,
                                                            const ListenerTlsSettings& settings);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_GRPC_LISTENER_CREDENTIALS_H_
