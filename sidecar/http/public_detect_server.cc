#include "sidecar/http/public_detect_server.h"

#include <arpa/inet.h>
#include <civetweb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "hallmark/v1/hallmark.pb.h"
#include "sidecar/log/log.h"
#include "sidecar/text/utf8.h"

namespace hallmark::sidecar {
namespace {

constexpr char kDetectPath[] = "/v1/detect";
constexpr char kKeysPath[] = "/v1/keys";
// What Retry-After says while draining or when image work is at its limit.
constexpr int kUnavailableRetrySeconds = 5;

// What the body is, from its Content-Type.
enum class BodyKind { kUnsupported, kText, kImage };

struct ContentType {
  BodyKind kind = BodyKind::kUnsupported;
  std::string image_format;  // DetectRequest.format; empty = sniff
};

// `text/plain` (UTF-8 or no charset), `image/png|jpeg|webp`,
// `application/octet-stream`; parameters other than charset are ignored.
ContentType ParseContentType(const char* header) {
  if (header == nullptr) return {};
  std::vector<absl::string_view> parts = absl::StrSplit(header, ';');
  const std::string media = absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[0]));
  if (media == "text/plain") {
    for (size_t i = 1; i < parts.size(); ++i) {
      std::pair<absl::string_view, absl::string_view> param =
          absl::StrSplit(absl::StripAsciiWhitespace(parts[i]), absl::MaxSplits('=', 1));
      if (absl::AsciiStrToLower(absl::StripAsciiWhitespace(param.first)) != "charset") continue;
      std::string charset = absl::AsciiStrToLower(absl::StripAsciiWhitespace(param.second));
      absl::string_view unquoted = charset;
      absl::ConsumePrefix(&unquoted, "\"");
      absl::ConsumeSuffix(&unquoted, "\"");
      if (unquoted != "utf-8" && unquoted != "utf8" && unquoted != "us-ascii") return {};
    }
    return {BodyKind::kText, ""};
  }
  if (media == "image/png") return {BodyKind::kImage, "png"};
  if (media == "image/jpeg") return {BodyKind::kImage, "jpeg"};
  if (media == "image/webp") return {BodyKind::kImage, "webp"};
  if (media == "application/octet-stream") return {BodyKind::kImage, ""};
  return {};
}

// `text` as a JSON string literal. Messages are UTF-8 (the pipeline's and
// ours); only quotes, backslashes and control characters need escapes.
std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

// {"error": {"code": CODE, "message": MESSAGE}}
std::string ErrorJson(absl::string_view code, absl::string_view message) {
  return absl::StrCat(R"({"error":{"code":)", JsonString(code), R"(,"message":)",
                      JsonString(message), "}}");
}

// Writes a whole JSON response; returns `status` (CivetWeb's "handled").
int Reply(mg_connection* connection, int status, absl::string_view body,
          const std::vector<std::pair<std::string, std::string>>& extra_headers = {}) {
  mg_response_header_start(connection, status);
  mg_response_header_add(connection, "Content-Type", "application/json; charset=utf-8", -1);
  const std::string length = absl::StrCat(body.size());
  mg_response_header_add(connection, "Content-Length", length.c_str(), -1);
  mg_response_header_add(connection, "Cache-Control", "no-store", -1);
  mg_response_header_add(connection, "X-Content-Type-Options", "nosniff", -1);
  for (const auto& [name, value] : extra_headers) {
    mg_response_header_add(connection, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_send(connection);
  const mg_request_info* info = mg_get_request_info(connection);
  if (info == nullptr || std::strcmp(info->request_method, "HEAD") != 0) {
    mg_write(connection, body.data(), body.size());
  }
  return status;
}

std::string RetryAfterSeconds(absl::Duration wait) {
  return absl::StrCat(
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(wait)))));
}

enum class BodyRead { kComplete, kShort, kTooSlow };

// The body is read in pieces of this size, with the deadline checked between
// them. CivetWeb's mg_read returns only once its whole buffer is filled, or
// after --public_detect_timeout without a byte: so a stalled client is cut
// off by CivetWeb, a slow one by the deadline at the next piece boundary,
// and a client trickling a byte just often enough can still hold a thread
// for up to a piece's worth of timeouts (docs/operations.md: put a proxy
// that buffers request bodies in front).
constexpr size_t kBodyPieceBytes = 16 << 10;

// Reads exactly `length` bytes of body, giving up after `deadline`.
BodyRead ReadBody(mg_connection* connection, size_t length, const Clock& clock, absl::Time deadline,
                  std::string* body) {
  body->resize(length);
  size_t received = 0;
  while (received < length) {
    if (clock.Now() > deadline) return BodyRead::kTooSlow;
    const size_t piece = std::min(kBodyPieceBytes, length - received);
    const int n = mg_read(connection, body->data() + received, piece);
    if (n <= 0) return clock.Now() > deadline ? BodyRead::kTooSlow : BodyRead::kShort;
    received += static_cast<size_t>(n);
  }
  return BodyRead::kComplete;
}

}  // namespace

std::string RateLimitKey(absl::string_view remote_address) {
  std::string address(remote_address);
  in6_addr v6;
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    char text[INET6_ADDRSTRLEN];
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {  // an IPv4 client of a dual-stack listener
      return inet_ntop(AF_INET, v6.s6_addr + 12, text, sizeof(text)) != nullptr ? text : address;
    }
    std::memset(v6.s6_addr + 8, 0, 8);
    if (inet_ntop(AF_INET6, &v6, text, sizeof(text)) != nullptr) return absl::StrCat(text, "/64");
  }
  return address;
}

PublicDetectServer::PublicDetectServer(const PublicDetectOptions& options,
                                       const ConfigStore& config, const DetectPipeline& pipeline,
                                       const Clock& clock, telemetry::Metrics& metrics)
    : options_(options),
      config_(config),
      pipeline_(pipeline),
      clock_(clock),
      rate_limiter_(clock, options.rate_limits),
      counters_{&metrics.PublicDetectRequests("ok"),
                &metrics.PublicDetectRequests("bad_request"),
                &metrics.PublicDetectRequests("too_large"),
                &metrics.PublicDetectRequests("unsupported"),
                &metrics.PublicDetectRequests("rate_limited"),
                &metrics.PublicDetectRequests("unavailable"),
                &metrics.PublicDetectRequests("error")} {}

absl::StatusOr<std::unique_ptr<PublicDetectServer>> PublicDetectServer::Start(
    const PublicDetectOptions& options, const ConfigStore& config, const DetectPipeline& pipeline,
    const Clock& clock, telemetry::Metrics& metrics) {
  // One plain host:port: CivetWeb would also take lists ("a,b") and port
  // suffixes ("443s" for TLS, "80r" for redirects), none of which apply.
  const size_t colon = options.listen.rfind(':');
  const absl::string_view port_text =
      colon == std::string::npos ? "" : absl::string_view(options.listen).substr(colon + 1);
  int port_number = -1;
  if (colon == 0 || port_text.empty() || !absl::c_all_of(port_text, absl::ascii_isdigit) ||
      !absl::SimpleAtoi(port_text, &port_number) || port_number > 65535 ||
      options.listen.find(',') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("public detect address \"", options.listen, "\" is not host:port"));
  }
  if (options.max_body_bytes <= 0 || options.threads <= 0 ||
      options.request_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "public detect: the body limit, the thread count and the request timeout must be "
        "positive");
  }
  for (const TokenBucketLimits* limits :
       {&options.rate_limits.per_client, &options.rate_limits.global}) {
    if (limits->rate > 0 && limits->burst < 1) {
      return absl::InvalidArgumentError("public detect: a rate limit's burst must be at least 1");
    }
  }
  std::unique_ptr<PublicDetectServer> server(
      new PublicDetectServer(options, config, pipeline, clock, metrics));

  const std::string threads = absl::StrCat(options.threads);
  const std::string timeout_ms = absl::StrCat(absl::ToInt64Milliseconds(options.request_timeout));
  // No document_root: CivetWeb serves no files, only the handler below.
  // clang-format off
  const char* civet_options[] = {
      "listening_ports", options.listen.c_str(),
      "num_threads", threads.c_str(),
      "request_timeout_ms", timeout_ms.c_str(),
      "enable_keep_alive", "no",
      "linger_timeout_ms", "1000",
      nullptr};
  // clang-format on
  mg_callbacks callbacks{};
  mg_init_data init{&callbacks, server.get(), civet_options};
  unsigned error_code = 0;
  char error_text[256] = "";
  mg_error_data error{&error_code, error_text, sizeof(error_text)};
  server->context_ = mg_start2(&init, &error);
  if (server->context_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve public detection on ", options.listen, ": ", error_text));
  }
  // "/" catches every path, so that unknown ones get a JSON 404 too.
  mg_set_request_handler(server->context_, "/", &PublicDetectServer::HandleRequest, server.get());

  mg_server_port ports[4] = {};
  const int count = mg_get_server_ports(server->context_, 4, ports);
  const int port = count > 0 ? ports[0].port : 0;
  server->address_ = absl::StrCat(options.listen.substr(0, colon), ":", port);
  return server;
}

PublicDetectServer::~PublicDetectServer() { Stop(); }

void PublicDetectServer::Stop() {
  if (context_ != nullptr) {
    mg_stop(context_);
    context_ = nullptr;
  }
}

bool PublicDetectServer::WaitForIdle(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  const auto idle = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return in_flight_ == 0; };
  return mu_.AwaitWithDeadline(absl::Condition(&idle), deadline);
}

int PublicDetectServer::HandleKeys(mg_connection* connection, const mg_request_info& info) {
  if (std::strcmp(info.request_method, "GET") != 0) {
    counters_.bad_request->Increment();
    return Reply(connection, 405,
                 ErrorJson("method_not_allowed", absl::StrCat(kKeysPath, " takes GET")),
                 {{"Allow", "GET"}});
  }
  if (const RateLimiter::Decision decision = rate_limiter_.Admit(RateLimitKey(info.remote_addr));
      !decision.allowed) {
    counters_.rate_limited->Increment();
    return Reply(connection, 429, ErrorJson("rate_limited", "too many requests; retry later"),
                 {{"Retry-After", RetryAfterSeconds(decision.retry_after)}});
  }
  counters_.ok->Increment();
  return Reply(connection, 200, options_.published_keys_json);
}

int PublicDetectServer::HandleRequest(mg_connection* connection, void* cbdata) {
  auto* server = static_cast<PublicDetectServer*>(cbdata);
  {
    absl::MutexLock lock(&server->mu_);
    ++server->in_flight_;
  }
  const int status = server->Handle(connection);
  absl::MutexLock lock(&server->mu_);
  --server->in_flight_;
  return status;
}

int PublicDetectServer::Handle(mg_connection* connection) {
  const mg_request_info* info = mg_get_request_info(connection);
  const std::string retry_unavailable = absl::StrCat(kUnavailableRetrySeconds);
  if (draining_.load(std::memory_order_relaxed)) {
    counters_.unavailable->Increment();
    return Reply(connection, 503, ErrorJson("unavailable", "the server is shutting down"),
                 {{"Retry-After", retry_unavailable}});
  }
  if (info->local_uri != nullptr && std::strcmp(info->local_uri, kKeysPath) == 0 &&
      !options_.published_keys_json.empty()) {
    return HandleKeys(connection, *info);
  }
  if (info->local_uri == nullptr || std::strcmp(info->local_uri, kDetectPath) != 0) {
    counters_.bad_request->Increment();
    return Reply(connection, 404,
                 ErrorJson("not_found", absl::StrCat("no such path; use POST ", kDetectPath)));
  }
  if (std::strcmp(info->request_method, "POST") != 0) {
    counters_.bad_request->Increment();
    return Reply(connection, 405,
                 ErrorJson("method_not_allowed", absl::StrCat(kDetectPath, " takes POST")),
                 {{"Allow", "POST"}});
  }
  if (const RateLimiter::Decision decision = rate_limiter_.Admit(RateLimitKey(info->remote_addr));
      !decision.allowed) {
    counters_.rate_limited->Increment();
    return Reply(connection, 429,
                 ErrorJson("rate_limited", decision.limited_by == RateLimiter::Limit::kClient
                                               ? "too many requests from this address; retry later"
                                               : "too many requests; retry later"),
                 {{"Retry-After", RetryAfterSeconds(decision.retry_after)}});
  }
  if (info->query_string != nullptr && info->query_string[0] != '\0') {
    counters_.bad_request->Increment();
    return Reply(connection, 400,
                 ErrorJson("invalid_argument", "this endpoint takes no query parameters"));
  }
  if (info->content_length < 0) {
    counters_.bad_request->Increment();
    return Reply(connection, 411,
                 ErrorJson("length_required", "send the body with a Content-Length header"));
  }
  if (info->content_length > options_.max_body_bytes) {
    counters_.too_large->Increment();
    return Reply(
        connection, 413,
        ErrorJson("too_large", absl::StrCat("the body is ", info->content_length,
                                            " bytes; the limit is ", options_.max_body_bytes)));
  }
  const ContentType content_type = ParseContentType(mg_get_header(connection, "Content-Type"));
  if (content_type.kind == BodyKind::kUnsupported) {
    counters_.unsupported->Increment();
    return Reply(connection, 415,
                 ErrorJson("unsupported_media_type",
                           "Content-Type must be text/plain; charset=utf-8, image/png, "
                           "image/jpeg, image/webp or application/octet-stream"));
  }
  if (info->content_length == 0) {
    counters_.bad_request->Increment();
    return Reply(connection, 400, ErrorJson("invalid_argument", "the body is empty"));
  }

  hallmark::v1::DetectRequest request;
  std::string body;
  switch (ReadBody(connection, static_cast<size_t>(info->content_length), clock_,
                   clock_.Now() + options_.request_timeout, &body)) {
    case BodyRead::kComplete:
      break;
    case BodyRead::kShort:
      counters_.bad_request->Increment();
      return Reply(connection, 400,
                   ErrorJson("invalid_argument", "the body ended before Content-Length bytes"));
    case BodyRead::kTooSlow:
      counters_.bad_request->Increment();
      return Reply(connection, 408,
                   ErrorJson("request_timeout", "the body took too long to arrive"));
  }
  if (content_type.kind == BodyKind::kText) {
    if (absl::Status utf8 = CheckUtf8("text", body); !utf8.ok()) {
      counters_.bad_request->Increment();
      return Reply(connection, 400, ErrorJson("invalid_argument", utf8.message()));
    }
    request.set_text(std::move(body));
  } else {
    request.set_image(std::move(body));
    request.set_format(content_type.image_format);
  }

  const std::shared_ptr<const ConfigSnapshot> config = config_.Current();
  absl::StatusOr<hallmark::v1::DetectResponse> response = pipeline_.Detect(*config, request);
  if (!response.ok()) {
    const absl::Status& status = response.status();
    switch (status.code()) {
      case absl::StatusCode::kInvalidArgument:
        counters_.bad_request->Increment();
        return Reply(connection, 400, ErrorJson("invalid_argument", status.message()));
      case absl::StatusCode::kResourceExhausted:
        // Full work slots, not an input over its limits: worth a retry.
        if (IsSlotsFull(status)) {
          counters_.unavailable->Increment();
          return Reply(connection, 503, ErrorJson("unavailable", "detection is busy; retry later"),
                       {{"Retry-After", retry_unavailable}});
        }
        counters_.too_large->Increment();
        return Reply(connection, 413, ErrorJson("too_large", status.message()));
      case absl::StatusCode::kUnimplemented:
        counters_.unsupported->Increment();
        return Reply(connection, 415, ErrorJson("unsupported_media_type", status.message()));
      default:
        counters_.error->Increment();
        LogWarning(absl::StrCat("public detect: ", status.ToString()));
        return Reply(connection, 500, ErrorJson("internal", "detection failed"));
    }
  }
  google::protobuf::util::JsonPrintOptions json_options;
  json_options.preserve_proto_field_names = true;
  json_options.always_print_primitive_fields = true;
  std::string json;
  // (protobuf's own Status type before 3.22, absl::Status after.)
  if (const auto printed =
          google::protobuf::util::MessageToJsonString(*response, &json, json_options);
      !printed.ok()) {
    counters_.error->Increment();
    LogWarning(absl::StrCat("public detect: cannot print the response: ", printed.ToString()));
    return Reply(connection, 500, ErrorJson("internal", "detection failed"));
  }
  counters_.ok->Increment();
  return Reply(connection, 200, json);
}

}  // namespace hallmark::sidecar
