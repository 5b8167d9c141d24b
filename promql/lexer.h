// The PromQL lexer: turns a query into tokens, following Prometheus's lexer
// state machine (parenthesis depth, inside-braces and inside-brackets
// states) so that token boundaries and lexical error messages match.
#ifndef PROMQL_LEXER_H_
#define PROMQL_LEXER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "promql/token.h"

namespace fraisier::promql {

// Not thread-safe; one lexer per parse. The input must outlive the lexer and
// every token it returned (tokens point into it).
class Lexer {
 public:
  explicit Lexer(absl::string_view input);
  Lexer(const Lexer&) = delete;
  Lexer& operator=(const Lexer&) = delete;

  // The next token, comments included (kComment). After kEof or kError,
  // every further call returns kEof. A kError token's text is the message
  // (valid until the lexer is destroyed) and its pos where the bad lexeme
  // starts.
  Token Next();

  absl::string_view input() const { return input_; }

 private:
  // One method per state of Prometheus's lexer; each returns the next token.
  Token LexStatements();
  Token LexInsideBraces();
  Token LexDurationExpr();
  Token LexKeywordOrIdentifier();
  Token LexLineComment();
  Token LexNumberOrDuration();
  Token LexString(char quote);
  Token LexRawString();
  // An error token if the escape after a backslash is invalid.
  std::optional<Token> LexEscape(char quote);
  // step, range, min or max inside brackets; nullopt for other words.
  std::optional<Token> ScanDurationKeyword();
  bool ScanNumber();
  bool AcceptRemainingDuration();
  bool FollowedByLeftParen() const;
  bool AtCommentStart() const;

  // Rune-level reading; NextRune returns -1 at the end of the input.
  int32_t NextRune();
  int32_t PeekRune();
  void Backup() { pos_ -= width_; }
  bool Accept(absl::string_view valid);
  bool Is(absl::string_view valid);

  Token Emit(TokenKind kind);
  Token Error(std::string message);
  // For errors Prometheus raises right after emitting a token: the error
  // replaces that token and starts after it.
  Token ErrorAfterToken(std::string message);

  // Implementation state; see lexer.cc.
  absl::string_view input_;
  int32_t pos_ = 0;
  int32_t start_ = 0;
  int32_t width_ = 0;  // of the last rune read, for Backup()
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool in_duration_expr_ = false;  // right after '[' or a bracket operator
  bool got_colon_ = false;
  bool got_duration_ = false;
  bool done_ = false;
  std::string error_;
};

}  // namespace fraisier::promql

#endif  // PROMQL_LEXER_H_
