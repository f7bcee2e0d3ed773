// Fixed-width rows kept in equally sized blocks ("chunks") of contiguous memory.
//
// Why blocks instead of one std::vector: in wasm32 a doubling vector needs old + new capacity at
// the moment it grows (1.5 GB of vectors would need 3+ GB), and the heap can never shrink back.
// Blocks grow the heap a few MiB at a time, a row never moves when others are added, and a scan
// walks each block as one contiguous run.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace wasmbed::index {

class RowStore {
 public:
  RowStore() = default;
  RowStore(size_t row_bytes, size_t rows_per_block_log2);

  size_t row_bytes() const { return row_bytes_; }
  size_t size() const { return rows_; }
  size_t capacity() const { return blocks_.size() << shift_; }
  size_t rows_per_block() const { return size_t(1) << shift_; }
  size_t block_bytes() const { return row_bytes_ << shift_; }
  size_t allocated_bytes() const { return blocks_.size() * block_bytes(); }
  size_t block_count() const { return blocks_.size(); }

  uint8_t* row(size_t i) { return blocks_[i >> shift_].get() + (i & mask_) * row_bytes_; }
  const uint8_t* row(size_t i) const { return blocks_[i >> shift_].get() + (i & mask_) * row_bytes_; }
  // First row of block b and the number of live rows in it (for block-wise scans).
  const uint8_t* block(size_t b) const { return blocks_[b].get(); }
  size_t rows_in_block(size_t b) const {
    const size_t start = b << shift_;
    return rows_ > start ? std::min(rows_ - start, rows_per_block()) : 0;
  }

  // Allocates blocks until capacity >= rows (may throw std::bad_alloc).
  void reserve(size_t rows);
  // Appends an uninitialised row (capacity must already allow it) and returns it.
  uint8_t* push_back();
  void pop_back();
  // Releases blocks beyond what the live rows need, keeping one spare block to avoid thrashing.
  void shrink();

 private:
  size_t row_bytes_ = 0;
  size_t shift_ = 0;
  size_t mask_ = 0;
  size_t rows_ = 0;
  std::vector<std::unique_ptr<uint8_t[]>> blocks_;
};

}  // namespace wasmbed::index
