#include "bench/http_servers/http_messages.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace fraisier::bench::http {
namespace {

constexpr char kQueryTarget[] =
    "/api/v1/query?query=sum%20by%20(job)%20(rate(http_requests_total%7B"
    "code%3D~%225..%22%7D%5B5m%5D))";

}  // namespace

std::string PostRequest(int port, size_t body_bytes, size_t declared_bytes) {
  std::string request = absl::StrCat(
      "POST /api/v1/write HTTP/1.1\r\nHost: 127.0.0.1:", port,
      "\r\nUser-Agent: fraisier-loadgen\r\nContent-Encoding: snappy\r\n"
      "Content-Type: application/x-protobuf\r\n"
      "X-Prometheus-Remote-Write-Version: 0.1.0\r\nContent-Length: ",
      declared_bytes, "\r\n\r\n");
  // Incompressible-looking bytes, as a snappy-compressed body is.
  uint64_t state = 0x243f6a8885a308d3u;
  for (size_t i = 0; i < body_bytes; ++i) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    request.push_back(static_cast<char>(state >> 56));
  }
  return request;
}

std::string GetRequest(int port) {
  return absl::StrCat("GET ", kQueryTarget,
                      " HTTP/1.1\r\nHost: 127.0.0.1:", port,
                      "\r\nUser-Agent: fraisier-loadgen\r\nAccept: "
                      "application/json\r\n\r\n");
}

std::optional<Response> ParseResponse(absl::string_view in) {
  const size_t header_end = in.find("\r\n\r\n");
  if (header_end == absl::string_view::npos) return std::nullopt;
  Response response;
  absl::string_view head = in.substr(0, header_end);
  size_t content_length = 0;
  if (head.size() < 12 || !absl::StartsWith(head, "HTTP/1.") ||
      !absl::SimpleAtoi(head.substr(9, 3), &response.status)) {
    response.status = -1;
    response.total_bytes = in.size();
    return response;
  }
  size_t line_start = head.find("\r\n");
  while (line_start != absl::string_view::npos) {
    line_start += 2;
    const size_t line_end = head.find("\r\n", line_start);
    absl::string_view line = head.substr(line_start, line_end - line_start);
    line_start = line_end;
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    const absl::string_view name = line.substr(0, colon);
    const absl::string_view value =
        absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (absl::EqualsIgnoreCase(name, "content-length")) {
      absl::SimpleAtoi(value, &content_length);
    } else if (absl::EqualsIgnoreCase(name, "connection")) {
      response.close = absl::EqualsIgnoreCase(value, "close");
    } else if (absl::EqualsIgnoreCase(name, "transfer-encoding")) {
      response.status = -1;
    }
  }
  response.total_bytes = header_end + 4 + content_length;
  if (in.size() < response.total_bytes) return std::nullopt;
  return response;
}

sockaddr_in Loopback(int port) {
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

}  // namespace fraisier::bench::http
