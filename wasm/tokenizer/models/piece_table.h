// The pieces of a vocabulary whose ids are their positions (Unigram, SentencePiece): all strings in
// one arena plus a hash index from piece to id. A 250k-piece vocabulary costs its bytes plus ~12
// bytes a piece, instead of a std::string (and a second copy in a token -> id map) per piece,
// and builds without a small allocation per piece.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wasmbed::tok {

class PieceTable {
 public:
  void reserve(size_t pieces, size_t bytes);
  // Appends a piece with id size(). A repeated piece maps to its LAST id in find() (as inserting
  // into HF's HashMap does); at() still gives each id its own string.
  void push_back(std::string_view piece);
  // The id of `piece`, -1 when absent.
  int32_t find(std::string_view piece) const;
  std::string_view at(size_t id) const { return std::string_view(bytes_).substr(offsets_[id], offsets_[id + 1] - offsets_[id]); }
  size_t size() const { return offsets_.size() - 1; }
  bool empty() const { return size() == 0; }

 private:
  static uint32_t hash(std::string_view s);

  std::string bytes_;
  std::vector<uint32_t> offsets_{0};  // piece i is bytes_[offsets_[i], offsets_[i + 1])
  std::vector<int32_t> slots_;        // open addressing over ids, -1 empty
  size_t used_ = 0;
};

}  // namespace wasmbed::tok
