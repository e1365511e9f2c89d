// Structured JSON log lines.
#include "common/log/log.h"

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace kyodo::common::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  LogTest() {
    SetSinkForTesting([this](absl::string_view line) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.emplace_back(line);
    });
    SetMinLevel(Level::kDebug);
  }
  ~LogTest() override {
    SetSinkForTesting(nullptr);
    SetMinLevel(Level::kInfo);
    SetService("kyodo");
  }

  std::vector<std::string> Lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  nlohmann::json Only() {
    std::vector<std::string> lines = Lines();
    EXPECT_EQ(lines.size(), 1u);
    if (lines.empty()) return nlohmann::json();
    EXPECT_EQ(lines[0].back(), '\n');
    EXPECT_EQ(lines[0].find('\n'), lines[0].size() - 1);  // one line
    return nlohmann::json::parse(lines[0], nullptr, false);
  }

  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(LogTest, OneJsonObjectPerLine) {
  SetService("partner");
  Info("rpc", {{"method", "GetPartner"},
               {"ms", 1.5},
               {"rows", 3},
               {"big", 5000000000LL},
               {"ok", true},
               {"sub", std::string("u-1")}});
  nlohmann::json line = Only();
  ASSERT_TRUE(line.is_object());
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["service"], "partner");
  EXPECT_EQ(line["msg"], "rpc");
  EXPECT_EQ(line["method"], "GetPartner");
  EXPECT_EQ(line["ms"], 1.5);
  EXPECT_EQ(line["rows"], 3);
  EXPECT_EQ(line["big"], 5000000000LL);
  EXPECT_EQ(line["ok"], true);
  EXPECT_EQ(line["sub"], "u-1");
  EXPECT_FALSE(line.contains("call_id"));
  absl::Time ts;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, line["ts"].get<std::string>(),
                              &ts, &error))
      << line["ts"];
  EXPECT_EQ(line["ts"].get<std::string>().back(), 'Z');
}

TEST_F(LogTest, LevelsFilter) {
  SetMinLevel(Level::kWarning);
  Debug("d");
  Info("i");
  Warning("w");
  Error("e");
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["level"], "warning");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["level"], "error");
}

TEST_F(LogTest, ParseLevel) {
  Level level = Level::kInfo;
  EXPECT_TRUE(ParseLevel("debug", &level));
  EXPECT_EQ(level, Level::kDebug);
  EXPECT_TRUE(ParseLevel("error", &level));
  EXPECT_EQ(level, Level::kError);
  EXPECT_TRUE(ParseLevel("warning", &level));
  EXPECT_EQ(level, Level::kWarning);
  EXPECT_FALSE(ParseLevel("WARN", &level));
  EXPECT_FALSE(ParseLevel("", &level));
  EXPECT_EQ(level, Level::kWarning);
}

TEST_F(LogTest, CallIdIsPerThreadAndScoped) {
  EXPECT_EQ(CurrentCallId(), "");
  {
    ScopedCallId outer("call-1");
    EXPECT_EQ(CurrentCallId(), "call-1");
    {
      ScopedCallId inner("call-2");
      Info("inner");
    }
    EXPECT_EQ(CurrentCallId(), "call-1");
    std::thread other([] {
      EXPECT_EQ(CurrentCallId(), "");
      Info("other thread");
    });
    other.join();
    Info("outer");
  }
  EXPECT_EQ(CurrentCallId(), "");
  Info("none");
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["call_id"], "call-2");
  EXPECT_FALSE(nlohmann::json::parse(lines[1]).contains("call_id"));
  EXPECT_EQ(nlohmann::json::parse(lines[2])["call_id"], "call-1");
  EXPECT_FALSE(nlohmann::json::parse(lines[3]).contains("call_id"));
}

TEST_F(LogTest, InvalidUtf8DoesNotLoseTheLine) {
  Warning("bad \xFF bytes", {{"field", "x\xC0y"}});
  nlohmann::json line = Only();
  ASSERT_TRUE(line.is_object());
  EXPECT_EQ(line["level"], "warning");
  EXPECT_TRUE(line.contains("field"));
}

TEST_F(LogTest, QuotesAndNewlinesAreEscaped) {
  Info("two\nlines \"quoted\"", {{"sql", "a\nb"}});
  nlohmann::json line = Only();
  EXPECT_EQ(line["msg"], "two\nlines \"quoted\"");
  EXPECT_EQ(line["sql"], "a\nb");
}

}  // namespace
}  // namespace kyodo::common::log
