// UTF-8 validity and search keys.
#include "common/text/text.h"

#include <string>

#include "gtest/gtest.h"

namespace kyodo::common {
namespace {

std::string Key(absl::string_view text) {
  auto key = SearchKey(text);
  EXPECT_TRUE(key.ok()) << key.status();
  return key.ok() ? *key : "<error>";
}

TEST(IsValidUtf8Test, WellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ASCII ~"));
  EXPECT_TRUE(IsValidUtf8("\xE5\xB7\x9D\xE5\xB4\x8E"));  // 川崎
  EXPECT_TRUE(IsValidUtf8("\xF0\xA0\xAE\xB7"));          // 𠮷 U+20BB7
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));          // 😀
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9"));
  EXPECT_TRUE(IsValidUtf8("\xC2\x80"));              // U+0080
  EXPECT_TRUE(IsValidUtf8("\xDF\xBF"));              // U+07FF
  EXPECT_TRUE(IsValidUtf8("\xE0\xA0\x80"));          // U+0800
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));          // U+D7FF
  EXPECT_TRUE(IsValidUtf8("\xEE\x80\x80"));          // U+E000
  EXPECT_TRUE(IsValidUtf8("\xEF\xBF\xBD"));          // U+FFFD
  EXPECT_TRUE(IsValidUtf8("\xF0\x90\x80\x80"));      // U+10000
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF
  EXPECT_TRUE(IsValidUtf8(std::string("a\0b", 3)));  // U+0000 is valid
  EXPECT_TRUE(IsValidUtf8(std::string(100000, 'x') + "\xE6\xA3\xAE"));
}

TEST(IsValidUtf8Test, OverlongFormsAreInvalid) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));  // '/' in 2 bytes
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));  // NUL in 2 bytes
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // '/' in 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xE0\x9F\xBF"));      // U+07FF in 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // '/' in 4 bytes
  EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in 4 bytes
}

TEST(IsValidUtf8Test, SurrogatesAreInvalid) {
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xAF\xBF"));  // U+DBFF
  EXPECT_FALSE(IsValidUtf8("\xED\xB0\x80"));  // U+DC00
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));  // U+DFFF
  // A CESU-8 style pair for 😀.
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\xBD\xED\xB8\x80"));
}

TEST(IsValidUtf8Test, BeyondTheLastCodePointIsInvalid) {
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xF7\xBF\xBF\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xF8\x88\x80\x80\x80"));  // old 5-byte form
  EXPECT_FALSE(IsValidUtf8("\xFC\x84\x80\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFE"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(IsValidUtf8Test, TruncatedAndStraySequencesAreInvalid) {
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));  // 😀 cut short
  EXPECT_FALSE(IsValidUtf8("\xF0\xA0\xAE"));  // 𠮷 cut short
  EXPECT_FALSE(IsValidUtf8("\xE3\x81"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("abc\xE3\x81"));  // at the end
  EXPECT_FALSE(
      IsValidUtf8("\xE3\x81"
                  "abc"));            // in the middle
  EXPECT_FALSE(IsValidUtf8("\x80"));  // lone continuation
  EXPECT_FALSE(
      IsValidUtf8("a\xBF"
                  "b"));
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));  // bad continuation
  EXPECT_FALSE(IsValidUtf8("\xE2\x28\xA1"));
  EXPECT_FALSE(IsValidUtf8(std::string(100000, 'x') + "\xFF"));
}

TEST(SearchKeyTest, FullWidthAsciiFolds) {
  // ＡＢＣ１２３ｘ
  EXPECT_EQ(Key("\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3\xEF\xBC\x91\xEF\xBC\x92"
                "\xEF\xBC\x93\xEF\xBD\x98"),
            "abc123x");
  EXPECT_EQ(Key("Kawasaki CITY"), "kawasakicity");
}

TEST(SearchKeyTest, KanaFoldsToHiragana) {
  const std::string kawasaki_hiragana =
      "\xE3\x81\x8B\xE3\x82\x8F\xE3\x81\x95\xE3\x81\x8D";  // かわさき
  EXPECT_EQ(Key(kawasaki_hiragana), kawasaki_hiragana);
  // カワサキ
  EXPECT_EQ(Key("\xE3\x82\xAB\xE3\x83\xAF\xE3\x82\xB5\xE3\x82\xAD"),
            kawasaki_hiragana);
  // ｶﾜｻｷ (half-width)
  EXPECT_EQ(Key("\xEF\xBD\xB6\xEF\xBE\x9C\xEF\xBD\xBB\xEF\xBD\xB7"),
            kawasaki_hiragana);
  // ﾊﾞﾊﾞ (half-width with voiced marks) -> ばば
  EXPECT_EQ(Key("\xEF\xBE\x8A\xEF\xBE\x9E\xEF\xBE\x8A\xEF\xBE\x9E"),
            "\xE3\x81\xB0\xE3\x81\xB0");
  // ヴ -> ゔ; ー has no hiragana form and stays.
  EXPECT_EQ(Key("\xE3\x83\xB4\xE3\x83\xBC"), "\xE3\x82\x94\xE3\x83\xBC");
}

TEST(SearchKeyTest, VoicedKanaStayDistinct) {
  const std::string haha = Key("\xE3\x81\xAF\xE3\x81\xAF");  // はは
  const std::string baba = Key("\xE3\x81\xB0\xE3\x81\xB0");  // ばば
  const std::string papa = Key("\xE3\x81\xB1\xE3\x81\xB1");  // ぱぱ
  EXPECT_NE(haha, baba);
  EXPECT_NE(baba, papa);
  EXPECT_NE(haha, papa);
  EXPECT_EQ(haha, "\xE3\x81\xAF\xE3\x81\xAF");
  // ハハ (katakana) is はは, not ばば.
  EXPECT_EQ(Key("\xE3\x83\x8F\xE3\x83\x8F"), haha);
}

TEST(SearchKeyTest, WhiteSpaceIsRemoved) {
  // ASCII spaces, tabs, newlines and the ideographic space U+3000.
  EXPECT_EQ(Key(" \xE5\xB7\x9D\xE5\xB4\x8E \t\xE5\xB8\x82\xE3\x80\x80\xE6\xB0"
                "\x91\n"),
            "\xE5\xB7\x9D\xE5\xB4\x8E\xE5\xB8\x82\xE6\xB0\x91");  // 川崎市民
  EXPECT_EQ(Key("   "), "");
  EXPECT_EQ(Key(""), "");
}

TEST(SearchKeyTest, InvalidUtf8IsInvalidArgument) {
  for (const char* bad : {"\xFF", "abc\xE3\x81", "\xED\xA0\x80"}) {
    auto key = SearchKey(bad);
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(MailAddressTest, CommonFormsAreAccepted) {
  for (const char* good : {"info@example.jp", "a.b+c@mail.city.kawasaki.jp",
                           "x@a-b.example", "o'brien_1@example.org", "a@b"}) {
    EXPECT_TRUE(IsMailAddress(good)) << good;
  }
  EXPECT_TRUE(IsMailAddress(std::string(64, 'a') + "@example.jp"));
}

TEST(MailAddressTest, WhatCouldBreakAHeaderIsRefused) {
  for (const char* bad :
       {"", "@example.jp", "info@", "info", "in fo@example.jp",
        "info@example.jp\r\nBcc: x@evil.example", "info@example.jp,x@y.jp",
        "<info@example.jp>", "\"quoted\"@example.jp", ".a@example.jp",
        "a.@example.jp", "a..b@example.jp", "a@-example.jp", "a@example-.jp",
        "a@example..jp", "a@[127.0.0.1]",
        "\xE5\xB7\x9D\xE5\xB4\x8E@example.jp"}) {  // 川崎@
    EXPECT_FALSE(IsMailAddress(bad)) << bad;
  }
  EXPECT_FALSE(IsMailAddress(std::string(65, 'a') + "@example.jp"));
  EXPECT_FALSE(IsMailAddress("a@" + std::string(253, 'b')));
}

}  // namespace
}  // namespace kyodo::common
