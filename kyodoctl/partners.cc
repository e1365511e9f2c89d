// kyodoctl partners: list, get, search.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_join.h"
#include "common/text/enum_label.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "kyodoctl/commands.h"
#include "kyodoctl/format.h"
#include "kyodoctl/table.h"

ABSL_FLAG(std::string, filter, "", "list: AIP-160 filter, e.g. 'ward = ASAO'");
ABSL_FLAG(int, page_size, 0, "list: page size (0 = server default)");
ABSL_FLAG(bool, all, false, "list: follow next_page_token to the end");
ABSL_FLAG(bool, show_deleted, false,
          "list, documents list: include soft-deleted resources");

namespace kyodo::ctl {
namespace {

using kyodo::partner::v1::Partner;

void PrintPartners(const Env& env,
                   const google::protobuf::RepeatedPtrField<Partner>& partners,
                   Table& table) {
  for (const Partner& p : partners) {
    if (env.json) {
      std::cout << ToJson(p) << "\n";
      continue;
    }
    table.AddRow({p.name(), common::EnumLabel(p.kind()), p.display_name(),
                  common::EnumLabel(p.ward()), common::EnumLabel(p.state()),
                  p.has_delete_time() ? "削除済" : ""});
  }
}

Table PartnerTable() {
  return Table({"名前(name)", "種別", "名称", "区", "状態", ""});
}

int List(const Env& env) {
  kyodo::partner::v1::ListPartnersRequest request;
  request.set_filter(absl::GetFlag(FLAGS_filter));
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  request.set_show_deleted(absl::GetFlag(FLAGS_show_deleted));
  Table table = PartnerTable();
  std::string next;
  do {
    request.set_page_token(next);
    kyodo::partner::v1::ListPartnersResponse response;
    absl::Status status = env.client->Call(
        "kyodo.partner.v1.PartnerService.ListPartners", request, &response);
    if (!status.ok()) return Fail(status);
    PrintPartners(env, response.partners(), table);
    next = response.next_page_token();
  } while (absl::GetFlag(FLAGS_all) && !next.empty());
  if (!env.json) {
    table.Print(std::cout);
    if (!next.empty()) std::cout << "(続きあり: --all で全件)\n";
  }
  return 0;
}

int Search(const Env& env) {
  kyodo::partner::v1::SearchPartnersRequest request;
  request.set_query(env.args[1]);
  request.set_filter(absl::GetFlag(FLAGS_filter));
  kyodo::partner::v1::SearchPartnersResponse response;
  absl::Status status = env.client->Call(
      "kyodo.partner.v1.PartnerService.SearchPartners", request, &response);
  if (!status.ok()) return Fail(status);
  Table table = PartnerTable();
  PrintPartners(env, response.partners(), table);
  if (!env.json) table.Print(std::cout);
  return 0;
}

int Get(const Env& env) {
  kyodo::partner::v1::GetPartnerRequest request;
  request.set_name(env.args[1]);
  Partner p;
  absl::Status status = env.client->Call(
      "kyodo.partner.v1.PartnerService.GetPartner", request, &p);
  if (!status.ok()) return Fail(status);
  if (env.json) {
    std::cout << ToJson(p) << "\n";
    return 0;
  }
  Table table({"項目", "値"});
  table.AddRow({"名前(name)", p.name()});
  table.AddRow({"名称", p.display_name()});
  table.AddRow({"フリガナ", p.name_kana()});
  table.AddRow({"種別", common::EnumLabel(p.kind())});
  table.AddRow({"区", common::EnumLabel(p.ward())});
  if (!p.other_wards().empty()) {
    std::vector<std::string> wards;
    for (int w : p.other_wards()) {
      wards.push_back(common::EnumLabel(*type::v1::Ward_descriptor(), w));
    }
    table.AddRow({"ほかの活動区", absl::StrJoin(wards, "・")});
  }
  table.AddRow({"法人番号", p.corporate_number()});
  table.AddRow({"法人格", p.legal_form()});
  table.AddRow({"所在地", p.address()});
  table.AddRow({"上位組織", p.parent()});
  table.AddRow({"状態", common::EnumLabel(p.state())});
  table.AddRow({"登録", JapanTime(p.create_time())});
  table.AddRow({"更新", JapanTime(p.update_time())});
  for (const auto& c : p.contacts()) {
    table.AddRow(
        {"連絡先", c.person_name() + " " + c.email() + " " + c.phone()});
  }
  table.Print(std::cout);
  return 0;
}

}  // namespace

int CmdPartners(const Env& env) {
  const std::string sub = env.args.empty() ? "" : env.args[0];
  if (sub == "list") return List(env);
  if (sub == "get" && env.args.size() == 2) return Get(env);
  if (sub == "search" && env.args.size() == 2) return Search(env);
  std::cerr << "usage: kyodoctl partners list [--filter=...] [--all]\n"
               "       kyodoctl partners get partners/ID\n"
               "       kyodoctl partners search QUERY\n"
               "  (create and update: kyodoctl call CreatePartner '<JSON>')\n";
  return 2;
}

}  // namespace kyodo::ctl
