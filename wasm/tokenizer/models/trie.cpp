#include "tokenizer/models/trie.h"

#include <algorithm>
#include <utility>

#include "common/error.h"

namespace wasmbed::tok {

void ByteTrie::insert(std::string_view key, int32_t value) {
  if (frozen_) fail(ErrorCode::kInternal, "ByteTrie::insert after freeze");
  if (key.empty()) return;  // the empty string never matches anything
  uint32_t node = 0;
  for (unsigned char b : key) {
    uint32_t e = build_head_[node];
    while (e != kNone && build_edges_[e].byte != b) e = build_edges_[e].next;
    if (e == kNone) {
      const uint32_t target = static_cast<uint32_t>(values_.size());
      values_.push_back(-1);
      build_head_.push_back(kNone);
      build_edges_.push_back(BuildEdge{b, target, build_head_[node]});
      build_head_[node] = static_cast<uint32_t>(build_edges_.size() - 1);
      node = target;
    } else {
      node = build_edges_[e].target;
    }
  }
  values_[node] = value;
}

void ByteTrie::freeze() {
  const size_t n = values_.size();
  first_.assign(n + 1, 0);
  labels_.clear();
  targets_.clear();
  labels_.reserve(build_edges_.size());
  targets_.reserve(build_edges_.size());
  std::fill(std::begin(root_), std::end(root_), kNone);
  std::vector<std::pair<uint8_t, uint32_t>> kids;
  for (size_t node = 0; node < n; ++node) {
    first_[node] = static_cast<uint32_t>(labels_.size());
    kids.clear();
    for (uint32_t e = build_head_[node]; e != kNone; e = build_edges_[e].next)
      kids.emplace_back(build_edges_[e].byte, build_edges_[e].target);
    std::sort(kids.begin(), kids.end());
    for (const auto& k : kids) {
      labels_.push_back(k.first);
      targets_.push_back(k.second);
      if (node == 0) root_[k.first] = k.second;
    }
  }
  first_[n] = static_cast<uint32_t>(labels_.size());
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
  build_head_.clear();
  build_head_.shrink_to_fit();
  build_edges_.clear();
  build_edges_.shrink_to_fit();
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
