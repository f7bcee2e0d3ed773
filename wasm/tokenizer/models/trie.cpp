#include "tokenizer/models/trie.h"

#include <algorithm>
#include <utility>

#include "common/error.h"

namespace wasmbed::tok {

void ByteTrie::reserve(size_t keys, size_t key_bytes) {
  keys_.reserve(keys);
  key_bytes_.reserve(key_bytes);
}

void ByteTrie::insert(std::string_view key, int32_t value) {
  if (frozen_) fail(ErrorCode::kInternal, "ByteTrie::insert after freeze");
  if (key.empty()) return;  // the empty string never matches anything
  if (key_bytes_.size() + key.size() > UINT32_MAX) fail(ErrorCode::kCapacity, "ByteTrie: keys larger than 4 GiB in total");
  keys_.push_back(PendingKey{static_cast<uint32_t>(key_bytes_.size()), static_cast<uint32_t>(key.size()), value});
  key_bytes_.append(key);
}

void ByteTrie::freeze() {
  const auto key = [this](const PendingKey& k) { return std::string_view(key_bytes_).substr(k.offset, k.length); };
  // Sorted by key, equal keys in insertion order (so the last one's value is assigned last).
  // Each key is sorted under its first 8 bytes as a big-endian integer (zero padded): most
  // comparisons end there, without touching the key bytes.
  struct Sortable {
    uint64_t prefix;
    uint32_t index;
  };
  std::vector<Sortable> sorted(keys_.size());
  for (uint32_t i = 0; i < keys_.size(); ++i) {
    const std::string_view k = key(keys_[i]);
    uint64_t prefix = 0;
    for (size_t b = 0; b < 8; ++b) prefix = (prefix << 8) | (b < k.size() ? static_cast<uint8_t>(k[b]) : 0u);
    sorted[i] = Sortable{prefix, i};
  }
  std::sort(sorted.begin(), sorted.end(), [&](const Sortable& a, const Sortable& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    const int c = key(keys_[a.index]).compare(key(keys_[b.index]));
    return c != 0 ? c < 0 : a.index < b.index;
  });
  std::vector<uint32_t> order(keys_.size());
  for (size_t i = 0; i < sorted.size(); ++i) order[i] = sorted[i].index;
  std::vector<Sortable>().swap(sorted);

  // Nodes in DFS order. path[d] is the node of the previous key's first d bytes; a key shares
  // the nodes of its common prefix with the previous key and creates the rest.
  std::vector<uint32_t> parent{kNone};
  std::vector<uint8_t> label{0};
  values_.assign(1, -1);
  std::vector<uint32_t> path{0};
  std::string_view prev;
  for (uint32_t i : order) {
    const std::string_view k = key(keys_[i]);
    const size_t n = std::min(prev.size(), k.size());
    size_t common = 0;
    while (common < n && prev[common] == k[common]) ++common;
    path.resize(common + 1);
    for (size_t d = common; d < k.size(); ++d) {
      const uint32_t node = static_cast<uint32_t>(values_.size());
      values_.push_back(-1);
      parent.push_back(path[d]);
      label.push_back(static_cast<uint8_t>(k[d]));
      path.push_back(node);
    }
    values_[path[k.size()]] = keys_[i].value;
    prev = k;
  }

  // Children of a node, contiguous: counting sort of the nodes by parent. Within a parent the
  // nodes were created in label order, which the stable placement keeps.
  const size_t n = values_.size();
  first_.assign(n + 1, 0);
  for (size_t node = 1; node < n; ++node) ++first_[parent[node] + 1];
  for (size_t node = 0; node < n; ++node) first_[node + 1] += first_[node];
  labels_.assign(n - 1, 0);
  targets_.assign(n - 1, 0);
  {
    std::vector<uint32_t> at(first_.begin(), first_.end() - 1);
    for (size_t node = 1; node < n; ++node) {
      const uint32_t pos = at[parent[node]]++;
      labels_[pos] = label[node];
      targets_[pos] = static_cast<uint32_t>(node);
    }
  }
  std::fill(std::begin(root_), std::end(root_), kNone);
  for (uint32_t e = first_[0]; e < first_[1]; ++e) root_[labels_[e]] = targets_[e];
  dense_at_.assign(n, kNone);
  dense_.clear();
  for (size_t node = 1; node < n; ++node) {
    const uint32_t first = first_[node], count = first_[node + 1] - first;
    if (count <= kDenseFrom) continue;
    const uint32_t lo = labels_[first], span = labels_[first + count - 1] - lo + 1u;
    dense_at_[node] = static_cast<uint32_t>(dense_.size());
    dense_.push_back(lo);
    dense_.push_back(span);
    dense_.resize(dense_.size() + span, kNone);
    for (uint32_t k = 0; k < count; ++k) dense_[dense_at_[node] + 2 + (labels_[first + k] - lo)] = targets_[first + k];
  }
  std::string().swap(key_bytes_);
  std::vector<PendingKey>().swap(keys_);
  frozen_ = true;
}

int32_t ByteTrie::find(std::string_view key) const {
  if (key.empty()) return -1;
  uint32_t node = 0;
  for (unsigned char b : key) {
    node = child(node, b);
    if (node == kNone) return -1;
  }
  return values_[node];
}

}  // namespace wasmbed::tok
