// tokenizer.json "normalizer" -> Normalizer (field names and defaults as HF serde).
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tokenizer/normalizers/basic.h"
#include "tokenizer/normalizers/bert.h"
#include "tokenizer/normalizers/normalizer.h"
#include "tokenizer/normalizers/precompiled.h"
#include "tokenizer/normalizers/unicode_forms.h"

namespace wasmbed::tok {

namespace {

[[noreturn]] void bad_field(const std::string& type, const std::string& field, const std::string& why) {
  fail(ErrorCode::kParse, "tokenizer.json: normalizer '" + type + "': field '" + field + "' " + why);
}

bool get_bool(const nlohmann::json& j, const std::string& type, const char* field, bool def) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return def;
  if (!it->is_boolean()) bad_field(type, field, "must be a boolean");
  return it->get<bool>();
}

std::string get_string(const nlohmann::json& j, const std::string& type, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_string()) bad_field(type, field, "must be a string");
  return it->get<std::string>();
}

}  // namespace

std::unique_ptr<Normalizer> normalizer_from_json(const nlohmann::json& j) {
  if (!j.is_object()) fail(ErrorCode::kParse, "tokenizer.json: normalizer must be an object");
  auto t = j.find("type");
  if (t == j.end() || !t->is_string()) fail(ErrorCode::kParse, "tokenizer.json: normalizer has no 'type'");
  const std::string type = t->get<std::string>();

  if (type == "BertNormalizer") {
    std::optional<bool> strip_accents;
    auto sa = j.find("strip_accents");
    if (sa != j.end() && !sa->is_null()) {
      if (!sa->is_boolean()) bad_field(type, "strip_accents", "must be a boolean or null");
      strip_accents = sa->get<bool>();
    }
    return std::make_unique<BertNormalizer>(get_bool(j, type, "clean_text", true),
                                            get_bool(j, type, "handle_chinese_chars", true), strip_accents,
                                            get_bool(j, type, "lowercase", true));
  }
  if (type == "Precompiled") {
    auto pc = j.find("precompiled_charsmap");
    if (pc == j.end() || pc->is_null()) return Precompiled::from_bytes({});
    if (!pc->is_string()) bad_field(type, "precompiled_charsmap", "must be a base64 string");
    return Precompiled::from_base64(pc->get<std::string>());
  }
  if (type == "NFC") return std::make_unique<UnicodeNormalizer>(UnicodeForm::kNFC);
  if (type == "NFD") return std::make_unique<UnicodeNormalizer>(UnicodeForm::kNFD);
  if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(UnicodeForm::kNFKC);
  if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(UnicodeForm::kNFKD);
  if (type == "Lowercase") return std::make_unique<LowercaseNormalizer>();
  if (type == "StripAccents") return std::make_unique<StripAccentsNormalizer>();
  if (type == "Nmt") return std::make_unique<NmtNormalizer>();
  if (type == "ByteLevel") return std::make_unique<ByteLevelNormalizer>();
  if (type == "Strip")
    return std::make_unique<StripNormalizer>(get_bool(j, type, "strip_left", true), get_bool(j, type, "strip_right", true));
  if (type == "Prepend") return std::make_unique<PrependNormalizer>(get_string(j, type, "prepend"));
  if (type == "Replace") {
    auto p = j.find("pattern");
    if (p == j.end() || !p->is_object()) bad_field(type, "pattern", "must be {\"String\": ...} or {\"Regex\": ...}");
    const std::string content = get_string(j, type, "content");
    if (p->contains("String") && (*p)["String"].is_string())
      return ReplaceNormalizer::literal((*p)["String"].get<std::string>(), content);
    if (p->contains("Regex") && (*p)["Regex"].is_string())
      return ReplaceNormalizer::regex((*p)["Regex"].get<std::string>(), content);
    bad_field(type, "pattern", "must be {\"String\": ...} or {\"Regex\": ...}");
  }
  if (type == "Sequence") {
    auto n = j.find("normalizers");
    if (n == j.end() || !n->is_array()) bad_field(type, "normalizers", "must be an array");
    std::vector<std::unique_ptr<Normalizer>> items;
    for (const auto& item : *n) items.push_back(normalizer_from_json(item));
    return std::make_unique<SequenceNormalizer>(std::move(items));
  }
  fail(ErrorCode::kUnsupported, "tokenizer.json: normalizer type '" + type + "' is not supported");
}

}  // namespace wasmbed::tok
