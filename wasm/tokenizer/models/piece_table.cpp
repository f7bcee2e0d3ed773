#include "tokenizer/models/piece_table.h"

#include "common/error.h"

namespace wasmbed::tok {

void PieceTable::reserve(size_t pieces, size_t bytes) {
  offsets_.reserve(pieces + 1);
  bytes_.reserve(bytes);
}

void PieceTable::push_back(std::string_view piece) {
  if (bytes_.size() + piece.size() > UINT32_MAX || size() >= INT32_MAX)
    fail(ErrorCode::kCapacity, "vocabulary larger than 4 GiB or 2^31 pieces");
  bytes_.append(piece);
  offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
}

}  // namespace wasmbed::tok
