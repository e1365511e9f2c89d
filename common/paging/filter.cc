#include "common/paging/filter.h"

#include <cctype>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "google/protobuf/descriptor.h"

namespace kyodo::common::paging {
namespace {

constexpr size_t kMaxTerms = 20;

absl::Status Bad(absl::string_view why) {
  return InvalidArgumentError("filter", why, kyodo::type::v1::INVALID_FILTER);
}

struct Term {
  std::string field;
  std::string op;
  std::string value;
};

class Lexer {
 public:
  explicit Lexer(absl::string_view text) : text_(text) {}

  bool AtEnd() {
    SkipSpace();
    return pos_ >= text_.size();
  }

  absl::StatusOr<std::string> Identifier() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::islower(static_cast<unsigned char>(text_[pos_])) ||
            std::isdigit(static_cast<unsigned char>(text_[pos_])) ||
            text_[pos_] == '_' || text_[pos_] == '.')) {
      ++pos_;
    }
    if (start == pos_)
      return Bad(absl::StrCat("expected a field name at ", Where()));
    return std::string(text_.substr(start, pos_ - start));
  }

  absl::StatusOr<std::string> Operator() {
    SkipSpace();
    for (absl::string_view op : {"!=", "=", "<", ">", ":"}) {
      if (text_.substr(pos_, op.size()) == op) {
        pos_ += op.size();
        return std::string(op);
      }
    }
    return Bad(absl::StrCat("expected one of = != < > : at ", Where()));
  }

  absl::StatusOr<std::string> Value() {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '"') return Quoted();
    size_t start = pos_;
    while (pos_ < text_.size() &&
           !std::isspace(static_cast<unsigned char>(text_[pos_])) &&
           text_[pos_] != '"' && text_[pos_] != '(' && text_[pos_] != ')') {
      ++pos_;
    }
    if (start == pos_)
      return Bad(absl::StrCat("expected a value at ", Where()));
    return std::string(text_.substr(start, pos_ - start));
  }

  bool Keyword(absl::string_view word) {
    SkipSpace();
    if (text_.substr(pos_, word.size()) != word) return false;
    size_t end = pos_ + word.size();
    if (end < text_.size() &&
        !std::isspace(static_cast<unsigned char>(text_[end]))) {
      return false;
    }
    pos_ = end;
    return true;
  }

  std::string Where() const { return absl::StrCat("position ", pos_ + 1); }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() &&
           std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }

  absl::StatusOr<std::string> Quoted() {
    std::string out;
    for (++pos_; pos_ < text_.size(); ++pos_) {
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c == '\\') {
        if (++pos_ >= text_.size()) break;
        c = text_[pos_];
        if (c != '"' && c != '\\') {
          return Bad("only \\\" and \\\\ may be escaped in a quoted value");
        }
      }
      out.push_back(c);
    }
    return Bad("a quoted value is not closed");
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

absl::StatusOr<std::vector<Term>> Parse(absl::string_view filter) {
  Lexer lexer(filter);
  std::vector<Term> terms;
  while (true) {
    Term term;
    auto field = lexer.Identifier();
    if (!field.ok()) return field.status();
    auto op = lexer.Operator();
    if (!op.ok()) return op.status();
    auto value = lexer.Value();
    if (!value.ok()) return value.status();
    terms.push_back({*field, *op, *value});
    if (terms.size() > kMaxTerms) return Bad("too many terms (at most 20)");
    if (lexer.AtEnd()) return terms;
    if (!lexer.Keyword("AND")) {
      return Bad(absl::StrCat("expected AND at ", lexer.Where(),
                              " (OR, NOT and parentheses are not supported)"));
    }
  }
}

bool OpAllowed(FilterType type, absl::string_view op) {
  switch (type) {
    case FilterType::kString:
      return op == "=" || op == "!=" || op == ":";
    case FilterType::kInt:
    case FilterType::kTimestamp:
      return op != ":";
    case FilterType::kEnum:
    case FilterType::kBool:
    case FilterType::kMember:
      return op == "=" || op == "!=";
  }
  return false;
}

std::string EscapeLike(absl::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

absl::StatusOr<db::Param> TypedValue(const FilterField& field,
                                     const std::string& value) {
  switch (field.type) {
    case FilterType::kInt: {
      int64_t n = 0;
      if (!absl::SimpleAtoi(value, &n)) {
        return Bad(absl::StrCat(field.name, " takes an integer"));
      }
      return db::Param(n);
    }
    case FilterType::kTimestamp: {
      absl::Time t;
      std::string error;
      if (!absl::ParseTime(absl::RFC3339_full, value, &t, &error)) {
        return Bad(absl::StrCat(field.name,
                                " takes an RFC 3339 time, e.g. "
                                "2026-04-01T00:00:00+09:00"));
      }
      return db::Param(t);
    }
    case FilterType::kBool:
      if (value != "true" && value != "false") {
        return Bad(absl::StrCat(field.name, " takes true or false"));
      }
      return db::Param(value == "true");
    case FilterType::kEnum:
      if (field.enum_type != nullptr &&
          field.enum_type->FindValueByName(value) == nullptr) {
        std::vector<std::string> names;
        for (int i = 1; i < field.enum_type->value_count(); ++i) {
          names.push_back(field.enum_type->value(i)->name());
        }
        return Bad(absl::StrCat(field.name, " takes one of ",
                                absl::StrJoin(names, ", ")));
      }
      return db::Param(value);
    case FilterType::kString:
    case FilterType::kMember:
      return db::Param(value);
  }
  return Bad("unsupported field type");
}

}  // namespace

absl::StatusOr<SqlFilter> ParseFilter(absl::string_view filter,
                                      absl::Span<const FilterField> fields) {
  SqlFilter out;
  if (filter.find_first_not_of(" \t\r\n") == absl::string_view::npos) {
    return out;
  }
  auto terms = Parse(filter);
  if (!terms.ok()) return terms.status();
  for (const Term& term : *terms) {
    const FilterField* field = nullptr;
    for (const FilterField& f : fields) {
      if (f.name == term.field) field = &f;
    }
    if (field == nullptr) {
      std::vector<std::string> names;
      for (const FilterField& f : fields) names.push_back(f.name);
      return Bad(absl::StrCat("cannot filter on ", term.field,
                              "; fields: ", absl::StrJoin(names, ", ")));
    }
    if (!OpAllowed(field->type, term.op)) {
      return Bad(absl::StrCat(field->name, " does not support ", term.op));
    }
    std::string value = term.value;
    if (field->convert) {
      auto converted = field->convert(value);
      if (!converted.ok()) {
        return Bad(
            absl::StrCat(field->name, ": ", converted.status().message()));
      }
      value = *converted;
    }
    auto param = TypedValue(*field, value);
    if (!param.ok()) return param.status();
    out.terms.push_back({field->name, term.op, *param});
    if (field->type == FilterType::kMember) {
      absl::StrAppend(&out.sql, term.op == "=" ? " AND " : " AND NOT ",
                      field->member_sql);
      for (char c : field->member_sql) {
        if (c == '?') out.params.push_back(*param);
      }
    } else if (term.op == ":") {
      absl::StrAppend(&out.sql, " AND ", field->column,
                      " LIKE ? ESCAPE '\\\\'");
      out.params.emplace_back(absl::StrCat("%", EscapeLike(value), "%"));
    } else if (term.op == "!=") {
      // Null-safe: a row without a value is "not equal" too.
      absl::StrAppend(&out.sql, " AND NOT (", field->column, " <=> ?)");
      out.params.push_back(*param);
    } else {
      absl::StrAppend(&out.sql, " AND ", field->column, " ", term.op, " ?");
      out.params.push_back(*param);
    }
  }
  return out;
}

}  // namespace kyodo::common::paging
