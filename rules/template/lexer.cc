#include "rules/template/lexer.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/model/go_quote.h"
#include "engine/model/utf8.h"
#include "rules/template/go_strings.h"

namespace fraisier::rules::templates {
namespace {

constexpr absl::string_view kLeftDelim = "{{";
constexpr absl::string_view kRightDelim = "}}";
constexpr absl::string_view kLeftComment = "/*";
constexpr absl::string_view kRightComment = "*/";
constexpr absl::string_view kSpaceChars = " \t\r\n";
constexpr size_t kTrimMarkerLen = 2;  // "-" plus the space before or after

bool IsSpace(int r) { return r == ' ' || r == '\t' || r == '\r' || r == '\n'; }

bool IsAlphaNumeric(int r) {
  if (r < 0) return false;
  return r == '_' || GoIsLetter(static_cast<char32_t>(r)) ||
         GoIsDigit(static_cast<char32_t>(r));
}

bool HasLeftTrimMarker(absl::string_view s) {
  return s.size() >= 2 && s[0] == '-' && IsSpace(s[1]);
}

bool HasRightTrimMarker(absl::string_view s) {
  return s.size() >= 2 && IsSpace(s[0]) && s[1] == '-';
}

size_t RightTrimLength(absl::string_view s) {
  size_t n = 0;
  while (n < s.size() &&
         kSpaceChars.find(s[s.size() - 1 - n]) != absl::string_view::npos) {
    ++n;
  }
  return n;
}

size_t LeftTrimLength(absl::string_view s) {
  size_t n = 0;
  while (n < s.size() && kSpaceChars.find(s[n]) != absl::string_view::npos) {
    ++n;
  }
  return n;
}

int CountNewlines(absl::string_view s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

ItemType Keyword(absl::string_view word) {
  if (word == ".") return ItemType::kDot;
  if (word == "block") return ItemType::kBlock;
  if (word == "break") return ItemType::kBreak;
  if (word == "continue") return ItemType::kContinue;
  if (word == "define") return ItemType::kDefine;
  if (word == "else") return ItemType::kElse;
  if (word == "end") return ItemType::kEnd;
  if (word == "if") return ItemType::kIf;
  if (word == "range") return ItemType::kRange;
  if (word == "nil") return ItemType::kNil;
  if (word == "template") return ItemType::kTemplate;
  if (word == "with") return ItemType::kWith;
  return ItemType::kError;
}

// Go's %#U: U+0041 'A'.
std::string RuneForError(int r) {
  const char32_t rune = r < 0 ? kRuneError : static_cast<char32_t>(r);
  std::string out = absl::StrFormat("U+%04X", static_cast<uint32_t>(rune));
  if (IsGoPrintable(rune)) {
    out += " '";
    AppendUtf8(rune, &out);
    out += "'";
  }
  return out;
}

}  // namespace

std::string ItemString(const Item& item) {
  switch (item.type) {
    case ItemType::kEOF:
      return "EOF";
    case ItemType::kError:
      return item.error;
    default:
      break;
  }
  if (item.type > ItemType::kKeyword) return absl::StrCat("<", item.val, ">");
  // %.10q: at most ten runes, quoted, then "...".
  size_t runes = 0;
  size_t i = 0;
  while (i < item.val.size() && runes < 10) {
    const DecodedRune d = DecodeRune(item.val.substr(i));
    i += d.width == 0 ? 1 : d.width;
    ++runes;
  }
  if (i < item.val.size()) return GoQuote(item.val.substr(0, i)) + "...";
  return GoQuote(item.val);
}

int Lexer::Next() {
  if (pos_ >= input_.size()) {
    width_ = 0;
    return kEof;
  }
  const DecodedRune d = DecodeRune(input_.substr(pos_));
  width_ = d.width;
  pos_ += width_;
  if (d.rune == '\n') ++line_;
  return static_cast<int>(d.rune);
}

int Lexer::Peek() {
  const int r = Next();
  Backup();
  return r;
}

void Lexer::Backup() {
  pos_ -= width_;
  if (width_ == 1 && input_[pos_] == '\n') --line_;
}

void Lexer::Emit(ItemType type) {
  Item item;
  item.type = type;
  item.pos = start_;
  item.val = input_.substr(start_, pos_ - start_);
  item.line = start_line_;
  pending_.push_back(std::move(item));
  start_ = pos_;
  start_line_ = line_;
}

void Lexer::Ignore() {
  line_ += CountNewlines(input_.substr(start_, pos_ - start_));
  start_ = pos_;
  start_line_ = line_;
}

bool Lexer::Accept(absl::string_view valid) {
  const int r = Next();
  if (r >= 0 && r < 0x80 &&
      valid.find(static_cast<char>(r)) != absl::string_view::npos) {
    return true;
  }
  Backup();
  return false;
}

void Lexer::AcceptRun(absl::string_view valid) {
  while (Accept(valid)) {
  }
}

void Lexer::Errorf(std::string message) {
  Item item;
  item.type = ItemType::kError;
  item.pos = start_;
  item.line = start_line_;
  item.error = std::move(message);
  pending_.push_back(std::move(item));
}

Item Lexer::NextItem() {
  while (pending_.empty()) {
    if (state_ == State::kDone) {
      // After the end, keep answering EOF (the parser may peek again).
      Emit(ItemType::kEOF);
      break;
    }
    switch (state_) {
      case State::kText:
        state_ = LexText();
        break;
      case State::kLeftDelim:
        state_ = LexLeftDelim();
        break;
      case State::kComment:
        state_ = LexComment();
        break;
      case State::kRightDelim:
        state_ = LexRightDelim();
        break;
      case State::kInsideAction:
        state_ = LexInsideAction();
        break;
      case State::kSpace:
        state_ = LexSpace();
        break;
      case State::kIdentifier:
        state_ = LexIdentifier();
        break;
      case State::kField:
        state_ = LexFieldOrVariable(ItemType::kField);
        break;
      case State::kVariable:
        state_ = AtTerminator()
                     ? (Emit(ItemType::kVariable), State::kInsideAction)
                     : LexFieldOrVariable(ItemType::kVariable);
        break;
      case State::kChar:
        state_ = LexChar();
        break;
      case State::kNumber:
        state_ = LexNumber();
        break;
      case State::kQuote:
        state_ = LexQuote();
        break;
      case State::kRawQuote:
        state_ = LexRawQuote();
        break;
      case State::kDone:
        break;
    }
  }
  Item item = std::move(pending_.front());
  pending_.pop_front();
  return item;
}

Lexer::State Lexer::LexText() {
  width_ = 0;
  const size_t x = input_.find(kLeftDelim, pos_);
  if (x != absl::string_view::npos) {
    pos_ = x;
    size_t trim = 0;
    if (HasLeftTrimMarker(input_.substr(pos_ + kLeftDelim.size()))) {
      trim = RightTrimLength(input_.substr(start_, pos_ - start_));
    }
    pos_ -= trim;
    if (pos_ > start_) {
      line_ += CountNewlines(input_.substr(start_, pos_ - start_));
      Emit(ItemType::kText);
    }
    pos_ += trim;
    Ignore();
    return State::kLeftDelim;
  }
  pos_ = input_.size();
  if (pos_ > start_) {
    line_ += CountNewlines(input_.substr(start_, pos_ - start_));
    Emit(ItemType::kText);
    return State::kDone;
  }
  Emit(ItemType::kEOF);
  return State::kDone;
}

bool Lexer::AtRightDelim(bool* trim) const {
  const absl::string_view rest = input_.substr(pos_);
  if (HasRightTrimMarker(rest) &&
      rest.substr(kTrimMarkerLen).substr(0, kRightDelim.size()) ==
          kRightDelim) {
    *trim = true;
    return true;
  }
  *trim = false;
  return rest.substr(0, kRightDelim.size()) == kRightDelim;
}

Lexer::State Lexer::LexLeftDelim() {
  pos_ += kLeftDelim.size();
  const bool trim = HasLeftTrimMarker(input_.substr(pos_));
  const size_t after_marker = trim ? kTrimMarkerLen : 0;
  if (input_.substr(pos_ + after_marker).substr(0, kLeftComment.size()) ==
      kLeftComment) {
    pos_ += after_marker;
    Ignore();
    return State::kComment;
  }
  Emit(ItemType::kLeftDelim);
  pos_ += after_marker;
  Ignore();
  paren_depth_ = 0;
  return State::kInsideAction;
}

Lexer::State Lexer::LexComment() {
  pos_ += kLeftComment.size();
  const size_t i = input_.find(kRightComment, pos_);
  if (i == absl::string_view::npos) {
    Errorf("unclosed comment");
    return State::kDone;
  }
  pos_ = i + kRightComment.size();
  bool trim = false;
  if (!AtRightDelim(&trim)) {
    Errorf("comment ends before closing delimiter");
    return State::kDone;
  }
  if (trim) pos_ += kTrimMarkerLen;
  pos_ += kRightDelim.size();
  if (trim) pos_ += LeftTrimLength(input_.substr(pos_));
  Ignore();
  return State::kText;
}

Lexer::State Lexer::LexRightDelim() {
  const bool trim = HasRightTrimMarker(input_.substr(pos_));
  if (trim) {
    pos_ += kTrimMarkerLen;
    Ignore();
  }
  pos_ += kRightDelim.size();
  Emit(ItemType::kRightDelim);
  if (trim) {
    pos_ += LeftTrimLength(input_.substr(pos_));
    Ignore();
  }
  return State::kText;
}

Lexer::State Lexer::LexInsideAction() {
  bool trim = false;
  if (AtRightDelim(&trim)) {
    if (paren_depth_ == 0) return State::kRightDelim;
    Errorf("unclosed left paren");
    return State::kDone;
  }
  const int r = Next();
  if (r == kEof) {
    Errorf("unclosed action");
    return State::kDone;
  }
  if (IsSpace(r)) {
    Backup();  // put the space back in case it starts " -}}"
    return State::kSpace;
  }
  switch (r) {
    case '=':
      Emit(ItemType::kAssign);
      return State::kInsideAction;
    case ':':
      if (Next() != '=') {
        Errorf("expected :=");
        return State::kDone;
      }
      Emit(ItemType::kDeclare);
      return State::kInsideAction;
    case '|':
      Emit(ItemType::kPipe);
      return State::kInsideAction;
    case '"':
      return State::kQuote;
    case '`':
      return State::kRawQuote;
    case '$':
      return State::kVariable;
    case '\'':
      return State::kChar;
    case '.':
      // ".field" unless a digit follows ('.' can start a number).
      if (pos_ < input_.size()) {
        const char c = input_[pos_];
        if (c < '0' || c > '9') return State::kField;
      }
      Backup();
      return State::kNumber;
    case '(':
      Emit(ItemType::kLeftParen);
      ++paren_depth_;
      return State::kInsideAction;
    case ')':
      Emit(ItemType::kRightParen);
      --paren_depth_;
      if (paren_depth_ < 0) {
        // Go reports this after emitting the paren.
        Errorf(absl::StrCat("unexpected right paren ", RuneForError(r)));
        return State::kDone;
      }
      return State::kInsideAction;
    default:
      break;
  }
  if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
    Backup();
    return State::kNumber;
  }
  if (IsAlphaNumeric(r)) {
    Backup();
    return State::kIdentifier;
  }
  if (r < 0x80 && r >= 0x20 && r != 0x7F) {
    Emit(ItemType::kChar);
    return State::kInsideAction;
  }
  Errorf(absl::StrCat("unrecognized character in action: ", RuneForError(r)));
  return State::kDone;
}

Lexer::State Lexer::LexSpace() {
  int num_spaces = 0;
  while (IsSpace(Peek())) {
    Next();
    ++num_spaces;
  }
  // A trim-marked right delimiter starts with a space: leave it alone.
  const absl::string_view rest = input_.substr(pos_ - 1);
  if (HasRightTrimMarker(rest) &&
      rest.substr(kTrimMarkerLen).substr(0, kRightDelim.size()) ==
          kRightDelim) {
    Backup();  // before the space
    if (num_spaces == 1) return State::kRightDelim;
  }
  Emit(ItemType::kSpace);
  return State::kInsideAction;
}

Lexer::State Lexer::LexIdentifier() {
  while (true) {
    const int r = Next();
    if (IsAlphaNumeric(r)) continue;
    Backup();
    const absl::string_view word = input_.substr(start_, pos_ - start_);
    if (!AtTerminator()) {
      Errorf(absl::StrCat("bad character ", RuneForError(r)));
      return State::kDone;
    }
    const ItemType key = Keyword(word);
    if (key > ItemType::kKeyword) {
      Emit(key);
    } else if (word[0] == '.') {
      Emit(ItemType::kField);
    } else if (word == "true" || word == "false") {
      Emit(ItemType::kBool);
    } else {
      Emit(ItemType::kIdentifier);
    }
    return State::kInsideAction;
  }
}

Lexer::State Lexer::LexFieldOrVariable(ItemType type) {
  if (AtTerminator()) {  // nothing interesting follows: "." or "$"
    Emit(type == ItemType::kVariable ? ItemType::kVariable : ItemType::kDot);
    return State::kInsideAction;
  }
  int r;
  while (true) {
    r = Next();
    if (!IsAlphaNumeric(r)) {
      Backup();
      break;
    }
  }
  if (!AtTerminator()) {
    Errorf(absl::StrCat("bad character ", RuneForError(r)));
    return State::kDone;
  }
  Emit(type);
  return State::kInsideAction;
}

bool Lexer::AtTerminator() {
  const int r = Peek();
  if (IsSpace(r)) return true;
  switch (r) {
    case kEof:
    case '.':
    case ',':
    case '|':
    case ':':
    case ')':
    case '(':
      return true;
    default:
      // The first rune of the right delimiter.
      return r == '}';
  }
}

Lexer::State Lexer::LexChar() {
  while (true) {
    int r = Next();
    if (r == '\\') {
      r = Next();
      if (r != kEof && r != '\n') continue;
    }
    if (r == kEof || r == '\n') {
      Errorf("unterminated character constant");
      return State::kDone;
    }
    if (r == '\'') break;
  }
  Emit(ItemType::kCharConstant);
  return State::kInsideAction;
}

bool Lexer::ScanNumber() {
  Accept("+-");
  absl::string_view digits = "0123456789_";
  if (Accept("0")) {
    // A leading 0 does not mean octal in floats.
    if (Accept("xX")) {
      digits = "0123456789abcdefABCDEF_";
    } else if (Accept("oO")) {
      digits = "01234567_";
    } else if (Accept("bB")) {
      digits = "01_";
    }
  }
  AcceptRun(digits);
  if (Accept(".")) AcceptRun(digits);
  if (digits.size() == 10 + 1 && Accept("eE")) {
    Accept("+-");
    AcceptRun("0123456789_");
  }
  if (digits.size() == 16 + 6 + 1 && Accept("pP")) {
    Accept("+-");
    AcceptRun("0123456789_");
  }
  Accept("i");  // imaginary
  if (IsAlphaNumeric(Peek())) {
    Next();
    return false;
  }
  return true;
}

Lexer::State Lexer::LexNumber() {
  if (!ScanNumber()) {
    Errorf(absl::StrCat("bad number syntax: ",
                        GoQuote(input_.substr(start_, pos_ - start_))));
    return State::kDone;
  }
  const int sign = Peek();
  if (sign == '+' || sign == '-') {
    // Complex: 1+2i. No spaces, must end in 'i'.
    if (!ScanNumber() || input_[pos_ - 1] != 'i') {
      Errorf(absl::StrCat("bad number syntax: ",
                          GoQuote(input_.substr(start_, pos_ - start_))));
      return State::kDone;
    }
    Emit(ItemType::kComplex);
    return State::kInsideAction;
  }
  Emit(ItemType::kNumber);
  return State::kInsideAction;
}

Lexer::State Lexer::LexQuote() {
  while (true) {
    int r = Next();
    if (r == '\\') {
      r = Next();
      if (r != kEof && r != '\n') continue;
    }
    if (r == kEof || r == '\n') {
      Errorf("unterminated quoted string");
      return State::kDone;
    }
    if (r == '"') break;
  }
  Emit(ItemType::kString);
  return State::kInsideAction;
}

Lexer::State Lexer::LexRawQuote() {
  while (true) {
    const int r = Next();
    if (r == kEof) {
      Errorf("unterminated raw quoted string");
      return State::kDone;
    }
    if (r == '`') break;
  }
  Emit(ItemType::kRawString);
  return State::kInsideAction;
}

}  // namespace fraisier::rules::templates
