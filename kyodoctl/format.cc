#include "kyodoctl/format.h"

#include <initializer_list>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/time/clock.h"
#include "google/protobuf/util/json_util.h"

namespace kyodo::ctl {

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

std::string WardLabel(kyodo::type::v1::Ward ward) {
  using kyodo::type::v1::Ward;
  switch (ward) {
    case kyodo::type::v1::KAWASAKI:
      return "川崎区";
    case kyodo::type::v1::SAIWAI:
      return "幸区";
    case kyodo::type::v1::NAKAHARA:
      return "中原区";
    case kyodo::type::v1::TAKATSU:
      return "高津区";
    case kyodo::type::v1::MIYAMAE:
      return "宮前区";
    case kyodo::type::v1::TAMA:
      return "多摩区";
    case kyodo::type::v1::ASAO:
      return "麻生区";
    default:
      return "";
  }
}

std::string KindLabel(kyodo::partner::v1::PartnerKind kind) {
  using namespace kyodo::partner::v1;  // NOLINT: enum labels only
  switch (kind) {
    case CIVIC_GROUP:
      return "市民活動団体";
    case UNIVERSITY:
      return "大学等";
    case COMPANY:
      return "企業";
    case NEIGHBOURHOOD_ASSOCIATION:
      return "町内会・自治会";
    case COMMUNITY_ORGANISATION:
      return "地縁組織";
    case WELFARE_COUNCIL:
      return "地区社会福祉協議会";
    case BUSINESS_ASSOCIATION:
      return "事業者組合・商店会";
    case MUNICIPALITY:
      return "他自治体";
    case CITY_UNIT:
      return "市の組織";
    default:
      return "";
  }
}

std::string PartnerStateLabel(kyodo::partner::v1::Partner::State state) {
  switch (state) {
    case kyodo::partner::v1::Partner::ACTIVE:
      return "活動中";
    case kyodo::partner::v1::Partner::INACTIVE:
      return "休止";
    default:
      return "";
  }
}

namespace {

std::string Label(int value, std::initializer_list<const char*> labels) {
  int i = 0;
  for (const char* label : labels) {
    if (i++ == value) return label;
  }
  return "";
}

}  // namespace

std::string ProjectStateLabel(int state) {
  return Label(state, {"", "計画", "実施中", "完了", "振り返り済", "中止"});
}

std::string ProgrammeLabel(int programme) {
  return Label(programme, {"", "協働型事業", "区の市民提案型事業",
                           "市民自主学級", "市民自主企画事業",
                           "町内会事業提案制度", "協定に基づく連携", "その他"});
}

std::string CallStateLabel(int state) {
  return Label(state,
               {"", "準備中", "募集中", "締切", "審査中", "決定", "公表"});
}

std::string ProposalStateLabel(int state) {
  return Label(state, {"", "下書き", "提出済", "取下げ", "対象外", "審査対象",
                       "採択", "不採択"});
}

std::string ReasonLabel(int reason) {
  return Label(reason, {"", "採択", "合格点未満", "予算超過", "採択件数上限",
                        "対象外", "取下げ", "審査会判断で不採択"});
}

std::string Yen(int64_t amount) {
  std::string digits = absl::StrCat(amount < 0 ? -amount : amount);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return absl::StrCat(amount < 0 ? "-" : "", out, "円");
}

std::string JapanTime(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(t.seconds()),
                          common::JapanTime());
}

}  // namespace kyodo::ctl
