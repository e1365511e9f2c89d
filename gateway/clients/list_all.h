// Paging through a downstream List method, asynchronously.
#ifndef KYODO_GATEWAY_CLIENTS_LIST_ALL_H_
#define KYODO_GATEWAY_CLIENTS_LIST_ALL_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/grpc/downstream.h"

namespace kyodo::gateway {

// Starts the call for the page at `token`; the callback appends the page's
// items to `*items` and passes on the next page's token ("" after the last).
template <typename Item>
using StartPage =
    std::function<void(const std::string& token, std::vector<Item>* items,
                       common::grpc_client::Callback<std::string> next)>;

// Pages with `page` until the last page or until `limit` items, one page in
// flight at a time (each page starts from the previous one's callback, on
// no thread of its own); `done` gets at most `limit` items or the first
// error. `*more` (when given) is set, before `done` runs, to whether items
// beyond the first `limit` exist, so that a view never cuts a list
// silently.
template <typename Item>
void ListAll(int limit, bool* more, StartPage<Item> page,
             common::grpc_client::Callback<std::vector<Item>> done) {
  struct Listing {
    int limit;
    bool* more;
    StartPage<Item> page;
    common::grpc_client::Callback<std::vector<Item>> done;
    std::vector<Item> items;

    // Owns itself: deleted once `done` has run.
    void Next(const std::string& token) {
      page(token, &items, [this](absl::StatusOr<std::string> next) {
        if (!next.ok()) return Finish(next.status());
        const int got = static_cast<int>(items.size());
        if (next->empty() || got >= limit) {
          // A page token means more rows (common/paging/page_token.h).
          if (more != nullptr) *more = got > limit || !next->empty();
          if (got > limit) items.resize(limit);
          return Finish(std::move(items));
        }
        Next(*next);
      });
    }
    void Finish(absl::StatusOr<std::vector<Item>> result) {
      done(std::move(result));
      delete this;
    }
  };
  (new Listing{limit, more, std::move(page), std::move(done), {}})->Next("");
}

// ListAll over a List method of a stub's callback API (`method`, e.g.
// &Stub::async::ListNetworks) whose response holds the page's items in the
// field `items` (e.g. &ListNetworksResponse::networks): `request` is sent
// with each page's token.
template <typename Item, typename AsyncStub, typename Request,
          typename Response>
void ListPages(
    const common::server::CallContext& call,
    const common::grpc_client::DownstreamOptions& options, AsyncStub* stub,
    void (AsyncStub::*method)(grpc::ClientContext*, const Request*, Response*,
                              std::function<void(grpc::Status)>),
    Request request,
    const google::protobuf::RepeatedPtrField<Item>& (Response::*items)() const,
    int limit, bool* more,
    common::grpc_client::Callback<std::vector<Item>> done) {
  ListAll<Item>(
      limit, more,
      [&call, options, stub, method, items, request = std::move(request)](
          const std::string& token, std::vector<Item>* out,
          common::grpc_client::Callback<std::string> next) {
        Request paged = request;
        paged.set_page_token(token);
        common::grpc_client::CallUnaryAsync(
            call, options, stub, method, std::move(paged),
            common::grpc_client::Callback<Response>(
                [out, items, next = std::move(next)](
                    absl::StatusOr<Response> page) mutable {
                  if (!page.ok()) return next(page.status());
                  const auto& got = ((*page).*items)();
                  out->insert(out->end(), got.begin(), got.end());
                  next(page->next_page_token());
                }));
      },
      std::move(done));
}

}  // namespace kyodo::gateway

#endif  // KYODO_GATEWAY_CLIENTS_LIST_ALL_H_
