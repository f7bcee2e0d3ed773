// The result of tokenizing one input (or one pair of inputs), plus the truncation and padding
// operations HF tokenizers applies to it (tokenizers/src/tokenizer/encoding.rs, utils/truncation.rs,
// utils/padding.rs).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/token.h"

namespace wasmbed::tok {

enum class TruncationStrategy { kLongestFirst, kOnlyFirst, kOnlySecond };
enum class TruncationDirection { kRight, kLeft };
enum class PaddingDirection { kRight, kLeft };

// All vectors have the same length (one entry per token). Offsets are BYTE ranges into the
// original (UTF-8) input of the sequence the token came from; special tokens added by the
// post-processor have offsets {0, 0}.
struct Encoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;
  std::vector<std::string> tokens;
  std::vector<Range> offsets;
  std::vector<int32_t> special_tokens_mask;  // 1 for tokens added by the post-processor / special added tokens
  std::vector<int32_t> attention_mask;       // 0 for padding
  std::vector<int32_t> word_ids;             // index of the pre-tokenizer word, -1 for none (specials, padding)
  std::vector<int32_t> sequence_ids;         // 0 / 1 for the first / second input, -1 for specials and padding
  // Windows cut off by truncation (each with max_length tokens, overlapping by `stride`), in order.
  std::vector<Encoding> overflowing;

  size_t size() const { return ids.size(); }
  bool empty() const { return ids.empty(); }

  // Builds an encoding from model tokens (word index per token, -1 if unknown) for one sequence.
  static Encoding from_tokens(const std::vector<Token>& tokens, int32_t type_id, const std::vector<int32_t>& word_ids);

  // HF Encoding::merge_with(other, growing_offsets = false): appends `other`; the overflowing
  // windows become every combination (ours x other, ours x other's windows, us x other's windows).
  void merge_with(const Encoding& other);
  // Same; takes `other`'s token strings instead of copying them when neither has overflowing windows.
  void merge_with(Encoding&& other);
  // Reserves room for `n` tokens in every per-token field.
  void reserve(size_t n);
  // All fields except overflowing take `n` entries from `src` starting at `start`.
  static Encoding slice(const Encoding& src, size_t start, size_t stop);
  // Sets every sequence id (HF set_sequence_id), this level only.
  void set_sequence_id(int32_t id);

  // Keeps at most `max_length` tokens; the cut-off part becomes overflowing windows that each
  // repeat the last `stride` tokens of the previous window (HF Encoding::truncate). stride must
  // be < max_length. max_length == 0 empties the encoding (everything overflows, as in HF).
  void truncate(size_t max_length, size_t stride, TruncationDirection direction);

  // Pads to `target_length` tokens (no-op if already longer), also padding every overflowing one.
  void pad(size_t target_length, int32_t pad_id, int32_t pad_type_id, const std::string& pad_token,
           PaddingDirection direction);
};

struct TruncationParams {
  size_t max_length = 512;
  size_t stride = 0;
  TruncationStrategy strategy = TruncationStrategy::kLongestFirst;
  TruncationDirection direction = TruncationDirection::kRight;
};

// HF utils/truncation.rs truncate_encodings: truncates one encoding, or a pair so that the two
// together (plus `n_added_tokens` specials the post-processor will add) fit in params.max_length.
// Throws wasmbed::Error(kInvalidArgument) when the request cannot be satisfied (e.g. only_second
// without a pair, stride too large, or max_length smaller than the specials).
void truncate_encodings(Encoding& first, Encoding* second, const TruncationParams& params, size_t n_added_tokens);

}  // namespace wasmbed::tok
