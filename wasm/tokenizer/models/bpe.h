// Byte-Pair Encoding (HF models/bpe): a word starts as one symbol per char (with
// continuing_subword_prefix / end_of_word_suffix, unknown chars -> byte fallback or unk, fused
// when fuse_unk), then the lowest-ranked adjacent pair is merged repeatedly through a priority
// queue: O(n log n) per word. Byte-level BPE (GPT-2 style) is this model behind the ByteLevel
// pre-tokenizer, which maps bytes to printable chars beforehand.
#pragma once
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tokenizer/models/model.h"
#include "tokenizer/models/vocab.h"

namespace wasmbed::tok {

struct BpeOptions {
  std::optional<std::string> unk_token;
  std::optional<std::string> continuing_subword_prefix;
  std::optional<std::string> end_of_word_suffix;
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;
};

class BPE : public Model {
 public:
  // `merges` in rank order; each pair's parts and their concatenation must be in the vocabulary
  // (throws kParse naming the merge otherwise, as HF does).
  BPE(Vocab vocab, const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options);

  std::vector<Token> tokenize(std::string_view piece) const override;
  int32_t token_to_id(std::string_view token) const override { return vocab_.find(token); }
  std::string id_to_token(int32_t id, bool& found) const override;
  size_t vocab_size() const override { return vocab_.size(); }
  const char* type() const override { return "BPE"; }

  const BpeOptions& options() const { return options_; }

 private:
  struct MergeValue {
    uint32_t rank;
    int32_t new_id;
  };
  static uint64_t key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  const MergeValue* find_merge(int32_t a, int32_t b) const {
    auto it = merges_.find(key(a, b));
    return it == merges_.end() ? nullptr : &it->second;
  }
  // Symbol ids and their byte lengths after all merges.
  void merge_word(std::string_view word, std::vector<std::pair<int32_t, size_t>>& symbols) const;

  Vocab vocab_;
  std::unordered_map<uint64_t, MergeValue> merges_;
  BpeOptions options_;
  int32_t byte_ids_[256];

  // Word -> merged symbols. HF keeps a 10k-entry cache too; it only saves time.
  static constexpr size_t kCacheCapacity = 10000;
  static constexpr size_t kCacheMaxWordBytes = 256;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<std::pair<int32_t, size_t>>> cache_;
};

}  // namespace wasmbed::tok
