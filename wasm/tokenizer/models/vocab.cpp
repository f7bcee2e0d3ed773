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
      if (e.id < static_cast<int32_t>(by_id_.size()) && by_id_[e.id] == slots_[i].entry) by_id_[e.id] = -1;
      e.id = id;
      if (static_cast<size_t>(id) >= by_id_.size()) by_id_.resize(static_cast<size_t>(id) + 1, -1);
      by_id_[id] = slots_[i].entry;
      return;
    }
    i = (i + 1) & mask;
  }
  const int32_t entry = static_cast<int32_t>(entries_.size());
  entries_.push_back(Entry{std::string(token), id});
  slots_[i] = Slot{h, entry};
  ++count_;
  if (static_cast<size_t>(id) >= by_id_.size()) by_id_.resize(static_cast<size_t>(id) + 1, -1);
  by_id_[id] = entry;
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
  if (id < 0 || static_cast<size_t>(id) >= by_id_.size() || by_id_[id] < 0) return nullptr;
  return &entries_[by_id_[id]].token;
}

}  // namespace wasmbed::tok
