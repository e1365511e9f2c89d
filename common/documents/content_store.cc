#include "common/documents/content_store.h"

#include "common/db/transaction.h"
#include "common/status/macros.h"

namespace kyodo::common::documents {
namespace {

class MariaDbWriter final : public ContentWriter {
 public:
  MariaDbWriter(db::Session& session, int64_t seq)
      : session_(session), seq_(seq) {
    held_.reserve(kChunkBytes);
  }

  absl::Status Append(absl::string_view data) override {
    while (!data.empty()) {
      const size_t take = std::min(kChunkBytes - held_.size(), data.size());
      held_.append(data.data(), take);
      data.remove_prefix(take);
      if (held_.size() == kChunkBytes) KYODO_RETURN_IF_ERROR(Flush());
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int> Finish() override {
    if (!held_.empty()) KYODO_RETURN_IF_ERROR(Flush());
    return chunks_;
  }

 private:
  absl::Status Flush() {
    KYODO_RETURN_IF_ERROR(
        session_
            .Exec("INSERT INTO document_chunks (document_seq, chunk, data) "
                  "VALUES (?, ?, ?)",
                  {seq_, chunks_, held_})
            .status());
    ++chunks_;
    held_.clear();
    return absl::OkStatus();
  }

  db::Session& session_;
  const int64_t seq_;
  std::string held_;
  int chunks_ = 0;
};

}  // namespace

std::unique_ptr<ContentWriter> MariaDbContentStore::NewWriter(
    db::Session& session, int64_t seq) {
  return std::make_unique<MariaDbWriter>(session, seq);
}

absl::StatusOr<std::string> MariaDbContentStore::ReadChunk(
    db::ConnectionPool& pool, absl::Time deadline, int64_t seq, int index) {
  std::string data;
  KYODO_RETURN_IF_ERROR(
      db::RunWithSession(pool, deadline, [&](db::Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(
            std::optional<db::Row> row,
            s.QueryOne("SELECT data FROM document_chunks "
                       "WHERE document_seq = ? AND chunk = ?",
                       {seq, index}));
        if (!row.has_value()) {
          return absl::DataLossError("a document's content is incomplete");
        }
        data = row->String(0);
        return absl::OkStatus();
      }));
  return data;
}

}  // namespace kyodo::common::documents
