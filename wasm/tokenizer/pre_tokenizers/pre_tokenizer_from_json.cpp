// tokenizer.json "pre_tokenizer" -> PreTokenizer (field names and defaults as HF serde).
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/json_limits.h"
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

namespace wasmbed::tok {

namespace {

SplitDelimiterBehavior get_behavior(const JsonFields& f, const nlohmann::json& j, SplitDelimiterBehavior def) {
  const auto b = f.get_opt_string(j, "behavior");
  return b ? split_behavior_from_string(*b) : def;
}

}  // namespace

std::unique_ptr<PreTokenizer> pre_tokenizer_from_json(const nlohmann::json& j, int depth) {
  check_section_depth("pre_tokenizer", depth);
  if (!j.is_object()) fail(ErrorCode::kParse, "tokenizer.json: pre_tokenizer must be an object");
  auto t = j.find("type");
  if (t == j.end() || !t->is_string()) fail(ErrorCode::kParse, "tokenizer.json: pre_tokenizer has no 'type'");
  const std::string type = t->get<std::string>();
  const JsonFields f("tokenizer.json: pre_tokenizer '" + type + "': ");

  if (type == "BertPreTokenizer") return std::make_unique<BertPreTokenizer>();
  if (type == "Whitespace") return std::make_unique<WhitespacePreTokenizer>();
  if (type == "WhitespaceSplit") return std::make_unique<WhitespaceSplitPreTokenizer>();
  if (type == "Punctuation")
    return std::make_unique<PunctuationPreTokenizer>(get_behavior(f, j, SplitDelimiterBehavior::kIsolated));
  if (type == "Digits") return std::make_unique<DigitsPreTokenizer>(f.get_opt_bool(j, "individual_digits").value_or(false));
  if (type == "CharDelimiterSplit") {
    if (!j.contains("delimiter")) f.bad("delimiter is missing");
    return std::make_unique<CharDelimiterSplitPreTokenizer>(f.get_char(j, "delimiter", 0));
  }
  if (type == "Metaspace") {
    const char32_t replacement = f.get_char(j, "replacement", U'\u2581');
    // Legacy files carry add_prefix_space instead of prepend_scheme; false means "never".
    const auto declared = f.get_opt_string(j, "prepend_scheme");
    const bool has_scheme = declared.has_value();
    PrependScheme scheme = declared ? prepend_scheme_from_string(*declared) : PrependScheme::kAlways;
    if (f.get_opt_bool(j, "add_prefix_space") == false) {
      if (has_scheme && scheme != PrependScheme::kNever)
        f.bad("add_prefix_space does not match declared prepend_scheme");
      scheme = PrependScheme::kNever;
    }
    return std::make_unique<Metaspace>(replacement, scheme, f.get_opt_bool(j, "split").value_or(true));
  }
  if (type == "ByteLevel")
    return std::make_unique<ByteLevelPreTokenizer>(f.get_opt_bool(j, "add_prefix_space").value_or(true),
                                                   f.get_opt_bool(j, "use_regex").value_or(true));
  if (type == "Split") {
    auto p = j.find("pattern");
    if (p == j.end() || !p->is_object()) f.bad("pattern must be {\"String\": ...} or {\"Regex\": ...}");
    const auto behavior = get_behavior(f, j, SplitDelimiterBehavior::kIsolated);
    if (!j.contains("behavior")) f.bad("behavior is missing");
    const bool invert = f.get_opt_bool(j, "invert").value_or(false);
    if (p->contains("String") && (*p)["String"].is_string())
      return SplitPreTokenizer::literal((*p)["String"].get<std::string>(), behavior, invert);
    if (p->contains("Regex") && (*p)["Regex"].is_string())
      return SplitPreTokenizer::regex((*p)["Regex"].get<std::string>(), behavior, invert);
    f.bad("pattern must be {\"String\": ...} or {\"Regex\": ...}");
  }
  if (type == "Sequence") {
    auto n = j.find("pretokenizers");
    if (n == j.end() || !n->is_array()) f.bad("pretokenizers must be an array");
    std::vector<std::unique_ptr<PreTokenizer>> items;
    for (const auto& item : *n) items.push_back(pre_tokenizer_from_json(item, depth + 1));
    return std::make_unique<SequencePreTokenizer>(std::move(items));
  }
  fail(ErrorCode::kUnsupported, "tokenizer.json: pre_tokenizer type '" + type + "' is not supported");
}

}  // namespace wasmbed::tok
