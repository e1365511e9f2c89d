#include "common/documents/content_type.h"

#include <magic.h>

#include <algorithm>
#include <array>

namespace kyodo::common::documents {
namespace {

// As libmagic names them (file 5.44, Debian 12). Legacy Office files are
// OLE compound files: libmagic names the application when it can tell and
// says "application/vnd.ms-office" when it cannot.
constexpr std::array<absl::string_view, 20> kAllowed = {
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.ms-office",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml."
    "presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/tiff",
    "text/plain",
    "text/csv",
    // What libmagic says of small CSV files it takes for tables.
    "application/csv",
    "text/tab-separated-values",
};

}  // namespace

absl::StatusOr<std::unique_ptr<ContentDetector>> ContentDetector::Create() {
  magic_set* magic = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
  if (magic == nullptr) return absl::InternalError("magic_open failed");
  if (magic_load(magic, nullptr) != 0) {
    std::string error = magic_error(magic) == nullptr ? "" : magic_error(magic);
    magic_close(magic);
    return absl::InternalError(
        "cannot load libmagic's database (install libmagic-mgc): " + error);
  }
  return std::unique_ptr<ContentDetector>(new ContentDetector(magic));
}

ContentDetector::~ContentDetector() { magic_close(magic_); }

std::string ContentDetector::Detect(absl::string_view head) const {
  head = head.substr(0, kDetectBytes);
  std::lock_guard<std::mutex> lock(mu_);
  const char* type = magic_buffer(magic_, head.data(), head.size());
  return type == nullptr ? "application/octet-stream" : std::string(type);
}

bool AllowedContentType(absl::string_view content_type) {
  return std::find(kAllowed.begin(), kAllowed.end(), content_type) !=
         kAllowed.end();
}

absl::string_view AllowedContentTypesInWords() {
  return "PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, GIF, WebP, "
         "TIFF, plain text or CSV";
}

}  // namespace kyodo::common::documents
