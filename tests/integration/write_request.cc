#include "tests/integration/write_request.h"

namespace fraisier::integration {

HttpResult PostWrite(const std::string& base_url, const std::string& body) {
  return HttpPost(base_url + "/api/v1/write", body,
                  ingest::RemoteWriteHeaders());
}

}  // namespace fraisier::integration
