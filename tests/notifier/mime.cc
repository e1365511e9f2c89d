#include "tests/notifier/mime.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace kyodo::testing {
namespace {

// Decodes the "=?UTF-8?B?...?=" words of `value`; white space between two
// encoded-words is dropped (RFC 2047 section 6.2).
absl::StatusOr<std::string> DecodeWords(absl::string_view value) {
  std::string out;
  bool last_was_word = false;
  std::string pending_space;
  while (!value.empty()) {
    const size_t start = value.find("=?");
    if (start == absl::string_view::npos) {
      absl::StrAppend(&out, pending_space, value);
      break;
    }
    const absl::string_view before = value.substr(0, start);
    const bool only_space =
        absl::StripAsciiWhitespace(before).empty() && !before.empty();
    if (!(last_was_word && only_space)) absl::StrAppend(&out, before);
    const size_t end = value.find("?=", start + 2);
    if (end == absl::string_view::npos)
      return absl::InvalidArgumentError("unterminated encoded-word");
    const absl::string_view word = value.substr(start + 2, end - start - 2);
    std::vector<absl::string_view> parts = absl::StrSplit(word, '?');
    if (parts.size() != 3 || !absl::EqualsIgnoreCase(parts[0], "UTF-8") ||
        !absl::EqualsIgnoreCase(parts[1], "B")) {
      return absl::InvalidArgumentError(
          absl::StrCat("not a UTF-8 B encoded-word: ", word));
    }
    std::string decoded;
    if (!absl::Base64Unescape(parts[2], &decoded))
      return absl::InvalidArgumentError("bad base64 in an encoded-word");
    absl::StrAppend(&out, decoded);
    last_was_word = true;
    value.remove_prefix(end + 2);
  }
  return out;
}

}  // namespace

absl::StatusOr<ReadMail> ParseMail(absl::string_view text) {
  ReadMail mail;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) mail.ascii_only = false;
  }
  const std::string normal = absl::StrReplaceAll(text, {{"\r\n", "\n"}});
  for (absl::string_view line : absl::StrSplit(normal, '\n'))
    mail.longest_line = std::max(mail.longest_line, line.size());
  const size_t blank = normal.find("\n\n");
  if (blank == std::string::npos)
    return absl::InvalidArgumentError("no blank line after the headers");
  std::vector<std::string> fields;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(normal).substr(0, blank), '\n')) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t') &&
        !fields.empty()) {
      absl::StrAppend(&fields.back(), line);  // unfold
    } else {
      fields.emplace_back(line);
    }
  }
  for (const std::string& field : fields) {
    const size_t colon = field.find(':');
    if (colon == std::string::npos)
      return absl::InvalidArgumentError(absl::StrCat("bad header: ", field));
    const std::string name = absl::AsciiStrToLower(field.substr(0, colon));
    const std::string value(
        absl::StripAsciiWhitespace(field.substr(colon + 1)));
    mail.raw[name] = value;
    auto decoded = DecodeWords(value);
    if (!decoded.ok()) return decoded.status();
    mail.headers[name] = *decoded;
  }
  std::string encoded = normal.substr(blank + 2);
  absl::StrReplaceAll({{"\n", ""}}, &encoded);
  if (absl::AsciiStrToLower(mail.headers["content-transfer-encoding"]) ==
      "base64") {
    std::string body;
    if (!absl::Base64Unescape(encoded, &body))
      return absl::InvalidArgumentError("the body is not base64");
    mail.body = absl::StrReplaceAll(body, {{"\r\n", "\n"}});
  } else {
    mail.body = normal.substr(blank + 2);
  }
  return mail;
}

}  // namespace kyodo::testing
