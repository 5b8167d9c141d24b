// Go's strconv.Quote, which Prometheus uses to print label values, label
// names and matchers. Output must match Prometheus byte for byte because it
// shows up in API responses, alert labels and rule-test diffs.
#ifndef ENGINE_MODEL_GO_QUOTE_H_
#define ENGINE_MODEL_GO_QUOTE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace fraisier {

// Returns `s` in double quotes with Go's escapes: \" \\ \a \b \f \n \r \t \v,
// \xNN for other ASCII controls and for bytes that are not valid UTF-8,
// \uNNNN / \UNNNNNNNN for non-printable runes. Printable runes are copied.
//
// Go decides "printable" with full Unicode tables; this keeps the code points
// that matter in practice (C0/C1 controls, DEL, the Unicode space and format
// characters, private use, noncharacters) non-printable and treats everything
// else, including unassigned code points, as printable.
std::string GoQuote(absl::string_view s);
void AppendGoQuote(absl::string_view s, std::string* out);

// Go's unicode.IsPrint under the approximation described above.
bool IsGoPrintable(char32_t r);

}  // namespace fraisier

#endif  // ENGINE_MODEL_GO_QUOTE_H_
