#include "bench/loadgen/run_stats.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/str_cat.h"

namespace hallmark::loadgen {

std::string GrpcCodeName(int code) {
  static constexpr std::array<const char*, 17> kNames = {"OK",
                                                         "CANCELLED",
                                                         "UNKNOWN",
                                                         "INVALID_ARGUMENT",
                                                         "DEADLINE_EXCEEDED",
                                                         "NOT_FOUND",
                                                         "ALREADY_EXISTS",
                                                         "PERMISSION_DENIED",
                                                         "RESOURCE_EXHAUSTED",
                                                         "FAILED_PRECONDITION",
                                                         "ABORTED",
                                                         "OUT_OF_RANGE",
                                                         "UNIMPLEMENTED",
                                                         "INTERNAL",
                                                         "UNAVAILABLE",
                                                         "DATA_LOSS",
                                                         "UNAUTHENTICATED"};
  if (code >= 0 && code < static_cast<int>(kNames.size())) return kNames[code];
  return absl::StrCat("CODE_", code);
}

double WorkloadResult::throughput_rps() const {
  const double seconds = absl::ToDoubleSeconds(window);
  return seconds > 0 ? static_cast<double>(ok) / seconds : 0;
}

void ImageStats::Merge(const ImageStats& other) {
  responses += other.responses;
  decode.Merge(other.decode);
  embed.Merge(other.embed);
  encode.Merge(other.encode);
  psnr_db_sum += other.psnr_db_sum;
  psnr_count += other.psnr_count;
  response_bytes_sum += other.response_bytes_sum;
}

void WorkloadResult::Merge(const WorkloadResult& other) {
  requests += other.requests;
  ok += other.ok;
  errors += other.errors;
  for (const auto& [name, n] : other.errors_by_code) errors_by_code[name] += n;
  for (const auto& [name, n] : other.decisions) decisions[name] += n;
  for (const auto& [name, n] : other.reasons) reasons[name] += n;
  late_sends += other.late_sends;
  latency.Merge(other.latency);
  for (const auto& [name, h] : other.latency_by_decision) latency_by_decision[name].Merge(h);
  over_budget += other.over_budget;
  server_latency.Merge(other.server_latency);
  send_lag.Merge(other.send_lag);
  streams.started += other.streams.started;
  streams.completed += other.streams.completed;
  streams.held_deltas += other.streams.held_deltas;
  streams.extra_responses += other.streams.extra_responses;
  stream_finish.Merge(other.stream_finish);
  stream_first_release.Merge(other.stream_first_release);
  window = std::max(window, other.window);
  image.Merge(other.image);
}

void WorkloadRecorder::RecordSend(absl::Duration lag, bool open_loop) {
  absl::MutexLock lock(&mu_);
  ++result_.requests;
  if (!open_loop) return;
  result_.send_lag.Record(lag);
  if (lag > kLateSendThreshold) ++result_.late_sends;
}

void WorkloadRecorder::CountOutcome(int grpc_code, absl::string_view decision,
                                    absl::string_view reason) {
  if (grpc_code != 0) {
    ++result_.errors;
    ++result_.errors_by_code[GrpcCodeName(grpc_code)];
  }
  if (!decision.empty()) ++result_.decisions[std::string(decision)];
  if (!reason.empty()) ++result_.reasons[std::string(reason)];
}

void WorkloadRecorder::RecordUnary(absl::Duration latency, int grpc_code,
                                   absl::string_view decision, absl::string_view reason,
                                   int64_t server_micros) {
  absl::MutexLock lock(&mu_);
  result_.latency.Record(latency);
  if (latency > budget_) ++result_.over_budget;
  if (grpc_code == 0) {
    ++result_.ok;
    if (!decision.empty()) result_.latency_by_decision[std::string(decision)].Record(latency);
  }
  CountOutcome(grpc_code, decision, reason);
  if (server_micros >= 0) result_.server_latency.Record(absl::Microseconds(server_micros));
}

void WorkloadRecorder::RecordImage(const ImageSample& sample) {
  absl::MutexLock lock(&mu_);
  ImageStats& image = result_.image;
  ++image.responses;
  if (sample.decode_micros > 0) image.decode.Record(absl::Microseconds(sample.decode_micros));
  if (sample.embed_micros > 0) image.embed.Record(absl::Microseconds(sample.embed_micros));
  if (sample.encode_micros > 0) image.encode.Record(absl::Microseconds(sample.encode_micros));
  if (sample.psnr_db > 0) {
    image.psnr_db_sum += sample.psnr_db;
    ++image.psnr_count;
  }
  image.response_bytes_sum += static_cast<double>(sample.response_bytes);
}

void WorkloadRecorder::RecordDeltaLatency(absl::Duration latency) {
  absl::MutexLock lock(&mu_);
  ++result_.ok;
  result_.latency.Record(latency);
}

void WorkloadRecorder::RecordStreamStarted() {
  absl::MutexLock lock(&mu_);
  ++result_.streams.started;
}

void WorkloadRecorder::RecordHeldDelta() {
  absl::MutexLock lock(&mu_);
  ++result_.streams.held_deltas;
}

void WorkloadRecorder::RecordExtraResponse() {
  absl::MutexLock lock(&mu_);
  ++result_.streams.extra_responses;
}

void WorkloadRecorder::RecordFirstRelease(absl::Duration latency) {
  absl::MutexLock lock(&mu_);
  result_.stream_first_release.Record(latency);
}

void WorkloadRecorder::RecordStreamEnd(int grpc_code, absl::string_view decision,
                                       absl::string_view reason, int64_t server_micros,
                                       absl::Duration finish) {
  absl::MutexLock lock(&mu_);
  ++result_.streams.completed;
  CountOutcome(grpc_code, decision, reason);
  if (server_micros >= 0) result_.server_latency.Record(absl::Microseconds(server_micros));
  if (finish >= absl::ZeroDuration()) result_.stream_finish.Record(finish);
}

WorkloadResult WorkloadRecorder::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return result_;
}

}  // namespace hallmark::loadgen
