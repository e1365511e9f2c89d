// The change feed of partners (PartnerService.ListEvents, WatchEvents;
// partner-service/event_handlers.cc): each change of a partner is one event
// in commit order; every reader of partners reads them, the contacts only
// where GetPartner shows them; the stream follows new changes.
#include "tests/partner-service/partner_fixture.h"

namespace kyodo::partner {
namespace {

using v1::Event;

class PartnerEventsTest : public PartnerServiceTest {
 protected:
  std::vector<Event> All(const std::string& token) {
    std::vector<Event> events;
    std::string after;
    for (int calls = 0; calls < 100; ++calls) {
      v1::ListEventsRequest request;
      request.set_after(after);
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

  template <typename Request,
            typename Method = grpc::Status (v1::PartnerService::Stub::*)(
                grpc::ClientContext*, const Request&, v1::Partner*)>
  grpc::Status Change(Method method, const std::string& name) {
    Request request;
    request.set_name(name);
    v1::Partner ignored;
    return (stub_.get()->*method)(
        kyodo::testing::Context(kyodo::testing::AdminToken()).get(), request,
        &ignored);
  }
};

TEST_F(PartnerEventsTest, EachChangeIsOneEventWithTheContactsAsGetShowsThem) {
  v1::Partner group = NewPartner(v1::CIVIC_GROUP, "多摩川みまもり隊");
  v1::Contact* contact = group.add_contacts();
  contact->set_person_name("川崎 花子");
  contact->set_email("hanako@example.jp");
  const v1::Partner created = CreateOk(group);
  ASSERT_TRUE(Change<v1::DeactivatePartnerRequest>(
                  &v1::PartnerService::Stub::DeactivatePartner, created.name())
                  .ok());
  ASSERT_TRUE(Change<v1::ActivatePartnerRequest>(
                  &v1::PartnerService::Stub::ActivatePartner, created.name())
                  .ok());
  ASSERT_TRUE(Change<v1::DeletePartnerRequest>(
                  &v1::PartnerService::Stub::DeletePartner, created.name())
                  .ok());
  // Deleted already: refused, no event.
  EXPECT_FALSE(Change<v1::DeletePartnerRequest>(
                   &v1::PartnerService::Stub::DeletePartner, created.name())
                   .ok());
  ASSERT_TRUE(Change<v1::UndeletePartnerRequest>(
                  &v1::PartnerService::Stub::UndeletePartner, created.name())
                  .ok());

  const std::vector<Event> events = All(kyodo::testing::AdminToken());
  std::vector<Event::Type> types;
  for (const Event& e : events) types.push_back(e.type());
  EXPECT_EQ(types, (std::vector<Event::Type>{
                       Event::PARTNER_CREATED, Event::PARTNER_STATE_CHANGED,
                       Event::PARTNER_STATE_CHANGED, Event::PARTNER_DELETED,
                       Event::PARTNER_UNDELETED}));
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[1].partner().state(), v1::Partner::INACTIVE);
  EXPECT_EQ(events[0].partner().contacts(0).email(), "hanako@example.jp");
  // A viewer reads the same events without the contacts, as GetPartner
  // answers it.
  const std::vector<Event> public_events = All(kyodo::testing::ViewerToken());
  ASSERT_EQ(public_events.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(public_events[i].cursor(), events[i].cursor());
    EXPECT_EQ(public_events[i].partner().contacts_size(), 0) << i;
    EXPECT_EQ(public_events[i].partner().display_name(), "多摩川みまもり隊");
  }
}

TEST_F(PartnerEventsTest, AStreamFollowsNewChanges) {
  auto context = kyodo::testing::Context(kyodo::testing::ViewerToken());
  v1::WatchEventsRequest request;
  request.set_after("now");
  auto stream = stub_->WatchEvents(context.get(), request);
  // The stream's start is fixed once its initial metadata arrives.
  stream->WaitForInitialMetadata();
  const v1::Partner created =
      CreateOk(NewPartner(v1::NEIGHBOURHOOD_ASSOCIATION, "百合丘町内会"));
  Event event;
  ASSERT_TRUE(stream->Read(&event));
  EXPECT_EQ(event.type(), Event::PARTNER_CREATED);
  EXPECT_EQ(event.resource(), created.name());
  context->TryCancel();
  while (stream->Read(&event)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

}  // namespace
}  // namespace kyodo::partner
