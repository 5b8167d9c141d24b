#include "promql/promqltest/series_desc.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/model/value.h"
#include "promql/literals.h"

namespace fraisier::promql::promqltest {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlpha(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }

absl::Status Error(size_t pos, absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("column ", pos + 1, ": ", message));
}

std::string Quote(char c) {
  return absl::StrCat("\"", std::string(1, c), "\"");
}

// Reads a quoted string starting at text[*pos] (a quote character) and
// returns its unquoted value.
absl::StatusOr<std::string> ReadQuoted(absl::string_view text, size_t* pos) {
  const size_t start = *pos;
  const char quote = text[start];
  size_t i = start + 1;
  while (i < text.size() && text[i] != quote) {
    if (text[i] == '\\' && quote != '`') ++i;
    ++i;
  }
  if (i >= text.size()) return Error(start, "unterminated quoted string");
  absl::StatusOr<std::string> value =
      UnquoteString(text.substr(start, i + 1 - start));
  if (!value.ok()) {
    return Error(start, absl::StrCat("invalid quoted string: ",
                                     value.status().message()));
  }
  *pos = i + 1;
  return value;
}

void SkipSpaces(absl::string_view text, size_t* pos) {
  while (*pos < text.size() && IsSpace(text[*pos])) ++*pos;
}

// Tokens of the value part, as Prometheus's lexer emits them in
// series-description mode.
enum class Tok { kSpace, kAdd, kSub, kTimes, kBlank, kNumber, kIdent, kHist };

struct Token {
  Tok kind;
  absl::string_view text;
  size_t pos;
};

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const size_t start = i;
    const char c = s[i];
    if (IsSpace(c)) {
      while (i < s.size() && IsSpace(s[i])) ++i;
      out.push_back({Tok::kSpace, s.substr(start, i - start), start});
    } else if (c == '{' && i + 1 < s.size() && s[i + 1] == '{') {
      size_t close = s.find("}}", i + 2);
      if (close == absl::string_view::npos) {
        return Error(start, "unterminated native histogram (missing \"}}\")");
      }
      i = close + 2;
      out.push_back({Tok::kHist, s.substr(start, i - start), start});
    } else if (c == '+' || c == '-' || c == 'x' || c == '_') {
      ++i;
      Tok kind = c == '+'   ? Tok::kAdd
                 : c == '-' ? Tok::kSub
                 : c == 'x' ? Tok::kTimes
                            : Tok::kBlank;
      out.push_back({kind, s.substr(start, 1), start});
    } else if (IsDigit(c) ||
               (c == '.' && i + 1 < s.size() && IsDigit(s[i + 1]))) {
      while (i < s.size() && IsDigit(s[i])) ++i;
      if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && IsDigit(s[i])) ++i;
      }
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        while (i < s.size() && IsDigit(s[i])) ++i;
      }
      // Only the repetition `x` may follow a number directly.
      if (i < s.size() && s[i] != 'x' && (IsAlnum(s[i]) || s[i] == '.')) {
        return Error(start, absl::StrCat("bad number syntax: \"",
                                         s.substr(start, i + 1 - start), "\""));
      }
      out.push_back({Tok::kNumber, s.substr(start, i - start), start});
    } else if (IsAlpha(c)) {
      while (i < s.size() && (IsAlnum(s[i]) || s[i] == ':')) ++i;
      absl::string_view word = s.substr(start, i - start);
      std::string lower = absl::AsciiStrToLower(word);
      Tok kind = lower == "inf" || lower == "nan" ? Tok::kNumber : Tok::kIdent;
      out.push_back({kind, word, start});
    } else {
      return Error(start, absl::StrCat("unexpected character in series "
                                       "sequence: ",
                                       Quote(c)));
    }
  }
  return out;
}

class SequenceParser {
 public:
  explicit SequenceParser(std::vector<Token> tokens)
      : tokens_(std::move(tokens)) {}

  absl::StatusOr<std::vector<SequenceValue>> Parse() {
    std::vector<SequenceValue> out;
    while (true) {
      while (Is(Tok::kSpace)) ++i_;
      if (i_ >= tokens_.size()) break;
      if (absl::Status s = Item(&out); !s.ok()) return s;
      if (i_ < tokens_.size() && !Is(Tok::kSpace)) {
        return Unexpected("expected a space between values");
      }
    }
    return out;
  }

 private:
  bool Is(Tok kind) const {
    return i_ < tokens_.size() && tokens_[i_].kind == kind;
  }

  absl::Status Unexpected(absl::string_view expected) const {
    if (i_ >= tokens_.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected end of series values; ", expected));
    }
    return Error(tokens_[i_].pos,
                 absl::StrCat("unexpected \"", tokens_[i_].text,
                              "\" in series values; ", expected));
  }

  // `x` and an unsigned repetition count.
  absl::StatusOr<uint64_t> Times() {
    if (!Is(Tok::kTimes)) return Unexpected("expected \"x\"");
    ++i_;
    uint64_t n = 0;
    if (!Is(Tok::kNumber) || !absl::SimpleAtoi(tokens_[i_].text, &n) ||
        !IsDigit(tokens_[i_].text[0])) {
      return Unexpected("expected a repetition count");
    }
    ++i_;
    return n;
  }

  absl::Status Add(std::vector<SequenceValue>* out, uint64_t count,
                   SequenceValue v) {
    if (count > kMaxSequenceValues ||
        out->size() + count > kMaxSequenceValues) {
      return absl::InvalidArgumentError(absl::StrCat(
          "series values expand to more than ", kMaxSequenceValues, " values"));
    }
    out->insert(out->end(), count, v);
    return absl::OkStatus();
  }

  // A number, optionally signed.
  absl::StatusOr<double> Number(bool allow_unsigned) {
    bool negative = false;
    if (Is(Tok::kAdd) || Is(Tok::kSub)) {
      negative = Is(Tok::kSub);
      ++i_;
    } else if (!allow_unsigned) {
      return Unexpected("expected \"+\" or \"-\"");
    }
    if (!Is(Tok::kNumber)) return Unexpected("expected a number");
    absl::StatusOr<double> v = ParseNumber(tokens_[i_].text);
    if (!v.ok()) return Error(tokens_[i_].pos, v.status().message());
    ++i_;
    return negative ? -*v : *v;
  }

  absl::Status Item(std::vector<SequenceValue>* out) {
    if (Is(Tok::kBlank)) {
      ++i_;
      uint64_t n = 1;
      if (Is(Tok::kTimes)) {
        absl::StatusOr<uint64_t> times = Times();
        if (!times.ok()) return times.status();
        n = *times;
      }
      return Add(out, n, SequenceValue{0, true, false});
    }
    if (Is(Tok::kHist)) {
      ++i_;
      SequenceValue h{0, false, true};
      if (Is(Tok::kAdd) || Is(Tok::kSub)) {
        ++i_;
        if (!Is(Tok::kHist)) return Unexpected("expected a native histogram");
        ++i_;
        absl::StatusOr<uint64_t> times = Times();
        if (!times.ok()) return times.status();
        return Add(out, *times + 1, h);
      }
      if (Is(Tok::kTimes)) {
        absl::StatusOr<uint64_t> times = Times();
        if (!times.ok()) return times.status();
        return Add(out, *times + 1, h);
      }
      return Add(out, 1, h);
    }
    double start = 0;
    if (Is(Tok::kIdent)) {
      if (tokens_[i_].text != "stale") {
        return Unexpected("expected a number or \"stale\"");
      }
      start = StaleNaN();
      ++i_;
    } else {
      absl::StatusOr<double> v = Number(/*allow_unsigned=*/true);
      if (!v.ok()) return v.status();
      start = *v;
    }
    if (Is(Tok::kTimes)) {
      absl::StatusOr<uint64_t> times = Times();
      if (!times.ok()) return times.status();
      return Add(out, *times + 1, SequenceValue{start, false, false});
    }
    if (Is(Tok::kAdd) || Is(Tok::kSub)) {
      absl::StatusOr<double> delta = Number(/*allow_unsigned=*/false);
      if (!delta.ok()) return delta.status();
      absl::StatusOr<uint64_t> times = Times();
      if (!times.ok()) return times.status();
      if (absl::Status s = Add(out, 0, {}); !s.ok()) return s;
      if (*times + 1 > kMaxSequenceValues - out->size()) {
        return Add(out, *times + 1, {});  // reports the limit
      }
      double v = start;
      for (uint64_t k = 0; k <= *times; ++k) {
        out->push_back(SequenceValue{v, false, false});
        v += *delta;
      }
      return absl::OkStatus();
    }
    return Add(out, 1, SequenceValue{start, false, false});
  }

  std::vector<Token> tokens_;
  size_t i_ = 0;
};

}  // namespace

bool SeriesDescription::HasHistogram() const {
  for (const SequenceValue& v : values) {
    if (v.histogram) return true;
  }
  return false;
}

absl::StatusOr<Labels> ParseLabelSet(absl::string_view text, size_t* consumed) {
  size_t pos = 0;
  std::vector<std::pair<std::string, std::string>> pairs;
  bool has_name = false;
  if (pos < text.size() && IsAlpha(text[pos])) {
    while (pos < text.size() && (IsAlnum(text[pos]) || text[pos] == ':')) {
      ++pos;
    }
    pairs.emplace_back(std::string(kMetricNameLabel),
                       std::string(text.substr(0, pos)));
    has_name = true;
  }
  if (pos < text.size() && text[pos] == '{') {
    ++pos;
    while (true) {
      SkipSpaces(text, &pos);
      if (pos >= text.size()) return Error(pos, "unterminated label set");
      if (text[pos] == '}') {
        ++pos;
        break;
      }
      const size_t item = pos;
      std::string name;
      bool quoted = false;
      if (text[pos] == '"' || text[pos] == '\'' || text[pos] == '`') {
        absl::StatusOr<std::string> q = ReadQuoted(text, &pos);
        if (!q.ok()) return q.status();
        name = *std::move(q);
        quoted = true;
      } else if (IsAlpha(text[pos])) {
        while (pos < text.size() && IsAlnum(text[pos])) ++pos;
        name = std::string(text.substr(item, pos - item));
      } else {
        return Error(pos, absl::StrCat("unexpected ", Quote(text[pos]),
                                       " in label set, expected a label"));
      }
      SkipSpaces(text, &pos);
      if (pos < text.size() && text[pos] == '=') {
        ++pos;
        SkipSpaces(text, &pos);
        if (pos >= text.size() ||
            (text[pos] != '"' && text[pos] != '\'' && text[pos] != '`')) {
          return Error(pos, "expected a quoted label value");
        }
        absl::StatusOr<std::string> value = ReadQuoted(text, &pos);
        if (!value.ok()) return value.status();
        pairs.emplace_back(std::move(name), *std::move(value));
      } else if (quoted) {
        if (has_name) return Error(item, "metric name set twice");
        pairs.emplace_back(std::string(kMetricNameLabel), std::move(name));
        has_name = true;
      } else {
        return Error(pos, absl::StrCat("expected \"=\" after label name \"",
                                       name, "\""));
      }
      SkipSpaces(text, &pos);
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
      } else if (pos < text.size() && text[pos] != '}') {
        return Error(pos, absl::StrCat("unexpected ", Quote(text[pos]),
                                       " in label set, expected \",\" or "
                                       "\"}\""));
      }
    }
  } else if (!has_name) {
    if (pos >= text.size()) {
      return absl::InvalidArgumentError("expected a metric name or \"{\"");
    }
    return Error(pos, absl::StrCat("unexpected ", Quote(text[pos]),
                                   ", expected a metric name or \"{\""));
  }
  for (size_t i = 0; i < pairs.size(); ++i) {
    for (size_t j = i + 1; j < pairs.size(); ++j) {
      if (pairs[i].first == pairs[j].first) {
        return absl::InvalidArgumentError(
            absl::StrCat("duplicate label name \"", pairs[i].first, "\""));
      }
    }
  }
  *consumed = pos;
  return Labels::FromPairs(pairs);
}

absl::StatusOr<std::vector<SequenceValue>> ParseSequence(
    absl::string_view text) {
  absl::StatusOr<std::vector<Token>> tokens = Tokenize(text);
  if (!tokens.ok()) return tokens.status();
  return SequenceParser(*std::move(tokens)).Parse();
}

absl::StatusOr<SeriesDescription> ParseSeriesDescription(
    absl::string_view line) {
  size_t consumed = 0;
  absl::StatusOr<Labels> labels = ParseLabelSet(line, &consumed);
  if (!labels.ok()) return labels.status();
  absl::string_view rest = line.substr(consumed);
  if (!rest.empty() && !IsSpace(rest[0])) {
    return Error(consumed, absl::StrCat("unexpected ", Quote(rest[0]),
                                        " after the label set"));
  }
  absl::StatusOr<std::vector<SequenceValue>> values = ParseSequence(rest);
  if (!values.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("in series values \"", absl::StripAsciiWhitespace(rest),
                     "\": ", values.status().message()));
  }
  return SeriesDescription{*std::move(labels), *std::move(values)};
}

namespace {

// A duration with an optional sign at the start of `s`; advances *pos.
absl::Status SkipSignedDuration(absl::string_view s, size_t* pos) {
  size_t i = *pos;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  const size_t digits = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i == digits) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected digits in duration \"", s.substr(*pos), "\""));
  }
  while (i < s.size() && s[i] != 'x' &&
         ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))) {
    ++i;
  }
  absl::StatusOr<int64_t> d = ParseDurationMs(s.substr(digits, i - digits));
  if (!d.ok()) return d.status();
  *pos = i;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> RepeatCount(absl::string_view s) {
  uint64_t n = 0;
  if (s.empty() || !IsDigit(s[0]) || !absl::SimpleAtoi(s, &n)) {
    return absl::InvalidArgumentError("invalid repeat count");
  }
  return n;
}

}  // namespace

absl::StatusOr<size_t> CountStartTimestampSequence(absl::string_view text) {
  size_t count = 0;
  for (absl::string_view item :
       absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
    auto fail = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid ST item \"", item, "\": ", why));
    };
    uint64_t n = 1;
    if (item == "_" || item == "*") {
      n = 1;
    } else if (absl::StartsWith(item, "_x") || absl::StartsWith(item, "*x")) {
      absl::StatusOr<uint64_t> r = RepeatCount(item.substr(2));
      if (!r.ok() || (item[0] == '_' && *r == 0)) {
        return fail("invalid repeat count");
      }
      n = item[0] == '_' ? *r : *r + 1;
    } else {
      size_t pos = 0;
      if (absl::Status s = SkipSignedDuration(item, &pos); !s.ok()) {
        return fail(s.message());
      }
      absl::string_view rest = item.substr(pos);
      if (rest.empty()) {
        n = 1;
      } else if (rest[0] == 'x') {
        absl::StatusOr<uint64_t> r = RepeatCount(rest.substr(1));
        if (!r.ok()) return fail("invalid repeat count");
        n = *r + 1;
      } else if (rest[0] == '+' || rest[0] == '-') {
        size_t p = 1;
        if (absl::Status s = SkipSignedDuration(rest, &p); !s.ok()) {
          return fail(absl::StrCat("invalid step duration: ", s.message()));
        }
        rest = rest.substr(p);
        if (rest.empty() || rest[0] != 'x') {
          return fail("expected 'x<count>' after step duration");
        }
        absl::StatusOr<uint64_t> r = RepeatCount(rest.substr(1));
        if (!r.ok()) return fail("invalid repeat count");
        n = *r + 1;
      } else {
        return fail(absl::StrCat("unexpected character ", Quote(rest[0]),
                                 " after duration"));
      }
    }
    if (n > kMaxSequenceValues || count + n > kMaxSequenceValues) {
      return fail("too many values");
    }
    count += n;
  }
  return count;
}

}  // namespace fraisier::promql::promqltest
