#include "engine/yaml/fast_yaml.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "engine/yaml/fast_yaml_scalars.h"

namespace fraisier::yaml {
namespace {

// Deeper nesting goes to yaml-cpp (which allows 2000 levels).
constexpr int kMaxDepth = 500;
// YAML limits implicit keys to 1024 characters.
constexpr size_t kMaxKeyLength = 1024;

struct Line {
  absl::string_view text;  // without the '\n'
  int indent = 0;          // leading spaces
  bool blank = true;       // nothing but spaces
  bool comment = false;    // first non-space is '#'
  bool content() const { return !blank && !comment; }
};

// Characters that cannot start a plain scalar or key here.
bool IsIndicator(char c) {
  switch (c) {
    case '-':
    case '?':
    case ':':
    case ',':
    case '[':
    case ']':
    case '{':
    case '}':
    case '#':
    case '&':
    case '*':
    case '!':
    case '|':
    case '>':
    case '\'':
    case '"':
    case '%':
    case '@':
    case '`':
      return true;
    default:
      return false;
  }
}

bool IsNullScalar(absl::string_view s) {
  return s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// Every Parse* returns false to decline; positions are 0-based internally.
class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  std::optional<YamlNode> Run() {
    if (!AllPrintable(text_)) return std::nullopt;
    ends_with_newline_ = absl::EndsWith(text_, "\n");
    size_t start = 0;
    while (start <= text_.size()) {
      size_t end = text_.find('\n', start);
      if (end == absl::string_view::npos) end = text_.size();
      Line line;
      line.text = text_.substr(start, end - start);
      size_t indent = line.text.find_first_not_of(' ');
      if (indent != absl::string_view::npos) {
        line.indent = static_cast<int>(indent);
        line.blank = false;
        line.comment = line.text[indent] == '#';
      }
      // Directives and document markers are yaml-cpp's business.
      if (absl::StartsWith(line.text, "%") || IsMarker(line.text, "---") ||
          IsMarker(line.text, "...")) {
        return std::nullopt;
      }
      lines_.push_back(line);
      if (end == text_.size()) break;
      start = end + 1;
    }
    YamlNode root;
    root.line = 1;
    root.column = 1;
    const int first = NextContent(0);
    if (first == Count()) return root;  // an empty document
    int next = 0;
    if (!ParseNode(first, lines_[first].indent, -1, 0, &root, &next)) {
      return std::nullopt;
    }
    if (root.kind == YamlNode::Kind::kScalar ||
        root.kind == YamlNode::Kind::kNull || NextContent(next) != Count()) {
      return std::nullopt;
    }
    return root;
  }

 private:
  static bool IsMarker(absl::string_view line, absl::string_view marker) {
    return absl::StartsWith(line, marker) &&
           (line.size() == 3 || line[3] == ' ');
  }

  int Count() const { return static_cast<int>(lines_.size()); }

  int NextContent(int from) const {
    int i = from;
    while (i < Count() && !lines_[i].content()) ++i;
    return i;
  }

  char At(int line, size_t col) const {
    absl::string_view t = lines_[line].text;
    return col < t.size() ? t[col] : '\0';
  }

  bool IsDash(int line, int col) const {
    return At(line, col) == '-' &&
           (At(line, col + 1) == '\0' || At(line, col + 1) == ' ');
  }

  static void Mark(int line, int col, YamlNode* out) {
    out->line = line + 1;
    out->column = col + 1;
  }

  // The node for an empty value: yaml-cpp places it at the next token,
  // or at the end of the text.
  bool NullAt(int next_content, YamlNode* out) const {
    out->kind = YamlNode::Kind::kNull;
    if (next_content < Count()) {
      Mark(next_content, lines_[next_content].indent, out);
      return true;
    }
    if (!ends_with_newline_) return false;
    Mark(Count() - 1, 0, out);
    return true;
  }

  // After a scalar or flow node that ends at `col`: nothing but spaces and
  // a comment may follow on the line.
  bool RestIsComment(int line, size_t col) const {
    absl::string_view t = lines_[line].text;
    size_t i = col;
    while (i < t.size() && t[i] == ' ') ++i;
    if (i == t.size()) return true;
    return t[i] == '#' && i > col;
  }

  // A quoted scalar on one line starting at `col`; *end is past the quote.
  bool ParseQuoted(int line, size_t col, std::string* out, size_t* end) const {
    return UnquoteOneLine(lines_[line].text, col, out, end);
  }

  // The end of a plain scalar in block context starting at `col`: before a
  // comment or the end of the line, trailing spaces dropped.
  size_t PlainEnd(int line, size_t col) const {
    absl::string_view t = lines_[line].text;
    size_t end = t.size();
    for (size_t i = col + 1; i < t.size(); ++i) {
      if (t[i] == '#' && t[i - 1] == ' ') {
        end = i;
        break;
      }
    }
    while (end > col && t[end - 1] == ' ') --end;
    return end;
  }

  // A block-mapping key at `col` ending in ':' plus a space or the end of
  // the line; *after is the index past the ':'.
  bool ParseKey(int line, size_t col, YamlNode* key, size_t* after) const {
    absl::string_view t = lines_[line].text;
    Mark(line, static_cast<int>(col), key);
    key->kind = YamlNode::Kind::kScalar;
    size_t i;
    if (t[col] == '"' || t[col] == '\'') {
      size_t end;
      if (!ParseQuoted(line, col, &key->scalar, &end)) return false;
      key->quoted = true;
      i = end;
      while (i < t.size() && t[i] == ' ') ++i;
      if (i >= t.size() || t[i] != ':') return false;
    } else {
      if (IsIndicator(t[col])) return false;
      const size_t limit = PlainEnd(line, col);
      i = col;
      while (i < limit &&
             !(t[i] == ':' && (i + 1 == t.size() || t[i + 1] == ' '))) {
        ++i;
      }
      if (i >= limit) return false;
      size_t end = i;
      while (end > col && t[end - 1] == ' ') --end;
      key->scalar = std::string(t.substr(col, end - col));
      if (IsNullScalar(key->scalar)) return false;
    }
    if (key->scalar.size() > kMaxKeyLength) return false;
    if (i + 1 < t.size() && t[i + 1] != ' ') return false;
    *after = i + 1;
    return true;
  }

  // Whether a key (plain or quoted) starts at `col`.
  bool LooksLikeKey(int line, size_t col) const {
    YamlNode key;
    size_t after;
    return ParseKey(line, col, &key, &after);
  }

  bool ParseNode(int line, int col, int parent_indent, int depth, YamlNode* out,
                 int* next) {
    if (depth > kMaxDepth) return false;
    const char c = At(line, col);
    if (IsDash(line, col)) return ParseSequence(line, col, depth, out, next);
    if (c != '[' && c != '{' && LooksLikeKey(line, col)) {
      return ParseMapping(line, col, depth, out, next);
    }
    return ParseInline(line, col, parent_indent, depth, out, next);
  }

  // A value that is not a block collection: a scalar, a block scalar or a
  // one-line flow collection.
  bool ParseInline(int line, int col, int parent_indent, int depth,
                   YamlNode* out, int* next) {
    const char c = At(line, col);
    Mark(line, col, out);
    *next = line + 1;
    if (c == '|' || c == '>') {
      return ParseBlockScalar(line, col, parent_indent, out, next);
    }
    if (c == '[' || c == '{') {
      size_t end = col;
      if (!ParseFlow(line, &end, depth, out)) return false;
      return RestIsComment(line, end);
    }
    if (c == '"' || c == '\'') {
      size_t end;
      out->kind = YamlNode::Kind::kScalar;
      out->quoted = true;
      if (!ParseQuoted(line, col, &out->scalar, &end)) return false;
      return RestIsComment(line, end);
    }
    if (c == '\0' ||
        (IsIndicator(c) && !(c == '-' && At(line, col + 1) != ' ' &&
                             At(line, col + 1) != '\0'))) {
      return false;
    }
    if (LooksLikeKey(line, col)) return false;  // `a: b: c`
    absl::string_view t = lines_[line].text;
    const size_t end = PlainEnd(line, col);
    absl::string_view text = t.substr(col, end - col);
    if (absl::StrContains(text, ": ") || absl::EndsWith(text, ":")) {
      return false;
    }
    if (IsNullScalar(text)) {
      out->kind = YamlNode::Kind::kNull;
      return true;
    }
    out->kind = YamlNode::Kind::kScalar;
    out->scalar = std::string(text);
    return true;
  }

  bool ParseMapping(int line, int col, int depth, YamlNode* out, int* next) {
    out->kind = YamlNode::Kind::kMap;
    Mark(line, col, out);
    absl::flat_hash_set<std::string> seen;
    int cur = line;
    while (true) {
      YamlNode key, value;
      size_t after;
      if (!ParseKey(cur, col, &key, &after)) return false;
      if (!seen.insert(key.scalar).second) return false;  // yaml-cpp reports
      absl::string_view t = lines_[cur].text;
      size_t v = after;
      while (v < t.size() && t[v] == ' ') ++v;
      int value_next;
      if (v >= t.size() || t[v] == '#') {
        const int l2 = NextContent(cur + 1);
        value_next = cur + 1;
        if (l2 < Count() && lines_[l2].indent > col) {
          if (!ParseNode(l2, lines_[l2].indent, col, depth + 1, &value,
                         &value_next)) {
            return false;
          }
        } else if (l2 < Count() && lines_[l2].indent == col &&
                   IsDash(l2, col)) {
          if (!ParseSequence(l2, col, depth + 1, &value, &value_next)) {
            return false;
          }
        } else if (!NullAt(l2, &value)) {
          return false;
        }
      } else {
        if (IsDash(cur, static_cast<int>(v))) return false;
        if (!ParseInline(cur, static_cast<int>(v), col, depth + 1, &value,
                         &value_next)) {
          return false;
        }
      }
      out->entries.push_back({std::move(key), std::move(value)});
      const int l = NextContent(value_next);
      if (l == Count() || lines_[l].indent < col) {
        *next = l;
        return true;
      }
      if (lines_[l].indent > col || IsDash(l, col)) return false;
      cur = l;
    }
  }

  bool ParseSequence(int line, int col, int depth, YamlNode* out, int* next) {
    out->kind = YamlNode::Kind::kSequence;
    Mark(line, col, out);
    int cur = line;
    while (true) {
      absl::string_view t = lines_[cur].text;
      size_t v = col + 1;
      while (v < t.size() && t[v] == ' ') ++v;
      YamlNode item;
      int item_next;
      if (v >= t.size() || t[v] == '#') {
        const int l2 = NextContent(cur + 1);
        item_next = cur + 1;
        if (l2 < Count() && lines_[l2].indent > col) {
          if (!ParseNode(l2, lines_[l2].indent, col, depth + 1, &item,
                         &item_next)) {
            return false;
          }
        } else if (!NullAt(l2, &item)) {
          return false;
        }
      } else if (!ParseNode(cur, static_cast<int>(v), col, depth + 1, &item,
                            &item_next)) {
        return false;
      }
      out->items.push_back(std::move(item));
      const int l = NextContent(item_next);
      if (l == Count() || lines_[l].indent < col) {
        *next = l;
        return true;
      }
      if (lines_[l].indent > col) return false;
      if (!IsDash(l, col)) {  // the parent mapping's next key
        *next = l;
        return true;
      }
      cur = l;
    }
  }

  // `|` or `>` with an optional chomping indicator; the content must be
  // indented more than `parent_indent`.
  bool ParseBlockScalar(int line, int col, int parent_indent, YamlNode* out,
                        int* next) {
    absl::string_view t = lines_[line].text;
    const bool folded = t[col] == '>';
    size_t i = col + 1;
    char chomp = ' ';
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) chomp = t[i++];
    // yaml-cpp drops the trailing empty lines of `>+` (YAML keeps them).
    if (folded && chomp == '+') return false;
    if (i < t.size() && t[i] != ' ') return false;  // indentation indicator
    if (!RestIsComment(line, i)) return false;
    // The last line after a final newline is not a line of the text.
    const int real = ends_with_newline_ ? Count() - 1 : Count();
    int j = line + 1;
    int leading_blanks = 0;
    size_t leading_spaces = 0;
    while (j < real && lines_[j].blank) {
      leading_spaces = std::max(leading_spaces, lines_[j].text.size());
      ++leading_blanks;
      ++j;
    }
    if (j >= real) return false;  // empty content
    const int indent = lines_[j].indent;
    if (indent <= parent_indent ||
        leading_spaces > static_cast<size_t>(indent) ||
        (folded && leading_blanks > 0)) {
      return false;
    }
    std::vector<absl::string_view> content(leading_blanks, "");
    int pending_blanks = 0;
    for (; j < real; ++j) {
      const Line& l = lines_[j];
      if (l.blank) {
        if (l.text.size() > static_cast<size_t>(indent)) return false;
        ++pending_blanks;
        continue;
      }
      if (l.indent < indent) break;
      absl::string_view text = l.text.substr(indent);
      if (folded && text[0] == ' ') return false;  // more-indented line
      content.insert(content.end(), pending_blanks, "");
      pending_blanks = 0;
      content.push_back(text);
    }
    if (j >= real && !ends_with_newline_) return false;
    std::string value;
    if (folded) {
      value = std::string(content[0]);
      size_t k = 1;
      while (k < content.size()) {
        int blanks = 0;
        while (content[k].empty()) {
          ++blanks;
          ++k;
        }
        if (blanks == 0) {
          value += ' ';
        } else {
          value.append(blanks, '\n');
        }
        value.append(content[k].data(), content[k].size());
        ++k;
      }
    } else {
      for (size_t k = 0; k < content.size(); ++k) {
        if (k > 0) value += '\n';
        value.append(content[k].data(), content[k].size());
      }
    }
    if (chomp != '-') value += '\n';
    if (chomp == '+') value.append(pending_blanks, '\n');
    out->kind = YamlNode::Kind::kScalar;
    out->quoted = true;
    out->scalar = std::move(value);
    Mark(line, col, out);
    *next = j;
    return true;
  }

  // A flow collection or scalar inside one, on one line, at *pos.
  bool ParseFlow(int line, size_t* pos, int depth, YamlNode* out) {
    if (depth > kMaxDepth) return false;
    absl::string_view t = lines_[line].text;
    auto skip = [&] {
      while (*pos < t.size() && t[*pos] == ' ') ++*pos;
    };
    skip();
    if (*pos >= t.size()) return false;
    Mark(line, static_cast<int>(*pos), out);
    const char c = t[*pos];
    if (c == '[' || c == '{') {
      const bool map = c == '{';
      const char close = map ? '}' : ']';
      out->kind = map ? YamlNode::Kind::kMap : YamlNode::Kind::kSequence;
      ++*pos;
      skip();
      if (*pos < t.size() && t[*pos] == close) {
        ++*pos;
        return true;
      }
      absl::flat_hash_set<std::string> seen;
      while (true) {
        YamlNode item;
        if (!ParseFlow(line, pos, depth + 1, &item)) return false;
        skip();
        if (map) {
          if (item.kind != YamlNode::Kind::kScalar ||
              !seen.insert(item.scalar).second || *pos >= t.size() ||
              t[*pos] != ':') {
            return false;
          }
          ++*pos;
          if (*pos < t.size() && t[*pos] != ' ') return false;
          skip();
          if (*pos >= t.size() || t[*pos] == ',' || t[*pos] == '}') {
            return false;  // an empty value
          }
          YamlNode value;
          if (!ParseFlow(line, pos, depth + 1, &value)) return false;
          skip();
          out->entries.push_back({std::move(item), std::move(value)});
        } else {
          out->items.push_back(std::move(item));
        }
        if (*pos >= t.size()) return false;
        if (t[*pos] == close) {
          ++*pos;
          return true;
        }
        if (t[*pos] != ',') return false;
        ++*pos;
        skip();
        if (*pos >= t.size() || t[*pos] == close) return false;
      }
    }
    if (c == '"' || c == '\'') {
      out->kind = YamlNode::Kind::kScalar;
      out->quoted = true;
      size_t end;
      if (!ParseQuoted(line, *pos, &out->scalar, &end)) return false;
      *pos = end;
      return true;
    }
    if (IsIndicator(c)) return false;
    size_t end = *pos;
    while (end < t.size()) {
      const char d = t[end];
      if (d == ',' || d == '[' || d == ']' || d == '{' || d == '}' ||
          d == ':' || (d == '#' && t[end - 1] == ' ')) {
        break;
      }
      ++end;
    }
    if (end < t.size() && t[end] == ':' && end + 1 < t.size() &&
        t[end + 1] != ' ') {
      return false;  // `a:b` in flow context
    }
    size_t trimmed = end;
    while (trimmed > *pos && t[trimmed - 1] == ' ') --trimmed;
    absl::string_view text = t.substr(*pos, trimmed - *pos);
    *pos = end;
    if (IsNullScalar(text)) {
      out->kind = YamlNode::Kind::kNull;
      return true;
    }
    out->kind = YamlNode::Kind::kScalar;
    out->scalar = std::string(text);
    return true;
  }

  absl::string_view text_;
  bool ends_with_newline_ = false;
  std::vector<Line> lines_;
};

}  // namespace

std::optional<YamlNode> FastParseYaml(absl::string_view text) {
  return Parser(text).Run();
}

}  // namespace fraisier::yaml
