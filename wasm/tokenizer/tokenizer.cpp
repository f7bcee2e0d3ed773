#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tokenizer/added_vocabulary.h"
#include "tokenizer/decoders/decoder.h"
#include "tokenizer/fast/fast_path.h"
#include "tokenizer/tokenizer_json_reader.h"
#include "tokenizer/models/model.h"
#include "tokenizer/models/model_from_json.h"
#include "tokenizer/normalizers/normalizer.h"
#include "tokenizer/post_processors/post_processor.h"
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace wasmbed::tok {

Tokenizer::Tokenizer() : added_(std::make_unique<AddedVocabulary>()) {}
Tokenizer::~Tokenizer() = default;

void Tokenizer::set_model(std::unique_ptr<Model> model) {
  model_ = std::move(model);
  refresh_fast_path();
}
void Tokenizer::set_normalizer(std::unique_ptr<Normalizer> normalizer) {
  normalizer_ = std::move(normalizer);
  refresh_fast_path();
}
void Tokenizer::set_pre_tokenizer(std::unique_ptr<PreTokenizer> pre_tokenizer) {
  pre_tokenizer_ = std::move(pre_tokenizer);
  refresh_fast_path();
}
void Tokenizer::refresh_fast_path() {
  fast_ = fast_enabled_ ? make_fast_path(normalizer_.get(), pre_tokenizer_.get(), model_.get(), added_.get()) : nullptr;
}
void Tokenizer::set_fast_path_enabled(bool enabled) {
  fast_enabled_ = enabled;
  refresh_fast_path();
}
void Tokenizer::set_post_processor(std::unique_ptr<PostProcessor> post_processor) {
  post_processor_ = std::move(post_processor);
}
void Tokenizer::set_decoder(std::unique_ptr<Decoder> decoder) { decoder_ = std::move(decoder); }

Encoding Tokenizer::encode_sequence(std::string_view text, int32_t type_id) const {
  require_model();
  if (fast_) {
    Encoding e;
    if (fast_->encode(text, type_id, num_special_tokens_to_add(false), e)) return e;
  }
  PreTokenizedString pre = added_->extract_and_normalize(normalizer_.get(), text);
  if (pre_tokenizer_) pre_tokenizer_->pre_tokenize(pre);
  pre.tokenize([&](const NormalizedString& ns) { return model_->tokenize(ns.get()); });
  std::vector<uint32_t> words;
  const std::vector<Token> tokens = pre.into_tokens(&words);
  std::vector<int32_t> word_ids(words.begin(), words.end());
  return Encoding::from_tokens(tokens, type_id, word_ids);
}

Encoding Tokenizer::finish(Encoding first, Encoding* second, const EncodeOptions& opts) const {
  std::optional<TruncationParams> trunc = truncation_;
  if (opts.max_length > 0) trunc = TruncationParams{opts.max_length, opts.stride, opts.strategy, opts.direction};
  if (trunc) {
    const size_t n_added = opts.add_special_tokens ? num_special_tokens_to_add(second != nullptr) : 0;
    truncate_encodings(first, second, *trunc, n_added);
  }
  Encoding out;
  if (!second && post_processor_ && post_processor_->process_single_in_place(first, opts.add_special_tokens))
    out = std::move(first);
  else
    out = post_process(post_processor_.get(), std::move(first), second, opts.add_special_tokens);
  if (padding_) {
    size_t target = padding_->fixed_length ? padding_->fixed_length : out.size();
    if (padding_->pad_to_multiple_of > 0 && target % padding_->pad_to_multiple_of != 0)
      target += padding_->pad_to_multiple_of - target % padding_->pad_to_multiple_of;
    out.pad(target, padding_->pad_id, padding_->pad_type_id, padding_->pad_token, padding_->direction);
  }
  return out;
}

Encoding Tokenizer::encode(std::string_view text, const EncodeOptions& opts) const {
  return finish(encode_sequence(text, 0), nullptr, opts);
}

Encoding Tokenizer::encode_pair(std::string_view a, std::string_view b, const EncodeOptions& opts) const {
  Encoding second = encode_sequence(b, 1);
  second.set_sequence_id(1);
  return finish(encode_sequence(a, 0), &second, opts);
}

size_t Tokenizer::num_special_tokens_to_add(bool is_pair) const {
  return post_processor_ ? post_processor_->added_tokens(is_pair) : 0;
}

void Tokenizer::require_model() const {
  if (!model_) fail(ErrorCode::kInternal, "tokenizer has no model");
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const {
  require_model();
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    std::string tok;
    if (const AddedToken* a = added_->added_token(id)) {
      tok = a->content;
    } else {
      bool found = false;
      tok = model_->id_to_token(id, found);
      if (!found) continue;
    }
    if (skip_special_tokens && added_->is_special_token(tok)) continue;
    tokens.push_back(std::move(tok));
  }
  if (decoder_) return decoder_->decode(std::move(tokens));
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i) out += ' ';
    out += tokens[i];
  }
  return out;
}

size_t Tokenizer::add_tokens(const std::vector<AddedToken>& tokens) {
  if (!model_) fail(ErrorCode::kInternal, "add_tokens needs a model");
  const size_t added = added_->add_tokens(tokens, *model_, normalizer_.get());
  refresh_fast_path();
  return added;
}

int32_t Tokenizer::token_to_id(std::string_view token) const {
  require_model();
  return added_->token_to_id(token, *model_);
}

std::string Tokenizer::id_to_token(int32_t id) const {
  require_model();
  if (const AddedToken* a = added_->added_token(id)) return a->content;
  bool found = false;
  return model_->id_to_token(id, found);
}

size_t Tokenizer::vocab_size() const {
  require_model();
  return model_->vocab_size() + added_->count_outside_model(*model_);
}

int32_t Tokenizer::pad_id() const {
  if (padding_) return padding_->pad_id;
  for (const char* t : {"[PAD]", "<pad>", "<|padding|>"}) {
    const int32_t id = token_to_id(t);
    if (id >= 0) return id;
  }
  return 0;
}

std::string Tokenizer::pad_token() const {
  if (padding_) return padding_->pad_token;
  for (const char* t : {"[PAD]", "<pad>", "<|padding|>"})
    if (token_to_id(t) >= 0) return t;
  return id_to_token(0);
}

int32_t Tokenizer::pad_type_id() const { return padding_ ? padding_->pad_type_id : 0; }

// ------------------------------------------------------------------ tokenizer.json

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& what) { fail(ErrorCode::kParse, "tokenizer.json: " + what); }

size_t get_size(const json& j, const char* key, size_t dflt, const char* where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return dflt;
  if (!it->is_number_unsigned()) bad(std::string(where) + "." + key + " must be a non-negative integer");
  return it->get<size_t>();
}

std::optional<TruncationParams> truncation_from_json(const json& j) {
  if (j.is_null()) return std::nullopt;
  if (!j.is_object()) bad("truncation must be an object or null");
  TruncationParams p;
  p.max_length = get_size(j, "max_length", 512, "truncation");
  p.stride = get_size(j, "stride", 0, "truncation");
  if (auto s = j.find("strategy"); s != j.end() && !s->is_null()) {
    const std::string v = s->is_string() ? s->get<std::string>() : "";
    if (v == "LongestFirst") p.strategy = TruncationStrategy::kLongestFirst;
    else if (v == "OnlyFirst") p.strategy = TruncationStrategy::kOnlyFirst;
    else if (v == "OnlySecond") p.strategy = TruncationStrategy::kOnlySecond;
    else bad("truncation.strategy must be LongestFirst, OnlyFirst or OnlySecond");
  }
  if (auto d = j.find("direction"); d != j.end() && !d->is_null()) {
    const std::string v = d->is_string() ? d->get<std::string>() : "";
    if (v == "Right") p.direction = TruncationDirection::kRight;
    else if (v == "Left") p.direction = TruncationDirection::kLeft;
    else bad("truncation.direction must be Right or Left");
  }
  return p;
}

std::optional<PaddingParams> padding_from_json(const json& j) {
  if (j.is_null()) return std::nullopt;
  if (!j.is_object()) bad("padding must be an object or null");
  PaddingParams p;
  if (auto s = j.find("strategy"); s != j.end() && !s->is_null()) {
    if (s->is_string() && s->get<std::string>() == "BatchLongest") {
      p.fixed_length = 0;
    } else if (s->is_object() && s->contains("Fixed") && (*s)["Fixed"].is_number_unsigned()) {
      p.fixed_length = (*s)["Fixed"].get<size_t>();
    } else {
      bad("padding.strategy must be \"BatchLongest\" or {\"Fixed\": n}");
    }
  }
  if (auto d = j.find("direction"); d != j.end() && !d->is_null()) {
    const std::string v = d->is_string() ? d->get<std::string>() : "";
    if (v == "Right") p.direction = PaddingDirection::kRight;
    else if (v == "Left") p.direction = PaddingDirection::kLeft;
    else bad("padding.direction must be Right or Left");
  }
  p.pad_to_multiple_of = get_size(j, "pad_to_multiple_of", 0, "padding");
  if (p.fixed_length > kMaxPaddedLength || p.pad_to_multiple_of > kMaxPaddedLength)
    fail(ErrorCode::kCapacity, "tokenizer.json: padding length " + std::to_string(std::max(p.fixed_length, p.pad_to_multiple_of)) +
                                   " is larger than " + std::to_string(kMaxPaddedLength));
  p.pad_id = static_cast<int32_t>(get_size(j, "pad_id", 0, "padding"));
  p.pad_type_id = static_cast<int32_t>(get_size(j, "pad_type_id", 0, "padding"));
  if (auto t = j.find("pad_token"); t != j.end() && !t->is_null()) {
    if (!t->is_string()) bad("padding.pad_token must be a string");
    p.pad_token = t->get<std::string>();
  }
  return p;
}

std::vector<AddedToken> added_tokens_from_json(const json& j) {
  std::vector<AddedToken> out;
  if (j.is_null()) return out;
  if (!j.is_array()) bad("added_tokens must be an array");
  for (size_t i = 0; i < j.size(); ++i) {
    const json& e = j[i];
    const std::string where = "added_tokens[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("content") || !e["content"].is_string()) bad(where + ".content must be a string");
    AddedToken t;
    t.content = e["content"].get<std::string>();
    auto flag = [&](const char* key, bool dflt) {
      auto it = e.find(key);
      if (it == e.end() || it->is_null()) return dflt;
      if (!it->is_boolean()) bad(where + "." + key + " must be a boolean");
      return it->get<bool>();
    };
    t.special = flag("special", false);
    t.single_word = flag("single_word", false);
    t.lstrip = flag("lstrip", false);
    t.rstrip = flag("rstrip", false);
    t.normalized = flag("normalized", !t.special);
    out.push_back(std::move(t));
  }
  return out;
}

std::unique_ptr<Tokenizer> build_from_json(const json& j, UnigramVocab* unigram_vocab) {
  if (!j.is_object()) bad("the top level must be an object");
  auto tok = std::make_unique<Tokenizer>();
  auto m = j.find("model");
  if (m == j.end() || m->is_null()) bad("missing \"model\"");
  tok->set_model(model_from_json(*m, unigram_vocab));
  if (auto n = j.find("normalizer"); n != j.end() && !n->is_null()) tok->set_normalizer(normalizer_from_json(*n));
  if (auto p = j.find("pre_tokenizer"); p != j.end() && !p->is_null()) tok->set_pre_tokenizer(pre_tokenizer_from_json(*p));
  if (auto p = j.find("post_processor"); p != j.end() && !p->is_null()) tok->set_post_processor(post_processor_from_json(*p));
  if (auto d = j.find("decoder"); d != j.end() && !d->is_null()) tok->set_decoder(decoder_from_json(*d));
  if (auto t = j.find("truncation"); t != j.end()) tok->set_truncation(truncation_from_json(*t));
  if (auto p = j.find("padding"); p != j.end()) tok->set_padding(padding_from_json(*p));
  if (auto a = j.find("added_tokens"); a != j.end()) {
    // HF re-adds the tokens in file order (ids come from the vocabulary or follow it), after the
    // normalizer is set so normalized tokens are matched in normalized form.
    tok->add_tokens(added_tokens_from_json(*a));
  }
  return tok;
}

// The tokenizer a parsed document describes.
std::unique_ptr<Tokenizer> from_document(TokenizerJson& doc) {
  try {
    return build_from_json(doc.json, doc.unigram_vocab ? &*doc.unigram_vocab : nullptr);
  } catch (const json::exception& e) {
    // Shape errors the loaders did not check field by field (nlohmann type errors).
    fail(ErrorCode::kParse, std::string("tokenizer.json: ") + e.what());
  }
}

}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::from_json(std::string_view tokenizer_json) {
  // Depth-capped while parsing (what reads the document afterwards recurses over it), and a
  // Unigram vocabulary read straight into pieces: see tokenizer_json_reader.h.
  TokenizerJson doc = read_tokenizer_json(tokenizer_json);
  return from_document(doc);
}

std::unique_ptr<Tokenizer> Tokenizer::from_json_chunks(size_t size, size_t chunk_size, const JsonChunkSource& source) {
  TokenizerJson doc = read_tokenizer_json(size, chunk_size, source);  // its chunk buffer is freed on return
  return from_document(doc);
}

}  // namespace wasmbed::tok
