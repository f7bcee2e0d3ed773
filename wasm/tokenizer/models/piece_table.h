// The pieces of a vocabulary whose ids are their positions (Unigram, SentencePiece): all strings in
// one arena, piece i at [offsets[i], offsets[i + 1]). A 250k-piece vocabulary costs its bytes plus
// 4 bytes a piece, instead of a std::string per piece, and builds without a small allocation per
// piece. Lookup by string is the vocabulary trie's job (double_array_trie.h).
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
  // Appends a piece with id size().
  void push_back(std::string_view piece);
  std::string_view at(size_t id) const { return std::string_view(bytes_).substr(offsets_[id], offsets_[id + 1] - offsets_[id]); }
  size_t size() const { return offsets_.size() - 1; }
  bool empty() const { return size() == 0; }
  size_t byte_size() const { return bytes_.size(); }

 private:
  std::string bytes_;
  std::vector<uint32_t> offsets_{0};
};

}  // namespace wasmbed::tok
