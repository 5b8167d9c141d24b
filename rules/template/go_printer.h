// Internal to go_format: Go's fmt print state (the pp and fmt structs of
// package fmt), shared by Sprint, Sprintf and template printing.
#ifndef RULES_TEMPLATE_GO_PRINTER_H_
#define RULES_TEMPLATE_GO_PRINTER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/model/utf8.h"
#include "rules/template/value.h"

namespace fraisier::rules::templates::internal {

// Runes in s; invalid bytes count one each, as utf8.RuneCountInString.
size_t RuneCount(absl::string_view s);

struct Flags {
  bool plus = false;
  bool minus = false;
  bool sharp = false;
  bool space = false;
  bool zero = false;
  bool plus_v = false;
  bool sharp_v = false;
  bool wid_present = false;
  bool prec_present = false;
  int wid = 0;
  int prec = 0;
};

// One fmt print state (Go's pp and fmt structs).
// Not thread-safe: one Printer per formatting call.
class Printer {
 public:
  std::string buf;
  Flags f;

  void PrintArg(const Value& arg, char32_t verb);
  void PrintValue(const Value& v, char32_t verb, int depth);
  // A struct behind a pointer (a *sample), printed as the struct itself.
  void PrintPointee(const Value& v, char32_t verb) { PrintStruct(v, verb, 0); }

 private:
  void WritePadding(int n) {
    if (n <= 0) return;
    buf.append(static_cast<size_t>(n), f.zero ? '0' : ' ');
  }
  void Pad(absl::string_view s) {
    if (!f.wid_present || f.wid == 0) {
      absl::StrAppend(&buf, s);
      return;
    }
    const int width = f.wid - static_cast<int>(RuneCount(s));
    if (!f.minus) {
      WritePadding(width);
      absl::StrAppend(&buf, s);
    } else {
      absl::StrAppend(&buf, s);
      const bool old = f.zero;
      f.zero = false;
      WritePadding(width);
      f.zero = old;
    }
  }
  void BadVerb(char32_t verb, const Value& arg);
  void FmtBool(bool b, char32_t verb, const Value& arg);
  void FmtInteger(uint64_t u, int base, bool is_signed, char32_t verb,
                  bool upper);
  void FmtIntegerVerb(uint64_t u, bool is_signed, char32_t verb,
                      const Value& arg);
  void FmtFloatVerb(double v, char32_t verb, const Value& arg);
  void FmtFloat(double v, char verb, int prec);
  void FmtString(const std::string& s, char32_t verb, const Value& arg);
  void FmtS(absl::string_view s);
  void FmtSx(absl::string_view s, bool upper);
  void FmtQ(absl::string_view s);
  void FmtPointer(const Value& v, char32_t verb);
  void FmtC(uint64_t c);
  void FmtQc(uint64_t c);
  void FmtUnicode(uint64_t u);
  // Stringer types (time.Time, time.Duration, time.Month, time.Weekday):
  // true when the verb made fmt call String().
  bool HandleMethods(const Value& v, char32_t verb);
  void PrintStruct(const Value& v, char32_t verb, int depth);
  // time.Time's fields {wall ext loc} for verbs that do not use String().
  void PrintTimeFields(const Value& v, char32_t verb);
  // %#v of a map: map[string]string{"k":"v"}.
  void PrintGoSyntaxMap(const Value& v);

  absl::string_view Truncate(absl::string_view s) const {
    if (!f.prec_present) return s;
    size_t n = 0;
    size_t i = 0;
    while (i < s.size()) {
      if (static_cast<int>(n) >= f.prec) return s.substr(0, i);
      const DecodedRune d = DecodeRune(s.substr(i));
      i += d.width == 0 ? 1 : d.width;
      ++n;
    }
    return s;
  }
};

}  // namespace fraisier::rules::templates::internal

#endif  // RULES_TEMPLATE_GO_PRINTER_H_
