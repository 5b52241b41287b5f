#include "watermark/provenance/c2pa/jumbf_box.h"

#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace hallmark::c2pa {
namespace {

constexpr size_t kBoxHeader = 8;
constexpr int kMaxDepth = 8;
// Toggles: requestable (bit 0) and label present (bit 1).
constexpr uint8_t kToggles = 0x03;
constexpr uint8_t kToggleLabel = 0x02;
constexpr uint8_t kToggleId = 0x04;
constexpr uint8_t kToggleHash = 0x08;

void AppendU32(std::string& out, uint32_t value) {
  out.push_back(static_cast<char>(value >> 24));
  out.push_back(static_cast<char>(value >> 16));
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value));
}

uint32_t ReadU32(absl::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

void AppendBox(std::string& out, absl::string_view type, absl::string_view payload) {
  AppendU32(out, static_cast<uint32_t>(kBoxHeader + payload.size()));
  absl::StrAppend(&out, type);
  absl::StrAppend(&out, payload);
}

std::string DescriptionPayload(const JumbfSuperbox& box) {
  std::string out(reinterpret_cast<const char*>(box.uuid.data()), box.uuid.size());
  out.push_back(static_cast<char>(kToggles));
  out.append(box.label);
  out.push_back('\0');
  return out;
}

struct RawBox {
  absl::string_view type;
  absl::string_view payload;
};

// Splits `bytes` into consecutive boxes.
absl::StatusOr<std::vector<RawBox>> SplitBoxes(absl::string_view bytes) {
  std::vector<RawBox> boxes;
  while (!bytes.empty()) {
    if (bytes.size() < kBoxHeader) return absl::InvalidArgumentError("truncated JUMBF box header");
    const uint32_t length = ReadU32(bytes);
    if (length == 1) {
      return absl::InvalidArgumentError("64-bit JUMBF box lengths are not supported");
    }
    // LBox 0 means "to the end of the enclosing data".
    const size_t size = length == 0 ? bytes.size() : length;
    if (size < kBoxHeader || size > bytes.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("JUMBF box length ", length, " does not fit in ", bytes.size(), " bytes"));
    }
    boxes.push_back({bytes.substr(4, 4), bytes.substr(kBoxHeader, size - kBoxHeader)});
    bytes.remove_prefix(size);
  }
  return boxes;
}

absl::StatusOr<JumbfSuperbox> ParseBody(absl::string_view body, int depth) {
  if (depth > kMaxDepth) return absl::InvalidArgumentError("JUMBF nested too deeply");
  absl::StatusOr<std::vector<RawBox>> boxes = SplitBoxes(body);
  if (!boxes.ok()) return boxes.status();
  if (boxes->empty() || boxes->front().type != "jumd") {
    return absl::InvalidArgumentError("JUMBF superbox does not start with a description box");
  }
  const absl::string_view description = boxes->front().payload;
  if (description.size() < 17) return absl::InvalidArgumentError("JUMBF description box too short");
  JumbfSuperbox box;
  box.parsed_body = std::string(body);
  std::memcpy(box.uuid.data(), description.data(), box.uuid.size());
  const auto toggles = static_cast<uint8_t>(description[16]);
  absl::string_view rest = description.substr(17);
  if ((toggles & kToggleLabel) != 0) {
    const size_t end = rest.find('\0');
    if (end == absl::string_view::npos) {
      return absl::InvalidArgumentError("JUMBF label is not NUL-terminated");
    }
    box.label = std::string(rest.substr(0, end));
    rest.remove_prefix(end + 1);
  }
  if ((toggles & kToggleId) != 0 && rest.size() < 4) {
    return absl::InvalidArgumentError("JUMBF description box lacks its ID");
  }
  if ((toggles & kToggleHash) != 0 && rest.size() < 4 + 32) {
    return absl::InvalidArgumentError("JUMBF description box lacks its hash");
  }
  for (size_t i = 1; i < boxes->size(); ++i) {
    const RawBox& raw = (*boxes)[i];
    if (raw.type == "jumb") {
      absl::StatusOr<JumbfSuperbox> child = ParseBody(raw.payload, depth + 1);
      if (!child.ok()) return child.status();
      box.children.push_back(*std::move(child));
    } else {
      box.contents.push_back({std::string(raw.type), std::string(raw.payload)});
    }
  }
  return box;
}

}  // namespace

const JumbfSuperbox* JumbfSuperbox::Child(absl::string_view child_label) const {
  for (const JumbfSuperbox& child : children) {
    if (child.label == child_label) return &child;
  }
  return nullptr;
}

std::string SerializeJumbfBody(const JumbfSuperbox& box) {
  std::string out;
  AppendBox(out, "jumd", DescriptionPayload(box));
  for (const JumbfContent& content : box.contents) AppendBox(out, content.type, content.payload);
  for (const JumbfSuperbox& child : box.children) AppendBox(out, "jumb", SerializeJumbfBody(child));
  return out;
}

std::string SerializeJumbf(const JumbfSuperbox& box) {
  std::string out;
  AppendBox(out, "jumb", SerializeJumbfBody(box));
  return out;
}

absl::StatusOr<JumbfSuperbox> ParseJumbfSuperbox(absl::string_view bytes) {
  absl::StatusOr<std::vector<RawBox>> boxes = SplitBoxes(bytes);
  if (!boxes.ok()) return boxes.status();
  if (boxes->size() != 1 || boxes->front().type != "jumb") {
    return absl::InvalidArgumentError("not a single JUMBF superbox");
  }
  return ParseBody(boxes->front().payload, 0);
}

JumbfSuperbox CborSuperbox(const JumbfUuid& uuid, absl::string_view label, std::string cbor) {
  JumbfSuperbox box;
  box.uuid = uuid;
  box.label = std::string(label);
  box.contents.push_back({"cbor", std::move(cbor)});
  return box;
}

}  // namespace hallmark::c2pa
