// A token <-> id table with string_view lookups and no per-lookup allocation (open addressing
// over FNV-1a hashes). Ids may be sparse (tokenizer.json vocabularies can skip ids): HF keeps the
// vocabulary in a HashMap, so a file whose one id is 300,000,000 is legal there and loads here
// too. The id -> token side is therefore a second open-addressing table (memory proportional to
// the number of tokens), not an array indexed by id (which would allocate 1.2 GB for that file).
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

 private:
  struct Slot {
    uint32_t hash = 0;
    int32_t entry = -1;  // index into entries_
  };
  struct Entry {
    std::string token;
    int32_t id;
  };
  // id -> entry: a slot keeps its id once taken (entry -1 when no token has the id any more), so
  // the table needs no deletion.
  struct IdSlot {
    int32_t id = -1;  // -1: empty
    int32_t entry = -1;
  };
  static uint32_t hash(std::string_view s);
  static size_t id_hash(int32_t id) { return static_cast<uint32_t>(id) * 2654435761u; }
  void grow();
  void grow_ids();
  IdSlot& id_slot(int32_t id);  // the slot of id, taken if it was free (the table has room)

  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  std::vector<IdSlot> id_slots_;
  size_t ids_used_ = 0;
  size_t count_ = 0;
};

}  // namespace wasmbed::tok
