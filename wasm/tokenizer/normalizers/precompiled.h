// SentencePiece's precompiled_charsmap normalizer: a darts-clone double-array trie over UTF-8
// byte sequences whose values index a blob of NUL-terminated replacement strings.
//   blob layout (sentencepiece normalizer.cc DecodePrecompiledCharsMap):
//     uint32 little-endian trie_size (bytes) | trie units (uint32 each) | normalized strings
// Precompiled::normalize follows HF tokenizers (normalizers/precompiled.rs + spm_precompiled):
// per extended grapheme cluster (< 6 bytes) try the whole cluster, else each char.
// normalize_prefix() is sentencepiece Normalizer::NormalizePrefix (longest match, invalid UTF-8
// byte -> U+FFFD consuming one byte) for callers reproducing spm_encode directly.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/normalizers/normalizer.h"

namespace wasmbed::tok {

class Precompiled : public Normalizer {
 public:
  // From the raw charsmap bytes (ModelProto.normalizer_spec.precompiled_charsmap).
  // Throws kParse when the blob is truncated or inconsistent. Empty bytes = identity.
  static std::unique_ptr<Precompiled> from_bytes(std::string_view charsmap);
  // From tokenizer.json's base64 "precompiled_charsmap" string.
  static std::unique_ptr<Precompiled> from_base64(std::string_view b64);

  void normalize(NormalizedString& s) const override;

  // spm_precompiled Precompiled::transform: replacement for `chunk` when the trie has an entry
  // that is a prefix of it (the FIRST, i.e. shortest, common-prefix result, as HF does).
  std::optional<std::string_view> transform(std::string_view chunk) const;

  // sentencepiece NormalizePrefix: normalizes the longest matching prefix of `input`; returns
  // {replacement, consumed bytes}. Unmatched valid char -> itself; invalid byte -> U+FFFD, 1 byte.
  std::pair<std::string, size_t> normalize_prefix(std::string_view input) const;

  // What normalize() may do to the char `ch` (its UTF-8 bytes), for callers that skip it when
  // it would do nothing: kNever: no key of the charsmap starts with the char, so neither a
  // grapheme starting with it nor the char itself has a replacement; kInCluster: only keys
  // longer than the char start with it, so it is unchanged when it is a grapheme of its own;
  // kMay: the char itself (or a prefix of it) is a key.
  enum class Effect { kNever, kInCluster, kMay };
  Effect char_effect(std::string_view ch) const;

 private:
  Precompiled() = default;
  // Darts-clone DoubleArray::commonPrefixSearch: values of all trie keys that prefix `key`,
  // shortest first, at most `max` stored; returns how many exist. `lengths` (optional) receives
  // their byte lengths. `stop_at_nul`: end the key at a NUL byte (spm_precompiled does).
  size_t common_prefix_search(std::string_view key, uint32_t* values, size_t* lengths, size_t max,
                              bool stop_at_nul) const;
  // The NUL-terminated replacement starting at `index` in the normalized blob.
  std::string_view entry(uint32_t index) const;

  std::vector<uint32_t> trie_;
  std::string normalized_;
};

}  // namespace wasmbed::tok
