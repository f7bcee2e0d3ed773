// PreTokenizedString: the input cut into pieces ("splits") by the pre-tokenizers, each a
// NormalizedString that may already carry the model's tokens — HF tokenizer/pre_tokenizer.rs.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/normalized_string.h"
#include "tokenizer/token.h"

namespace wasmbed::tok {

struct Split {
  NormalizedString normalized;
  // Set once a model (or the added vocabulary) has tokenized this piece; such splits are never
  // split again. Token offsets are byte offsets relative to `normalized.get()`.
  std::optional<std::vector<Token>> tokens;
};

class PreTokenizedString {
 public:
  PreTokenizedString() = default;
  // Any bytes (invalid UTF-8 -> U+FFFD, see NormalizedString). Like HF, the single initial split
  // is kept even when empty; split() drops empty pieces, so HF's added-vocabulary split (which
  // runs split() first) leaves an empty input with no splits and no tokens.
  explicit PreTokenizedString(std::string_view text);
  explicit PreTokenizedString(NormalizedString normalized);

  // Replaces every split WITHOUT tokens by the pieces `fn(index, split)` returns (empty pieces
  // are dropped); splits that already have tokens are kept untouched. `index` is the position
  // of the split in the current list (HF PreTokenizedString::split).
  void split(const std::function<std::vector<NormalizedString>(size_t index, NormalizedString&& piece)>& fn);
  // Applies `fn` to each split without tokens (HF normalize; used after added-token extraction).
  void normalize(const std::function<void(NormalizedString&)>& fn);
  // Calls `fn` on each split without tokens and stores the tokens it returns (HF tokenize).
  void tokenize(const std::function<std::vector<Token>(const NormalizedString&)>& fn);

  // All tokens in order with offsets mapped to the ORIGINAL input's byte offsets. Every split
  // must be tokenized (throws kInternal otherwise). When `word_ids` is given, it receives for
  // each token the index of the split it came from (HF into_encoding with word_idx = None).
  std::vector<Token> into_tokens(std::vector<uint32_t>* word_ids = nullptr) const;

  // Each split's normalized text with its offsets: original (absolute input bytes) when
  // `original_offsets`, else cumulative normalized bytes (HF get_splits(Original|Normalized)).
  std::vector<std::pair<std::string, Range>> get_splits(bool original_offsets = true) const;

  const std::vector<Split>& splits() const { return splits_; }
  std::vector<Split>& splits() { return splits_; }

 private:
  std::vector<Split> splits_;
};

}  // namespace wasmbed::tok
