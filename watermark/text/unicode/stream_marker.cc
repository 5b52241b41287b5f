#include "watermark/text/unicode/stream_marker.h"

#include <utility>

namespace hallmark::watermark::unicode_text {

std::string UnicodeStreamMarker::Append(absl::string_view delta) {
  if (finished_) return {};
  held_.append(delta.data(), delta.size());
  const size_t before = decided_.size();
  scanner_.Feed(delta, &decided_);
  carriers_ += decided_.size() - before;
  if (carriers_ >= static_cast<size_t>(kFrameSymbols)) marked_ = true;
  if (!marked_) return {};
  return Release(scanner_.decided());
}

std::string UnicodeStreamMarker::Finish() {
  if (finished_) return {};
  finished_ = true;
  const size_t before = decided_.size();
  scanner_.Finish(&decided_);
  carriers_ += decided_.size() - before;
  if (carriers_ >= static_cast<size_t>(kFrameSymbols)) marked_ = true;
  if (marked_) return Release(scanner_.consumed());
  // Too few carriers: the text goes out as it came.
  decided_.clear();
  released_ += held_.size();
  return std::exchange(held_, std::string());
}

std::string UnicodeStreamMarker::Release(uint64_t end) {
  std::string out;
  const size_t n = static_cast<size_t>(end - released_);
  if (n == 0) return out;
  rewriter_.Append(absl::string_view(held_.data(), n), released_, decided_, &out);
  decided_.clear();
  held_.erase(0, n);
  released_ = end;
  return out;
}

}  // namespace hallmark::watermark::unicode_text
