#include "engine/cli/flags.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace fraisier::cli {

void FlagSet::AddString(std::string name, std::string help, std::string* value,
                        bool* set) {
  if (set != nullptr) *set = false;
  flags_.push_back(
      Flag{std::move(name), std::move(help), value, nullptr, set, *value});
}

void FlagSet::AddBool(std::string name, std::string help, bool* value) {
  flags_.push_back(Flag{std::move(name), std::move(help), nullptr, value,
                        nullptr, *value ? "true" : "false"});
}

FlagSet::Flag* FlagSet::Find(absl::string_view name) {
  for (Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

absl::Status FlagSet::Parse(const std::vector<std::string>& args,
                            std::vector<std::string>* positional) {
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--") {
      positional->insert(positional->end(), args.begin() + i + 1, args.end());
      break;
    }
    if (!absl::ConsumePrefix(&arg, "--")) {
      positional->push_back(args[i]);
      continue;
    }
    absl::string_view name = arg;
    absl::string_view value;
    bool has_value = false;
    if (size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    Flag* flag = Find(name);
    bool negated = false;
    if (flag == nullptr && absl::StartsWith(name, "no-")) {
      flag = Find(name.substr(3));
      negated = flag != nullptr && flag->bool_value != nullptr;
      if (!negated) flag = nullptr;
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown long flag '--", name, "'"));
    }
    if (flag->bool_value != nullptr) {
      if (!has_value) {
        *flag->bool_value = !negated;
      } else if (value == "true" || value == "false") {
        *flag->bool_value = (value == "true") != negated;
      } else {
        return absl::InvalidArgumentError(absl::StrCat(
            "flag '--", name, "': expected true or false, got '", value, "'"));
      }
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("expected argument for flag '--", name, "'"));
      }
      value = args[++i];
    }
    *flag->string_value = std::string(value);
    if (flag->set != nullptr) *flag->set = true;
  }
  return absl::OkStatus();
}

std::string FlagSet::Usage() const {
  std::vector<std::string> left;
  size_t width = 0;
  for (const Flag& f : flags_) {
    std::string l =
        f.bool_value != nullptr
            ? absl::StrCat("      --[no-]", f.name)
            : absl::StrCat("      --", f.name, "=\"", f.default_text, "\"");
    width = std::max(width, l.size());
    left.push_back(std::move(l));
  }
  std::string out;
  for (size_t i = 0; i < flags_.size(); ++i) {
    absl::StrAppend(&out, left[i], std::string(width + 2 - left[i].size(), ' '),
                    flags_[i].help, "\n");
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> FlagSet::Values() const {
  std::vector<std::pair<std::string, std::string>> values;
  for (const Flag& f : flags_) {
    values.emplace_back(f.name, f.bool_value != nullptr
                                    ? (*f.bool_value ? "true" : "false")
                                    : *f.string_value);
  }
  return values;
}

}  // namespace fraisier::cli
