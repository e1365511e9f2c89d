// One trace across the suite (W3C Trace Context, common/log/trace.h) and
// the gateway's forwarded calls logged and counted like its own: a call
// with a traceparent, over gRPC (forwarded and composed) and over HTTP,
// leaves log lines in the gateway and in partner-service that carry the
// caller's trace id, each process with a span of its own whose parent is
// the previous hop's span; the gateway's /metrics counts the forwarded
// calls by method.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kyodo/gateway/v1/gateway.grpc.pb.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/gateway/http/http_testing.h"
#include "tests/testing/auth.h"
#include "tests/testing/cluster.h"
#include "tests/testing/scrape.h"

namespace kyodo::deploy {
namespace {

using testing::Service;

// The log lines (JSON) of a cluster's service whose msg is "rpc" and whose
// trace_id is `trace`.
std::vector<nlohmann::json> RpcLines(const testing::Cluster& cluster,
                                     const std::string& binary,
                                     const std::string& trace) {
  std::vector<nlohmann::json> found;
  std::ifstream in(absl::StrCat(cluster.log_dir(), "/", binary, ".log"));
  for (std::string line; std::getline(in, line);) {
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) continue;
    if (parsed.value("msg", "") == "rpc" &&
        parsed.value("trace_id", "") == trace) {
      found.push_back(std::move(parsed));
    }
  }
  return found;
}

std::string Traceparent(const std::string& trace, const std::string& span) {
  return absl::StrCat("00-", trace, "-", span, "-01");
}

// The gateway's line for the call and partner-service's line for the
// downstream call: one trace, each hop its own span, parent = previous hop.
void ExpectOneTrace(const testing::Cluster& cluster, const std::string& trace,
                    const std::string& caller_span,
                    const std::string& gateway_method) {
  const std::vector<nlohmann::json> gateway =
      RpcLines(cluster, "gateway", trace);
  const std::vector<nlohmann::json> partner =
      RpcLines(cluster, "partner-service", trace);
  ASSERT_FALSE(gateway.empty()) << trace << ": no gateway line\n"
                                << cluster.LogTail(Service::kGateway);
  ASSERT_FALSE(partner.empty()) << trace << ": no partner-service line\n"
                                << cluster.LogTail(Service::kPartner);
  // The line of the call the client made (its parent is the client's span).
  const nlohmann::json* first = nullptr;
  for (const nlohmann::json& line : gateway) {
    if (line.value("parent_span_id", "") == caller_span) first = &line;
  }
  ASSERT_NE(first, nullptr)
      << trace << ": no gateway span child of " << caller_span;
  EXPECT_EQ(first->value("method", ""), gateway_method);
  const std::string gateway_span = first->value("span_id", "");
  EXPECT_EQ(gateway_span.size(), 16u);
  EXPECT_NE(gateway_span, caller_span);
  // partner-service's span is a child of one of the gateway's spans, and
  // never reuses it.
  bool child = false;
  for (const nlohmann::json& line : partner) {
    const std::string parent = line.value("parent_span_id", "");
    for (const nlohmann::json& g : gateway) {
      if (parent == g.value("span_id", "")) child = true;
      EXPECT_NE(line.value("span_id", ""), g.value("span_id", ""));
    }
  }
  EXPECT_TRUE(child) << trace << ": partner-service's span is no child of "
                     << "the gateway's";
}

TEST(TracingTest, OneTraceAcrossGatewayAndServicesOverGrpcAndHttp) {
  testing::HttpCluster http("tracing", {"--metrics_listen=127.0.0.1:0"});
  testing::Cluster& cluster = *http.cluster;
  const int metrics_port =
      cluster.LoggedPort(Service::kGateway, "serving metrics");

  // A forwarded call over gRPC.
  const std::string t1 = "0af7651916cd43dd8448eb211c80319c";
  const std::string s1 = "b7ad6b7169203331";
  {
    auto stub = partner::v1::PartnerService::NewStub(
        cluster.Channel(Service::kGateway));
    auto context = testing::Context(testing::AdminToken());
    context->AddMetadata("traceparent", Traceparent(t1, s1));
    context->AddMetadata("x-request-id", "tracing-forwarded");
    partner::v1::ListPartnersRequest request;
    partner::v1::ListPartnersResponse response;
    ASSERT_TRUE(stub->ListPartners(context.get(), request, &response).ok());
  }
  ExpectOneTrace(cluster, t1, s1, "PartnerService.ListPartners");
  for (const nlohmann::json& line : RpcLines(cluster, "partner-service", t1)) {
    EXPECT_EQ(line.value("call_id", ""), "tracing-forwarded");
  }
  for (const nlohmann::json& line : RpcLines(cluster, "gateway", t1)) {
    EXPECT_EQ(line.value("call_id", ""), "tracing-forwarded");
    EXPECT_EQ(line.value("forwarded", false), true);
    EXPECT_EQ(line.value("code", ""), "OK");
  }

  // A composed call: the gateway's own method calls partner-service.
  const std::string t2 = "1af7651916cd43dd8448eb211c80319c";
  const std::string s2 = "c7ad6b7169203331";
  {
    auto stub =
        gateway::v1::Gateway::NewStub(cluster.Channel(Service::kGateway));
    auto context = testing::Context(testing::AdminToken());
    context->AddMetadata("traceparent", Traceparent(t2, s2));
    gateway::v1::GetPartnerProfileRequest request;
    request.set_name("partners/nosuchpartner");
    gateway::v1::PartnerProfile response;
    EXPECT_EQ(
        stub->GetPartnerProfile(context.get(), request, &response).error_code(),
        grpc::StatusCode::NOT_FOUND);
  }
  ExpectOneTrace(cluster, t2, s2, "GetPartnerProfile");

  // Over HTTP: the traceparent header goes on like the metadata.
  const std::string t3 = "2af7651916cd43dd8448eb211c80319c";
  const std::string s3 = "d7ad6b7169203331";
  testing::CurlResult r = testing::ConnectJson(
      http.base, "kyodo.partner.v1.PartnerService/ListPartners", "{}",
      testing::AdminToken(), {"-H", "traceparent: " + Traceparent(t3, s3)});
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectOneTrace(cluster, t3, s3, "PartnerService.ListPartners");

  // A call without a traceparent starts a trace of its own in the gateway,
  // which partner-service continues.
  {
    auto stub = partner::v1::PartnerService::NewStub(
        cluster.Channel(Service::kGateway));
    auto context = testing::Context(testing::AdminToken());
    context->AddMetadata("x-request-id", "tracing-untraced");
    partner::v1::GetPartnerRequest request;
    request.set_name("partners/nosuchpartner");
    partner::v1::Partner response;
    EXPECT_EQ(stub->GetPartner(context.get(), request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }

  // The gateway counts forwarded calls by method and code, apart from its
  // own (kyodo_rpc_total, common/metrics/metrics.h).
  const std::string text = testing::Scrape(metrics_port);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(testing::Sample(
                text, "kyodo_rpc_total",
                {"service=\"gateway\"",
                 "method=\"PartnerService.ListPartners\"", "code=\"OK\""}),
            2)
      << text;
  EXPECT_EQ(testing::Sample(
                text, "kyodo_rpc_total",
                {"service=\"gateway\"", "method=\"PartnerService.GetPartner\"",
                 "code=\"NOT_FOUND\""}),
            1)
      << text;
  EXPECT_EQ(
      testing::Sample(text, "kyodo_rpc_total",
                      {"service=\"gateway\"", "method=\"GetPartnerProfile\"",
                       "code=\"NOT_FOUND\""}),
      1)
      << text;
}

}  // namespace
}  // namespace kyodo::deploy
