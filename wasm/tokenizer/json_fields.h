// Typed reads of the optional fields of one tokenizer.json section. A missing or null field gives
// the default; a field of the wrong type fails with a ParseError "<where><key> must be ...", where
// `where` names the section (e.g. "tokenizer.json: model.").
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

class JsonFields {
 public:
  using json = nlohmann::json;

  explicit JsonFields(std::string where) : where_(std::move(where)) {}

  [[noreturn]] void bad(const std::string& what) const { fail(ErrorCode::kParse, where_ + what); }

  std::string get_string(const json& j, const char* key, const std::string& dflt) const {
    const json* v = find(j, key);
    if (!v) return dflt;
    if (!v->is_string()) bad(std::string(key) + " must be a string");
    return v->get<std::string>();
  }

  std::optional<std::string> get_opt_string(const json& j, const char* key) const {
    const json* v = find(j, key);
    if (!v) return std::nullopt;
    if (!v->is_string()) bad(std::string(key) + " must be a string or null");
    return v->get<std::string>();
  }

  // A string that must be present.
  std::string require_string(const json& j, const char* key) const {
    const json* v = find(j, key);
    if (!v || !v->is_string()) bad(std::string(key) + " must be a string");
    return v->get<std::string>();
  }

  std::optional<bool> get_opt_bool(const json& j, const char* key) const {
    const json* v = find(j, key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) bad(std::string(key) + " must be a boolean or null");
    return v->get<bool>();
  }

  bool get_bool(const json& j, const char* key, bool dflt) const {
    const json* v = find(j, key);
    if (!v) return dflt;
    if (!v->is_boolean()) bad(std::string(key) + " must be a boolean");
    return v->get<bool>();
  }

  size_t get_size(const json& j, const char* key, size_t dflt) const {
    const json* v = find(j, key);
    if (!v) return dflt;
    if (!v->is_number_unsigned()) bad(std::string(key) + " must be a non-negative integer");
    return v->get<size_t>();
  }

  // A JSON string holding exactly one char (Rust `char` fields).
  char32_t get_char(const json& j, const char* key, char32_t dflt) const {
    const json* v = find(j, key);
    if (!v) return dflt;
    const std::string why = std::string(key) + " must be a one-character string";
    if (!v->is_string()) bad(why);
    const std::string s = v->get<std::string>();
    if (s.empty()) bad(why);
    size_t len = 0;
    const char32_t c = unicode::decode(s, 0, len);
    if (len != s.size()) bad(why);
    return c;
  }

 private:
  // The field's value, or nullptr when it is absent or null.
  static const json* find(const json& j, const char* key) {
    auto it = j.find(key);
    return it == j.end() || it->is_null() ? nullptr : &*it;
  }

  std::string where_;
};

}  // namespace wasmbed::tok
