// The gRPC channel from a `hallmark` command to a running hallmarkd:
// plaintext by default, TLS with --tls_ca (the CA that signed hallmarkd's
// certificate; without it the system's roots), mutual TLS with --tls_cert
// and --tls_key as well (the client's own certificate and key).
#ifndef HALLMARK_TOOLS_HALLMARK_CHANNEL_H_
#define HALLMARK_TOOLS_HALLMARK_CHANNEL_H_

#include <grpcpp/channel.h>

#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "tools/hallmark/args.h"

namespace hallmark::cli {

// `flags` plus the channel's: addr, tls_ca, tls_cert, tls_key,
// tls_server_name (the name to verify hallmarkd's certificate against when
// --addr is an IP address or another name).
std::set<std::string> WithChannelFlags(std::set<std::string> flags);

// The address --addr names (default 127.0.0.1:50051).
std::string ChannelAddress(const Args& args);

// The channel the flags describe. INVALID_ARGUMENT for flags that do not go
// together (a client certificate without its key, TLS to a unix socket),
// NOT_FOUND for a file that cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(const Args& args);

}  // namespace hallmark::cli

#endif  // HALLMARK_TOOLS_HALLMARK_CHANNEL_H_
