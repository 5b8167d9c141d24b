// A port of the expression part of Prometheus's lexer (promql/parser/lex.go).
// Go's lexer is a set of state functions that may emit a token and then still
// replace it with an error in the same step; here every call to Next() runs
// the state for one token and the error wins in those cases, with the error
// position Go reports (the byte after the token that was replaced).
#include "promql/lexer.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/model/go_quote.h"
#include "engine/model/utf8.h"

namespace fraisier::promql {
namespace {

constexpr int32_t kEofRune = -1;

bool IsSpace(int32_t r) {
  return r == ' ' || r == '\t' || r == '\n' || r == '\r';
}
bool IsEndOfLine(int32_t r) { return r == '\r' || r == '\n'; }
bool IsDigit(int32_t r) { return r >= '0' && r <= '9'; }
bool IsAlpha(int32_t r) {
  return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
}
bool IsAlphaNumeric(int32_t r) { return IsAlpha(r) || IsDigit(r); }

// Value of a hex digit, 16 for anything else (including end of input).
uint32_t DigitValue(int32_t r) {
  if (r >= '0' && r <= '9') return r - '0';
  if (r >= 'a' && r <= 'f') return r - 'a' + 10;
  if (r >= 'A' && r <= 'F') return r - 'A' + 10;
  return 16;
}

// Go's fmt turns anything that is not a rune (end of input is -1) into
// U+FFFD before printing it.
char32_t Printable(int32_t r) {
  if (r < 0 || r > static_cast<int32_t>(kMaxRune) ||
      (r >= 0xD800 && r < 0xE000)) {
    return kRuneError;
  }
  return static_cast<char32_t>(r);
}

std::string EncodeRune(char32_t r) {
  std::string out;
  if (r < 0x80) {
    out.push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (r >> 6)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (r >> 12)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (r >> 18)));
    out.push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
  return out;
}

// Go's %q for a rune: strconv.QuoteRune, e.g. 'a', '\x00', '\'', '"'.
std::string QuoteRune(int32_t rune) {
  const char32_t r = Printable(rune);
  if (r == '\'') return R"('\'')";
  if (r == '"') return R"('"')";
  const std::string quoted = GoQuote(EncodeRune(r));
  // GoQuote escapes a lone rune the way QuoteRune does, apart from the
  // quotes handled above.
  return absl::StrCat("'", quoted.substr(1, quoted.size() - 2), "'");
}

// Go's %#U: U+0041 'A', or just U+0000 when the rune is not printable.
std::string UnicodeName(int32_t rune) {
  const char32_t r = Printable(rune);
  std::string out = absl::StrFormat("U+%04X", static_cast<uint32_t>(r));
  if (IsGoPrintable(r)) absl::StrAppend(&out, " '", EncodeRune(r), "'");
  return out;
}

// Keywords by their lower-case spelling; Inf and NaN lex as numbers.
std::optional<TokenKind> LookupKeyword(absl::string_view word) {
  if (word.size() > 12) return std::nullopt;  // longer than "count_values"
  const std::string lower = absl::AsciiStrToLower(word);
  if (lower == "inf" || lower == "nan") return TokenKind::kNumber;
  for (int k = static_cast<int>(TokenKind::kLand);
       k <= static_cast<int>(TokenKind::kRange); ++k) {
    const TokenKind kind = static_cast<TokenKind>(k);
    if (TokenKindText(kind) == lower) return kind;
  }
  return std::nullopt;
}

}  // namespace

Lexer::Lexer(absl::string_view input) : input_(input) {}

int32_t Lexer::NextRune() {
  if (pos_ >= static_cast<int32_t>(input_.size())) {
    width_ = 0;
    return kEofRune;
  }
  const DecodedRune d = DecodeRune(input_.substr(pos_));
  width_ = static_cast<int32_t>(d.width);
  pos_ += width_;
  return static_cast<int32_t>(d.rune);
}

int32_t Lexer::PeekRune() {
  const int32_t r = NextRune();
  Backup();
  return r;
}

bool Lexer::Accept(absl::string_view valid) {
  const int32_t r = NextRune();
  if (r > 0 && r < 0x80 &&
      valid.find(static_cast<char>(r)) != absl::string_view::npos) {
    return true;
  }
  Backup();
  return false;
}

bool Lexer::Is(absl::string_view valid) {
  const int32_t r = PeekRune();
  return r > 0 && r < 0x80 &&
         valid.find(static_cast<char>(r)) != absl::string_view::npos;
}

Token Lexer::Emit(TokenKind kind) {
  Token token{kind, start_, input_.substr(start_, pos_ - start_)};
  start_ = pos_;
  return token;
}

Token Lexer::Error(std::string message) {
  error_ = std::move(message);
  done_ = true;
  return Token{TokenKind::kError, start_, error_};
}

Token Lexer::ErrorAfterToken(std::string message) {
  start_ = pos_;
  return Error(std::move(message));
}

Token Lexer::Next() {
  if (done_) return Token{TokenKind::kEof, start_, {}};
  if (input_.size() >
      static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Error("input too long");
  }
  // Every state skips white space the same way before its token.
  while (pos_ < static_cast<int32_t>(input_.size()) && IsSpace(input_[pos_])) {
    ++pos_;
  }
  start_ = pos_;
  if (in_duration_expr_) return LexDurationExpr();
  if (brace_open_) return LexInsideBraces();
  return LexStatements();
}

Token Lexer::LexStatements() {
  if (AtCommentStart()) return LexLineComment();
  const int32_t r = NextRune();
  switch (r) {
    case kEofRune:
      if (paren_depth_ != 0) return Error("unclosed left parenthesis");
      if (bracket_open_) return Error("unclosed left bracket");
      done_ = true;
      return Emit(TokenKind::kEof);
    case ',':
      return Emit(TokenKind::kComma);
    case '*':
      return Emit(TokenKind::kMul);
    case '/':
      return Emit(TokenKind::kDiv);
    case '%':
      return Emit(TokenKind::kMod);
    case '+':
      return Emit(TokenKind::kAdd);
    case '-':
      return Emit(TokenKind::kSub);
    case '^':
      return Emit(TokenKind::kPow);
    case '@':
      return Emit(TokenKind::kAt);
    case '=': {
      const int32_t t = PeekRune();
      if (t == '=') {
        NextRune();
        return Emit(TokenKind::kEqlc);
      }
      if (t == '~') {
        return Error(
            absl::StrCat("unexpected character after '=': ", QuoteRune(t)));
      }
      return Emit(TokenKind::kAssign);
    }
    case '!': {
      const int32_t t = NextRune();
      if (t != '=') {
        return Error(
            absl::StrCat("unexpected character after '!': ", QuoteRune(t)));
      }
      return Emit(TokenKind::kNeq);
    }
    case '<':
    case '>': {
      if (PeekRune() == '=') {
        NextRune();
        return Emit(r == '<' ? TokenKind::kLte : TokenKind::kGte);
      }
      if (PeekRune() == '/') {
        NextRune();
        return Emit(r == '<' ? TokenKind::kTrimUpper : TokenKind::kTrimLower);
      }
      return Emit(r == '<' ? TokenKind::kLss : TokenKind::kGtr);
    }
    case '"':
    case '\'':
      return LexString(static_cast<char>(r));
    case '`':
      return LexRawString();
    case '(':
      ++paren_depth_;
      return Emit(TokenKind::kLeftParen);
    case ')':
      if (--paren_depth_ < 0) {
        return ErrorAfterToken("unexpected right parenthesis ')'");
      }
      return Emit(TokenKind::kRightParen);
    case '{':
      brace_open_ = true;
      return Emit(TokenKind::kLeftBrace);
    case '[':
      if (bracket_open_) return Error("unexpected left bracket '['");
      got_colon_ = false;
      bracket_open_ = true;
      in_duration_expr_ = true;
      return Emit(TokenKind::kLeftBracket);
    case ']':
      if (!bracket_open_) return Error("unexpected right bracket ']'");
      bracket_open_ = false;
      return Emit(TokenKind::kRightBracket);
    default:
      break;
  }
  if (IsDigit(r) || (r == '.' && IsDigit(PeekRune()))) {
    Backup();
    return LexNumberOrDuration();
  }
  if (IsAlpha(r) || r == ':') {
    if (!bracket_open_) {
      Backup();
      return LexKeywordOrIdentifier();
    }
    if (r == ':') {
      // Prometheus lexes "::" here as one DOUBLE_COLON token, which only its
      // experimental grammar uses; a second colon is rejected instead.
      if (got_colon_) return Error("unexpected colon ':'");
      got_colon_ = true;
      return Emit(TokenKind::kColon);
    }
    if (r == 's' || r == 'S' || r == 'm' || r == 'M') {
      if (std::optional<Token> t = ScanDurationKeyword(); t.has_value()) {
        return *t;
      }
    }
    return Error(
        absl::StrCat("unexpected character: ", QuoteRune(r), ", expected ':'"));
  }
  return Error(absl::StrCat("unexpected character: ", QuoteRune(r)));
}

Token Lexer::LexInsideBraces() {
  if (AtCommentStart()) return LexLineComment();
  const int32_t r = NextRune();
  switch (r) {
    case kEofRune:
      return Error("unexpected end of input inside braces");
    case ',':
      return Emit(TokenKind::kComma);
    case '"':
    case '\'':
      return LexString(static_cast<char>(r));
    case '`':
      return LexRawString();
    case '=':
      if (NextRune() == '~') return Emit(TokenKind::kEqlRegex);
      Backup();
      return Emit(TokenKind::kAssign);
    case '!': {
      const int32_t t = NextRune();
      if (t == '~') return Emit(TokenKind::kNeqRegex);
      if (t == '=') return Emit(TokenKind::kNeq);
      return Error(absl::StrCat(
          "unexpected character after '!' inside braces: ", QuoteRune(t)));
    }
    case '{':
      return Error("unexpected left brace '{'");
    case '}':
      brace_open_ = false;
      return Emit(TokenKind::kRightBrace);
    default:
      break;
  }
  if (IsAlpha(r)) {
    // Keywords are plain label names here.
    while (IsAlphaNumeric(NextRune())) {
    }
    Backup();
    return Emit(TokenKind::kIdentifier);
  }
  return Error(
      absl::StrCat("unexpected character inside braces: ", QuoteRune(r)));
}

Token Lexer::LexDurationExpr() {
  const int32_t r = NextRune();
  switch (r) {
    case kEofRune:
      return Error("unexpected end of input in duration expression");
    case ']':
      bracket_open_ = false;
      got_colon_ = false;
      in_duration_expr_ = false;
      return Emit(TokenKind::kRightBracket);
    case ':':
      // Like Prometheus, got_duration_ is never reset once a bracket held a
      // number.
      if (!got_duration_) {
        return ErrorAfterToken(
            "unexpected colon before duration in duration expression");
      }
      if (got_colon_) {
        return ErrorAfterToken(
            "unexpected repeated colon in duration expression");
      }
      got_colon_ = true;
      return Emit(TokenKind::kColon);
    case '(':
      ++paren_depth_;
      return Emit(TokenKind::kLeftParen);
    case ')':
      if (--paren_depth_ < 0) {
        return ErrorAfterToken("unexpected right parenthesis ')'");
      }
      return Emit(TokenKind::kRightParen);
    case '+':
      return Emit(TokenKind::kAdd);
    case '-':
      return Emit(TokenKind::kSub);
    case '*':
      return Emit(TokenKind::kMul);
    case '/':
      return Emit(TokenKind::kDiv);
    case '%':
      return Emit(TokenKind::kMod);
    case '^':
      return Emit(TokenKind::kPow);
    case ',':
      return Emit(TokenKind::kComma);
    case 's':
    case 'S':
    case 'm':
    case 'M':
    case 'r':
    case 'R':
      if (std::optional<Token> t = ScanDurationKeyword(); t.has_value()) {
        return *t;
      }
      break;
    default:
      if (IsDigit(r) || (r == '.' && IsDigit(PeekRune()))) {
        Backup();
        got_duration_ = true;
        in_duration_expr_ = false;
        return LexNumberOrDuration();
      }
      break;
  }
  return Error(absl::StrCat("unexpected character in duration expression: ",
                            QuoteRune(r)));
}

std::optional<Token> Lexer::ScanDurationKeyword() {
  while (IsAlpha(NextRune())) {
  }
  Backup();
  const std::string word =
      absl::AsciiStrToLower(input_.substr(start_, pos_ - start_));
  if (word == "step") return Emit(TokenKind::kStep);
  if (word == "range") return Emit(TokenKind::kRange);
  if (word == "min") return Emit(TokenKind::kMin);
  if (word == "max") return Emit(TokenKind::kMax);
  // The names Prometheus 3.14 gives min and max in duration expressions.
  if (word == "min_of") return Emit(TokenKind::kMin);
  if (word == "max_of") return Emit(TokenKind::kMax);
  return std::nullopt;
}

Token Lexer::LexKeywordOrIdentifier() {
  int32_t r = NextRune();
  while (IsAlphaNumeric(r) || r == ':') r = NextRune();
  Backup();
  const absl::string_view word = input_.substr(start_, pos_ - start_);
  if (const std::optional<TokenKind> kind = LookupKeyword(word)) {
    // fill, fill_left and fill_right are keywords only before '(', so that
    // existing metrics with those names keep working.
    const bool is_fill = *kind == TokenKind::kFill ||
                         *kind == TokenKind::kFillLeft ||
                         *kind == TokenKind::kFillRight;
    if (is_fill && !FollowedByLeftParen()) {
      return Emit(TokenKind::kIdentifier);
    }
    return Emit(*kind);
  }
  if (word.find(':') == absl::string_view::npos) {
    return Emit(TokenKind::kIdentifier);
  }
  return Emit(TokenKind::kMetricIdentifier);
}

bool Lexer::FollowedByLeftParen() const {
  for (size_t i = pos_; i < input_.size(); ++i) {
    if (!IsSpace(input_[i])) return input_[i] == '(';
  }
  return false;
}

bool Lexer::AtCommentStart() const {
  return pos_ < static_cast<int32_t>(input_.size()) && input_[pos_] == '#';
}

Token Lexer::LexLineComment() {
  ++pos_;  // the '#'
  int32_t r = NextRune();
  while (!IsEndOfLine(r) && r != kEofRune) r = NextRune();
  Backup();
  return Emit(TokenKind::kComment);
}

Token Lexer::LexNumberOrDuration() {
  if (ScanNumber()) return Emit(TokenKind::kNumber);
  if (AcceptRemainingDuration()) {
    Backup();
    return Emit(TokenKind::kDuration);
  }
  return Error(absl::StrCat("bad number or duration syntax: ",
                            GoQuote(input_.substr(start_, pos_ - start_))));
}

bool Lexer::AcceptRemainingDuration() {
  if (!Accept("smhdwy")) return false;
  Accept("s");  // "ms"; bad pairs such as "hs" fail when parsed
  while (Accept("0123456789")) {
    while (Accept("0123456789")) {
    }
    // No 'y' here: years can only come first.
    if (!Accept("smhdw")) return false;
    Accept("s");
  }
  return !IsAlphaNumeric(NextRune());
}

// Accepts what Prometheus's scanNumber accepts, which is looser than what
// ParseNumber will take (e.g. "1e" before a space); the parser reports those.
bool Lexer::ScanNumber() {
  const int32_t initial_pos = pos_;
  absl::string_view digits = "0123456789";
  if (Accept("0") && Accept("xX")) {
    Accept("_");  // 0x_1F
    digits = "0123456789abcdefABCDEF";
  }
  const bool hex = digits.size() > 10;
  const std::string any = absl::StrCat(digits, "._eE");
  Accept(".");
  Accept(digits);
  bool dot_consumed = false;
  bool exponent_consumed = false;
  // Each round consumes at least one byte or returns.
  while (Is(any)) {
    if (Is(".") && dot_consumed) {
      Accept(".");
      return false;
    }
    if (Is("eE") && exponent_consumed) {
      Accept("eE");
      return false;
    }
    if (Accept(".")) {
      dot_consumed = true;
      if (Accept("_.")) return false;
      if (hex) return false;  // no fractional hex literals
      continue;
    }
    if (Accept("eE")) {
      exponent_consumed = true;
      Accept("+-");
      if (Accept("._eE") || PeekRune() == kEofRune) return false;
      continue;
    }
    if (Accept("_")) {
      if (Accept("._eE") || PeekRune() == kEofRune) return false;
      continue;
    }
    while (Accept(digits)) {
    }
  }
  if (pos_ == initial_pos) return false;
  return !IsAlphaNumeric(PeekRune());
}

Token Lexer::LexString(char quote) {
  // Bounded: every rune read advances, and end of input ends the loop.
  for (;;) {
    const int32_t r = NextRune();
    if (r == '\\') {
      if (std::optional<Token> error = LexEscape(quote); error.has_value()) {
        return *error;
      }
      continue;
    }
    // Like Go, a literal U+FFFD is indistinguishable from a decoding error.
    if (r == static_cast<int32_t>(kRuneError)) {
      return Error("invalid UTF-8 rune");
    }
    if (r == kEofRune || r == '\n') {
      return Error("unterminated quoted string");
    }
    if (r == quote) return Emit(TokenKind::kString);
  }
}

std::optional<Token> Lexer::LexEscape(char quote) {
  int32_t ch = NextRune();
  int n = 0;
  uint32_t base = 0;
  uint32_t max_value = 0;
  switch (ch) {
    case 'a':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case '\\':
      return std::nullopt;
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
      n = 3;
      base = 8;
      max_value = 255;
      break;
    case 'x':
      ch = NextRune();
      n = 2;
      base = 16;
      max_value = 255;
      break;
    case 'u':
      ch = NextRune();
      n = 4;
      base = 16;
      max_value = kMaxRune;
      break;
    case 'U':
      ch = NextRune();
      n = 8;
      base = 16;
      max_value = kMaxRune;
      break;
    case kEofRune:
      return Error("escape sequence not terminated");
    default:
      if (ch == quote) return std::nullopt;
      return Error(absl::StrCat("unknown escape sequence ", UnicodeName(ch)));
  }
  uint32_t x = 0;
  while (n > 0) {
    const uint32_t d = DigitValue(ch);
    if (d >= base) {
      if (ch == kEofRune) return Error("escape sequence not terminated");
      return Error(absl::StrCat("illegal character ", UnicodeName(ch),
                                " in escape sequence"));
    }
    x = x * base + d;
    if (--n > 0) ch = NextRune();
  }
  if (x > max_value || (x >= 0xD800 && x < 0xE000)) {
    return Error("escape sequence is an invalid Unicode code point");
  }
  return std::nullopt;
}

Token Lexer::LexRawString() {
  for (;;) {
    const int32_t r = NextRune();
    if (r == static_cast<int32_t>(kRuneError)) {
      return Error("invalid UTF-8 rune");
    }
    if (r == kEofRune) return Error("unterminated raw string");
    if (r == '`') return Emit(TokenKind::kString);
  }
}

}  // namespace fraisier::promql
