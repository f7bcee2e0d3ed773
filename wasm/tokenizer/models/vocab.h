// A token <-> id table with string_view lookups and no per-lookup allocation (open addressing
// over FNV-1a hashes). Ids may be sparse (tokenizer.json vocabularies can skip ids).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wasmbed::tok {

class Vocab {
 public:
  // Adds or overwrites `token` -> `id` (a later duplicate token wins, like inserting into HF's
  // HashMap). Ids must be >= 0.
  void insert(std::string_view token, int32_t id);
  // -1 when absent.
  int32_t find(std::string_view token) const;
  // nullptr when no token has this id (when several do, the last inserted one).
  const std::string* token(int32_t id) const;
  // Calls fn(token, id) for every distinct token, in insertion order.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const Entry& e : entries_) fn(e.token, e.id);
  }
  // Number of distinct tokens.
  size_t size() const { return count_; }
  // One past the largest id.
  size_t id_end() const { return by_id_.size(); }

 private:
  struct Slot {
    uint32_t hash = 0;
    int32_t entry = -1;  // index into entries_
  };
  struct Entry {
    std::string token;
    int32_t id;
  };
  static uint32_t hash(std::string_view s);
  void grow();

  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  std::vector<int32_t> by_id_;  // id -> entry index, -1 if none
  size_t count_ = 0;
};

}  // namespace wasmbed::tok
