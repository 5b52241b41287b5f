// hallmarkd: the Hallmark sidecar daemon.
//
// Start-up: load policy and keys (or the embedded defaults and an ephemeral
// key), serve metrics, serve gRPC with health and reflection, print one
// "hallmarkd ready" line. Signals are handled on this thread with sigwait:
// SIGHUP reloads policy and keys, and so does a change to their files
// (--watch_config, inotify with a debounce); SIGTERM/SIGINT drain (health turns
// NOT_SERVING, calls are still served for --drain_delay, then new calls are
// refused and in-flight calls finish within the grace period) and exit 0.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sidecar/clock/clock.h"
#include "sidecar/config/config_store.h"
#include "sidecar/config/config_watcher.h"
#include "sidecar/grpc/hallmark_service.h"
#include "sidecar/grpc/listener_credentials.h"
#include "sidecar/http/public_detect_server.h"
#include "sidecar/keys/receipt_key.h"
#include "sidecar/log/log.h"
#include "sidecar/policy/usable_cores.h"
#include "sidecar/provenance/content_credentials.h"
#include "sidecar/provenance/published_keys.h"
#include "sidecar/server/socket_file.h"
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
ABSL_FLAG(absl::Duration, drain_delay, absl::ZeroDuration(),
          "On SIGTERM, how long to keep serving new calls while health reports NOT_SERVING, "
          "so that load balancers and clients watching health move away first (in "
          "Kubernetes, in place of a preStop sleep)");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(20),
          "On SIGTERM, after --drain_delay: how long in-flight calls may take to finish");
ABSL_FLAG(bool, watch_config, true,
          "Reload when the policy file or the key directory changes (inotify on their "
          "directories, Kubernetes ConfigMap/Secret updates included), as SIGHUP does");
ABSL_FLAG(std::string, unix_socket_mode, "0660",
          "File mode (octal) of the socket file when --grpc_listen is unix:/path");
ABSL_FLAG(std::string, unix_socket_group, "",
          "Group (name or numeric gid) of the socket file when --grpc_listen is unix:/path; "
          "empty: the process's group");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of the gRPC listener (TCP only); with --tls_key, turns TLS on");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA certificates for client certificates: mutual TLS, clients without a "
          "certificate from one of these CAs are refused");
ABSL_FLAG(absl::Duration, tls_reload_interval, absl::Seconds(10),
          "How often the TLS files are re-read; changed files apply to new connections");
ABSL_FLAG(int, max_message_bytes, 16 << 20, "Largest gRPC message accepted, in bytes");
ABSL_FLAG(int, max_in_flight_text, 0,
          "Text requests (MarkText, streams, text Detect) working at once; 0 = 16 per usable "
          "core (the CPUs of the affinity mask, capped by a cgroup CPU limit)");
ABSL_FLAG(int, max_queued_text, 256,
          "Text requests waiting for a slot (each up to its budget); more are shed at once");
ABSL_FLAG(int, max_in_flight_image, 0,
          "Image requests (MarkImage, image Detect) working at once; 0 = one per usable core");
ABSL_FLAG(int, max_queued_image, 0,
          "Image requests waiting for a slot (each up to its budget); 0 = two per usable core");
ABSL_FLAG(absl::Duration, stream_idle_timeout, absl::Seconds(120),
          "Cancel a MarkTextStream that sends no message for this long (a stalled or abandoned "
          "client); 0 = never");
ABSL_FLAG(std::string, receipt_key, "",
          "PEM (PKCS#8) Ed25519 private key that signs the provenance receipts of marked texts "
          "(openssl genpkey -algorithm ed25519); without it an ephemeral key is generated");
ABSL_FLAG(std::string, c2pa_private_key, "",
          "PEM P-256 (ES256) private key that signs the C2PA manifests of marked images; with "
          "--c2pa_cert_chain. Neither: a generated development chain (untrusted, warned loudly)");
ABSL_FLAG(std::string, c2pa_cert_chain, "",
          "PEM certificate chain for --c2pa_private_key: signing certificate first, then its "
          "issuing CAs (not the root)");
ABSL_FLAG(std::string, c2pa_trust_anchors, "",
          "PEM CA certificates whose C2PA signers Detect reports as trusted (empty: none)");
ABSL_FLAG(std::string, receipt_public_key_out, "",
          "Write the receipt public key (PEM) to this file at start, for verifiers");
ABSL_FLAG(std::string, public_detect_address, "",
          "Public HTTP detection endpoint (POST /v1/detect, JSON), host:port (port 0 picks a "
          "free one); empty: off. Never marks, never reveals keys; see docs/api.md");
ABSL_FLAG(int64_t, public_detect_max_bytes, 20 << 20,
          "Largest request body the public detection endpoint accepts, in bytes");
ABSL_FLAG(double, public_detect_rate, 5,
          "Public detection requests per second per client IP (IPv6: per /64); 0 = no limit");
ABSL_FLAG(int, public_detect_burst, 10,
          "Public detection requests a client IP may send at once before --public_detect_rate "
          "applies");
ABSL_FLAG(double, public_detect_global_rate, 50,
          "Public detection requests per second from all clients together; 0 = no limit");
ABSL_FLAG(int, public_detect_global_burst, 100,
          "Public detection requests all clients together may send at once");
ABSL_FLAG(int, public_detect_threads, 2,
          "Threads serving the public detection endpoint (requests served at once)");
ABSL_FLAG(absl::Duration, public_detect_timeout, absl::Seconds(10),
          "How long a public detection client may take to send its request and read the "
          "answer");

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

void WarnDevelopmentC2paSigner(absl::string_view subject) {
  LogWarning("=================================================================");
  LogWarning(
      absl::StrCat("NO C2PA SIGNING CERTIFICATE CONFIGURED: image manifests are signed by a "
                   "generated DEVELOPMENT certificate (",
                   subject, ")."));
  LogWarning("C2PA validators report it as untrusted, and it changes at every start. For");
  LogWarning("real use: --c2pa_private_key and --c2pa_cert_chain from a CA your verifiers");
  LogWarning("trust (docs/provenance.md), or image.provenance: off in the policy.");
  LogWarning("=================================================================");
}

void WarnEphemeralReceiptKey(const ReceiptKey& key) {
  LogWarning("=================================================================");
  LogWarning(absl::StrCat("NO RECEIPT KEY CONFIGURED: signing receipts with the EPHEMERAL key ",
                          key.signer->key_id(), "."));
  LogWarning("Its receipts verify only against the public key logged below, which is lost");
  LogWarning("when this process exits. For real use: hallmark keygen --receipt --out DIR,");
  LogWarning("then hallmarkd --receipt_key DIR/receipt_key.pem.");
  LogWarning("=================================================================");
}

// The unix socket flags, checked.
absl::StatusOr<SocketFileAccess> SocketFileAccessFromFlags() {
  SocketFileAccess access;
  absl::StatusOr<mode_t> mode = ParseSocketMode(absl::GetFlag(FLAGS_unix_socket_mode));
  if (!mode.ok()) return mode.status();
  access.mode = *mode;
  if (const std::string group = absl::GetFlag(FLAGS_unix_socket_group); !group.empty()) {
    absl::StatusOr<gid_t> gid = ParseSocketGroup(group);
    if (!gid.ok()) return gid.status();
    access.group = *gid;
  }
  return access;
}

// After SIGTERM: health already says NOT_SERVING; keeps serving for `delay`
// so that callers move away. Another SIGTERM or SIGINT cuts the delay short;
// SIGHUP still reloads.
void WaitOutDrainDelay(const sigset_t& signals, absl::Duration delay, ConfigStore& store) {
  const absl::Time end = absl::Now() + delay;
  for (absl::Duration left = delay; left > absl::ZeroDuration(); left = end - absl::Now()) {
    const timespec timeout = absl::ToTimespec(left);
    const int signal_number = sigtimedwait(&signals, nullptr, &timeout);
    if (signal_number == SIGHUP) {
      store.ReloadAndLog("SIGHUP").IgnoreError();  // logged and counted
    } else if (signal_number == SIGTERM || signal_number == SIGINT) {
      LogInfo("second stop signal: cutting the drain delay short");
      return;
    }
  }
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
  absl::StatusOr<ReceiptKey> receipt_key = LoadReceiptKey(absl::GetFlag(FLAGS_receipt_key));
  if (!receipt_key.ok()) {
    LogError(absl::StrCat("cannot start: ", receipt_key.status().message()));
    return 2;
  }
  if (receipt_key->ephemeral) WarnEphemeralReceiptKey(*receipt_key);
  LogInfo(absl::StrCat("receipt signing key kid=", receipt_key->signer->key_id(), " source=\"",
                       receipt_key->source,
                       "\" public_key=", OneLinePublicKey(*receipt_key->signer),
                       " (base64 SubjectPublicKeyInfo; PEM body)"));
  if (const std::string out = absl::GetFlag(FLAGS_receipt_public_key_out); !out.empty()) {
    if (absl::Status written = WriteReceiptPublicKey(*receipt_key->signer, out); !written.ok()) {
      LogError(absl::StrCat("cannot start: ", written.message()));
      return 2;
    }
  }

  absl::StatusOr<std::unique_ptr<ContentCredentials>> content_credentials =
      ContentCredentials::Load(
          {absl::GetFlag(FLAGS_c2pa_private_key), absl::GetFlag(FLAGS_c2pa_cert_chain),
           absl::GetFlag(FLAGS_c2pa_trust_anchors)},
          kVersion, absl::Now());
  if (!content_credentials.ok()) {
    LogError(absl::StrCat("cannot start: ", content_credentials.status().message()));
    return 2;
  }
  if ((*content_credentials)->development()) {
    WarnDevelopmentC2paSigner((*content_credentials)->signer().subject());
  } else {
    LogInfo(absl::StrCat("C2PA signer: ", (*content_credentials)->signer().subject()));
  }

  absl::StatusOr<std::unique_ptr<telemetry::MetricsServer>> metrics_server =
      telemetry::MetricsServer::Start(absl::GetFlag(FLAGS_metrics_listen), metrics.registry());
  if (!metrics_server.ok()) {
    LogError(absl::StrCat("cannot start: ", metrics_server.status().message()));
    return 2;
  }

  const std::string listen = absl::GetFlag(FLAGS_grpc_listen);
  const bool unix_socket = absl::StartsWith(listen, "unix:");
  absl::StatusOr<SocketFileAccess> socket_access = SocketFileAccessFromFlags();
  if (!socket_access.ok()) {
    LogError(absl::StrCat("cannot start: ", socket_access.status().message()));
    return 2;
  }
  // TLS files are read and checked now, so that a mistake stops the start.
  // (Created after the signals are blocked: gRPC re-reads them on a thread.)
  absl::StatusOr<ListenerCredentials> credentials = MakeListenerCredentials(
      listen, ListenerTlsSettings{absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
                                  absl::GetFlag(FLAGS_tls_client_ca),
                                  absl::GetFlag(FLAGS_tls_reload_interval)});
  if (!credentials.ok()) {
    LogError(absl::StrCat("cannot start: ", credentials.status().message()));
    return 2;
  }

  // Per usable core: the affinity mask capped by a cgroup CPU limit.
  const UsableCores usable = DetectUsableCores();
  const int cores = usable.cores;
  auto or_default = [](int value, int fallback) { return value > 0 ? value : fallback; };
  HallmarkService::Limits limits;
  limits.text = {or_default(absl::GetFlag(FLAGS_max_in_flight_text), 16 * cores),
                 std::max(0, absl::GetFlag(FLAGS_max_queued_text))};
  limits.image = {or_default(absl::GetFlag(FLAGS_max_in_flight_image), cores),
                  or_default(absl::GetFlag(FLAGS_max_queued_image), 2 * cores)};
  limits.stream_idle_timeout = absl::GetFlag(FLAGS_stream_idle_timeout);
  limits.cores = cores;
  LogInfo(absl::StrCat(
      "work slots for usable cores=", cores, " (affinity ", usable.affinity, ", cgroup quota ",
      usable.quota.has_value() ? absl::StrCat(*usable.quota, " from ", usable.quota_source)
                               : std::string("none"),
      "): text ", limits.text.max_in_flight, " in flight + ", limits.text.max_queued,
      " queued, image ", limits.image.max_in_flight, " + ", limits.image.max_queued));
  HallmarkService service(**store, clock, metrics, text_schemes, limits, receipt_key->signer.get(),
                          content_credentials->get());
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int selected_port = 0;
  builder.AddListeningPort(listen, credentials->credentials, &selected_port);
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
    if (absl::Status access = ApplySocketFileAccess(UnixSocketPath(listen), *socket_access);
        !access.ok()) {
      LogError(absl::StrCat("cannot start: ", access.message()));
      return 2;
    }
  }

  // The public detection endpoint shares the service's DetectPipeline (and
  // with it the image work slots).
  std::unique_ptr<PublicDetectServer> public_detect;
  if (const std::string address = absl::GetFlag(FLAGS_public_detect_address); !address.empty()) {
    PublicDetectOptions options;
    options.listen = address;
    options.max_body_bytes = absl::GetFlag(FLAGS_public_detect_max_bytes);
    options.threads = absl::GetFlag(FLAGS_public_detect_threads);
    options.request_timeout = absl::GetFlag(FLAGS_public_detect_timeout);
    options.rate_limits.per_client = {
        absl::GetFlag(FLAGS_public_detect_rate),
        static_cast<double>(absl::GetFlag(FLAGS_public_detect_burst))};
    options.rate_limits.global = {
        absl::GetFlag(FLAGS_public_detect_global_rate),
        static_cast<double>(absl::GetFlag(FLAGS_public_detect_global_burst))};
    options.published_keys_json = PublishedKeysJson(*receipt_key->signer, **content_credentials);
    absl::StatusOr<std::unique_ptr<PublicDetectServer>> started =
        PublicDetectServer::Start(options, **store, service.detect_pipeline(), clock, metrics);
    if (!started.ok()) {
      LogError(absl::StrCat("cannot start: ", started.status().message()));
      return 2;
    }
    public_detect = *std::move(started);
    LogInfo(absl::StrCat("public detection on http://", public_detect->address(), "/v1/detect",
                         " max_bytes=", options.max_body_bytes,
                         " rate=", options.rate_limits.per_client.rate, "/s burst ",
                         options.rate_limits.per_client.burst,
                         " per client, global=", options.rate_limits.global.rate, "/s burst ",
                         options.rate_limits.global.burst, " threads=", options.threads));
  }

  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus(true);
  health->SetServingStatus(kServiceName, true);

  std::string grpc_address = listen;
  if (!unix_socket) {
    grpc_address = absl::StrCat(listen.substr(0, listen.rfind(':')), ":", selected_port);
  }
  if (credentials->security != TransportSecurity::kPlaintext) {
    LogInfo(absl::StrCat("grpc transport ", TransportSecurityName(credentials->security), ": ",
                         credentials->summary));
  }
  {
    const auto config = (*store)->Current();
    LogInfo(absl::StrCat("hallmarkd ready version=", kVersion, " grpc=", grpc_address,
                         " metrics=http://", (*metrics_server)->address(), "/metrics policy=\"",
                         config->policy().source, "\" keys=", config->key_ring().keys().size(),
                         " active_key=", config->active_key().id(),
                         " receipt_kid=", receipt_key->signer->key_id(),
                         " watch_config=", *watcher != nullptr ? "on" : "off",
                         " transport=", TransportSecurityName(credentials->security)));
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

  const absl::Duration drain_delay = absl::GetFlag(FLAGS_drain_delay);
  const absl::Duration grace = absl::GetFlag(FLAGS_shutdown_grace);
  health->SetServingStatus(false);
  health->SetServingStatus(kServiceName, false);
  if (public_detect != nullptr) public_detect->StartDraining();  // 503 from now on
  if (drain_delay > absl::ZeroDuration()) {
    LogInfo(absl::StrCat("draining: health NOT_SERVING, still serving for the drain delay (",
                         absl::FormatDuration(drain_delay), ")"));
    WaitOutDrainDelay(signals, drain_delay, **store);
  }
  // From here gRPC refuses new calls (UNAVAILABLE) and waits for the calls
  // its handlers have started; those still running when the grace ends are
  // cancelled.
  LogInfo(absl::StrCat("draining: health NOT_SERVING, refusing new calls, up to ",
                       absl::FormatDuration(grace), " for in-flight calls"));
  const absl::Time shutdown_deadline = absl::Now() + grace;
  server->Shutdown(absl::ToChronoTime(shutdown_deadline));
  server->Wait();
  // Public requests answer 503 since the SIGTERM; those that were already
  // running get the same grace.
  if (public_detect != nullptr && !public_detect->WaitForIdle(shutdown_deadline)) {
    LogWarning("public detection requests still running at the end of the grace period");
  }
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
      "[--keys DIR] [--watch_config=false] [--unix_socket_mode 0660] [--unix_socket_group G] "
      "[--tls_cert FILE --tls_key FILE [--tls_client_ca FILE]] [--drain_delay 5s] "
      "[--shutdown_grace 20s] [--receipt_key FILE] [--receipt_public_key_out FILE] "
      "[--max_in_flight_text N] [--max_queued_text N] [--max_in_flight_image N] "
      "[--max_queued_image N] [--public_detect_address ADDR [--public_detect_max_bytes N] "
      "[--public_detect_rate R] [--public_detect_burst N] [--public_detect_global_rate R] "
      "[--public_detect_global_burst N] [--public_detect_threads N] "
      "[--public_detect_timeout 10s]] [--stream_idle_timeout 120s] "
      "[--c2pa_private_key FILE --c2pa_cert_chain FILE] [--c2pa_trust_anchors FILE]");
  absl::ParseCommandLine(argc, argv);
  // Debian builds Abseil without NDEBUG, which leaves Mutex deadlock
  // detection on: a lock-order graph updated on Mutex acquisitions, 2-3 %
  // of hallmarkd's CPU samples under text load (perf). Release builds of
  // Abseil have it off; the test suite exercises the lock order.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return hallmark::sidecar::Run();
}
