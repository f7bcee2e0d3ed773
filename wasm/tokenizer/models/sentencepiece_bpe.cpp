#include "tokenizer/models/sentencepiece_bpe.h"

#include <queue>
#include <unordered_map>

#include "common/error.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

SentencePieceBpe::SentencePieceBpe(std::vector<UnigramPiece> pieces, int32_t unk_id, bool byte_fallback)
    : pieces_(std::move(pieces)), unk_id_(unk_id), byte_fallback_(byte_fallback) {
  if (unk_id_ < 0 || static_cast<size_t>(unk_id_) >= pieces_.size())
    fail(ErrorCode::kParse, "sentencepiece model: unk_id is outside the vocabulary");
  for (size_t i = 0; i < pieces_.size(); ++i) {
    const UnigramPiece& p = pieces_[i];
    const int32_t id = static_cast<int32_t>(i);
    const bool normal = p.type == PieceType::kNormal || p.type == PieceType::kUserDefined || p.type == PieceType::kUnused;
    Vocab& v = normal ? normal_ : reserved_;
    if (v.find(p.piece) >= 0) fail(ErrorCode::kParse, "sentencepiece model: piece '" + p.piece + "' is defined twice");
    v.insert(p.piece, id);
    all_.insert(p.piece, id);
    if (p.type == PieceType::kUserDefined) user_defined_.insert(p.piece, id);
  }
  user_defined_.freeze();
  for (int b = 0; b < 256; ++b) byte_ids_[b] = all_.find(unicode::byte_fallback_piece(static_cast<unsigned char>(b)));
}

std::string SentencePieceBpe::id_to_token(int32_t id, bool& found) const {
  found = id >= 0 && static_cast<size_t>(id) < pieces_.size();
  return found ? pieces_[id].piece : std::string();
}

int32_t SentencePieceBpe::piece_to_id(std::string_view piece) const {
  int32_t id = normal_.find(piece);
  if (id >= 0) return id;
  id = reserved_.find(piece);
  return id >= 0 ? id : unk_id_;
}

std::vector<Token> SentencePieceBpe::tokenize(std::string_view text) const {
  if (text.empty()) return {};
  struct Symbol {
    int64_t prev, next;
    bool freeze;
    size_t start, len;  // len 0 = merged away
  };
  struct Pair {
    int64_t left, right;
    float score;
    size_t size;
  };
  struct Worse {
    bool operator()(const Pair& a, const Pair& b) const {
      return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
  };
  std::vector<Symbol> symbols;
  symbols.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    size_t len = 0;
    user_defined_.common_prefixes(text, pos, [&](size_t l, int32_t) {
      len = l;
      return true;
    });
    const bool freeze = len > 0;
    if (!freeze) len = unicode::char_len_at(text, pos);
    const int64_t index = static_cast<int64_t>(symbols.size());
    symbols.push_back(Symbol{index - 1, pos + len < text.size() ? index + 1 : -1, freeze, pos, len});
    pos += len;
  }
  std::priority_queue<Pair, std::vector<Pair>, Worse> agenda;
  std::unordered_map<std::string, size_t> rev_merge;
  auto maybe_add = [&](int64_t left, int64_t right) {
    if (left < 0 || right < 0 || symbols[left].freeze || symbols[right].freeze) return;
    const size_t size = symbols[left].len + symbols[right].len;
    const int32_t id = normal_.find(text.substr(symbols[left].start, size));
    if (id < 0) return;
    agenda.push(Pair{left, right, static_cast<float>(pieces_[id].score), size});
    // UNUSED pieces are re-split into the halves that formed them (SentencePiece rev_merge;
    // a later candidate for the same piece overwrites, as there).
    if (pieces_[id].type == PieceType::kUnused) rev_merge[std::string(text.substr(symbols[left].start, size))] = symbols[left].len;
  };
  for (size_t i = 1; i < symbols.size(); ++i) maybe_add(static_cast<int64_t>(i - 1), static_cast<int64_t>(i));
  while (!agenda.empty()) {
    const Pair top = agenda.top();
    agenda.pop();
    Symbol& l = symbols[top.left];
    Symbol& r = symbols[top.right];
    if (l.len == 0 || r.len == 0 || l.len + r.len != top.size) continue;
    l.len += r.len;
    l.next = r.next;
    if (r.next >= 0) symbols[r.next].prev = top.left;
    r.len = 0;
    maybe_add(l.prev, top.left);
    maybe_add(top.left, l.next);
  }
  std::vector<Token> raw;
  for (int64_t i = 0; i >= 0; i = symbols[i].next) resegment(text, symbols[i].start, symbols[i].len, rev_merge, raw);
  // sentencepiece_processor.cc: unknown pieces -> bytes (byte_fallback) or fused into one unk.
  std::vector<Token> out;
  out.reserve(raw.size());
  bool prev_unk = false;
  for (Token& t : raw) {
    const bool is_unk = t.id == unk_id_;
    if (is_unk && byte_fallback_) {
      for (unsigned char b : t.value) out.push_back(Token{byte_ids_[b] >= 0 ? byte_ids_[b] : unk_id_, unicode::byte_fallback_piece(b), t.offsets});
    } else if (is_unk && prev_unk) {
      out.back().value += t.value;
      out.back().offsets.second = t.offsets.second;
    } else {
      out.push_back(std::move(t));
    }
    prev_unk = is_unk;
  }
  return out;
}

void SentencePieceBpe::resegment(std::string_view text, size_t start, size_t len,
                                 const std::unordered_map<std::string, size_t>& rev_merge, std::vector<Token>& out) const {
  const std::string_view w = text.substr(start, len);
  const int32_t id = piece_to_id(w);
  auto it = pieces_[id].type == PieceType::kUnused ? rev_merge.find(std::string(w)) : rev_merge.end();
  if (it == rev_merge.end() || it->second == 0 || it->second >= len) {
    out.push_back(Token{id, std::string(w), {start, start + len}});
    return;
  }
  resegment(text, start, it->second, rev_merge, out);
  resegment(text, start + it->second, len - it->second, rev_merge, out);
}

}  // namespace wasmbed::tok
