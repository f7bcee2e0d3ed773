// Byte trie over a set of keys (vocabulary pieces, added tokens), used for common-prefix search:
// from a start position it yields every key that is a prefix of the remaining text, shortest
// first, in O(longest key) steps. Compact layout: children of a node are contiguous and sorted.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wasmbed::tok {

class ByteTrie {
 public:
  ByteTrie() {
    for (uint32_t& r : root_) r = kNone;
  }
  // Adds a key with its value (>= 0). Adding the same key twice keeps the last value.
  // Call freeze() once after the last insert and before any search. reserve() is optional.
  void reserve(size_t keys, size_t key_bytes);
  void insert(std::string_view key, int32_t value);
  void freeze();

  // Calls fn(length, value) for every key that is a prefix of text[start..], shortest first.
  // Stops early when fn returns false.
  template <typename Fn>
  void common_prefixes(std::string_view text, size_t start, Fn&& fn) const {
    uint32_t node = 0;
    for (size_t i = start; i < text.size(); ++i) {
      node = child(node, static_cast<uint8_t>(text[i]));
      if (node == kNone) return;
      if (values_[node] >= 0 && !fn(i + 1 - start, values_[node])) return;
    }
  }

  // Value of the exact key, -1 if absent.
  int32_t find(std::string_view key) const;
  bool empty() const { return values_.size() <= 1; }

 private:
  static constexpr uint32_t kNone = 0xFFFFFFFFu;
  static constexpr uint32_t kDenseFrom = 8;  // nodes with more children get a direct table
  uint32_t child(uint32_t node, uint8_t byte) const {
    if (node == 0) return root_[byte];
    const uint32_t first = first_[node], n = first_[node + 1] - first;
    const uint8_t* labels = labels_.data() + first;
    if (n <= kDenseFrom) {
      for (uint32_t k = 0; k < n; ++k)
        if (labels[k] == byte) return targets_[first + k];
      return kNone;
    }
    // Many children (e.g. the second byte of Hangul / CJK chars): a direct table over the
    // labels' range, dense_[at] = lowest label, dense_[at + 1] = range size, then the targets.
    const uint32_t at = dense_at_[node];
    const uint32_t k = static_cast<uint32_t>(byte) - dense_[at];
    return k < dense_[at + 1] ? dense_[at + 2 + k] : kNone;
  }

  // Build-time representation: the keys, copied into one arena, built in freeze(). Building from
  // the SORTED keys creates every node once, in DFS order, with each node's children in label
  // order, so no child list is ever searched: inserting 250k pieces one by one into linked child
  // lists (the former build) spent seconds walking the wide nodes of CJK / Hangul lead bytes.
  struct PendingKey {
    uint32_t offset, length;
    int32_t value;
  };
  std::string key_bytes_;
  std::vector<PendingKey> keys_;

  // Frozen representation.
  std::vector<int32_t> values_{-1};
  std::vector<uint32_t> first_;  // size nodes + 1: edges of node n are [first_[n], first_[n+1])
  std::vector<uint8_t> labels_;
  std::vector<uint32_t> targets_;
  std::vector<uint32_t> dense_at_;  // per node: offset of its table in dense_ (nodes with > kDenseFrom children)
  std::vector<uint32_t> dense_;
  uint32_t root_[256];
  bool frozen_ = false;
};

}  // namespace wasmbed::tok
