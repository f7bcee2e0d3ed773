#include "tokenizer/models/vocab.h"

#include "common/error.h"

namespace wasmbed::tok {

uint32_t Vocab::hash(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

void Vocab::grow() {
  size_t cap = slots_.empty() ? 64 : slots_.size() * 2;
  std::vector<Slot> slots(cap);
  for (const Slot& s : slots_) {
    if (s.entry < 0) continue;
    size_t i = s.hash & (cap - 1);
    while (slots[i].entry >= 0) i = (i + 1) & (cap - 1);
    slots[i] = s;
  }
  slots_.swap(slots);
}

void Vocab::grow_ids() {
  const size_t cap = id_slots_.empty() ? 64 : id_slots_.size() * 2;
  std::vector<IdSlot> slots(cap);
  for (const IdSlot& s : id_slots_) {
    if (s.id < 0) continue;
    size_t i = id_hash(s.id) & (cap - 1);
    while (slots[i].id >= 0) i = (i + 1) & (cap - 1);
    slots[i] = s;
  }
  id_slots_.swap(slots);
}

Vocab::IdSlot& Vocab::id_slot(int32_t id) {
  if ((ids_used_ + 1) * 4 > id_slots_.size() * 3) grow_ids();
  const size_t mask = id_slots_.size() - 1;
  size_t i = id_hash(id) & mask;
  while (id_slots_[i].id >= 0 && id_slots_[i].id != id) i = (i + 1) & mask;
  if (id_slots_[i].id < 0) {
    id_slots_[i].id = id;
    ++ids_used_;
  }
  return id_slots_[i];
}

void Vocab::insert(std::string_view token, int32_t id) {
  if (id < 0) fail(ErrorCode::kInvalidArgument, "vocabulary id must be >= 0");
  if ((count_ + 1) * 4 > slots_.size() * 3) grow();
  const uint32_t h = hash(token);
  size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i].entry >= 0) {
    Entry& e = entries_[slots_[i].entry];
    if (slots_[i].hash == h && e.token == token) {
      // Overwrite: unlink the old id when it still points at this entry.
      const int32_t entry = slots_[i].entry;
      IdSlot& old = id_slot(e.id);
      if (old.entry == entry) old.entry = -1;
      e.id = id;
      id_slot(id).entry = entry;
      return;
    }
    i = (i + 1) & mask;
  }
  const int32_t entry = static_cast<int32_t>(entries_.size());
  entries_.push_back(Entry{std::string(token), id});
  slots_[i] = Slot{h, entry};
  ++count_;
  id_slot(id).entry = entry;
}

int32_t Vocab::find(std::string_view token) const {
  if (slots_.empty()) return -1;
  const uint32_t h = hash(token);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i].entry >= 0) {
    if (slots_[i].hash == h) {
      const Entry& e = entries_[slots_[i].entry];
      if (e.token == token) return e.id;
    }
    i = (i + 1) & mask;
  }
  return -1;
}

const std::string* Vocab::token(int32_t id) const {
  if (id < 0 || id_slots_.empty()) return nullptr;
  const size_t mask = id_slots_.size() - 1;
  for (size_t i = id_hash(id) & mask; id_slots_[i].id >= 0; i = (i + 1) & mask)
    if (id_slots_[i].id == id) return id_slots_[i].entry < 0 ? nullptr : &entries_[id_slots_[i].entry].token;
  return nullptr;
}

}  // namespace wasmbed::tok
