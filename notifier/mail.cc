#include "notifier/mail.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/crypto/sha256.h"
#include "common/time/clock.h"

namespace kyodo::notifier {
namespace {

// UTF-8 bytes per encoded-word: 48 base64 characters, a 60-character word,
// so that "Subject: " and a word stay within RFC 2047's 76 (section 2).
constexpr size_t kWordBytes = 36;

bool IsPlainAtom(absl::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || absl::ascii_iscntrl(u)) return false;
    if (absl::string_view("()<>@,;:\\\".[]=?").find(c) !=
        absl::string_view::npos) {
      return false;
    }
  }
  return !text.empty();
}

// The byte length of the UTF-8 character that starts with `lead`.
size_t CharLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;  // not a lead byte: passed on alone (text is checked upstream)
}

std::string RenderMailbox(const Mailbox& box) {
  if (box.name.empty()) return box.address;
  // The address on a line of its own: a line with an encoded-word stays
  // within 76 characters (RFC 2047 section 2).
  return absl::StrCat(EncodeHeaderText(box.name), "\r\n <", box.address, ">");
}

// The body in base64, 76 characters a line (RFC 2045 section 6.8), of the
// text with CRLF line ends.
std::string EncodeBody(absl::string_view body) {
  std::string crlf = absl::StrReplaceAll(body, {{"\r\n", "\n"}});
  crlf = absl::StrReplaceAll(crlf, {{"\n", "\r\n"}});
  const std::string encoded = absl::Base64Escape(crlf);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += 76) {
    absl::StrAppend(&out, encoded.substr(i, 76), "\r\n");
  }
  return out;
}

}  // namespace

std::string EncodeHeaderText(absl::string_view text) {
  if (IsPlainAtom(absl::StrReplaceAll(text, {{" ", ""}})) &&
      text.find("  ") == absl::string_view::npos) {
    return std::string(text);
  }
  std::vector<std::string> words;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = start;
    while (end < text.size()) {
      const size_t next =
          end + CharLength(static_cast<unsigned char>(text[end]));
      if (next - start > kWordBytes) break;
      end = next;
    }
    if (end == start) end = std::min(text.size(), start + kWordBytes);
    words.push_back(absl::StrCat(
        "=?UTF-8?B?", absl::Base64Escape(text.substr(start, end - start)),
        "?="));
    start = end;
  }
  // Adjacent encoded-words separated by folding white space join without
  // it when decoded (RFC 2047 section 6.2).
  return absl::StrJoin(words, "\r\n ");
}

std::string MessageIdOf(absl::string_view cursor, absl::string_view kind,
                        absl::string_view recipient, absl::string_view domain) {
  const std::string digest = common::Sha256Hex(
      absl::StrCat(cursor, "\n", kind, "\n", absl::AsciiStrToLower(recipient)));
  return absl::StrCat("kyodo.", cursor, ".", digest.substr(0, 24), "@", domain);
}

std::string Render(const Mail& mail) {
  std::string out;
  absl::StrAppend(&out, "Date: ",
                  absl::FormatTime("%a, %d %b %Y %H:%M:%S %z", mail.date,
                                   common::JapanTime()),
                  "\r\n", "From: ", RenderMailbox(mail.from), "\r\n",
                  "To: ", RenderMailbox(mail.to), "\r\n",
                  "Subject: ", EncodeHeaderText(mail.subject), "\r\n",
                  "Message-ID: <", mail.message_id, ">\r\n",
                  // A notification, not a person writing (RFC 3834):
                  // auto-responders do not answer it.
                  "Auto-Submitted: auto-generated\r\n", "MIME-Version: 1.0\r\n",
                  "Content-Type: text/plain; charset=UTF-8\r\n",
                  "Content-Transfer-Encoding: base64\r\n", "\r\n",
                  EncodeBody(mail.body));
  return out;
}

}  // namespace kyodo::notifier
