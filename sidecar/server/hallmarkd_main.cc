// hallmarkd: the Hallmark sidecar daemon.
//
// Start-up: load policy and keys (or the embedded defaults and an ephemeral
// key), serve metrics, serve gRPC with health and reflection, print one
// "hallmarkd ready" line. Signals are handled on this thread with sigwait:
// SIGHUP reloads policy and keys, and so does a change to their files
// (--watch_config, inotify with a debounce); SIGTERM/SIGINT drain (health turns
// NOT_SERVING, new calls are refused, in-flight calls finish within the grace
// period) and exit 0.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "sidecar/clock/clock.h"
#include "sidecar/config/config_store.h"
#include "sidecar/config/config_watcher.h"
#include "sidecar/grpc/hallmark_service.h"
#include "sidecar/log/log.h"
#include "sidecar/version.h"
#include "telemetry/metrics.h"
#include "telemetry/metrics_server.h"
#include "watermark/text/text_scheme_registry.h"

ABSL_FLAG(std::string, grpc_listen, "127.0.0.1:50051",
          "gRPC address: host:port (port 0 picks a free one) or unix:/path/to.sock");
ABSL_FLAG(std::string, metrics_listen, "0.0.0.0:9464",
          "Prometheus metrics address host:port, served at /metrics (port 0 picks a free one)");
ABSL_FLAG(std::string, policy, "",
          "Policy YAML file; without it every Space runs in mark mode with a 200 ms budget");
ABSL_FLAG(std::string, keys, "",
          "Key ring directory (one file per key, file name = key id); without it an "
          "ephemeral key is generated and marks cannot be verified after a restart");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(20),
          "On SIGTERM, how long in-flight calls may take to finish");
ABSL_FLAG(bool, watch_config, true,
          "Reload when the policy file or the key directory changes (inotify on their "
          "directories, Kubernetes ConfigMap/Secret updates included), as SIGHUP does");
ABSL_FLAG(std::string, unix_socket_mode, "0660",
          "File mode (octal) of the socket file when --grpc_listen is unix:/path");
ABSL_FLAG(int, max_message_bytes, 16 << 20, "Largest gRPC message accepted, in bytes");

namespace hallmark::sidecar {
namespace {

constexpr char kServiceName[] = "hallmark.v1.Hallmark";

void WarnEphemeralKey(const std::string& key_id) {
  LogWarning("=================================================================");
  LogWarning(absl::StrCat("NO KEYS CONFIGURED: marking with the EPHEMERAL key ", key_id, "."));
  LogWarning("Marks made now cannot be verified once this process exits.");
  LogWarning("For real use: hallmark keygen --out DIR, then hallmarkd --keys DIR.");
  LogWarning("=================================================================");
}

// Parses an octal permission string such as "0660".
absl::StatusOr<mode_t> ParseSocketMode(const std::string& text) {
  if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--unix_socket_mode: \"", text, "\" is not an octal mode such as 0660"));
  }
  return static_cast<mode_t>(std::stoul(text, nullptr, 8) & 0777);
}

int Run() {
  // Block the signals before any thread exists (prometheus-cpp and gRPC start
  // threads that inherit this mask), so that only sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  telemetry::Metrics metrics({kVersion, kGitCommit});
  watermark::TextSchemeRegistry text_schemes;
  watermark::RegisterBuiltinTextSchemes(text_schemes);
  SystemClock clock;

  ConfigSources sources{absl::GetFlag(FLAGS_policy), absl::GetFlag(FLAGS_keys)};
  // File-change reloads, the same path as SIGHUP after a quiet period. The
  // watches are set up before the first load, so that a change made while
  // it runs is not missed: its events wait in the queue until Start().
  // `store` is declared first so that it outlives the watcher's thread.
  absl::StatusOr<std::unique_ptr<ConfigStore>> store;
  absl::StatusOr<std::unique_ptr<ConfigWatcher>> watcher = std::unique_ptr<ConfigWatcher>();
  if (absl::GetFlag(FLAGS_watch_config) &&
      (!sources.policy_path.empty() || !sources.keys_dir.empty())) {
    watcher = ConfigWatcher::Create(
        WatchedPathsFor(sources.policy_path, sources.keys_dir), kDefaultConfigDebounce, clock,
        [&store] { (*store)->ReloadAndLog("file-change").IgnoreError(); });
  }
  store = ConfigStore::Create(sources, text_schemes, metrics);
  if (!store.ok()) {
    LogError(absl::StrCat("cannot start: ", store.status().message()));
    return 2;
  }
  if (!watcher.ok()) {
    LogError(absl::StrCat("cannot start: ", watcher.status().message(),
                          " (--watch_config=false turns watching off)"));
    return 2;
  }
  if (*watcher != nullptr) (*watcher)->Start();
  {
    const auto config = (*store)->Current();
    if (config->key_ring().ephemeral()) WarnEphemeralKey(config->active_key().id());
  }

  absl::StatusOr<std::unique_ptr<telemetry::MetricsServer>> metrics_server =
      telemetry::MetricsServer::Start(absl::GetFlag(FLAGS_metrics_listen), metrics.registry());
  if (!metrics_server.ok()) {
    LogError(absl::StrCat("cannot start: ", metrics_server.status().message()));
    return 2;
  }

  const std::string listen = absl::GetFlag(FLAGS_grpc_listen);
  const bool unix_socket = absl::StartsWith(listen, "unix:");
  absl::StatusOr<mode_t> socket_mode = ParseSocketMode(absl::GetFlag(FLAGS_unix_socket_mode));
  if (!socket_mode.ok()) {
    LogError(absl::StrCat("cannot start: ", socket_mode.status().message()));
    return 2;
  }

  HallmarkService service(**store, clock, metrics, text_schemes);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int selected_port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &selected_port);
  builder.SetMaxReceiveMessageSize(absl::GetFlag(FLAGS_max_message_bytes));
  builder.SetMaxSendMessageSize(absl::GetFlag(FLAGS_max_message_bytes));
  builder.RegisterService(&service);
  // The socket file is created by bind() inside BuildAndStart: a tight
  // umask meanwhile means it is never more open than 0700, until the chmod
  // below sets the requested mode.
  const mode_t old_umask = unix_socket ? umask(0077) : 0;
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (unix_socket) umask(old_umask);
  if (server == nullptr || (!unix_socket && selected_port == 0)) {
    LogError(absl::StrCat("cannot start: cannot listen for gRPC on ", listen));
    return 2;
  }
  if (unix_socket) {
    // "unix:/path" or "unix:relative"; "unix://" is the URI form of an absolute path.
    std::string path = listen.substr(5);
    if (absl::StartsWith(path, "//")) path = path.substr(2);
    if (chmod(path.c_str(), *socket_mode) != 0) {
      LogError(absl::StrCat("cannot start: chmod ", path, ": ", std::strerror(errno)));
      return 2;
    }
  }

  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus(true);
  health->SetServingStatus(kServiceName, true);

  std::string grpc_address = listen;
  if (!unix_socket) {
    grpc_address = absl::StrCat(listen.substr(0, listen.rfind(':')), ":", selected_port);
  }
  {
    const auto config = (*store)->Current();
    LogInfo(absl::StrCat("hallmarkd ready version=", kVersion, " grpc=", grpc_address,
                         " metrics=http://", (*metrics_server)->address(), "/metrics policy=\"",
                         config->policy().source, "\" keys=", config->key_ring().keys().size(),
                         " active_key=", config->active_key().id(),
                         " watch_config=", *watcher != nullptr ? "on" : "off"));
  }

  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number == SIGHUP) {
      (*store)->ReloadAndLog("SIGHUP").IgnoreError();  // logged and counted
      continue;
    }
    break;
  }

  const absl::Duration grace = absl::GetFlag(FLAGS_shutdown_grace);
  LogInfo(absl::StrCat("draining: health NOT_SERVING, refusing new calls, up to ",
                       absl::FormatDuration(grace), " for in-flight calls"));
  health->SetServingStatus(false);
  health->SetServingStatus(kServiceName, false);
  server->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server->Wait();
  LogInfo("stopped");
  // Nothing is left to finish: skip the destructors, of which the metrics
  // HTTP server's alone waits up to 2 s for its poll loop, which would only
  // delay pod termination.
  std::fflush(nullptr);
  std::_Exit(0);
}

}  // namespace
}  // namespace hallmark::sidecar

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "hallmarkd: the Hallmark watermarking sidecar.\n"
      "Usage: hallmarkd [--grpc_listen ADDR] [--metrics_listen ADDR] [--policy FILE] "
      "[--keys DIR] [--watch_config=false] [--unix_socket_mode 0660]");
  absl::ParseCommandLine(argc, argv);
  return hallmark::sidecar::Run();
}
