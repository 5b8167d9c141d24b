#include "rules/template_expander.h"

#include <memory>
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "promql/parser.h"
#include "rules/template/template.h"

namespace fraisier::rules {
namespace {

// Compiled templates by alert name and text. Templates never change once
// compiled; the cache only grows with distinct rule texts (bounded by the
// rule files) and survives reloads.
class TemplateCache {
 public:
  std::shared_ptr<const templates::AlertTemplate> Get(absl::string_view alert,
                                                      absl::string_view text) {
    std::string key = absl::StrCat(alert, "\x1f", text);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    auto t = std::make_shared<const templates::AlertTemplate>(alert, text);
    cache_.emplace(std::move(key), t);
    return t;
  }

 private:
  std::mutex mu_;
  absl::flat_hash_map<std::string,
                      std::shared_ptr<const templates::AlertTemplate>>
      cache_;  // guarded by mu_
};

}  // namespace

ExpandFunc MakeTemplateExpander(std::function<ExpanderSettings()> settings,
                                QueryFunc query) {
  auto cache = std::make_shared<TemplateCache>();
  return [cache, settings, query](absl::string_view text,
                                  const TemplateContext& ctx) {
    std::shared_ptr<const templates::AlertTemplate> t =
        cache->Get(ctx.alert_name, text);
    const ExpanderSettings s = settings();
    templates::Env env;
    env.eval_time_ms = absl::ToUnixMillis(ctx.ts);
    env.external_url = s.external_url;
    const absl::Time ts = ctx.ts;
    env.query = [query, ts](absl::string_view q)
        -> absl::StatusOr<std::vector<templates::QuerySample>> {
      absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(q);
      if (!expr.ok()) return expr.status();
      absl::StatusOr<promql::Vector> v = query(**expr, ts);
      if (!v.ok()) return v.status();
      std::vector<templates::QuerySample> out;
      out.reserve(v->size());
      for (promql::VectorSample& sample : *v) {
        out.push_back({std::move(sample.metric), sample.f});
      }
      return out;
    };
    return t->ExpandOrError(templates::Data(*ctx.labels, s.external_labels,
                                            s.external_url, ctx.value),
                            env);
  };
}

absl::Status CheckTemplate(absl::string_view alert_name,
                           absl::string_view text) {
  // Text without actions always parses (below the size limit), and most
  // label values and many annotations are such text: skip the parser,
  // which `ruler check rules` would otherwise spend a third of its time in.
  if (text.find("{{") == absl::string_view::npos &&
      text.size() + templates::kAlertTemplateHeader.size() <=
          templates::Limits().max_text_bytes) {
    return absl::OkStatus();
  }
  return templates::CheckAlertTemplate(alert_name, text);
}

}  // namespace fraisier::rules
