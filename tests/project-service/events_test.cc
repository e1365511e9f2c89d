// The change feed of projects (ProjectService.ListEvents, WatchEvents;
// project-service/event_handlers.cc): each change of a project is one event
// in commit order, read by every role that reads projects; a refused change
// writes none; the stream follows new changes.
#include "tests/project-service/project_fixture.h"

namespace kyodo::project {
namespace {

using v1::Event;

class ProjectEventsTest : public ProjectServiceTest {
 protected:
  std::vector<Event> All(const std::string& token,
                         const std::string& resource = "") {
    std::vector<Event> events;
    std::string after;
    for (int calls = 0; calls < 100; ++calls) {
      v1::ListEventsRequest request;
      request.set_after(after);
      request.set_resource(resource);
      request.set_page_size(2);
      v1::ListEventsResponse response;
      const grpc::Status status = stub_->ListEvents(
          kyodo::testing::Context(token).get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      events.insert(events.end(), response.events().begin(),
                    response.events().end());
      if (response.next_cursor() == after) return events;
      after = response.next_cursor();
    }
    ADD_FAILURE() << "the feed never came back to the same cursor";
    return events;
  }

  // A 協働型事業 ready to start (its six principles noted).
  v1::Project Startable() {
    v1::Project p = CooperativeProject();
    AddAllPrinciples(p);
    return CreateOk(p);
  }

  static std::vector<Event::Type> Types(const std::vector<Event>& events) {
    std::vector<Event::Type> types;
    for (const Event& e : events) types.push_back(e.type());
    return types;
  }
};

TEST_F(ProjectEventsTest, EachChangeIsOneEventThatEveryReaderReads) {
  const v1::Project first = Startable();
  const v1::Project second = CreateOk(CooperativeProject());
  v1::Project out;
  ASSERT_TRUE(Start(first.name(), &out).ok());
  v1::Project patch;
  patch.set_name(first.name());
  patch.set_title("多摩川河川敷の清掃と環境学習");
  ASSERT_TRUE(Update(patch, {"title"}, &out).ok());
  // Refused (a PLANNED project is not completed): no event.
  EXPECT_FALSE(Complete(second.name(), &out).ok());
  ASSERT_TRUE(Cancel(second.name(), "担い手が確保できないため", &out).ok());

  const std::vector<Event> events = All(kyodo::testing::AdminToken());
  EXPECT_EQ(Types(events),
            (std::vector<Event::Type>{
                Event::PROJECT_CREATED, Event::PROJECT_CREATED,
                Event::PROJECT_STATE_CHANGED, Event::PROJECT_UPDATED,
                Event::PROJECT_STATE_CHANGED}));
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].resource(), first.name());
  EXPECT_EQ(events[2].project().state(), v1::Project::ACTIVE);
  EXPECT_EQ(events[3].project().title(), "多摩川河川敷の清掃と環境学習");
  EXPECT_EQ(events[4].resource(), second.name());
  EXPECT_EQ(events[4].project().state(), v1::Project::CANCELLED);
  // Every reader of projects reads the same events.
  const std::vector<Event> public_events = All(kyodo::testing::ViewerToken());
  ASSERT_EQ(public_events.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(public_events[i].cursor(), events[i].cursor());
    EXPECT_EQ(public_events[i].project().SerializeAsString(),
              events[i].project().SerializeAsString());
  }
  // One project's events.
  EXPECT_EQ(Types(All(kyodo::testing::AdminToken(), second.name())),
            (std::vector<Event::Type>{Event::PROJECT_CREATED,
                                      Event::PROJECT_STATE_CHANGED}));
  // A resource that is not a project.
  v1::ListEventsRequest bad;
  bad.set_resource("partners/x");
  v1::ListEventsResponse ignored;
  const grpc::Status status = stub_->ListEvents(
      kyodo::testing::Context(kyodo::testing::AdminToken()).get(), bad,
      &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ProjectEventsTest, AStreamFollowsNewChanges) {
  const v1::Project project = Startable();
  auto context = kyodo::testing::Context(kyodo::testing::ViewerToken());
  v1::WatchEventsRequest request;
  request.set_after("now");
  auto stream = stub_->WatchEvents(context.get(), request);
  // The stream's start is fixed once its initial metadata arrives.
  stream->WaitForInitialMetadata();
  v1::Project out;
  ASSERT_TRUE(Start(project.name(), &out).ok());
  Event event;
  ASSERT_TRUE(stream->Read(&event));
  EXPECT_EQ(event.type(), Event::PROJECT_STATE_CHANGED);
  EXPECT_EQ(event.project().state(), v1::Project::ACTIVE);
  context->TryCancel();
  while (stream->Read(&event)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

}  // namespace
}  // namespace kyodo::project
