#include "tools/hallmark/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hallmark::cli {
namespace {

absl::StatusOr<std::string> ReadFlagFile(const Args& args, const std::string& flag) {
  const std::string path = args.Get(flag);
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("--", flag, ": cannot read ", path));
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

std::set<std::string> WithChannelFlags(std::set<std::string> flags) {
  flags.insert({"addr", "tls_ca", "tls_cert", "tls_key", "tls_server_name"});
  return flags;
}

std::string ChannelAddress(const Args& args) { return args.Get("addr", "127.0.0.1:50051"); }

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(const Args& args) {
  const std::string addr = ChannelAddress(args);
  const bool tls = args.Has("tls_ca") || args.Has("tls_cert") || args.Has("tls_key") ||
                   args.Has("tls_server_name");
  if (!tls) return grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  if (absl::StartsWith(addr, "unix:")) {
    return absl::InvalidArgumentError(
        "the --tls_* options apply to TCP addresses; hallmarkd's unix sockets are plaintext");
  }
  if (args.Has("tls_cert") != args.Has("tls_key")) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together (mutual TLS)");
  }
  grpc::SslCredentialsOptions options;
  for (const auto& [flag, field] : {std::pair{"tls_ca", &options.pem_root_certs},
                                    std::pair{"tls_cert", &options.pem_cert_chain},
                                    std::pair{"tls_key", &options.pem_private_key}}) {
    if (!args.Has(flag)) continue;
    absl::StatusOr<std::string> content = ReadFlagFile(args, flag);
    if (!content.ok()) return content.status();
    *field = *std::move(content);
  }
  grpc::ChannelArguments channel_args;
  if (args.Has("tls_server_name")) {
    channel_args.SetSslTargetNameOverride(args.Get("tls_server_name"));
  }
  return grpc::CreateCustomChannel(addr, grpc::SslCredentials(options), channel_args);
}

}  // namespace hallmark::cli
