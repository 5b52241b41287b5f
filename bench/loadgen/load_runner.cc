#include "bench/loadgen/load_runner.h"

#include <grpcpp/grpcpp.h>
#include <sys/prctl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bench/loadgen/prose.h"
#include "hallmark/v1/hallmark.grpc.pb.h"

namespace hallmark::loadgen {
namespace {

// Measurement needs a monotonic clock; this tool only ever runs in real time.
using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using hallmark::v1::Hallmark;

constexpr int kMaxMessageBytes = 64 << 20;
constexpr int kTextVariants = 256;
constexpr absl::Duration kConnectTimeout = absl::Seconds(5);
// Lets the threads start before the first intended send time.
constexpr absl::Duration kStartDelay = absl::Milliseconds(50);

absl::Duration Since(TimePoint start, TimePoint end) { return absl::FromChrono(end - start); }

TimePoint After(TimePoint t, absl::Duration d) {
  return t + std::chrono::duration_cast<SteadyClock::duration>(absl::ToChronoNanoseconds(d));
}

std::chrono::system_clock::time_point DeadlineIn(absl::Duration d) {
  return std::chrono::system_clock::now() + absl::ToChronoNanoseconds(d);
}

// Schedulers sleep to intended send times; the default 50 µs timer slack
// would show up in every open-loop latency.
void UsePreciseTimers() { prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); }

void SleepUntil(TimePoint t) {
  if (SteadyClock::now() < t) std::this_thread::sleep_until(t);
}

// The BLOCKED verdict of a failed call travels in the trailing metadata.
void BlockedFromTrailers(const grpc::ClientContext& context, std::string& decision,
                         std::string& reason) {
  const auto& trailers = context.GetServerTrailingMetadata();
  if (auto it = trailers.find("hallmark-decision"); it != trailers.end()) {
    decision.assign(it->second.data(), it->second.size());
  }
  if (auto it = trailers.find("hallmark-reason"); it != trailers.end()) {
    reason.assign(it->second.data(), it->second.size());
  }
}

std::string ReasonName(hallmark::v1::Reason reason) {
  return reason == hallmark::v1::REASON_UNSPECIFIED ? std::string()
                                                    : hallmark::v1::Reason_Name(reason);
}

// The image, its format and (raw) layout, as MarkImage sends them.
void SetImage(const WorkloadImage& image, hallmark::v1::MarkImageRequest& request) {
  request.set_image(image.bytes);
  request.set_format(std::string(ImageWorkloadFormatName(image.format)));
  if (image.format == ImageWorkloadFormat::kRaw) {
    hallmark::v1::RawImageLayout* raw = request.mutable_raw();
    raw->set_width(image.width);
    raw->set_height(image.height);
    raw->set_channels(image.channels);
    raw->set_stride(0);
  }
}

class LoadRun;

// One unary call in flight; deletes itself when done.
struct UnaryCall {
  grpc::ClientContext context;
  hallmark::v1::MarkTextRequest mark_request;
  hallmark::v1::MarkTextResponse mark_response;
  hallmark::v1::DetectRequest detect_request;
  hallmark::v1::DetectResponse detect_response;
  hallmark::v1::MarkImageRequest image_request;
  hallmark::v1::MarkImageResponse image_response;
  size_t workload = 0;
  TimePoint intended;
  bool measured = false;
  int caller = -1;  // closed loop: the caller that continues; -1 in open loop
};

// One MarkTextStream call. The stream driver thread sends the deltas (so the
// reactor holds a hold until Close()); gRPC threads run the reactions. Deletes
// itself in OnDone. Thread-safe as used: SendDelta/Close from one thread,
// reactions from gRPC's.
class StreamCall final : public grpc::ClientBidiReactor<hallmark::v1::MarkTextStreamRequest,
                                                        hallmark::v1::MarkTextStreamResponse> {
 public:
  StreamCall(LoadRun& run, WorkloadRecorder& recorder, Hallmark::Stub& stub,
             absl::Duration lifetime, TimePoint start, bool measured_start);

  // Sends one delta (the first one also names the Space). `intended` is its
  // place in the schedule; `measured` whether it falls in the window.
  void SendDelta(std::string delta, const std::string* space, TimePoint intended, bool measured);
  // No more deltas. The caller must not touch this object afterwards.
  void Close();

  // grpc::ClientBidiReactor:
  void OnWriteDone(bool ok) override;
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  // Starts WritesDone once the last write is done, then drops the hold.
  void FinishWritesIfIdle() ABSL_LOCKS_EXCLUDED(mu_);

  LoadRun& run_;
  WorkloadRecorder& recorder_;
  const TimePoint start_;  // the first delta's intended send time
  const bool measured_start_;
  grpc::ClientContext context_;
  hallmark::v1::MarkTextStreamResponse response_;  // owned by the read flow

  absl::Mutex mu_;
  hallmark::v1::MarkTextStreamRequest write_request_;  // the write in flight
  std::deque<hallmark::v1::MarkTextStreamRequest> pending_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;   // a write failed: start nothing more
  bool closing_ ABSL_GUARDED_BY(mu_) = false;  // Close() was called
  bool writes_done_started_ ABSL_GUARDED_BY(mu_) = false;
  // The latest delta sent, for the per-delta latency.
  bool have_delta_ ABSL_GUARDED_BY(mu_) = false;
  bool delta_answered_ ABSL_GUARDED_BY(mu_) = false;
  bool delta_measured_ ABSL_GUARDED_BY(mu_) = false;
  TimePoint delta_intended_ ABSL_GUARDED_BY(mu_);
  TimePoint closed_at_ ABSL_GUARDED_BY(mu_);
  bool released_ ABSL_GUARDED_BY(mu_) = false;  // some text came back
  // From the final response.
  std::string decision_ ABSL_GUARDED_BY(mu_);
  std::string reason_ ABSL_GUARDED_BY(mu_);
  int64_t server_micros_ ABSL_GUARDED_BY(mu_) = -1;
  absl::Duration finish_ ABSL_GUARDED_BY(mu_) = absl::Seconds(-1);
};

// Owns everything one run needs and outlives every call it starts.
class LoadRun {
 public:
  LoadRun(const RunConfig& config, std::string address, std::string label)
      : config_(config), address_(std::move(address)), label_(std::move(label)) {}

  absl::Status Prepare();
  RunResult Run();

  bool Measured(TimePoint t) const { return t >= window_start_ && t < end_; }
  bool AfterWarmup(TimePoint t) const { return t >= window_start_; }
  void CallStarted() {
    absl::MutexLock lock(&mu_);
    ++in_flight_;
  }
  void CallEnded() {
    absl::MutexLock lock(&mu_);
    --in_flight_;
  }

 private:
  // Unary calls.
  void OpenLoop();
  void IssueUnary(uint64_t seq, TimePoint intended, TimePoint now, int caller);
  void OnUnaryDone(UnaryCall* call, const grpc::Status& status);
  // Streams: one driver thread per stream workload.
  void StreamLoop(size_t workload);

  Hallmark::Stub& StubFor(uint64_t seq) { return *stubs_[seq % stubs_.size()]; }

  const RunConfig& config_;
  const std::string address_;
  const std::string label_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<Hallmark::Stub>> stubs_;
  std::vector<std::unique_ptr<WorkloadRecorder>> recorders_;  // per workload
  std::vector<std::unique_ptr<TextPool>> text_pools_;         // per workload (text)
  std::vector<std::string> detect_texts_;                     // per workload (detect)
  std::vector<size_t> unary_workloads_;                       // indices into config_
  // Per workload (detect-image): the Detect request carrying the image the
  // target marked in Prepare().
  std::vector<hallmark::v1::DetectRequest> detect_images_;
  std::atomic<uint64_t> next_seq_{0};
  std::atomic<int64_t> warmup_sends_{0};
  int64_t setup_requests_ = 0;
  TimePoint t0_;
  TimePoint window_start_;
  TimePoint end_;

  absl::Mutex mu_;
  int64_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

StreamCall::StreamCall(LoadRun& run, WorkloadRecorder& recorder, Hallmark::Stub& stub,
                       absl::Duration lifetime, TimePoint start, bool measured_start)
    : run_(run), recorder_(recorder), start_(start), measured_start_(measured_start) {
  context_.set_deadline(DeadlineIn(lifetime));
  run_.CallStarted();
  if (measured_start) recorder_.RecordStreamStarted();
  stub.async()->MarkTextStream(&context_, this);
  AddHold();  // released by Close(): the driver starts writes from outside reactions
  StartRead(&response_);
  StartCall();
}

void StreamCall::SendDelta(std::string delta, const std::string* space, TimePoint intended,
                           bool measured) {
  {
    absl::MutexLock lock(&mu_);
    if (broken_) return;
    if (have_delta_ && !delta_answered_ && delta_measured_) recorder_.RecordHeldDelta();
    have_delta_ = true;
    delta_answered_ = false;
    delta_measured_ = measured;
    delta_intended_ = intended;
    hallmark::v1::MarkTextStreamRequest request;
    if (space != nullptr) request.set_space(*space);
    request.set_delta(std::move(delta));
    if (writing_) {
      pending_.push_back(std::move(request));
      return;
    }
    writing_ = true;
    write_request_ = std::move(request);
  }
  // Never under mu_: gRPC may run a reaction (which takes mu_) inline.
  StartWrite(&write_request_);
}

void StreamCall::Close() {
  {
    absl::MutexLock lock(&mu_);
    closing_ = true;
    closed_at_ = SteadyClock::now();
  }
  FinishWritesIfIdle();
  RemoveHold();
}

void StreamCall::FinishWritesIfIdle() {
  {
    absl::MutexLock lock(&mu_);
    if (!closing_ || writing_ || broken_ || writes_done_started_) return;
    writes_done_started_ = true;
  }
  StartWritesDone();
}

void StreamCall::OnWriteDone(bool ok) {
  bool next_write = false;
  {
    absl::MutexLock lock(&mu_);
    if (!ok) {
      broken_ = true;
      writing_ = false;
      pending_.clear();
      return;
    }
    if (pending_.empty()) {
      writing_ = false;
    } else {
      write_request_ = std::move(pending_.front());
      pending_.pop_front();
      next_write = true;
    }
  }
  if (next_write) {
    StartWrite(&write_request_);
  } else {
    FinishWritesIfIdle();
  }
}

void StreamCall::OnReadDone(bool ok) {
  if (!ok) return;  // the server closed the stream; OnDone follows
  const TimePoint now = SteadyClock::now();
  {
    absl::MutexLock lock(&mu_);
    if (!released_ && !response_.delta().empty()) {
      released_ = true;
      if (measured_start_) recorder_.RecordFirstRelease(Since(start_, now));
    }
    if (response_.final()) {
      decision_ = hallmark::v1::Decision_Name(response_.decision());
      reason_ = ReasonName(response_.reason());
      server_micros_ = response_.server_micros();
      if (closing_) finish_ = Since(closed_at_, now);
    } else if (have_delta_ && !delta_answered_) {
      delta_answered_ = true;
      if (delta_measured_) recorder_.RecordDeltaLatency(Since(delta_intended_, now));
    } else if (run_.Measured(now)) {
      recorder_.RecordExtraResponse();
    }
  }
  StartRead(&response_);
}

void StreamCall::OnDone(const grpc::Status& status) {
  const TimePoint now = SteadyClock::now();
  {
    absl::MutexLock lock(&mu_);
    std::string decision = decision_;
    std::string reason = reason_;
    if (!status.ok()) BlockedFromTrailers(context_, decision, reason);
    // The last delta, when only the final response released it.
    if (have_delta_ && !delta_answered_ && delta_measured_) recorder_.RecordHeldDelta();
    // Streams that end during the warm-up are not counted.
    if (run_.AfterWarmup(now)) {
      recorder_.RecordStreamEnd(status.error_code(), decision, reason, server_micros_, finish_);
    }
  }
  LoadRun& run = run_;
  delete this;
  run.CallEnded();
}

absl::Status LoadRun::Prepare() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  // One TCP connection per channel, not one shared by all of them.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  for (int i = 0; i < std::max(1, config_.channels); ++i) {
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(DeadlineIn(kConnectTimeout))) {
      return absl::UnavailableError(absl::StrCat("cannot connect to ", label_, " at ", address_,
                                                 " within ",
                                                 absl::FormatDuration(kConnectTimeout)));
    }
    stubs_.push_back(Hallmark::NewStub(channel));
    channels_.push_back(std::move(channel));
  }

  const std::vector<WorkloadSpec>& workloads = config_.workloads;
  recorders_.resize(workloads.size());
  text_pools_.resize(workloads.size());
  detect_texts_.resize(workloads.size());
  detect_images_.resize(workloads.size());
  for (size_t w = 0; w < workloads.size(); ++w) {
    const WorkloadSpec& spec = workloads[w];
    recorders_[w] = std::make_unique<WorkloadRecorder>(spec.name, config_.budget);
    if (spec.image() && (w >= config_.images.size() || config_.images[w] == nullptr)) {
      return absl::FailedPreconditionError(
          absl::StrCat(spec.name, ": no image was made (MakeWorkloadImages)"));
    }
    if (spec.unary()) unary_workloads_.push_back(w);
    if (spec.kind == WorkloadKind::kText) {
      text_pools_[w] = std::make_unique<TextPool>(spec.bytes, kTextVariants, w + 1);
    } else if (spec.kind == WorkloadKind::kDetect) {
      // Mark one text now; every Detect call sends it.
      grpc::ClientContext context;
      context.set_deadline(DeadlineIn(absl::Seconds(10)));
      hallmark::v1::MarkTextRequest request;
      request.set_space(config_.space);
      request.set_text(GenerateProse(1000 + w, spec.bytes));
      hallmark::v1::MarkTextResponse response;
      const grpc::Status status = stubs_[0]->MarkText(&context, request, &response);
      ++setup_requests_;
      if (!status.ok()) {
        return absl::UnavailableError(
            absl::StrCat(spec.name, ": cannot mark the text to detect on ", label_, ": ",
                         GrpcCodeName(status.error_code()), ": ", status.error_message()));
      }
      detect_texts_[w] = response.text();
    } else if (spec.kind == WorkloadKind::kDetectImage) {
      // Mark the image once now; every Detect call sends the marked image.
      grpc::ClientContext context;
      context.set_deadline(DeadlineIn(absl::Seconds(30)));
      hallmark::v1::MarkImageRequest request;
      SetImage(*config_.images[w], request);
      request.set_space(config_.space);
      hallmark::v1::MarkImageResponse response;
      const grpc::Status status = stubs_[0]->MarkImage(&context, request, &response);
      ++setup_requests_;
      if (!status.ok()) {
        return absl::UnavailableError(
            absl::StrCat(spec.name, ": cannot mark the image to detect on ", label_, ": ",
                         GrpcCodeName(status.error_code()), ": ", status.error_message()));
      }
      hallmark::v1::DetectRequest& detect = detect_images_[w];
      detect.set_image(response.image());
      detect.set_format(response.format().empty() ? request.format() : response.format());
      if (detect.format() == "raw") {
        *detect.mutable_raw() = response.has_raw() ? response.raw() : request.raw();
      }
    }
  }
  return absl::OkStatus();
}

RunResult LoadRun::Run() {
  t0_ = After(SteadyClock::now(), kStartDelay);
  window_start_ = After(t0_, config_.warmup);
  end_ = After(window_start_, config_.duration);

  std::vector<std::thread> threads;
  if (!unary_workloads_.empty()) {
    if (config_.rate > 0) {
      threads.emplace_back([this] { OpenLoop(); });
    } else {
      SleepUntil(t0_);
      for (int caller = 0; caller < config_.concurrency; ++caller) {
        const TimePoint now = SteadyClock::now();
        IssueUnary(next_seq_++, now, now, caller);
      }
    }
  }
  for (size_t w = 0; w < config_.workloads.size(); ++w) {
    if (!config_.workloads[w].unary()) threads.emplace_back([this, w] { StreamLoop(w); });
  }
  for (std::thread& thread : threads) thread.join();
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int64_t* in_flight) { return *in_flight == 0; }, &in_flight_));
  }

  RunResult result;
  result.label = label_;
  result.address = address_;
  result.total.workload = "total";
  for (size_t i = 0; i < recorders_.size(); ++i) {
    WorkloadResult w = recorders_[i]->Snapshot();
    w.window = config_.duration;
    result.total.Merge(w);
    if (config_.workloads[i].image()) {
      const WorkloadImage& image = *config_.images[i];
      w.payload = image.description;
      w.request_bytes = static_cast<int64_t>(config_.workloads[i].kind == WorkloadKind::kImage
                                                 ? image.bytes.size()
                                                 : detect_images_[i].image().size());
    }
    result.workloads.push_back(std::move(w));
  }
  result.total.window = config_.duration;
  result.warmup_requests = warmup_sends_.load();
  result.setup_requests = setup_requests_;
  return result;
}

void LoadRun::OpenLoop() {
  UsePreciseTimers();
  const double interval_nanos = 1e9 / config_.rate;
  for (uint64_t i = 0;; ++i) {
    const TimePoint intended =
        t0_ + std::chrono::nanoseconds(std::llround(static_cast<double>(i) * interval_nanos));
    if (intended >= end_) break;
    SleepUntil(intended);
    // Behind schedule, this sends at once, as often as needed to catch up.
    IssueUnary(i, intended, SteadyClock::now(), /*caller=*/-1);
  }
}

void LoadRun::IssueUnary(uint64_t seq, TimePoint intended, TimePoint now, int caller) {
  const size_t w = unary_workloads_[seq % unary_workloads_.size()];
  const WorkloadSpec& spec = config_.workloads[w];
  auto* call = new UnaryCall;
  call->workload = w;
  call->intended = intended;
  call->measured = Measured(intended);
  call->caller = caller;
  call->context.set_deadline(DeadlineIn(config_.deadline));
  if (call->measured) {
    recorders_[w]->RecordSend(Since(intended, now), caller < 0);
  } else if (!AfterWarmup(intended)) {
    warmup_sends_.fetch_add(1, std::memory_order_relaxed);
  }
  CallStarted();
  auto done = [this, call](grpc::Status status) { OnUnaryDone(call, status); };
  Hallmark::Stub& stub = StubFor(seq);
  if (spec.kind == WorkloadKind::kText) {
    call->mark_request.set_space(config_.space);
    call->mark_request.set_text(text_pools_[w]->Get(seq));
    stub.async()->MarkText(&call->context, &call->mark_request, &call->mark_response,
                           std::move(done));
  } else if (spec.kind == WorkloadKind::kImage) {
    call->image_request.set_space(config_.space);
    SetImage(*config_.images[w], call->image_request);
    stub.async()->MarkImage(&call->context, &call->image_request, &call->image_response,
                            std::move(done));
  } else {
    if (spec.kind == WorkloadKind::kDetectImage) {
      call->detect_request = detect_images_[w];
    } else {
      call->detect_request.set_text(detect_texts_[w]);
    }
    stub.async()->Detect(&call->context, &call->detect_request, &call->detect_response,
                         std::move(done));
  }
}

void LoadRun::OnUnaryDone(UnaryCall* call, const grpc::Status& status) {
  const TimePoint now = SteadyClock::now();
  if (call->measured) {
    std::string decision;
    std::string reason;
    int64_t server_micros = -1;
    const WorkloadKind kind = config_.workloads[call->workload].kind;
    bool image_decision = false;
    if (!status.ok()) {
      BlockedFromTrailers(call->context, decision, reason);
    } else if (kind == WorkloadKind::kText) {
      decision = hallmark::v1::Decision_Name(call->mark_response.decision());
      reason = ReasonName(call->mark_response.reason());
      server_micros = call->mark_response.server_micros();
    } else if (kind == WorkloadKind::kImage) {
      const hallmark::v1::MarkImageResponse& r = call->image_response;
      decision = hallmark::v1::Decision_Name(r.decision());
      reason = ReasonName(r.reason());
      server_micros = r.server_micros();
      image_decision = r.decision() != hallmark::v1::DECISION_UNSPECIFIED;
    } else {
      const hallmark::v1::DetectResponse& r = call->detect_response;
      decision = r.verified()   ? "DETECT_VERIFIED"
                 : r.detected() ? "DETECT_UNVERIFIED"
                                : "DETECT_NONE";
    }
    WorkloadRecorder& recorder = *recorders_[call->workload];
    recorder.RecordUnary(Since(call->intended, now), status.error_code(), decision, reason,
                         server_micros);
    if (image_decision) {
      const hallmark::v1::MarkImageResponse& r = call->image_response;
      recorder.RecordImage(ImageSample{r.decode_micros(), r.embed_micros(), r.encode_micros(),
                                       r.psnr_db(), static_cast<int64_t>(r.image().size())});
    }
  }
  const int caller = call->caller;
  delete call;
  // Closed loop: the caller sends its next call as soon as this one is done.
  if (caller >= 0 && now < end_) IssueUnary(next_seq_++, now, now, caller);
  CallEnded();
}

void LoadRun::StreamLoop(size_t w) {
  UsePreciseTimers();
  const WorkloadSpec& spec = config_.workloads[w];
  WorkloadRecorder& recorder = *recorders_[w];
  const int slots = std::max(1, config_.concurrency);
  const absl::Duration interval = absl::Seconds(1) / spec.tokens_per_second;
  // A stream lives as long as its tokens take, plus the call deadline.
  const absl::Duration lifetime = interval * spec.stream_words + config_.deadline;

  struct Slot {
    StreamCall* call = nullptr;  // the stream being sent, if any
    std::vector<std::string> tokens;
    size_t next = 0;
    TimePoint due;
  };
  std::vector<Slot> slot(static_cast<size_t>(slots));
  // Slots are staggered over one token interval so sends do not bunch up.
  using Entry = std::pair<TimePoint, size_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue;
  for (size_t s = 0; s < slot.size(); ++s) {
    slot[s].due = After(t0_, interval * static_cast<double>(s) / slots);
    queue.push({slot[s].due, s});
  }
  uint64_t serial = 0;
  while (!queue.empty()) {
    const auto [intended, s] = queue.top();
    queue.pop();
    if (intended >= end_) break;
    SleepUntil(intended);
    Slot& current = slot[s];
    const bool measured = Measured(intended);
    const std::string* space = nullptr;
    if (current.call == nullptr) {
      const uint64_t id = serial++;
      current.tokens = SplitIntoWordTokens(GenerateProseWords(id * 7919 + w, spec.stream_words));
      current.next = 0;
      current.call = new StreamCall(*this, recorder, StubFor(id), lifetime, intended, measured);
      space = &config_.space;
    }
    if (measured) {
      recorder.RecordSend(Since(intended, SteadyClock::now()), /*open_loop=*/true);
    } else if (!AfterWarmup(intended)) {
      warmup_sends_.fetch_add(1, std::memory_order_relaxed);
    }
    current.call->SendDelta(std::move(current.tokens[current.next++]), space, intended, measured);
    if (current.next == current.tokens.size()) {
      current.call->Close();
      current.call = nullptr;
    }
    current.due = After(intended, interval);
    queue.push({current.due, s});
  }
  // The window is over: end the streams still open.
  for (Slot& s : slot) {
    if (s.call != nullptr) s.call->Close();
  }
}

}  // namespace

absl::Status MakeWorkloadImages(RunConfig* config) {
  config->images.resize(config->workloads.size());
  for (size_t w = 0; w < config->workloads.size(); ++w) {
    const WorkloadSpec& spec = config->workloads[w];
    if (!spec.image() || config->images[w] != nullptr) continue;
    // Several workloads of the same size and format share one image.
    for (size_t other = 0; other < w; ++other) {
      const WorkloadSpec& o = config->workloads[other];
      if (o.image() && o.width == spec.width && o.height == spec.height &&
          o.image_format == spec.image_format && o.quality == spec.quality) {
        config->images[w] = config->images[other];
        break;
      }
    }
    if (config->images[w] != nullptr) continue;
    absl::StatusOr<WorkloadImage> image = MakeWorkloadImage(spec, config->image_source);
    if (!image.ok()) {
      return absl::Status(image.status().code(),
                          absl::StrCat(spec.name, ": ", image.status().message()));
    }
    config->images[w] = std::make_shared<const WorkloadImage>(*std::move(image));
  }
  return absl::OkStatus();
}

absl::StatusOr<RunResult> RunLoad(const RunConfig& config, absl::string_view address,
                                  absl::string_view label) {
  for (size_t w = 0; w < config.workloads.size(); ++w) {
    if (config.workloads[w].image() && (w >= config.images.size() || config.images[w] == nullptr)) {
      RunConfig with_images = config;
      if (absl::Status made = MakeWorkloadImages(&with_images); !made.ok()) return made;
      return RunLoad(with_images, address, label);
    }
  }
  LoadRun run(config, std::string(address), std::string(label));
  if (absl::Status prepared = run.Prepare(); !prepared.ok()) return prepared;
  return run.Run();
}

}  // namespace hallmark::loadgen
