#include "tokenizer/models/piece_table.h"

#include "common/error.h"

namespace wasmbed::tok {

uint32_t PieceTable::hash(std::string_view s) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

void PieceTable::reserve(size_t pieces, size_t bytes) {
  offsets_.reserve(pieces + 1);
  bytes_.reserve(bytes);
  size_t cap = 64;
  while (cap * 3 < (pieces + 1) * 4) cap *= 2;
  if (cap > slots_.size()) {
    slots_.assign(cap, -1);
    used_ = 0;
    for (size_t id = 0; id + 1 < offsets_.size(); ++id) {
      // Re-index what is already there (reserve after push_back).
      const std::string_view p = at(id);
      size_t i = hash(p) & (cap - 1);
      while (slots_[i] >= 0 && at(static_cast<size_t>(slots_[i])) != p) i = (i + 1) & (cap - 1);
      if (slots_[i] < 0) ++used_;
      slots_[i] = static_cast<int32_t>(id);
    }
  }
}

void PieceTable::push_back(std::string_view piece) {
  if (bytes_.size() + piece.size() > UINT32_MAX || size() >= INT32_MAX)
    fail(ErrorCode::kCapacity, "vocabulary larger than 4 GiB or 2^31 pieces");
  if ((used_ + 1) * 4 > slots_.size() * 3) reserve(size() * 2 + 1, bytes_.size());
  const int32_t id = static_cast<int32_t>(size());
  bytes_.append(piece);
  offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
  const size_t mask = slots_.size() - 1;
  size_t i = hash(piece) & mask;
  while (slots_[i] >= 0 && at(static_cast<size_t>(slots_[i])) != piece) i = (i + 1) & mask;
  if (slots_[i] < 0) ++used_;
  slots_[i] = id;
}

int32_t PieceTable::find(std::string_view piece) const {
  if (slots_.empty()) return -1;
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash(piece) & mask; slots_[i] >= 0; i = (i + 1) & mask)
    if (at(static_cast<size_t>(slots_[i])) == piece) return slots_[i];
  return -1;
}

}  // namespace wasmbed::tok
