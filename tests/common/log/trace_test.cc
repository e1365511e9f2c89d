// W3C Trace Context: reading a traceparent, starting a span of it, and the
// ids in every log line of the span.
#include "common/log/trace.h"

#include <string>

#include "common/log/log.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace kyodo::common::log {
namespace {

constexpr char kTrace[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kParent[] = "00f067aa0ba902b7";

TEST(TraceTest, ReadsTheSpecificationsExample) {
  auto parsed = ParseTraceparent(
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->trace_id, kTrace);
  EXPECT_EQ(parsed->parent_id, kParent);
  EXPECT_EQ(parsed->flags, "01");
}

TEST(TraceTest, RefusesWhatTheSpecificationRefuses) {
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  // 3 fields
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // ff
           "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",   // short
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // 00+
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
           "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
       }) {
    EXPECT_FALSE(ParseTraceparent(bad).has_value()) << bad;
  }
  // A later version may carry more fields; the first four are read.
  EXPECT_TRUE(ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-"
                               "00f067aa0ba902b7-01-more")
                  .has_value());
}

TEST(TraceTest, ASpanContinuesTheTraceWithANewSpanId) {
  const TraceContext span =
      StartSpan("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(span.trace_id, kTrace);
  EXPECT_EQ(span.parent_id, kParent);
  EXPECT_EQ(span.span_id.size(), 16u);
  EXPECT_NE(span.span_id, kParent);
  EXPECT_TRUE(ParseTraceparent(Traceparent(span)).has_value());
  EXPECT_EQ(Traceparent(span),
            std::string("00-") + kTrace + "-" + span.span_id + "-01");
  // The next hop's span: same trace, its own id, this span as parent.
  const TraceContext next = StartSpan(Traceparent(span));
  EXPECT_EQ(next.trace_id, kTrace);
  EXPECT_EQ(next.parent_id, span.span_id);
  EXPECT_NE(next.span_id, span.span_id);
}

TEST(TraceTest, WithoutAValidTraceparentANewTraceStarts) {
  const TraceContext a = StartSpan("");
  const TraceContext b = StartSpan("garbage");
  EXPECT_TRUE(ParseTraceparent(Traceparent(a)).has_value());
  EXPECT_TRUE(ParseTraceparent(Traceparent(b)).has_value());
  EXPECT_NE(a.trace_id, b.trace_id);
  EXPECT_EQ(a.parent_id, "");
}

TEST(TraceTest, EveryLogLineOfTheSpanCarriesItsIds) {
  std::string captured;
  SetSinkForTesting(
      [&](absl::string_view line) { captured = std::string(line); });
  {
    ScopedTrace traced(
        StartSpan("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    Info("inside");
    const nlohmann::json line = nlohmann::json::parse(captured);
    EXPECT_EQ(line["trace_id"], kTrace);
    EXPECT_EQ(line["span_id"], CurrentTrace().span_id);
  }
  Info("outside");
  const nlohmann::json line = nlohmann::json::parse(captured);
  EXPECT_FALSE(line.contains("trace_id")) << captured;
  SetSinkForTesting(nullptr);
}

}  // namespace
}  // namespace kyodo::common::log
