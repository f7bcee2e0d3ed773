// A double-array trie over the pieces of a Unigram vocabulary (the structure SentencePiece uses,
// darts-clone's unit format: 4 bytes per node, child = base XOR label, a key's value in a leaf
// unit under the '\0' label), built straight from the sorted pieces.
//
// Why not darts-clone's own builder: with values it first builds a DAWG (suffix sharing), which for
// 250k XLM-R pieces cost ~260 ms natively, more than the whole load budget; its keyset builder is
// private, recursive (a long piece would overflow the 1 MiB wasm stack) and grows its arrays by
// doubling plus a final copy (peak 3x the array). This builder follows darts-clone's keyset
// algorithm (DoubleArrayBuilder::build_from_keyset / arrange_from_keyset / fix_block, the same
// 16-block window of unfixed units), iterative, writing into one array sized from the node count,
// but finds offsets in bitsets and gives up on blocks that keep failing (see the .cpp), so its
// array differs from darts-clone's (~0.3% more units) and reads the same: tests/cpp compare every
// answer with Darts::DoubleArray built by darts-clone from the same keys, and darts-clone reads
// our array.
//
// A piece with a '\0' byte cannot be a double-array key ('\0' marks the leaf); a vocabulary with one
// (or with an absurd piece of 16 MiB or more) uses the ByteTrie instead (PieceTrie below), so every
// piece stays matchable.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "tokenizer/models/piece_table.h"
#include "tokenizer/models/trie.h"

namespace wasmbed::tok {

class DoubleArrayTrie {
 public:
  // Builds over every piece, value = its id; a repeated piece maps to its LAST id (as inserting
  // into HF's HashMap does). Returns false (and stays empty) when a piece holds a '\0' byte or is
  // 16 MiB long or longer.
  bool build(const PieceTable& pieces);

  // Calls fn(length, value) for every key that is a prefix of text[start..], shortest first.
  // Stops early when fn returns false.
  template <typename Fn>
  void common_prefixes(std::string_view text, size_t start, Fn&& fn) const {
    if (units_.empty()) return;
    const uint32_t* units = units_.data();
    uint32_t pos = offset(units[0]);
    for (size_t i = start; i < text.size(); ++i) {
      const uint8_t c = static_cast<uint8_t>(text[i]);
      pos ^= c;
      const uint32_t unit = units[pos];
      if (label(unit) != c) return;
      pos ^= offset(unit);
      if (has_leaf(unit) && !fn(i + 1 - start, static_cast<int32_t>(units[pos] & 0x7FFFFFFFu))) return;
    }
  }
  // Value of the exact key, -1 if absent.
  int32_t find(std::string_view key) const;

  const std::vector<uint32_t>& units() const { return units_; }
  size_t bytes() const { return units_.size() * sizeof(uint32_t); }

 private:
  // darts-clone DoubleArrayUnit: bit 31 leaf (value in bits 0..30); else label in bits 0..7 (bit 31
  // clear), has_leaf in bit 8, offset in bits 10..31, shifted left by 8 when bit 9 is set.
  static uint32_t label(uint32_t unit) { return unit & ((1u << 31) | 0xFFu); }
  static bool has_leaf(uint32_t unit) { return (unit >> 8) & 1u; }
  static uint32_t offset(uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }

  std::vector<uint32_t> units_;
};

// The vocabulary trie of a Unigram model: a DoubleArrayTrie, or a ByteTrie when a piece has a '\0'.
class PieceTrie {
 public:
  void build(const PieceTable& pieces);

  template <typename Fn>
  void common_prefixes(std::string_view text, size_t start, Fn&& fn) const {
    if (bytes_) bytes_->common_prefixes(text, start, fn);
    else da_.common_prefixes(text, start, fn);
  }
  int32_t find(std::string_view key) const {
    if (!bytes_) return da_.find(key);
    return key.empty() ? empty_id_ : bytes_->find(key);  // ByteTrie keeps no empty key
  }

 private:
  DoubleArrayTrie da_;
  std::unique_ptr<ByteTrie> bytes_;
  int32_t empty_id_ = -1;
};

}  // namespace wasmbed::tok
