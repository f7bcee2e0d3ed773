#include <string>

#include "common/error.h"
#include "tokenizer/decoders/decoder.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& what) { fail(ErrorCode::kParse, "tokenizer.json: decoder." + what); }

std::string get_string(const json& j, const char* key, const std::string& dflt) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return dflt;
  if (!it->is_string()) bad(std::string(key) + " must be a string");
  return it->get<std::string>();
}

bool get_bool(const json& j, const char* key, bool dflt) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return dflt;
  if (!it->is_boolean()) bad(std::string(key) + " must be a boolean");
  return it->get<bool>();
}

size_t get_size(const json& j, const char* key, size_t dflt) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return dflt;
  if (!it->is_number_unsigned()) bad(std::string(key) + " must be a non-negative integer");
  return it->get<size_t>();
}

// A JSON string holding exactly one char (Rust `char` fields).
char32_t get_char(const json& j, const char* key, char32_t dflt) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return dflt;
  if (!it->is_string()) bad(std::string(key) + " must be a one-character string");
  const std::string s = it->get<std::string>();
  size_t len = 0;
  if (s.empty()) bad(std::string(key) + " must be a one-character string");
  const char32_t c = unicode::decode(s, 0, len);
  if (len != s.size()) bad(std::string(key) + " must be a one-character string");
  return c;
}

}  // namespace

std::unique_ptr<Decoder> decoder_from_json(const json& j) {
  if (j.is_null()) return nullptr;
  if (!j.is_object()) fail(ErrorCode::kParse, "tokenizer.json: decoder must be an object or null");
  if (!j.contains("type") || !j["type"].is_string()) bad("type must be a string");
  const std::string type = j["type"].get<std::string>();
  if (type == "WordPiece") return std::make_unique<WordPieceDecoder>(get_string(j, "prefix", "##"), get_bool(j, "cleanup", true));
  if (type == "Metaspace") {
    bool prepend = get_bool(j, "add_prefix_space", true);
    if (auto it = j.find("prepend_scheme"); it != j.end() && !it->is_null()) {
      if (!it->is_string()) bad("prepend_scheme must be a string");
      const std::string s = it->get<std::string>();
      if (s != "always" && s != "first" && s != "never") bad("prepend_scheme must be always, first or never");
      prepend = s != "never";
    }
    return std::make_unique<MetaspaceDecoder>(get_char(j, "replacement", 0x2581), prepend);
  }
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Strip") return std::make_unique<StripDecoder>(get_char(j, "content", ' '), get_size(j, "start", 0), get_size(j, "stop", 0));
  if (type == "Replace") {
    auto p = j.find("pattern");
    if (p == j.end() || !p->is_object()) bad("pattern must be {\"String\": ...} or {\"Regex\": ...}");
    const std::string content = get_string(j, "content", "");
    if (p->contains("String") && (*p)["String"].is_string())
      return std::make_unique<ReplaceDecoder>((*p)["String"].get<std::string>(), content);
    if (p->contains("Regex") && (*p)["Regex"].is_string())
      return std::make_unique<ReplaceDecoder>(std::make_unique<Regex>((*p)["Regex"].get<std::string>()), content);
    bad("pattern must be {\"String\": ...} or {\"Regex\": ...}");
  }
  if (type == "BPEDecoder") return std::make_unique<BPEDecoder>(get_string(j, "suffix", "</w>"));
  if (type == "CTC")
    return std::make_unique<CTCDecoder>(get_string(j, "pad_token", "<pad>"), get_string(j, "word_delimiter_token", "|"),
                                        get_bool(j, "cleanup", true));
  if (type == "Sequence") {
    auto it = j.find("decoders");
    if (it == j.end() || !it->is_array()) bad("decoders must be an array");
    std::vector<std::unique_ptr<Decoder>> list;
    for (const json& e : *it) {
      auto d = decoder_from_json(e);
      if (d) list.push_back(std::move(d));
    }
    return std::make_unique<SequenceDecoder>(std::move(list));
  }
  fail(ErrorCode::kUnsupported, "tokenizer.json: decoder type '" + type + "' is not supported");
}

}  // namespace wasmbed::tok
