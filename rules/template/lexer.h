// The scanner of Go's text/template (text/template/parse/lex.go), token for
// token, because the parser's error messages and line numbers depend on the
// exact token stream (trim markers, spaces, where an error token sits).
#ifndef RULES_TEMPLATE_LEXER_H_
#define RULES_TEMPLATE_LEXER_H_

#include <cstddef>
#include <deque>
#include <string>

#include "absl/strings/string_view.h"

namespace fraisier::rules::templates {

enum class ItemType {
  kError,         // value is the text of the error
  kBool,          // true, false
  kChar,          // printable ASCII character; grab bag for comma etc.
  kCharConstant,  // 'a'
  kComplex,       // 1+2i
  kAssign,        // =
  kDeclare,       // :=
  kEOF,
  kField,       // .Name
  kIdentifier,  // name
  kLeftDelim,   // {{
  kLeftParen,   // (
  kNumber,      // 1, 0x1F, 1e3, 2i
  kPipe,        // |
  kRawString,   // `...`
  kRightDelim,  // }}
  kRightParen,  // )
  kSpace,       // run of spaces (including newlines) inside an action
  kString,      // "..."
  kText,        // plain text outside actions
  kVariable,    // $, $x
  // Keywords, after all the rest (Go's itemKeyword marks the boundary).
  kKeyword,
  kBlock,
  kBreak,
  kContinue,
  kDot,
  kDefine,
  kElse,
  kEnd,
  kIf,
  kNil,
  kRange,
  kTemplate,
  kWith,
};

struct Item {
  ItemType type = ItemType::kEOF;
  size_t pos = 0;         // byte offset in the input
  absl::string_view val;  // the token's text (a view of the input)
  int line = 1;           // line of the token's start
  std::string error;      // the message of a kError item

  // The value Go's item.val holds: the text, or the error message.
  absl::string_view text() const {
    return type == ItemType::kError ? absl::string_view(error) : val;
  }
};

// Go's item.String(), used in "unexpected %s in %s": EOF, the error text,
// <keyword>, or the Go-quoted value (cut to 10 runes plus "...").
std::string ItemString(const Item& item);

// Produces items on demand, like Go's lexer.nextItem.
//
// Thread-safety: not thread-safe; one lexer per parse. Holds a view of the
// input, which must outlive it.
class Lexer {
 public:
  explicit Lexer(absl::string_view input) : input_(input) {}

  Item NextItem();

 private:
  enum class State {
    kText,
    kLeftDelim,
    kComment,
    kRightDelim,
    kInsideAction,
    kSpace,
    kIdentifier,
    kField,
    kVariable,
    kChar,
    kNumber,
    kQuote,
    kRawQuote,
    kDone,
  };

  static constexpr int kEof = -1;

  int Next();
  int Peek();
  void Backup();
  void Emit(ItemType type);
  void Ignore();
  bool Accept(absl::string_view valid);
  void AcceptRun(absl::string_view valid);
  void Errorf(std::string message);
  bool AtTerminator();
  // Whether the input at pos_ is a right delimiter; `trim` tells whether it
  // carries the " -" trim marker.
  bool AtRightDelim(bool* trim) const;
  bool ScanNumber();

  State LexText();
  State LexLeftDelim();
  State LexComment();
  State LexRightDelim();
  State LexInsideAction();
  State LexSpace();
  State LexIdentifier();
  State LexFieldOrVariable(ItemType type);
  State LexChar();
  State LexNumber();
  State LexQuote();
  State LexRawQuote();

  absl::string_view input_;
  State state_ = State::kText;
  size_t pos_ = 0;
  size_t start_ = 0;
  size_t width_ = 0;
  int paren_depth_ = 0;
  int line_ = 1;
  int start_line_ = 1;
  std::deque<Item> pending_;
};

}  // namespace fraisier::rules::templates

#endif  // RULES_TEMPLATE_LEXER_H_
