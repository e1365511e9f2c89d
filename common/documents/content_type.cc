#include "common/documents/content_type.h"

#include <magic.h>

#include <algorithm>
#include <array>
#include <string>

#include "absl/strings/match.h"

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

// libmagic tells an OOXML document from other zip files by the order of its
// first entries, as Word and Excel write them ([Content_Types].xml first);
// other writers (LibreOffice, for one, puts it last) get
// "application/zip". Such a zip is looked into: the names of the entries
// whose local headers lie in `head`. A part under word/, xl/ or ppt/ beside
// the package's [Content_Types].xml or _rels/.rels makes it that format;
// anything else stays a zip, which is refused.
std::string OoxmlTypeOfZip(absl::string_view head) {
  constexpr absl::string_view kLocalHeader("PK\x03\x04", 4);
  constexpr size_t kNameLengthAt = 26, kNameAt = 30;
  bool package = false;
  absl::string_view type;
  for (size_t at = head.find(kLocalHeader);
       at != absl::string_view::npos && at + kNameAt <= head.size();
       at = head.find(kLocalHeader, at + kLocalHeader.size())) {
    const size_t length = static_cast<unsigned char>(head[at + kNameLengthAt]) |
                          static_cast<size_t>(static_cast<unsigned char>(
                              head[at + kNameLengthAt + 1]))
                              << 8;
    if (at + kNameAt + length > head.size()) break;
    const absl::string_view name = head.substr(at + kNameAt, length);
    if (name == "[Content_Types].xml" || name == "_rels/.rels") {
      package = true;
    } else if (type.empty() && absl::StartsWith(name, "word/")) {
      type =
          "application/vnd.openxmlformats-officedocument."
          "wordprocessingml.document";
    } else if (type.empty() && absl::StartsWith(name, "xl/")) {
      type =
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    } else if (type.empty() && absl::StartsWith(name, "ppt/")) {
      type =
          "application/vnd.openxmlformats-officedocument.presentationml."
          "presentation";
    }
  }
  return package && !type.empty() ? std::string(type) : "application/zip";
}

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
  if (type == nullptr) return "application/octet-stream";
  if (absl::string_view(type) == "application/zip") return OoxmlTypeOfZip(head);
  return type;
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
