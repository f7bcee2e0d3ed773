// Bounded top-k selection with a binary min-heap: O(n log k), and O(1) for the common case where a
// candidate does not beat the current k-th best. Ties are broken by the smaller key so results are
// deterministic (and comparable with a brute-force reference).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace wasmbed::index {

struct Scored {
  float score;
  uint32_t key;  // a slot or an id, depending on the caller
};

// a ranks before b: higher score, then smaller key.
inline bool ranks_before(const Scored& a, const Scored& b) {
  return a.score > b.score || (a.score == b.score && a.key < b.key);
}

class TopK {
 public:
  explicit TopK(size_t k) : k_(k) { heap_.reserve(k); }
  // The score a candidate must beat (or tie with a smaller key) to enter; -inf until full.
  bool full() const { return heap_.size() == k_; }
  float threshold() const { return heap_.front().score; }
  void push(float score, uint32_t key) {
    if (k_ == 0) return;
    const Scored s{score, key};
    // Heap ordered so that front() is the worst kept candidate.
    if (heap_.size() < k_) {
      heap_.push_back(s);
      std::push_heap(heap_.begin(), heap_.end(), ranks_before);
    } else if (ranks_before(s, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), ranks_before);
      heap_.back() = s;
      std::push_heap(heap_.begin(), heap_.end(), ranks_before);
    }
  }
  // Best first.
  std::vector<Scored> take() {
    std::sort(heap_.begin(), heap_.end(), ranks_before);
    return std::move(heap_);
  }

 private:
  size_t k_;
  std::vector<Scored> heap_;
};

}  // namespace wasmbed::index
