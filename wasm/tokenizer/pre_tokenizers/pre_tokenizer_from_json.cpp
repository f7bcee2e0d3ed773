// tokenizer.json "pre_tokenizer" -> PreTokenizer (field names and defaults as HF serde).
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tokenizer/pre_tokenizers/bert.h"
#include "tokenizer/pre_tokenizers/byte_level.h"
#include "tokenizer/pre_tokenizers/char_delimiter.h"
#include "tokenizer/pre_tokenizers/digits.h"
#include "tokenizer/pre_tokenizers/metaspace.h"
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"
#include "tokenizer/pre_tokenizers/punctuation.h"
#include "tokenizer/pre_tokenizers/sequence.h"
#include "tokenizer/pre_tokenizers/split.h"
#include "tokenizer/pre_tokenizers/whitespace.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

namespace {

[[noreturn]] void bad_field(const std::string& type, const std::string& field, const std::string& why) {
  fail(ErrorCode::kParse, "tokenizer.json: pre_tokenizer '" + type + "': field '" + field + "' " + why);
}

std::optional<bool> opt_bool(const nlohmann::json& j, const std::string& type, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) bad_field(type, field, "must be a boolean");
  return it->get<bool>();
}

// A JSON string holding exactly one char (Rust `char` fields).
char32_t get_char(const nlohmann::json& j, const std::string& type, const char* field, char32_t def) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return def;
  if (!it->is_string()) bad_field(type, field, "must be a one-character string");
  const std::string s = it->get<std::string>();
  size_t len = 0;
  const char32_t c = s.empty() ? 0 : unicode::decode(s, 0, len);
  if (s.empty() || len != s.size()) bad_field(type, field, "must be a one-character string");
  return c;
}

SplitDelimiterBehavior get_behavior(const nlohmann::json& j, const std::string& type, SplitDelimiterBehavior def) {
  auto it = j.find("behavior");
  if (it == j.end() || it->is_null()) return def;
  if (!it->is_string()) bad_field(type, "behavior", "must be a string");
  return split_behavior_from_string(it->get<std::string>());
}

}  // namespace

std::unique_ptr<PreTokenizer> pre_tokenizer_from_json(const nlohmann::json& j) {
  if (!j.is_object()) fail(ErrorCode::kParse, "tokenizer.json: pre_tokenizer must be an object");
  auto t = j.find("type");
  if (t == j.end() || !t->is_string()) fail(ErrorCode::kParse, "tokenizer.json: pre_tokenizer has no 'type'");
  const std::string type = t->get<std::string>();

  if (type == "BertPreTokenizer") return std::make_unique<BertPreTokenizer>();
  if (type == "Whitespace") return std::make_unique<WhitespacePreTokenizer>();
  if (type == "WhitespaceSplit") return std::make_unique<WhitespaceSplitPreTokenizer>();
  if (type == "Punctuation")
    return std::make_unique<PunctuationPreTokenizer>(get_behavior(j, type, SplitDelimiterBehavior::kIsolated));
  if (type == "Digits") return std::make_unique<DigitsPreTokenizer>(opt_bool(j, type, "individual_digits").value_or(false));
  if (type == "CharDelimiterSplit") {
    if (!j.contains("delimiter")) bad_field(type, "delimiter", "is missing");
    return std::make_unique<CharDelimiterSplitPreTokenizer>(get_char(j, type, "delimiter", 0));
  }
  if (type == "Metaspace") {
    const char32_t replacement = get_char(j, type, "replacement", U'\u2581');
    // Legacy files carry add_prefix_space instead of prepend_scheme; false means "never".
    PrependScheme scheme = PrependScheme::kAlways;
    auto ps = j.find("prepend_scheme");
    const bool has_scheme = ps != j.end() && !ps->is_null();
    if (has_scheme) {
      if (!ps->is_string()) bad_field(type, "prepend_scheme", "must be a string");
      scheme = prepend_scheme_from_string(ps->get<std::string>());
    }
    if (opt_bool(j, type, "add_prefix_space") == false) {
      if (has_scheme && scheme != PrependScheme::kNever)
        bad_field(type, "add_prefix_space", "does not match declared prepend_scheme");
      scheme = PrependScheme::kNever;
    }
    return std::make_unique<Metaspace>(replacement, scheme, opt_bool(j, type, "split").value_or(true));
  }
  if (type == "ByteLevel")
    return std::make_unique<ByteLevelPreTokenizer>(opt_bool(j, type, "add_prefix_space").value_or(true),
                                                   opt_bool(j, type, "use_regex").value_or(true));
  if (type == "Split") {
    auto p = j.find("pattern");
    if (p == j.end() || !p->is_object()) bad_field(type, "pattern", "must be {\"String\": ...} or {\"Regex\": ...}");
    const auto behavior = get_behavior(j, type, SplitDelimiterBehavior::kIsolated);
    if (!j.contains("behavior")) bad_field(type, "behavior", "is missing");
    const bool invert = opt_bool(j, type, "invert").value_or(false);
    if (p->contains("String") && (*p)["String"].is_string())
      return SplitPreTokenizer::literal((*p)["String"].get<std::string>(), behavior, invert);
    if (p->contains("Regex") && (*p)["Regex"].is_string())
      return SplitPreTokenizer::regex((*p)["Regex"].get<std::string>(), behavior, invert);
    bad_field(type, "pattern", "must be {\"String\": ...} or {\"Regex\": ...}");
  }
  if (type == "Sequence") {
    auto n = j.find("pretokenizers");
    if (n == j.end() || !n->is_array()) bad_field(type, "pretokenizers", "must be an array");
    std::vector<std::unique_ptr<PreTokenizer>> items;
    for (const auto& item : *n) items.push_back(pre_tokenizer_from_json(item));
    return std::make_unique<SequencePreTokenizer>(std::move(items));
  }
  fail(ErrorCode::kUnsupported, "tokenizer.json: pre_tokenizer type '" + type + "' is not supported");
}

}  // namespace wasmbed::tok
