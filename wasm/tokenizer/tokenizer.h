// The tokenizer pipeline (HF tokenizers semantics): added tokens -> normalizer -> pre-tokenizer
// -> model -> truncation -> post-processor, and decode. Loaded from a HF tokenizer.json or from a
// SentencePiece .model file. Text is UTF-8; every offset is a BYTE range into the input.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/encoding.h"
#include "tokenizer/json_chunk_source.h"

namespace wasmbed::tok {

class Model;
class Normalizer;
class PreTokenizer;
class PostProcessor;
class Decoder;
class AddedVocabulary;
struct AddedToken;
class FastPath;

enum class SentencePieceFlavor {
  kPlain,       // ids are the .model's piece ids; no special tokens added (spm_encode behaviour)
  kXlmRoberta,  // fairseq ids (<s>=0 <pad>=1 </s>=2 <unk>=3, piece i -> i+1, <mask> last), <s> A </s>
};

struct EncodeOptions {
  bool add_special_tokens = true;
  // 0: use the tokenizer's own truncation (tokenizer.json "truncation" section, none if null).
  // > 0: truncate to this many tokens (specials included) with `stride` and `strategy`.
  size_t max_length = 0;
  size_t stride = 0;
  TruncationStrategy strategy = TruncationStrategy::kLongestFirst;
  TruncationDirection direction = TruncationDirection::kRight;
};

// Longest padded sequence a tokenizer.json padding section or an encodeBatch padToLength may ask
// for: every encode allocates the padded length, so absurd sizes from hostile files or callers
// are refused instead of exhausting memory (real models use at most a few thousand positions).
constexpr size_t kMaxPaddedLength = size_t{1} << 20;

struct PaddingParams {
  int32_t pad_id = 0;
  int32_t pad_type_id = 0;
  std::string pad_token = "[PAD]";
  PaddingDirection direction = PaddingDirection::kRight;
  size_t fixed_length = 0;        // 0: pad to the batch's longest ("BatchLongest")
  size_t pad_to_multiple_of = 0;  // 0: none
};

class Tokenizer {
 public:
  // Parses a HF tokenizer.json. Throws wasmbed::Error: kParse ("tokenizer.json: invalid JSON at
  // byte N", missing/ill-typed fields) or kUnsupported ("tokenizer.json: model type 'X' is not
  // supported", same for normalizer/pre_tokenizer/post_processor/decoder types).
  static std::unique_ptr<Tokenizer> from_json(std::string_view tokenizer_json);
  // The same from a tokenizer.json of `size` bytes read in chunks of at most chunk_size bytes
  // from `source` (json_chunk_stream.h): the whole file is never in memory, only one chunk (what
  // the WASM binding uses).
  static std::unique_ptr<Tokenizer> from_json_chunks(size_t size, size_t chunk_size, const JsonChunkSource& source);
  // Parses a SentencePiece ModelProto (.model bytes): unigram or BPE. Throws kParse / kUnsupported.
  // done_with_input (optional) is called once the input bytes are no longer read, before the
  // vocabulary trie is built: a caller that can free them then keeps them and the trie out of
  // the heap at the same time (the WASM binding does; it halves a .model's peak).
  static std::unique_ptr<Tokenizer> from_sentencepiece(std::string_view model_bytes, SentencePieceFlavor flavor,
                                                       const std::function<void()>& done_with_input = {});

  Tokenizer();
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // `text` may be any bytes: invalid UTF-8 sequences are tokenized as U+FFFD (like TextDecoder /
  // from_utf8_lossy, one U+FFFD per maximal invalid subpart) and offsets still index `text`'s
  // bytes (a U+FFFD token covers the invalid bytes it replaced).
  Encoding encode(std::string_view text, const EncodeOptions& opts = {}) const;
  Encoding encode_pair(std::string_view a, std::string_view b, const EncodeOptions& opts = {}) const;

  // Ids no token has are skipped (as HF does). skip_special_tokens drops special added tokens.
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const;

  int32_t token_to_id(std::string_view token) const;  // -1 if absent (added tokens included)
  std::string id_to_token(int32_t id) const;          // "" if absent
  size_t vocab_size() const;                          // model vocab + added tokens (HF get_vocab_size(true))

  // Padding used by batch encoders: the tokenizer.json "padding" section when present; otherwise
  // the id of the first of [PAD] / <pad> / <|padding|> present in the vocabulary, else 0.
  int32_t pad_id() const;
  std::string pad_token() const;
  int32_t pad_type_id() const;
  const std::optional<PaddingParams>& padding() const { return padding_; }
  // The tokenizer.json "truncation" section (nullopt when null / absent).
  const std::optional<TruncationParams>& truncation() const { return truncation_; }
  size_t model_max_length() const { return truncation_ ? truncation_->max_length : 0; }
  // How many special tokens the post-processor adds to a single / pair input.
  size_t num_special_tokens_to_add(bool is_pair) const;

  // Pipeline parts, replaceable (used by loaders and tests).
  void set_model(std::unique_ptr<Model> model);
  void set_normalizer(std::unique_ptr<Normalizer> normalizer);
  void set_pre_tokenizer(std::unique_ptr<PreTokenizer> pre_tokenizer);
  void set_post_processor(std::unique_ptr<PostProcessor> post_processor);
  void set_decoder(std::unique_ptr<Decoder> decoder);
  void set_truncation(std::optional<TruncationParams> params) { truncation_ = params; }
  void set_padding(std::optional<PaddingParams> params) { padding_ = std::move(params); }
  // HF add_tokens (special or not, per token); call after the model and normalizer are set.
  size_t add_tokens(const std::vector<AddedToken>& tokens);
  const AddedVocabulary& added_vocabulary() const { return *added_; }
  const Model& model() const {
    require_model();
    return *model_;
  }
  // Whether encode() may use a fused fast path (see fast/fast_path.h) when the pipeline has one;
  // on by default. Off: always the general pipeline (tests compare the two).
  void set_fast_path_enabled(bool enabled);
  bool has_fast_path() const { return fast_ != nullptr; }

 private:
  void require_model() const;  // throws kInternal when no model was set
  // One sequence through added tokens, normalizer, pre-tokenizer and model.
  Encoding encode_sequence(std::string_view text, int32_t type_id) const;
  Encoding finish(Encoding first, Encoding* second, const EncodeOptions& opts) const;
  // Rebuilds fast_ after a pipeline part changed.
  void refresh_fast_path();

  std::unique_ptr<Model> model_;
  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<PostProcessor> post_processor_;
  std::unique_ptr<Decoder> decoder_;
  std::unique_ptr<AddedVocabulary> added_;
  std::optional<TruncationParams> truncation_;
  std::optional<PaddingParams> padding_;
  std::unique_ptr<FastPath> fast_;  // the fused pipeline for common part combinations, if any
  bool fast_enabled_ = true;
};

}  // namespace wasmbed::tok
