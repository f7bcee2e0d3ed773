#include "index/row_store.h"

namespace wasmbed::index {

RowStore::RowStore(size_t row_bytes, size_t rows_per_block_log2)
    : row_bytes_(row_bytes), shift_(rows_per_block_log2), mask_((size_t(1) << rows_per_block_log2) - 1) {}

void RowStore::reserve(size_t rows) {
  while (capacity() < rows) blocks_.emplace_back(new uint8_t[block_bytes()]);
}

uint8_t* RowStore::push_back() {
  uint8_t* r = row(rows_);
  ++rows_;
  return r;
}

void RowStore::pop_back() { --rows_; }

void RowStore::shrink() {
  const size_t needed = (rows_ + rows_per_block() - 1) >> shift_;
  while (blocks_.size() > needed + 1) blocks_.pop_back();
}

}  // namespace wasmbed::index
