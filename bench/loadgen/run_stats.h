// What one load run measured, per workload: the plain result types, and the
// thread-safe recorder the RPC callbacks write into.
#ifndef HALLMARK_BENCH_LOADGEN_RUN_STATS_H_
#define HALLMARK_BENCH_LOADGEN_RUN_STATS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bench/loadgen/latency_histogram.h"

namespace hallmark::loadgen {

// A send is "late" when the generator issued it this long after its intended
// send time (it fell behind the schedule; its latency still counts from the
// intended time).
inline constexpr absl::Duration kLateSendThreshold = absl::Milliseconds(1);

// Counters for streams (MarkTextStream), zero for unary workloads.
struct StreamCounts {
  int64_t started = 0;    // streams opened in the window
  int64_t completed = 0;  // streams that ended (any status) after the warm-up
  // Deltas with no response before the next delta was sent: held back by
  // the sidecar until the text can carry the mark (expected: about the
  // scheme's frame length per stream), or answered late.
  int64_t held_deltas = 0;
  // Responses after the first one to the same delta (not expected).
  int64_t extra_responses = 0;
};

// What MarkImage responses reported (image workloads), from the calls that
// returned OK with a decision (the echo baseline sends none).
struct ImageStats {
  int64_t responses = 0;
  // The sidecar's stage times (decode_micros, embed_micros, encode_micros),
  // each recorded when non-zero (a stage that did not run reports 0).
  LatencyHistogram decode;
  LatencyHistogram embed;
  LatencyHistogram encode;
  // psnr_db when set (marked or shadowed), and the returned image's size.
  double psnr_db_sum = 0;
  int64_t psnr_count = 0;
  double response_bytes_sum = 0;

  bool empty() const { return responses == 0; }
  void Merge(const ImageStats& other);
};

// One MarkImage response's numbers, for WorkloadRecorder::RecordImage.
struct ImageSample {
  int64_t decode_micros = 0;
  int64_t embed_micros = 0;
  int64_t encode_micros = 0;
  double psnr_db = 0;
  int64_t response_bytes = 0;
};

// Everything measured for one workload (or the merge of several). Copyable.
struct WorkloadResult {
  std::string workload;
  // Unary: calls whose intended send time fell in the measured window.
  // Streams: deltas sent in the window.
  int64_t requests = 0;
  // Unary: calls that returned OK. Streams: deltas answered (latency samples).
  int64_t ok = 0;
  // Unary calls / streams that ended with a non-OK status, by code name.
  int64_t errors = 0;
  std::map<std::string, int64_t> errors_by_code;
  // Decision names from responses, and DECISION_BLOCKED from the trailing
  // metadata of failed calls. Detect has no decision: its outcomes are counted
  // as DETECT_VERIFIED, DETECT_UNVERIFIED and DETECT_NONE.
  std::map<std::string, int64_t> decisions;
  std::map<std::string, int64_t> reasons;
  int64_t late_sends = 0;
  // Unary: from the intended send time to the response (or error). Streams:
  // from each delta's intended send time to the next response received.
  LatencyHistogram latency;
  // Unary calls that returned OK, by decision: whether the calls that were
  // marked (accepted) stayed within the budget while others were shed.
  std::map<std::string, LatencyHistogram> latency_by_decision;
  // Unary calls (any outcome) whose latency exceeded the budget the run was
  // told about (RunConfig::budget, the sidecar's 200 ms by default).
  int64_t over_budget = 0;
  // The sidecar's own time (server_micros): per call; per stream, summed over
  // the stream. Empty for Detect (its response has no server_micros).
  LatencyHistogram server_latency;
  // Actual minus intended send time (open loop only).
  LatencyHistogram send_lag;
  StreamCounts streams;
  // Streams: from WritesDone to the final response.
  LatencyHistogram stream_finish;
  // Streams: from the first delta's intended send time to the first response
  // that releases text (the hold-back a reader sees before any text), for
  // streams started in the window.
  LatencyHistogram stream_first_release;
  absl::Duration window = absl::ZeroDuration();  // the measured window's length
  // Image workloads: the bytes every call sends and where they came from
  // (set by the runner; not merged into totals), and what the responses said.
  int64_t request_bytes = 0;
  std::string payload;
  ImageStats image;

  // ok per second of the measured window.
  double throughput_rps() const;
  void Merge(const WorkloadResult& other);
};

// Records one workload's outcomes. Thread-safe: gRPC callbacks on many
// threads call it; each call takes a short lock.
class WorkloadRecorder {
 public:
  // `budget`: unary calls slower than this are counted in over_budget.
  WorkloadRecorder(std::string workload, absl::Duration budget) : budget_(budget) {
    result_.workload = std::move(workload);
  }

  // A unary call or a stream delta was sent in the window; `lag` is actual
  // minus intended send time (zero in closed loop).
  void RecordSend(absl::Duration lag, bool open_loop);
  // A unary call finished. `decision`/`reason` may be empty; `server_micros`
  // is negative when the response has none.
  void RecordUnary(absl::Duration latency, int grpc_code, absl::string_view decision,
                   absl::string_view reason, int64_t server_micros);
  // A MarkImage call returned OK with a decision (after RecordUnary).
  void RecordImage(const ImageSample& sample);
  // A stream delta got its first response.
  void RecordDeltaLatency(absl::Duration latency);
  void RecordStreamStarted();
  void RecordHeldDelta();
  void RecordExtraResponse();
  void RecordFirstRelease(absl::Duration latency);
  // A stream ended; `finish` is negative when no final response came.
  void RecordStreamEnd(int grpc_code, absl::string_view decision, absl::string_view reason,
                       int64_t server_micros, absl::Duration finish);

  WorkloadResult Snapshot() const;

 private:
  void CountOutcome(int grpc_code, absl::string_view decision, absl::string_view reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration budget_;
  mutable absl::Mutex mu_;
  WorkloadResult result_ ABSL_GUARDED_BY(mu_);
};

// The name of a grpc::StatusCode value ("OK", "DEADLINE_EXCEEDED", ...).
std::string GrpcCodeName(int code);

}  // namespace hallmark::loadgen

#endif  // HALLMARK_BENCH_LOADGEN_RUN_STATS_H_
