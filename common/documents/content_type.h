// What a document's content is, judged from its bytes by libmagic (Debian's
// libmagic1, the library behind file(1)) and never from the name or type a
// client claims; and which types kyodo keeps (docs/API.md, "Documents").
#ifndef KYODO_COMMON_DOCUMENTS_CONTENT_TYPE_H_
#define KYODO_COMMON_DOCUMENTS_CONTENT_TYPE_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct magic_set;

namespace kyodo::common::documents {

// How many leading bytes of a file the detector is given: enough for
// libmagic to tell a PDF, an OOXML or ODF document (whose first zip entries
// name the format; an OOXML document whose entries come in another order is
// told by its entries' names, see content_type.cc) and an image, and for
// text to be judged as text.
inline constexpr size_t kDetectBytes = 64 << 10;

class ContentDetector {
 public:
  // Loads libmagic's compiled database (libmagic-mgc); INTERNAL when it
  // cannot.
  static absl::StatusOr<std::unique_ptr<ContentDetector>> Create();
  ~ContentDetector();

  // The MIME type of content starting with `head` (at most kDetectBytes of
  // it), e.g. "application/pdf", "text/plain". Safe from any thread.
  std::string Detect(absl::string_view head) const;

 private:
  explicit ContentDetector(magic_set* magic) : magic_(magic) {}
  mutable std::mutex mu_;  // libmagic's handle is not thread-safe
  magic_set* magic_;
};

// Whether documents of `content_type` are kept: PDF, the Office and
// OpenDocument formats, PNG, JPEG, GIF, WebP, TIFF, plain text and CSV.
bool AllowedContentType(absl::string_view content_type);

// The allow-list in words, for the refusal's message.
absl::string_view AllowedContentTypesInWords();

}  // namespace kyodo::common::documents

#endif  // KYODO_COMMON_DOCUMENTS_CONTENT_TYPE_H_
