#include "pulsarcpp/context.hpp"

#include "http/field_syntax.hpp"
#include "http/url.hpp"

namespace pulsarcpp {

std::optional<std::string> Context::query(std::string_view name) const {
  return http::query_param(head_->query, name);
}

std::string_view Context::param(std::string_view name) const {
  for (const auto& [key, value] : params_) {
    if (key == name) return value;
  }
  return {};
}

std::optional<std::string_view> Context::cookie(std::string_view name) const {
  for (const auto& header : head_->headers) {
    if (!http::iequals(header.name, "cookie")) continue;
    if (auto value = http::find_cookie(header.value, name)) return value;
  }
  return std::nullopt;
}

const nlohmann::json& Context::json() const {
  if (!json_) {
    auto parsed = nlohmann::json::parse(body_, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) throw HttpError(400, "Invalid JSON body");
    json_ = std::make_unique<nlohmann::json>(std::move(parsed));
  }
  return *json_;
}

void Context::add_response_header(std::string_view name, std::string_view value) {
  http::check_response_field(name, value);
  response_headers_.emplace_back(name, value);
}

void Context::set_cookie(const http::Cookie& cookie) {
  response_headers_.emplace_back("Set-Cookie", http::serialize_set_cookie(cookie));
}

void Context::reset(const http::RequestHead& head, std::string_view body) {
  head_ = &head;
  path_ = head.path;
  body_ = body;
  route_ = nullptr;
  params_.clear();
  decoded_.clear();
  json_.reset();
  values_.clear();
  response_headers_.clear();
}

}  // namespace pulsarcpp
