// Go standard-library string functions Prometheus's template functions are
// made of (strings, unicode, net, net/url, text/template's escapers), with
// Go's exact behaviour on odd input: invalid UTF-8, IPv6 brackets, ports.
#ifndef RULES_TEMPLATE_GO_STRINGS_H_
#define RULES_TEMPLATE_GO_STRINGS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace fraisier::rules::templates {

// unicode.IsLetter, unicode.IsDigit, unicode.IsSpace. Non-ASCII code points
// are classified by the C library's Unicode tables (C.UTF-8), which agree
// with Go's on the letters and digits templates meet.
bool GoIsLetter(char32_t r);
bool GoIsDigit(char32_t r);
bool GoIsSpace(char32_t r);

// strings.ToUpper, strings.ToLower and strings.Title (deprecated in Go but
// what Prometheus calls): per-rune simple case mapping; invalid UTF-8 bytes
// become U+FFFD whenever the string is not pure ASCII, as strings.Map does.
std::string GoToUpper(absl::string_view s);
std::string GoToLower(absl::string_view s);
std::string GoTitle(absl::string_view s);

// net.SplitHostPort. Returns false (and leaves outputs unspecified) where Go
// returns an error.
bool GoSplitHostPort(absl::string_view hostport, std::string* host,
                     std::string* port);
// net.JoinHostPort: brackets a host that contains a colon.
std::string GoJoinHostPort(absl::string_view host, absl::string_view port);
// net.ParseIP(s) != nil: dotted-quad IPv4 (no leading zeros) or IPv6
// (without a zone).
bool GoIsIP(absl::string_view s);

// url.QueryEscape: everything but [A-Za-z0-9-_.~] percent-encoded (upper
// hex), space as '+'.
std::string GoQueryEscape(absl::string_view s);

// text/template's HTMLEscapeString and JSEscapeString.
std::string GoHtmlEscape(absl::string_view s);
std::string GoJsEscape(absl::string_view s);

}  // namespace fraisier::rules::templates

#endif  // RULES_TEMPLATE_GO_STRINGS_H_
