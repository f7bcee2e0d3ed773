#include "tokenizer/models/model_from_json.h"

#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/models/bpe.h"
#include "tokenizer/models/unigram.h"
#include "tokenizer/models/word_level.h"
#include "tokenizer/models/wordpiece.h"

namespace wasmbed::tok {

namespace {

using nlohmann::json;

const JsonFields kFields("tokenizer.json: model.");

Vocab vocab_from_object(const json& j, const UnigramVocab* taken) {
  if (taken) kFields.bad("vocab must be an object of token -> id");
  auto it = j.find("vocab");
  if (it == j.end() || !it->is_object()) kFields.bad("vocab must be an object of token -> id");
  Vocab v;
  for (auto e = it->begin(); e != it->end(); ++e) {
    if (!e.value().is_number_integer() || e.value().get<int64_t>() < 0 || e.value().get<int64_t>() > INT32_MAX)
      kFields.bad("vocab['" + e.key() + "'] must be a non-negative integer id");
    v.insert(e.key(), static_cast<int32_t>(e.value().get<int64_t>()));
  }
  return v;
}

std::unique_ptr<Model> wordpiece(const json& j, const UnigramVocab* taken) {
  size_t max_chars = 100;
  if (auto it = j.find("max_input_chars_per_word"); it != j.end() && !it->is_null()) {
    if (!it->is_number_unsigned()) kFields.bad("max_input_chars_per_word must be a non-negative integer");
    max_chars = it->get<size_t>();
  }
  return std::make_unique<WordPiece>(vocab_from_object(j, taken), kFields.get_string(j, "unk_token", "[UNK]"),
                                     kFields.get_string(j, "continuing_subword_prefix", "##"), max_chars);
}

std::unique_ptr<Model> unigram(const json& j, UnigramVocab* taken) {
  UnigramVocab pieces;
  if (taken) {
    pieces = std::move(*taken);  // read_tokenizer_json checked the [string, number] shape
  } else {
    auto it = j.find("vocab");
    if (it == j.end() || !it->is_array()) kFields.bad("vocab must be an array of [piece, score]");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& e = (*it)[i];
      if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number())
        kFields.bad("vocab[" + std::to_string(i) + "] must be [string, number]");
      pieces.push_back(e[0].get_ref<const std::string&>(), e[1].get<double>());
    }
  }
  int32_t unk_id = -1;
  if (auto u = j.find("unk_id"); u != j.end() && !u->is_null()) {
    if (!u->is_number_unsigned() || u->get<uint64_t>() >= pieces.size())
      kFields.bad("unk_id must be an index into vocab");
    unk_id = static_cast<int32_t>(u->get<uint64_t>());
  }
  return std::make_unique<Unigram>(std::move(pieces), unk_id, kFields.get_bool(j, "byte_fallback", false));
}

std::unique_ptr<Model> bpe(const json& j, const UnigramVocab* taken) {
  Vocab vocab = vocab_from_object(j, taken);
  std::vector<std::pair<std::string, std::string>> merges;
  auto it = j.find("merges");
  if (it != j.end() && !it->is_null()) {
    if (!it->is_array()) kFields.bad("merges must be an array");
    merges.reserve(it->size());
    for (size_t i = 0; i < it->size(); ++i) {
      const json& m = (*it)[i];
      if (m.is_string()) {
        // Legacy "a b" form: split on the first space (HF: exactly two parts).
        const std::string s = m.get<std::string>();
        const size_t sp = s.find(' ');
        if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
          kFields.bad("merges[" + std::to_string(i) + "] must be two tokens separated by one space");
        merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
      } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
        merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
      } else {
        kFields.bad("merges[" + std::to_string(i) + "] must be \"a b\" or [\"a\", \"b\"]");
      }
    }
  }
  BpeOptions o;
  o.unk_token = kFields.get_opt_string(j, "unk_token");
  o.continuing_subword_prefix = kFields.get_opt_string(j, "continuing_subword_prefix");
  o.end_of_word_suffix = kFields.get_opt_string(j, "end_of_word_suffix");
  o.fuse_unk = kFields.get_bool(j, "fuse_unk", false);
  o.byte_fallback = kFields.get_bool(j, "byte_fallback", false);
  o.ignore_merges = kFields.get_bool(j, "ignore_merges", false);
  if (auto d = j.find("dropout"); d != j.end() && !d->is_null()) {
    if (!d->is_number()) kFields.bad("dropout must be a number or null");
    // Dropout randomizes merges (a training-time regulariser); inference gives the same result
    // as dropout 0, which is what we do. Out-of-range values are rejected like HF.
    const double p = d->get<double>();
    if (p < 0 || p > 1) kFields.bad("dropout must be in [0, 1]");
  }
  return std::make_unique<BPE>(std::move(vocab), merges, std::move(o));
}

std::unique_ptr<Model> word_level(const json& j, const UnigramVocab* taken) {
  return std::make_unique<WordLevel>(vocab_from_object(j, taken), kFields.get_string(j, "unk_token", "<unk>"));
}

}  // namespace

std::unique_ptr<Model> model_from_json(const json& j, UnigramVocab* unigram_vocab) {
  if (!j.is_object()) fail(ErrorCode::kParse, "tokenizer.json: model must be an object");
  std::string type;
  if (auto t = j.find("type"); t != j.end() && !t->is_null()) {
    if (!t->is_string()) kFields.bad("type must be a string");
    type = t->get<std::string>();
  } else {
    // HF deserializes an untagged model by trying each shape in turn.
    auto v = j.find("vocab");
    if (j.contains("merges")) type = "BPE";
    else if (unigram_vocab || (v != j.end() && v->is_array())) type = "Unigram";
    else if (j.contains("continuing_subword_prefix") || j.contains("max_input_chars_per_word")) type = "WordPiece";
    else type = "WordLevel";
  }
  if (type == "WordPiece") return wordpiece(j, unigram_vocab);
  if (type == "Unigram") return unigram(j, unigram_vocab);
  if (type == "BPE") return bpe(j, unigram_vocab);
  if (type == "WordLevel") return word_level(j, unigram_vocab);
  fail(ErrorCode::kUnsupported, "tokenizer.json: model type '" + type + "' is not supported");
}

}  // namespace wasmbed::tok
