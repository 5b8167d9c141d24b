#include "engine/cli/http_get.h"

#include <curl/curl.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace fraisier::cli {
namespace {

struct Sink {
  std::string* body;
  size_t max;
  bool overflow = false;
};

size_t Append(char* data, size_t size, size_t n, void* out) {
  Sink* sink = static_cast<Sink*>(out);
  const size_t bytes = size * n;
  if (sink->body->size() + bytes > sink->max) {
    sink->overflow = true;
    return 0;  // aborts the transfer
  }
  sink->body->append(data, bytes);
  return bytes;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

std::string Escape(CURL* curl, absl::string_view s) {
  char* escaped = curl_easy_escape(curl, s.data(), static_cast<int>(s.size()));
  if (escaped == nullptr) return "";
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

}  // namespace

absl::StatusOr<HttpReply> HttpGet(
    absl::string_view url,
    const std::vector<std::pair<std::string, std::string>>& params,
    absl::Duration timeout, size_t max_body) {
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (init != CURLE_OK) {
    return absl::InternalError(
        absl::StrCat("libcurl: ", curl_easy_strerror(init)));
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) return absl::InternalError("libcurl: cannot init");
  std::string full(url);
  for (size_t i = 0; i < params.size(); ++i) {
    absl::StrAppend(&full, i == 0 ? "?" : "&",
                    Escape(curl.get(), params[i].first), "=",
                    Escape(curl.get(), params[i].second));
  }
  HttpReply reply;
  Sink sink{&reply.body, max_body};
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl.get(), CURLOPT_URL, full.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(timeout)));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_ACCEPT_ENCODING, "");  // gzip if sent
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    std::string what = absl::StrCat(
        "GET ", url, ": ", error[0] ? error : curl_easy_strerror(code));
    if (sink.overflow) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "GET ", url, ": response larger than ", max_body, " bytes"));
    }
    switch (code) {
      case CURLE_OPERATION_TIMEDOUT:
        return absl::DeadlineExceededError(what);
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
        return absl::InvalidArgumentError(what);
      default:
        return absl::UnavailableError(what);
    }
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

}  // namespace fraisier::cli
