#include <string>

#include "common/error.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/json_limits.h"
#include "tokenizer/post_processors/post_processor.h"

namespace wasmbed::tok {

namespace {

using nlohmann::json;

const JsonFields kFields("tokenizer.json: post_processor.");

std::pair<std::string, int32_t> token_pair(const json& j, const char* key, std::pair<std::string, int32_t> dflt) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return dflt;
  if (!it->is_array() || it->size() != 2 || !(*it)[0].is_string() || !(*it)[1].is_number_unsigned())
    kFields.bad(std::string(key) + " must be [token, id]");
  return {(*it)[0].get<std::string>(), static_cast<int32_t>((*it)[1].get<uint32_t>())};
}

int32_t type_id_of(const json& j) {
  auto it = j.find("type_id");
  if (it == j.end() || it->is_null()) return 0;
  if (!it->is_number_unsigned()) kFields.bad("type_id must be a non-negative integer");
  return static_cast<int32_t>(it->get<uint32_t>());
}

// Python-constructor spelling: "$A", "$B:1", "$0", "[CLS]:0", "[SEP]".
TemplateProcessing::Piece piece_from_string(const std::string& s) {
  TemplateProcessing::Piece p{false, 0, "", 0};
  std::string body = s;
  const size_t colon = s.rfind(':');
  if (colon != std::string::npos && colon + 1 < s.size() && s.size() - colon <= 7 &&
      s.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    body = s.substr(0, colon);
    p.type_id = std::stoi(s.substr(colon + 1));
  }
  if (!body.empty() && body[0] == '$') {
    p.is_sequence = true;
    const std::string id = body.substr(1);
    if (id.empty() || id == "A" || id == "a") p.sequence = 0;
    else if (id == "B" || id == "b") p.sequence = 1;
    else if (id.find_first_not_of("0123456789") == std::string::npos && id.size() < 6) {
      // "$0" / "$1" mean A / B with that type id.
      p.sequence = 0;
      p.type_id = std::stoi(id);
    } else {
      kFields.bad("template piece '" + s + "' is not $A / $B");
    }
  } else {
    p.special = body;
  }
  return p;
}

std::vector<TemplateProcessing::Piece> template_from_json(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  std::vector<TemplateProcessing::Piece> out;
  if (it->is_string()) {
    const std::string s = it->get<std::string>();
    size_t pos = 0;
    while (pos < s.size()) {
      const size_t sp = s.find(' ', pos);
      const std::string part = s.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
      if (!part.empty()) out.push_back(piece_from_string(part));
      if (sp == std::string::npos) break;
      pos = sp + 1;
    }
    return out;
  }
  if (!it->is_array()) kFields.bad(std::string(key) + " must be an array of template pieces");
  for (const json& e : *it) {
    if (e.is_string()) {
      out.push_back(piece_from_string(e.get<std::string>()));
    } else if (e.is_object() && e.contains("Sequence") && e["Sequence"].is_object()) {
      const json& s = e["Sequence"];
      const std::string id = s.value("id", "A");
      if (id != "A" && id != "B") kFields.bad(std::string(key) + ": Sequence id must be \"A\" or \"B\"");
      out.push_back(TemplateProcessing::Piece{true, id == "A" ? 0 : 1, "", type_id_of(s)});
    } else if (e.is_object() && e.contains("SpecialToken") && e["SpecialToken"].is_object()) {
      const json& s = e["SpecialToken"];
      if (!s.contains("id") || !s["id"].is_string()) kFields.bad(std::string(key) + ": SpecialToken.id must be a string");
      out.push_back(TemplateProcessing::Piece{false, 0, s["id"].get<std::string>(), type_id_of(s)});
    } else {
      kFields.bad(std::string(key) + " has an element that is neither Sequence nor SpecialToken");
    }
  }
  return out;
}

std::unique_ptr<PostProcessor> template_processing(const json& j) {
  std::vector<std::pair<std::string, TemplateProcessing::SpecialToken>> specials;
  if (auto it = j.find("special_tokens"); it != j.end() && !it->is_null()) {
    auto add = [&](const std::string& name, const json& v) {
      TemplateProcessing::SpecialToken t;
      if (!v.is_object() || !v.contains("ids") || !v["ids"].is_array() || !v.contains("tokens") || !v["tokens"].is_array())
        kFields.bad("special_tokens['" + name + "'] must have ids and tokens arrays");
      for (const json& id : v["ids"]) {
        if (!id.is_number_unsigned()) kFields.bad("special_tokens['" + name + "'].ids must be non-negative integers");
        t.ids.push_back(static_cast<int32_t>(id.get<uint32_t>()));
      }
      for (const json& tok : v["tokens"]) {
        if (!tok.is_string()) kFields.bad("special_tokens['" + name + "'].tokens must be strings");
        t.tokens.push_back(tok.get<std::string>());
      }
      if (t.ids.size() != t.tokens.size()) kFields.bad("special_tokens['" + name + "'] has as many ids as tokens");
      std::string key = name;
      if (v.contains("id") && v["id"].is_string()) key = v["id"].get<std::string>();
      specials.emplace_back(key, std::move(t));
    };
    if (it->is_object()) {
      for (auto e = it->begin(); e != it->end(); ++e) add(e.key(), e.value());
    } else if (it->is_array()) {
      for (const json& e : *it) add(e.is_object() && e.contains("id") && e["id"].is_string() ? e["id"].get<std::string>() : "", e);
    } else {
      kFields.bad("special_tokens must be an object");
    }
  }
  std::vector<TemplateProcessing::Piece> single = template_from_json(j, "single");
  std::vector<TemplateProcessing::Piece> pair = template_from_json(j, "pair");
  if (single.empty()) single.push_back(TemplateProcessing::Piece{true, 0, "", 0});
  if (pair.empty()) {
    pair.push_back(TemplateProcessing::Piece{true, 0, "", 0});
    pair.push_back(TemplateProcessing::Piece{true, 1, "", 1});
  }
  return std::make_unique<TemplateProcessing>(std::move(single), std::move(pair), std::move(specials));
}

}  // namespace

std::unique_ptr<PostProcessor> post_processor_from_json(const json& j, int depth) {
  check_section_depth("post_processor", depth);
  if (j.is_null()) return nullptr;
  if (!j.is_object()) fail(ErrorCode::kParse, "tokenizer.json: post_processor must be an object or null");
  if (!j.contains("type") || !j["type"].is_string()) kFields.bad("type must be a string");
  const std::string type = j["type"].get<std::string>();
  if (type == "TemplateProcessing") return template_processing(j);
  if (type == "BertProcessing")
    return std::make_unique<BertProcessing>(token_pair(j, "sep", {"[SEP]", 102}), token_pair(j, "cls", {"[CLS]", 101}));
  if (type == "RobertaProcessing")
    return std::make_unique<RobertaProcessing>(token_pair(j, "sep", {"</s>", 2}), token_pair(j, "cls", {"<s>", 0}),
                                               kFields.get_bool(j, "trim_offsets", true), kFields.get_bool(j, "add_prefix_space", true));
  if (type == "ByteLevel")
    return std::make_unique<ByteLevelProcessing>(kFields.get_bool(j, "trim_offsets", true), kFields.get_bool(j, "add_prefix_space", true));
  if (type == "Sequence") {
    auto it = j.find("processors");
    if (it == j.end() || !it->is_array()) kFields.bad("processors must be an array");
    std::vector<std::unique_ptr<PostProcessor>> list;
    for (const json& e : *it) {
      auto p = post_processor_from_json(e, depth + 1);
      if (p) list.push_back(std::move(p));
    }
    return std::make_unique<SequenceProcessing>(std::move(list));
  }
  fail(ErrorCode::kUnsupported, "tokenizer.json: post_processor type '" + type + "' is not supported");
}

}  // namespace wasmbed::tok
