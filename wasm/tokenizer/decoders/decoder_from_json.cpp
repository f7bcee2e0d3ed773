#include <string>

#include "common/error.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/json_limits.h"
#include "tokenizer/decoders/decoder.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

namespace {

using nlohmann::json;

const JsonFields kFields("tokenizer.json: decoder.");

}  // namespace

std::unique_ptr<Decoder> decoder_from_json(const json& j, int depth) {
  check_section_depth("decoder", depth);
  if (j.is_null()) return nullptr;
  if (!j.is_object()) fail(ErrorCode::kParse, "tokenizer.json: decoder must be an object or null");
  if (!j.contains("type") || !j["type"].is_string()) kFields.bad("type must be a string");
  const std::string type = j["type"].get<std::string>();
  if (type == "WordPiece") return std::make_unique<WordPieceDecoder>(kFields.get_string(j, "prefix", "##"), kFields.get_bool(j, "cleanup", true));
  if (type == "Metaspace") {
    bool prepend = kFields.get_bool(j, "add_prefix_space", true);
    if (auto it = j.find("prepend_scheme"); it != j.end() && !it->is_null()) {
      if (!it->is_string()) kFields.bad("prepend_scheme must be a string");
      const std::string s = it->get<std::string>();
      if (s != "always" && s != "first" && s != "never") kFields.bad("prepend_scheme must be always, first or never");
      prepend = s != "never";
    }
    return std::make_unique<MetaspaceDecoder>(kFields.get_char(j, "replacement", 0x2581), prepend);
  }
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Strip") return std::make_unique<StripDecoder>(kFields.get_char(j, "content", ' '), kFields.get_size(j, "start", 0), kFields.get_size(j, "stop", 0));
  if (type == "Replace") {
    auto p = j.find("pattern");
    if (p == j.end() || !p->is_object()) kFields.bad("pattern must be {\"String\": ...} or {\"Regex\": ...}");
    const std::string content = kFields.get_string(j, "content", "");
    if (p->contains("String") && (*p)["String"].is_string())
      return std::make_unique<ReplaceDecoder>((*p)["String"].get<std::string>(), content);
    if (p->contains("Regex") && (*p)["Regex"].is_string())
      return std::make_unique<ReplaceDecoder>(std::make_unique<Regex>((*p)["Regex"].get<std::string>()), content);
    kFields.bad("pattern must be {\"String\": ...} or {\"Regex\": ...}");
  }
  if (type == "BPEDecoder") return std::make_unique<BPEDecoder>(kFields.get_string(j, "suffix", "</w>"));
  if (type == "CTC")
    return std::make_unique<CTCDecoder>(kFields.get_string(j, "pad_token", "<pad>"), kFields.get_string(j, "word_delimiter_token", "|"),
                                        kFields.get_bool(j, "cleanup", true));
  if (type == "Sequence") {
    auto it = j.find("decoders");
    if (it == j.end() || !it->is_array()) kFields.bad("decoders must be an array");
    std::vector<std::unique_ptr<Decoder>> list;
    for (const json& e : *it) {
      auto d = decoder_from_json(e, depth + 1);
      if (d) list.push_back(std::move(d));
    }
    return std::make_unique<SequenceDecoder>(std::move(list));
  }
  fail(ErrorCode::kUnsupported, "tokenizer.json: decoder type '" + type + "' is not supported");
}

}  // namespace wasmbed::tok
