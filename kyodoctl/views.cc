// kyodoctl projects, dossier, profile, dashboard and export.
#include <fstream>
#include <iostream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/grpc_status.h"
#include "common/text/enum_label.h"
#include "kyodo/gateway/v1/gateway.grpc.pb.h"
#include "kyodo/project/v1/project_service.pb.h"
#include "kyodoctl/commands.h"
#include "kyodoctl/format.h"
#include "kyodoctl/table.h"

ABSL_DECLARE_FLAG(std::string, filter);
ABSL_DECLARE_FLAG(int, page_size);
ABSL_DECLARE_FLAG(bool, all);
ABSL_FLAG(std::string, format, "csv", "export: csv or jsonl");
ABSL_FLAG(std::string, dataset, "projects", "export: projects or results");
ABSL_FLAG(std::string, out, "",
          "export: file to write (default stdout); documents fetch: file to "
          "write (default the document's file name here; - for stdout)");
ABSL_FLAG(int, fiscal_year, 0, "dashboard, export: 年度 (0 = current / all)");

namespace kyodo::ctl {
namespace {

namespace prv1 = project::v1;
namespace gv1 = gateway::v1;

Table ProjectTable() {
  return Table({"名前(name)", "事業名", "制度", "年度", "区", "状態"});
}

void AddProject(Table& table, const prv1::Project& p) {
  std::vector<std::string> wards;
  for (int w : p.wards())
    wards.push_back(common::EnumLabel(static_cast<type::v1::Ward>(w)));
  table.AddRow(
      {p.name(), p.title(), common::EnumLabel(p.programme()),
       p.has_start_fiscal_year() ? absl::StrCat(p.start_fiscal_year()) : "",
       absl::StrJoin(wards, "・"), common::EnumLabel(p.state())});
}

int Projects(const Env& env) {
  const std::string sub = env.args.size() > 1 ? env.args[1] : "";
  if (sub == "list") {
    prv1::ListProjectsRequest request;
    request.set_filter(absl::GetFlag(FLAGS_filter));
    request.set_page_size(absl::GetFlag(FLAGS_page_size));
    Table table = ProjectTable();
    std::string next;
    do {
      request.set_page_token(next);
      prv1::ListProjectsResponse response;
      absl::Status status = env.client->Call(
          "kyodo.project.v1.ProjectService.ListProjects", request, &response);
      if (!status.ok()) return Fail(status);
      for (const auto& p : response.projects()) {
        if (env.json)
          std::cout << ToJson(p) << "\n";
        else
          AddProject(table, p);
      }
      next = response.next_page_token();
    } while (absl::GetFlag(FLAGS_all) && !next.empty());
    if (!env.json) {
      table.Print(std::cout);
      if (!next.empty()) std::cout << "(続きあり: --all で全件)\n";
    }
    return 0;
  }
  if (sub == "get" && env.args.size() == 3) {
    gv1::GetProjectDossierRequest request;
    request.set_name(env.args[2]);
    gv1::ProjectDossier dossier;
    absl::Status status = env.client->Call(
        "kyodo.gateway.v1.Gateway.GetProjectDossier", request, &dossier);
    if (!status.ok()) return Fail(status);
    if (env.json) {
      std::cout << ToJson(dossier) << "\n";
      return 0;
    }
    const prv1::Project& p = dossier.project();
    Table table({"項目", "内容"});
    table.AddRow({"事業名", p.title()});
    table.AddRow({"制度", common::EnumLabel(p.programme())});
    table.AddRow({"状態", common::EnumLabel(p.state())});
    table.AddRow({"課題", p.issue()});
    for (const auto& part : p.participants()) {
      table.AddRow({"主体", absl::StrCat(part.display_name(), " (",
                                         common::EnumLabel(part.role()), ") ",
                                         part.responsibilities())});
    }
    for (const auto& c : p.contributions()) {
      table.AddRow(
          {"形態",
           absl::StrCat(common::EnumLabel(c.form()), " ",
                        c.amount_yen() > 0 ? Yen(c.amount_yen()) : "")});
      for (const auto& line : c.expense_lines()) {
        table.AddRow({"  内訳", absl::StrCat(common::EnumLabel(line.item()),
                                             " ", Yen(line.amount_yen()), " ",
                                             line.description())});
      }
    }
    for (const auto& o : p.outcomes()) {
      table.AddRow(
          {"成果", absl::StrCat(o.name(), " ", o.approximate() ? "約" : "",
                                o.value(), o.unit())});
    }
    if (dossier.has_source_proposal()) {
      table.AddRow({"提案", dossier.source_proposal().name()});
    }
    if (dossier.has_result()) {
      const auto& r = dossier.result();
      table.AddRow({"審査結果", absl::StrCat(common::EnumLabel(r.reason()), " ",
                                             r.rank(), "位 ", r.score(), "点 ",
                                             Yen(r.adopted_amount_yen()))});
      // The committee's ruling beside the ranking, with its reason, and what
      // the ranking alone gave (published with the result).
      if (r.has_ruling()) {
        table.AddRow({"審査会の判断",
                      absl::StrCat(common::EnumLabel(r.ruling().action()), ": ",
                                   r.ruling().reason())});
        table.AddRow({"順位による結果",
                      absl::StrCat(common::EnumLabel(r.recommended_reason()),
                                   " ", Yen(r.recommended_amount_yen()))});
      }
    }
    table.Print(std::cout);
    return 0;
  }
  std::cerr << "usage: kyodoctl projects list [--filter=...] | get PROJECT\n";
  return 2;
}

int Dashboard(const Env& env) {
  gv1::GetWardDashboardRequest request;
  type::v1::Ward ward = type::v1::WARD_UNSPECIFIED;
  if (env.args.size() != 2 || !type::v1::Ward_Parse(env.args[1], &ward)) {
    std::cerr << "usage: kyodoctl dashboard WARD   (e.g. ASAO)\n";
    return 2;
  }
  request.set_ward(ward);
  request.set_fiscal_year(absl::GetFlag(FLAGS_fiscal_year));
  gv1::WardDashboard d;
  absl::Status status = env.client->Call(
      "kyodo.gateway.v1.Gateway.GetWardDashboard", request, &d);
  if (!status.ok()) return Fail(status);
  if (env.json) {
    std::cout << ToJson(d) << "\n";
    return 0;
  }
  std::cout << common::EnumLabel(d.ward()) << " " << d.fiscal_year()
            << "年度\n";
  std::cout << "受付中の公募: " << d.open_calls_size() << " 件\n";
  for (const auto& c : d.open_calls())
    std::cout << "  " << c.display_name() << "\n";
  std::cout << "提案:";
  for (const auto& s : d.proposals_by_state())
    std::cout << " " << s.state() << "=" << s.count();
  std::cout << "\n実施中の事業: " << d.active_project_count() << " 件\n"
            << "委託・補助等の額: " << Yen(d.committed_yen()) << "\n";
  for (const auto& list : d.truncated()) {
    std::cout << "(" << list << ": 最初の500件のみ)\n";
  }
  return 0;
}

int Export(const Env& env) {
  gv1::ExportOpenDataRequest request;
  const std::string format = absl::GetFlag(FLAGS_format);
  const std::string dataset = absl::GetFlag(FLAGS_dataset);
  request.set_format(format == "jsonl" ? gv1::ExportOpenDataRequest::JSON_LINES
                                       : gv1::ExportOpenDataRequest::CSV);
  request.set_dataset(dataset == "results"
                          ? gv1::ExportOpenDataRequest::RESULTS
                          : gv1::ExportOpenDataRequest::PROJECTS);
  request.set_fiscal_year(absl::GetFlag(FLAGS_fiscal_year));
  if ((format != "csv" && format != "jsonl") ||
      (dataset != "projects" && dataset != "results")) {
    std::cerr
        << "kyodoctl export: --format=csv|jsonl --dataset=projects|results\n";
    return 2;
  }
  auto stub =
      gv1::Gateway::NewStub(env.client->ChannelFor("kyodo.gateway.v1.Gateway"));
  auto context = env.client->NewContext();
  auto reader = stub->ExportOpenData(context.get(), request);
  const std::string path = absl::GetFlag(FLAGS_out);
  std::ofstream file;
  if (!path.empty()) file.open(path, std::ios::binary);
  std::ostream& out = path.empty() ? std::cout : file;
  gv1::ExportChunk chunk;
  size_t bytes = 0;
  while (reader->Read(&chunk)) {
    out << chunk.data();
    bytes += chunk.data().size();
    if (!path.empty())
      std::cerr << "\r" << path << ": " << bytes << " bytes" << std::flush;
  }
  if (!path.empty()) std::cerr << "\n";
  grpc::Status status = reader->Finish();
  if (!status.ok()) return Fail(common::FromGrpcStatus(status));
  return out.good() ? 0 : 1;
}

}  // namespace

int CmdViews(const Env& env) {
  const std::string what = env.args.empty() ? "" : env.args[0];
  if (what == "projects") return Projects(env);
  if (what == "dashboard") return Dashboard(env);
  if (what == "export") return Export(env);
  if (what == "profile" && env.args.size() == 2) {
    gv1::GetPartnerProfileRequest request;
    request.set_name(env.args[1]);
    gv1::PartnerProfile profile;
    absl::Status status = env.client->Call(
        "kyodo.gateway.v1.Gateway.GetPartnerProfile", request, &profile);
    if (!status.ok()) return Fail(status);
    if (env.json) {
      std::cout << ToJson(profile) << "\n";
      return 0;
    }
    std::cout << profile.partner().display_name() << " ("
              << common::EnumLabel(profile.partner().kind()) << ")\n";
    for (const auto& a : profile.agreements())
      std::cout << "協定: " << a.display_name() << "\n";
    for (const auto& n : profile.networks())
      std::cout << "ネットワーク: " << n.display_name() << "\n";
    Table table = ProjectTable();
    for (const auto& p : profile.projects()) AddProject(table, p);
    if (table.size() > 0) table.Print(std::cout);
    for (const auto& p : profile.proposals()) {
      std::cout << "提案: " << p.title() << " (" << common::EnumLabel(p.state())
                << ")\n";
    }
    for (const auto& list : profile.truncated()) {
      std::cout << "(" << list << ": 最初の500件のみ)\n";
    }
    return 0;
  }
  std::cerr << "usage: kyodoctl projects|dashboard|export|profile ...\n";
  return 2;
}

}  // namespace kyodo::ctl
