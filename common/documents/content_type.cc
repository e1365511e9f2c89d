#include "common/documents/content_type.h"

#include <magic.h>

#include <algorithm>
#include <array>
#include <cstdint>
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

// Little-endian fields of a zip header.
uint32_t Le(absl::string_view bytes, size_t at, int size) {
  uint32_t value = 0;
  for (int i = size - 1; i >= 0; --i) {
    value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
  }
  return value;
}

// libmagic tells an OOXML document from other zip files by the order of its
// first entries, as Word and Excel write them ([Content_Types].xml first);
// other writers (LibreOffice, for one, puts it last) get
// "application/zip". Such a zip is looked into: the names of its entries
// whose local headers lie in `head`, walked from the first one by their
// sizes, so that a file stored inside another (a .docx in a plain .zip) is
// not taken for the outer one. An entry whose sizes follow its data (a
// data descriptor: flag bit 3) is skipped by finding the next header. A
// part under word/, xl/ or ppt/ beside the package's [Content_Types].xml
// or _rels/.rels makes it that format; anything else stays a zip, which is
// refused.
std::string OoxmlTypeOfZip(absl::string_view head) {
  constexpr absl::string_view kLocalHeader("PK\x03\x04", 4);
  constexpr size_t kFlagsAt = 6, kCompressedAt = 18, kNameLengthAt = 26,
                   kExtraLengthAt = 28, kNameAt = 30;
  bool package = false;
  absl::string_view type;
  size_t at = 0;
  while (at + kNameAt <= head.size() &&
         head.substr(at, kLocalHeader.size()) == kLocalHeader) {
    const size_t name_length = Le(head, at + kNameLengthAt, 2);
    const size_t data_at =
        at + kNameAt + name_length + Le(head, at + kExtraLengthAt, 2);
    if (at + kNameAt + name_length > head.size()) break;
    const absl::string_view name = head.substr(at + kNameAt, name_length);
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
    if ((Le(head, at + kFlagsAt, 2) & 0x8) != 0) {
      at = head.find(kLocalHeader, data_at);
      if (at == absl::string_view::npos) break;
    } else {
      at = data_at + Le(head, at + kCompressedAt, 4);
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
