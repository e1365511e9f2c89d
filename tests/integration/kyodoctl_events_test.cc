// `kyodoctl events` against the suite (kyodoctl/events.cc): it reads each
// service's feed, and with --follow keeps following one through the
// gateway while the service behind it is killed and started again, printing
// every event once, in order.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "tests/testing/auth.h"
#include "tests/testing/cluster.h"
#include "tests/testing/process.h"

namespace kyodo::integration {
namespace {

namespace pav1 = partner::v1;
using testing::Service;

// kyodoctl run with `args`, its standard output read line by line through a
// pipe.
class Kyodoctl {
 public:
  explicit Kyodoctl(const std::vector<std::string>& args) {
    const std::string binary = testing::ChildProcess::Binary("kyodoctl");
    std::vector<std::string> all = {binary};
    all.insert(all.end(), args.begin(), args.end());
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      for (std::string& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
  }
  ~Kyodoctl() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }
  Kyodoctl(const Kyodoctl&) = delete;
  Kyodoctl& operator=(const Kyodoctl&) = delete;

  // The next line it prints; nullopt at its end, or when none comes within
  // `patience` (a bound on a hang, not a wait: the line normally comes at
  // once).
  std::optional<std::string> Line(absl::Duration patience) {
    for (;;) {
      const size_t end = buffer_.find('\n');
      if (end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return line;
      }
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(patience))) <=
          0) {
        return std::nullopt;
      }
      char chunk[4096];
      const ssize_t n = read(out_, chunk, sizeof chunk);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  // Its exit code once it ends by itself.
  int Wait() {
    int status = 0;
    if (waitpid(pid_, &status, 0) != pid_) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

// An event line: cursor, time, type (label), resource.
std::vector<std::string> Fields(const std::string& line) {
  return absl::StrSplit(line, '\t');
}

class KyodoctlEventsTest : public ::testing::Test {
 protected:
  KyodoctlEventsTest()
      : cluster_(std::make_unique<testing::Cluster>("kyodoctl_events")),
        partners_(pav1::PartnerService::NewStub(
            cluster_->Channel(Service::kGateway))) {}

  std::vector<std::string> Args(std::vector<std::string> more) const {
    std::vector<std::string> args = {
        "--addr=" + cluster_->Address(Service::kGateway),
        "--token=" + testing::AdminToken()};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }

  // Creates a partner through the gateway, waiting for partner-service
  // should it be starting again.
  std::string CreatePartner(const std::string& display_name) {
    pav1::CreatePartnerRequest request;
    request.mutable_partner()->set_kind(pav1::CIVIC_GROUP);
    request.mutable_partner()->set_display_name(display_name);
    pav1::Partner out;
    auto context = testing::Context(testing::AdminToken(), absl::Seconds(60));
    context->set_wait_for_ready(true);
    grpc::Status status =
        partners_->CreatePartner(context.get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.name();
  }

  // Every line of a kyodoctl run that ends by itself; its exit code in
  // `code`.
  std::vector<std::string> Lines(const std::vector<std::string>& args,
                                 int* code) {
    Kyodoctl run(Args(args));
    std::vector<std::string> lines;
    while (auto line = run.Line(absl::Seconds(60))) lines.push_back(*line);
    *code = run.Wait();
    return lines;
  }

  std::unique_ptr<testing::Cluster> cluster_;
  std::unique_ptr<pav1::PartnerService::Stub> partners_;
};

TEST_F(KyodoctlEventsTest, ReadsEachFeedAndFollowsOneAcrossARestart) {
  const std::string first = CreatePartner("あさお森の会");
  int code = -1;
  std::vector<std::string> lines = Lines({"events", "partners"}, &code);
  EXPECT_EQ(code, 0);
  ASSERT_EQ(lines.size(), 1u) << absl::StrJoin(lines, "\n");
  std::vector<std::string> fields = Fields(lines[0]);
  ASSERT_EQ(fields.size(), 4u) << lines[0];
  EXPECT_EQ(fields[2], "PARTNER_CREATED (団体登録)");
  EXPECT_EQ(fields[3], first);
  const std::string cursor = fields[0];
  // The other feeds answer too (nothing has happened in them yet), and a
  // feed that does not exist is a usage error.
  EXPECT_TRUE(Lines({"events", "projects"}, &code).empty());
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(Lines({"events"}, &code).empty());
  EXPECT_EQ(code, 0);
  Lines({"events", "calls"}, &code);
  EXPECT_EQ(code, 2);

  // Following from the first event's cursor: the next partner, then one
  // created after partner-service was killed and started again.
  Kyodoctl follow(
      Args({"events", "partners", "--follow", "--after=" + cursor}));
  const std::string second = CreatePartner("すずかけ子ども食堂");
  auto line = follow.Line(absl::Seconds(60));
  ASSERT_TRUE(line.has_value());
  fields = Fields(*line);
  ASSERT_EQ(fields.size(), 4u) << *line;
  EXPECT_EQ(fields[3], second);
  EXPECT_GT(std::stoll(fields[0]), std::stoll(cursor));
  cluster_->Kill(Service::kPartner);
  cluster_->Restart(Service::kPartner);
  const std::string third = CreatePartner("多摩川の自然を守る会");
  line = follow.Line(absl::Seconds(60));
  ASSERT_TRUE(line.has_value()) << cluster_->LogTail(Service::kGateway);
  std::vector<std::string> next = Fields(*line);
  ASSERT_EQ(next.size(), 4u) << *line;
  EXPECT_EQ(next[3], third) << "the second partner's event came again";
  EXPECT_GT(std::stoll(next[0]), std::stoll(fields[0]));
}

}  // namespace
}  // namespace kyodo::integration
