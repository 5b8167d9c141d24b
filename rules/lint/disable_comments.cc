#include "rules/lint/disable_comments.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace fraisier::rules::lint {
namespace {

constexpr absl::string_view kDirective = "ruler disable";

enum class LineKind { kBlank, kComment, kContent };

struct Line {
  LineKind kind = LineKind::kBlank;
  absl::string_view comment;  // text after '#', for comment lines and
                              // content lines with a trailing comment
};

// The comment of a content line: the first '#' that follows whitespace and
// is outside a quoted scalar.
absl::string_view TrailingComment(absl::string_view line) {
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote == '"') {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quote = 0;
      }
    } else if (quote == '\'') {
      if (c == '\'') quote = 0;  // '' re-opens on the next character
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && i > 0 &&
               (line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(i + 1);
    }
  }
  return "";
}

Line Classify(absl::string_view text) {
  absl::string_view stripped = absl::StripLeadingAsciiWhitespace(text);
  Line line;
  if (stripped.empty()) return line;
  if (stripped[0] == '#') {
    line.kind = LineKind::kComment;
    line.comment = stripped.substr(1);
    return line;
  }
  line.kind = LineKind::kContent;
  line.comment = TrailingComment(text);
  return line;
}

// The ids of a `ruler disable a, b` comment; nullopt for other comments.
std::optional<std::vector<std::string>> DirectiveIds(
    absl::string_view comment) {
  comment = absl::StripAsciiWhitespace(comment);
  if (!absl::StartsWith(comment, kDirective)) return std::nullopt;
  absl::string_view rest = comment.substr(kDirective.size());
  if (!rest.empty() && !absl::ascii_isspace(rest[0])) return std::nullopt;
  std::vector<std::string> ids;
  for (absl::string_view id :
       absl::StrSplit(rest, absl::ByAnyChar(" \t,"), absl::SkipEmpty())) {
    ids.emplace_back(id);
  }
  return ids;
}

struct Anchor {
  int line;
  int group;
  int rule;  // -1: the group
};

}  // namespace

DisableComments DisableComments::Scan(absl::string_view text,
                                      const RuleFileSpec& file) {
  DisableComments out;
  if (!absl::StrContains(text, kDirective)) return out;

  std::vector<Line> lines;  // lines[i] is line i + 1
  for (absl::string_view l : absl::StrSplit(text, '\n')) {
    lines.push_back(Classify(l));
  }
  std::vector<Anchor> anchors;
  for (size_t g = 0; g < file.groups.size(); ++g) {
    const RuleGroupSpec& group = file.groups[g];
    anchors.push_back({group.line, static_cast<int>(g), -1});
    for (size_t r = 0; r < group.rules.size(); ++r) {
      anchors.push_back(
          {group.rules[r].line, static_cast<int>(g), static_cast<int>(r)});
    }
  }
  std::stable_sort(
      anchors.begin(), anchors.end(),
      [](const Anchor& a, const Anchor& b) { return a.line < b.line; });
  // The rule or group whose lines hold `line` (the last anchor at or
  // before it).
  auto containing = [&anchors](int line) -> const Anchor* {
    auto it =
        std::upper_bound(anchors.begin(), anchors.end(), line,
                         [](int l, const Anchor& a) { return l < a.line; });
    return it == anchors.begin() ? nullptr : &*(it - 1);
  };
  auto starting_at = [&anchors](int line) -> const Anchor* {
    auto it =
        std::lower_bound(anchors.begin(), anchors.end(), line,
                         [](const Anchor& a, int l) { return a.line < l; });
    return it != anchors.end() && it->line == line ? &*it : nullptr;
  };

  bool in_header = true;
  for (size_t i = 0; i < lines.size(); ++i) {
    const int line_no = static_cast<int>(i) + 1;
    const Line& line = lines[i];
    if (line.kind == LineKind::kContent) in_header = false;
    if (line.comment.empty()) continue;
    std::optional<std::vector<std::string>> ids = DirectiveIds(line.comment);
    if (!ids.has_value()) continue;
    for (const std::string& id : *ids) out.ids_.push_back({line_no, id});

    const Anchor* target = nullptr;
    if (in_header) {
      for (std::string& id : *ids) out.file_wide_.insert(std::move(id));
      continue;
    }
    if (line.kind == LineKind::kComment) {
      // Directly above a rule or group: the next content line starts it.
      size_t j = i + 1;
      while (j < lines.size() && lines[j].kind != LineKind::kContent) ++j;
      if (j < lines.size()) target = starting_at(static_cast<int>(j) + 1);
    }
    if (target == nullptr) target = containing(line_no);
    if (target == nullptr) continue;
    auto& set = out.scoped_[{target->group, target->rule}];
    for (std::string& id : *ids) set.insert(std::move(id));
  }
  return out;
}

bool DisableComments::Disabled(absl::string_view check, int group,
                               int rule) const {
  std::string id(check);
  if (file_wide_.contains(id)) return true;
  for (int r : {-1, rule}) {
    auto it = scoped_.find(std::make_pair(group, r));
    if (it != scoped_.end() && it->second.contains(id)) return true;
  }
  return false;
}

}  // namespace fraisier::rules::lint
