// What kyodo keeps, judged from a file's first bytes
// (common/documents/content_type.h): each kind of the allow-list that
// applicants send (PDF, Word, Excel, PowerPoint, OpenDocument, images,
// text) is detected and allowed, an OOXML document whose zip entries come
// in another order than Word's included, and other files are refused.
#include "common/documents/content_type.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace kyodo::common::documents {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

void Little(uint32_t value, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) {
    out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

// A zip of `entries` (name, content), stored without compression, in the
// order given: local headers, then the central directory. No CRC: the
// detector reads names, not contents.
std::string Zip(
    const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out, central;
  for (const auto& entry : entries) {
    // Named, not structured bindings: the lambda below uses them (clang
    // 14, the sanitizer builds' compiler, cannot capture those).
    const std::string& name = entry.first;
    const std::string& data = entry.second;
    const auto offset = static_cast<uint32_t>(out.size());
    auto header = [&](std::string* to, bool local) {
      to->append(local ? "PK\x03\x04" : "PK\x01\x02", 4);
      if (!local) Little(20, 2, to);  // made by
      Little(20, 2, to);              // version needed
      Little(0, 2, to);               // flags
      Little(0, 2, to);               // stored
      Little(0, 4, to);               // time, date
      Little(0, 4, to);               // crc
      Little(static_cast<uint32_t>(data.size()), 4, to);
      Little(static_cast<uint32_t>(data.size()), 4, to);
      Little(static_cast<uint32_t>(name.size()), 2, to);
      Little(0, 2, to);  // extra
      if (!local) {
        Little(0, 2, to);  // comment
        Little(0, 4, to);  // disk, internal attributes
        Little(0, 4, to);  // external attributes
        Little(offset, 4, to);
      }
      to->append(name);
    };
    header(&out, true);
    out.append(data);
    header(&central, false);
  }
  const auto at = static_cast<uint32_t>(out.size());
  out.append(central);
  out.append("PK\x05\x06", 4);
  Little(0, 4, &out);
  Little(static_cast<uint32_t>(entries.size()), 2, &out);
  Little(static_cast<uint32_t>(entries.size()), 2, &out);
  Little(static_cast<uint32_t>(central.size()), 4, &out);
  Little(at, 4, &out);
  Little(0, 2, &out);
  return out;
}

constexpr char kContentTypes[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "</Types>";

std::string Ooxml(const std::string& part, bool word_order) {
  std::vector<std::pair<std::string, std::string>> entries = {
      {"[Content_Types].xml", kContentTypes},
      {"_rels/.rels", "<Relationships/>"},
      {"docProps/app.xml", "<Properties/>"},
      {part, "<document/>"}};
  // LibreOffice's order: the content types last.
  if (!word_order)
    std::rotate(entries.begin(), entries.begin() + 1, entries.end());
  return Zip(entries);
}

std::string Odf(const std::string& mime) {
  return Zip({{"mimetype", mime}, {"content.xml", "<office:document/>"}});
}

class ContentTypeTest : public ::testing::Test {
 protected:
  ContentTypeTest() : detector_(std::move(ContentDetector::Create()).value()) {}
  std::unique_ptr<ContentDetector> detector_;
};

TEST_F(ContentTypeTest, WhatApplicantsSendIsKept) {
  const std::string docx =
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  const std::string xlsx =
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  const std::string pptx =
      "application/vnd.openxmlformats-officedocument.presentationml."
      "presentation";
  const std::vector<std::pair<std::string, std::string>> files = {
      {"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
       "application/pdf"},
      {Ooxml("word/document.xml", true), docx},
      {Ooxml("word/document.xml", false), docx},
      // Larger than what the detector is given: the package's last part
      // lies beyond it, _rels/.rels within.
      {Zip({{"_rels/.rels", "<Relationships/>"},
            {"word/media/image1.png", std::string(100 << 10, 'x')},
            {"word/document.xml", "<document/>"},
            {"[Content_Types].xml", kContentTypes}})
           .substr(0, kDetectBytes),
       docx},
      {Ooxml("xl/workbook.xml", true), xlsx},
      {Ooxml("xl/workbook.xml", false), xlsx},
      {Ooxml("ppt/presentation.xml", true), pptx},
      {Ooxml("ppt/presentation.xml", false), pptx},
      {Odf("application/vnd.oasis.opendocument.text"),
       "application/vnd.oasis.opendocument.text"},
      {Odf("application/vnd.oasis.opendocument.spreadsheet"),
       "application/vnd.oasis.opendocument.spreadsheet"},
      {Bytes({0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0,
              0,    13,  'I', 'H', 'D',  'R',  0,    0,    0, 1,
              0,    0,   0,   1,   8,    6,    0,    0,    0}),
       "image/png"},
      {Bytes({0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F',  'I',  'F', 0,    1, 1,
              0,    0,    1,    0,    1, 0,    0,   0xff, 0xdb, 0,   0x43, 0}) +
           std::string(64, '\x01') + Bytes({0xff, 0xd9}),
       "image/jpeg"},
      {Bytes({'G',  'I', 'F', '8', '9', 'a', 1,    0,    1,    0,
              0x80, 0,   0,   0,   0,   0,   0xff, 0xff, 0xff, ','}),
       "image/gif"},
      {"企画書の本文です。\n二行目。\n", "text/plain"},
  };
  for (const auto& [content, type] : files) {
    const std::string detected = detector_->Detect(content);
    EXPECT_EQ(detected, type) << content.substr(0, 40);
    EXPECT_TRUE(AllowedContentType(detected)) << detected;
  }
}

TEST_F(ContentTypeTest, OtherFilesAreRefused) {
  const std::vector<std::string> files = {
      // A zip that is no Office document: a folder named xl/ without the
      // package's parts does not make one.
      Zip({{"readme.txt", "hello"}, {"xl/setup.exe", "MZ"}}),
      Zip({{"data.bin", "x"}}),
      // A plain zip that stores a Word file in it is a zip, not Word.
      Zip({{"readme.txt", "hello"},
           {"report.docx", Ooxml("word/document.xml", false)}}),
      "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
      Bytes({0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0,    0,
             0,    0,   0,   0,   0, 0, 2, 0, 0x3e, 0}),
      Bytes({'M', 'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0}),
  };
  for (const std::string& content : files) {
    const std::string detected = detector_->Detect(content);
    EXPECT_FALSE(AllowedContentType(detected))
        << detected << " for " << content.substr(0, 20);
  }
}

}  // namespace
}  // namespace kyodo::common::documents
