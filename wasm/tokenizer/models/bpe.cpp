#include "tokenizer/models/bpe.h"

#include <queue>

#include "common/error.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

namespace {

struct Symbol {
  int32_t id;
  int64_t prev, next;
  size_t len;  // 0 = merged away
};

struct Candidate {
  uint32_t rank;
  size_t pos;
  int32_t new_id;
  // std::priority_queue is a max-heap: invert so the lowest rank, then the leftmost, pops first.
  bool operator<(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
};

}  // namespace

BPE::BPE(Vocab vocab, const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options)
    : vocab_(std::move(vocab)), options_(std::move(options)) {
  const size_t prefix_len = options_.continuing_subword_prefix ? options_.continuing_subword_prefix->size() : 0;
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [a, b] = merges[rank];
    const int32_t ia = vocab_.find(a), ib = vocab_.find(b);
    if (ia < 0) fail(ErrorCode::kParse, "BPE: merge token '" + a + "' is not in the vocabulary");
    if (ib < 0) fail(ErrorCode::kParse, "BPE: merge token '" + b + "' is not in the vocabulary");
    // With a continuing_subword_prefix the right part's prefix is dropped in the merged token.
    // HF drops the first prefix_len bytes of the right part unconditionally.
    if (b.size() < prefix_len)
      fail(ErrorCode::kParse, "BPE: merge part '" + b + "' is shorter than the continuing_subword_prefix");
    std::string merged = a;
    merged.append(b, prefix_len, std::string::npos);
    const int32_t inew = vocab_.find(merged);
    if (inew < 0) fail(ErrorCode::kParse, "BPE: merged token '" + merged + "' is not in the vocabulary");
    merges_[key(ia, ib)] = MergeValue{static_cast<uint32_t>(rank), inew};
  }
  for (int b = 0; b < 256; ++b) byte_ids_[b] = vocab_.find(unicode::byte_fallback_piece(static_cast<unsigned char>(b)));
}

std::string BPE::id_to_token(int32_t id, bool& found) const {
  const std::string* t = vocab_.token(id);
  found = t != nullptr;
  return t ? *t : std::string();
}

void BPE::merge_word(std::string_view w, std::vector<std::pair<int32_t, size_t>>& out) const {
  std::vector<Symbol> symbols;
  symbols.reserve(w.size());
  auto add = [&](int32_t id, size_t len) {
    const int64_t n = static_cast<int64_t>(symbols.size());
    if (n > 0) symbols.back().next = n;
    symbols.push_back(Symbol{id, n - 1, -1, len});
  };
  // Pending unknown run (id -1 = none); plain fields because GCC 12 mis-warns on optional<pair>.
  int32_t unk_pending = -1;
  size_t unk_len = 0;
  std::string s;
  for (size_t i = 0; i < w.size();) {
    const size_t len = unicode::char_len_at(w, i);
    const bool is_first = i == 0, is_last = i + len == w.size();
    s.clear();
    if (!is_first && options_.continuing_subword_prefix) s += *options_.continuing_subword_prefix;
    s.append(w.substr(i, len));
    if (is_last && options_.end_of_word_suffix) s += *options_.end_of_word_suffix;
    i += len;
    const int32_t id = vocab_.find(s);
    if (id >= 0) {
      if (unk_pending >= 0) {
        add(unk_pending, unk_len);
        unk_pending = -1;
      }
      add(id, len);
      continue;
    }
    if (options_.byte_fallback) {
      // HF maps every byte of the decorated symbol (prefix/suffix included) and adds each with
      // length 1; kept identical even though it makes offsets drift when a prefix is set.
      bool all = true;
      for (unsigned char b : s) all = all && byte_ids_[b] >= 0;
      if (all) {
        for (unsigned char b : s) add(byte_ids_[b], 1);
        continue;
      }
    }
    if (options_.unk_token) {
      const int32_t unk_id = vocab_.find(*options_.unk_token);
      if (unk_id < 0)
        fail(ErrorCode::kInvalidArgument, "BPE: the unk token '" + *options_.unk_token + "' is not in the vocabulary");
      if (unk_pending >= 0 && options_.fuse_unk) {
        unk_len += len;
      } else {
        if (unk_pending >= 0) add(unk_pending, unk_len);
        unk_pending = unk_id;
        unk_len = len;
      }
    }
    // No unk token: HF drops the char silently.
  }
  if (unk_pending >= 0) add(unk_pending, unk_len);

  std::priority_queue<Candidate> queue;
  for (size_t i = 0; i + 1 < symbols.size(); ++i)
    if (const MergeValue* m = find_merge(symbols[i].id, symbols[i + 1].id)) queue.push(Candidate{m->rank, i, m->new_id});
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    Symbol& cur = symbols[top.pos];
    if (cur.len == 0 || cur.next == -1) continue;
    const size_t next_pos = static_cast<size_t>(cur.next);
    const Symbol right = symbols[next_pos];
    // Skip entries made stale by an earlier merge of either symbol.
    const MergeValue* m = find_merge(cur.id, right.id);
    if (!m || m->new_id != top.new_id) continue;
    cur.id = top.new_id;
    cur.len += right.len;
    cur.next = right.next;
    symbols[next_pos].len = 0;
    if (right.next >= 0) symbols[static_cast<size_t>(right.next)].prev = static_cast<int64_t>(top.pos);
    if (cur.prev >= 0) {
      const Symbol& prev = symbols[static_cast<size_t>(cur.prev)];
      if (const MergeValue* pm = find_merge(prev.id, cur.id))
        queue.push(Candidate{pm->rank, static_cast<size_t>(cur.prev), pm->new_id});
    }
    if (cur.next >= 0) {
      const Symbol& nx = symbols[static_cast<size_t>(cur.next)];
      if (const MergeValue* nm = find_merge(cur.id, nx.id)) queue.push(Candidate{nm->rank, top.pos, nm->new_id});
    }
  }
  out.clear();
  for (const Symbol& sym : symbols)
    if (sym.len != 0) out.emplace_back(sym.id, sym.len);
}

std::vector<Token> BPE::tokenize(std::string_view piece) const {
  if (piece.empty()) return {};
  if (options_.ignore_merges) {
    const int32_t id = vocab_.find(piece);
    if (id >= 0) return {Token{id, std::string(piece), {0, piece.size()}}};
  }
  std::vector<std::pair<int32_t, size_t>> symbols;
  bool cached = false;
  if (piece.size() < kCacheMaxWordBytes) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(std::string(piece));
    if (it != cache_.end()) {
      symbols = it->second;
      cached = true;
    }
  }
  if (!cached) {
    merge_word(piece, symbols);
    if (piece.size() < kCacheMaxWordBytes) {
      std::lock_guard<std::mutex> lock(cache_mutex_);
      if (cache_.size() < kCacheCapacity) cache_.emplace(std::string(piece), symbols);
    }
  }
  std::vector<Token> out;
  out.reserve(symbols.size());
  size_t pos = 0;
  for (const auto& [id, len] : symbols) {
    bool found = false;
    out.push_back(Token{id, id_to_token(id, found), {pos, pos + len}});
    pos += len;
  }
  return out;
}

}  // namespace wasmbed::tok
