// tokenizer.json "normalizer" -> Normalizer (field names and defaults as HF serde).
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/json_limits.h"
#include "tokenizer/normalizers/basic.h"
#include "tokenizer/normalizers/bert.h"
#include "tokenizer/normalizers/normalizer.h"
#include "tokenizer/normalizers/precompiled.h"
#include "tokenizer/normalizers/unicode_forms.h"

namespace wasmbed::tok {

std::unique_ptr<Normalizer> normalizer_from_json(const nlohmann::json& j, int depth) {
  check_section_depth("normalizer", depth);
  if (!j.is_object()) fail(ErrorCode::kParse, "tokenizer.json: normalizer must be an object");
  auto t = j.find("type");
  if (t == j.end() || !t->is_string()) fail(ErrorCode::kParse, "tokenizer.json: normalizer has no 'type'");
  const std::string type = t->get<std::string>();
  const JsonFields f("tokenizer.json: normalizer '" + type + "': ");

  if (type == "BertNormalizer") {
    return std::make_unique<BertNormalizer>(f.get_bool(j, "clean_text", true), f.get_bool(j, "handle_chinese_chars", true),
                                            f.get_opt_bool(j, "strip_accents"), f.get_bool(j, "lowercase", true));
  }
  if (type == "Precompiled") {
    const auto charsmap = f.get_opt_string(j, "precompiled_charsmap");  // base64
    return charsmap ? Precompiled::from_base64(*charsmap) : Precompiled::from_bytes({});
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
    return std::make_unique<StripNormalizer>(f.get_bool(j, "strip_left", true), f.get_bool(j, "strip_right", true));
  if (type == "Prepend") return std::make_unique<PrependNormalizer>(f.require_string(j, "prepend"));
  if (type == "Replace") {
    auto p = j.find("pattern");
    if (p == j.end() || !p->is_object()) f.bad("pattern must be {\"String\": ...} or {\"Regex\": ...}");
    const std::string content = f.require_string(j, "content");
    if (p->contains("String") && (*p)["String"].is_string())
      return ReplaceNormalizer::literal((*p)["String"].get<std::string>(), content);
    if (p->contains("Regex") && (*p)["Regex"].is_string())
      return ReplaceNormalizer::regex((*p)["Regex"].get<std::string>(), content);
    f.bad("pattern must be {\"String\": ...} or {\"Regex\": ...}");
  }
  if (type == "Sequence") {
    auto n = j.find("normalizers");
    if (n == j.end() || !n->is_array()) f.bad("normalizers must be an array");
    std::vector<std::unique_ptr<Normalizer>> items;
    for (const auto& item : *n) items.push_back(normalizer_from_json(item, depth + 1));
    return std::make_unique<SequenceNormalizer>(std::move(items));
  }
  fail(ErrorCode::kUnsupported, "tokenizer.json: normalizer type '" + type + "' is not supported");
}

}  // namespace wasmbed::tok
