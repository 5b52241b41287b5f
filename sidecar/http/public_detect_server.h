// The public detection endpoint (issue 7): `POST /v1/detect` over plain
// HTTP/1.1 on its own listener, so that anyone (auditors, the public, curl)
// can check whether a text or an image carries one of our marks.
//
// The body is the content itself: `text/plain` (UTF-8) is text detection;
// `image/png`, `image/jpeg`, `image/webp` or `application/octet-stream`
// (sniffed) is image detection. The request becomes a
// hallmark.v1.DetectRequest that runs through the gRPC service's
// DetectPipeline, and the answer is that DetectResponse as JSON (proto field
// names, every field present), so whatever fields the response gains appear
// here too. It never marks, and the response holds key ids, never keys.
//
// Abuse limits, checked in this order before any work: the path and method,
// a token bucket per client IP and a global one (429 + Retry-After), a
// Content-Length that is present (411) and within the limit (413), a
// supported Content-Type (415); only then is the body read, exactly
// Content-Length bytes, within the request timeout. CivetWeb serves on a
// fixed number of threads with a finite request timeout, so slow clients
// cannot hold more than those, nor for long.
// Errors answer {"error": {"code": "...", "message": "..."}}. See docs/api.md.
#ifndef HALLMARK_SIDECAR_HTTP_PUBLIC_DETECT_SERVER_H_
#define HALLMARK_SIDECAR_HTTP_PUBLIC_DETECT_SERVER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "sidecar/clock/clock.h"
#include "sidecar/config/config_store.h"
#include "sidecar/detect/detect_pipeline.h"
#include "sidecar/http/rate_limiter.h"
#include "telemetry/metrics.h"

struct mg_connection;
struct mg_request_info;
struct mg_context;

namespace hallmark::sidecar {

struct PublicDetectOptions {
  // host:port; port 0 picks a free one. "[::]:port" listens on IPv6.
  std::string listen;
  // Largest request body (Content-Length) accepted.
  int64_t max_body_bytes = 20 << 20;
  // CivetWeb worker threads: requests served at once.
  int threads = 2;
  // How long a connection may take to send its request or receive the
  // answer (CivetWeb's request_timeout_ms).
  absl::Duration request_timeout = absl::Seconds(10);
  RateLimiter::Options rate_limits;
  // Served as is at GET /v1/keys (the public keys and certificates that
  // verify the signed layers; see sidecar/provenance/published_keys.h).
  // Empty: that path answers 404.
  std::string published_keys_json;
};

// Thread-safe: CivetWeb calls the handler from its worker threads.
class PublicDetectServer {
 public:
  // Binds and starts serving. `config`, `pipeline`, `clock` and `metrics`
  // must outlive the server. Fails (naming the address) when it cannot bind
  // or an option is out of range.
  static absl::StatusOr<std::unique_ptr<PublicDetectServer>> Start(
      const PublicDetectOptions& options, const ConfigStore& config, const DetectPipeline& pipeline,
      const Clock& clock, telemetry::Metrics& metrics);

  PublicDetectServer(const PublicDetectServer&) = delete;
  PublicDetectServer& operator=(const PublicDetectServer&) = delete;
  // Stops (see Stop()).
  ~PublicDetectServer();

  // The bound address, with the real port when 0 was asked for.
  const std::string& address() const { return address_; }

  // From now on every request is answered 503 (SIGTERM drain): load
  // balancers see the listener failing while in-flight requests finish.
  void StartDraining() { draining_.store(true, std::memory_order_relaxed); }

  // Waits until no request is being handled, or until `deadline`; returns
  // whether it is idle. After StartDraining(), new requests are answered
  // 503 at once, so this is the wait for the in-flight ones (each bounded by
  // the request timeout and the detection's own limits). Cheaper than
  // Stop(), whose CivetWeb shutdown takes up to 2 s: hallmarkd calls this
  // and then exits.
  bool WaitForIdle(absl::Time deadline) ABSL_LOCKS_EXCLUDED(mu_);

  // Closes the listener and waits for the requests being served to finish.
  // Idempotent.
  void Stop();

 private:
  // The counters of each outcome, created at start so that a request only
  // increments one.
  struct Counters {
    prometheus::Counter* ok;
    prometheus::Counter* bad_request;  // 400, 404, 405, 408, 411
    prometheus::Counter* too_large;
    prometheus::Counter* unsupported;
    prometheus::Counter* rate_limited;
    prometheus::Counter* unavailable;  // draining, or no image work slot
    prometheus::Counter* error;
  };

  PublicDetectServer(const PublicDetectOptions& options, const ConfigStore& config,
                     const DetectPipeline& pipeline, const Clock& clock,
                     telemetry::Metrics& metrics);

  // CivetWeb's request handler: `cbdata` is the server.
  static int HandleRequest(mg_connection* connection, void* cbdata);
  int Handle(mg_connection* connection);
  // GET /v1/keys.
  int HandleKeys(mg_connection* connection, const mg_request_info& info);

  const PublicDetectOptions options_;
  const ConfigStore& config_;
  const DetectPipeline& pipeline_;
  const Clock& clock_;
  RateLimiter rate_limiter_;
  Counters counters_;
  std::atomic<bool> draining_{false};
  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  mg_context* context_ = nullptr;
  std::string address_;
};

// The rate-limiting key of a client address: the address itself for IPv4,
// its /64 prefix for IPv6 (one subscriber usually holds a whole /64).
std::string RateLimitKey(absl::string_view remote_address);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_HTTP_PUBLIC_DETECT_SERVER_H_
