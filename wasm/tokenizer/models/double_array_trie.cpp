#include "tokenizer/models/double_array_trie.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/error.h"

namespace wasmbed::tok {

namespace {

// One stable counting-sort pass on the byte of `prefix` at `shift`, its own function so V8 has it
// compiled with TurboFan after the first pass (see Builder::build).
__attribute__((noinline)) void radix_pass(const uint64_t* prefix, const uint32_t* ids, size_t n, unsigned shift, size_t* count,
                                          uint64_t* prefix_to, uint32_t* ids_to) {
  size_t at = 0;
  for (size_t d = 0; d < 256; ++d) at += std::exchange(count[d], at);
  for (size_t i = 0; i < n; ++i) {
    const size_t to = count[prefix[i] >> shift & 0xFF]++;
    prefix_to[to] = prefix[i];
    ids_to[to] = ids[i];
  }
}

// The ids of the pieces sorted by piece bytes (unsigned), a repeated piece kept once with its last
// id. Each piece sorts under its first 8 bytes as a big-endian integer (zero padded; a piece has no
// '\0'), by an LSD radix sort (stable, so equal prefixes stay in id order); only runs of equal
// prefixes are then compared in the arena. std::sort with a comparator took 3x as long.
__attribute__((noinline)) std::vector<uint32_t> sorted_unique_ids(const PieceTable& pieces) {
  const size_t n = pieces.size();
  // The result first, the scratch after it: freed together, the scratch leaves one hole at the
  // top of the heap that the trie's arrays then fill (the wasm heap's high-water mark is what a
  // page pays; a hole below a kept array would stay unused).
  std::vector<uint32_t> ids(n);
  std::vector<uint64_t> prefix_a(n), prefix_b(n);
  std::vector<uint32_t> ids_b(n);
  uint64_t* prefix = prefix_a.data();
  uint64_t* prefix_to = prefix_b.data();
  uint32_t* id_at = ids.data();
  uint32_t* id_to = ids_b.data();
  size_t counts[8][256] = {};
  for (uint32_t id = 0; id < n; ++id) {
    const std::string_view k = pieces.at(id);
    uint64_t p = 0;
    for (size_t b = 0; b < 8; ++b) p = (p << 8) | (b < k.size() ? static_cast<uint8_t>(k[b]) : 0u);
    prefix[id] = p;
    id_at[id] = id;
    for (size_t b = 0; b < 8; ++b) ++counts[b][p >> (8 * b) & 0xFF];
  }
  for (size_t b = 0; b < 8; ++b) {  // least significant byte first
    size_t* count = counts[b];
    if (std::any_of(count, count + 256, [&](size_t c) { return c == n; })) continue;  // one bucket: nothing moves
    radix_pass(prefix, id_at, n, static_cast<unsigned>(8 * b), count, prefix_to, id_to);
    std::swap(prefix, prefix_to);
    std::swap(id_at, id_to);
  }
  if (id_at != ids.data()) std::copy(id_at, id_at + n, ids.data());
  // Runs of one prefix: by the whole piece, equal pieces in id order.
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && prefix[j] == prefix[i]) ++j;
    if (j - i > 1)
      std::sort(ids.begin() + i, ids.begin() + j, [&](uint32_t a, uint32_t b) {
        const int c = pieces.at(a).compare(pieces.at(b));
        return c != 0 ? c < 0 : a < b;
      });
    i = j;
  }
  // Equal pieces are adjacent, in id order: keep the last of each run.
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i + 1 < n && prefix[i + 1] == prefix[i] && pieces.at(ids[i + 1]) == pieces.at(ids[i])) continue;
    ids[kept++] = ids[i];
  }
  ids.resize(kept);
  return ids;
}

// Sorted key i shares `common` bytes with key i - 1; `next` is its byte after them (the label of the
// trie node it starts), kept here so the builder reads the piece arena only for a node's first key.
// 4 bytes, not 8: on a 250k vocabulary the array is the builder's largest after the units.
struct Lcp {
  uint32_t common : 24;
  uint32_t next : 8;
};
constexpr size_t kMaxPieceBytes = size_t{1} << 24;  // longer pieces go to the ByteTrie (Lcp::common)

// darts-clone's DoubleArrayBuilder (keyset variant), see the header, with two changes that keep
// its output format and its packing but not its exact placement:
//  - the free slots and used offsets of the 16-block window are bitsets, and a node's offset is
//    the lowest one in the window whose child slots are all free, found 64 offsets at a time
//    (darts-clone walks a linked list of free slots one by one: 16 steps a node on a 250k
//    vocabulary, 60% of the build);
//  - a node's children are split where the common prefix of two neighbouring sorted keys equals
//    the node's depth (lcp_), so only the first key of each child is read from the arena.
class Builder {
 public:
  Builder(const PieceTable& pieces, const std::vector<uint32_t>& ids, const std::vector<Lcp>& lcp, std::vector<uint32_t>& units)
      : pieces_(pieces), ids_(ids), lcp_(lcp), units_(units) {}

  // noinline (here and on arrange / chain): V8 compiles a hot wasm function with TurboFan in the
  // background and uses it from its next call, so per-node work in small functions gets fast
  // within the first load, where one big inlined build() would be compiled whole and never used.
  __attribute__((noinline)) void build() {
    reserve_id(0);
    set_used(0);
    set_offset(units_[0], 1);
    set_label(units_[0], '\0');
    struct Frame {
      uint32_t begin, end, depth, dic_id;
    };
    // Depth-first in label order, as darts-clone's recursion, with an explicit stack.
    std::vector<Frame> stack;
    if (!ids_.empty()) stack.push_back(Frame{0, static_cast<uint32_t>(ids_.size()), 0, 0});
    while (!stack.empty()) {
      const Frame f = stack.back();
      stack.pop_back();
      if (f.end - f.begin == 1) {
        chain(f.begin, f.depth, f.dic_id);
        continue;
      }
      const uint32_t offset = arrange(f.begin, f.end, f.depth, f.dic_id);
      // One child per label but '\0' (the leaf), keys [starts_[k], starts_[k + 1]); pushed last
      // label first so the first label is built next.
      for (size_t k = labels_.size(); k-- > 0;) {
        if (labels_[k] == 0) continue;
        const uint32_t end = k + 1 < labels_.size() ? starts_[k + 1] : f.end;
        stack.push_back(Frame{starts_[k], end, f.depth + 1, offset ^ labels_[k]});
      }
    }
    fix_all_blocks();
  }

 private:
  static constexpr uint32_t kBlockSize = 256;
  static constexpr uint32_t kNumExtraBlocks = 16;
  static constexpr uint32_t kNumExtras = kBlockSize * kNumExtraBlocks;
  static constexpr uint32_t kWords = kNumExtras / 64;
  static constexpr uint32_t kMaxTrials = 32;
  static constexpr uint32_t kUpperMask = 0xFFu << 21;
  static constexpr uint32_t kLowerMask = 0xFFu;

  static void set_has_leaf(uint32_t& unit) { unit |= 1u << 8; }
  static void set_value(uint32_t& unit, uint32_t value) { unit = value | (1u << 31); }
  static void set_label(uint32_t& unit, uint8_t label) { unit = (unit & ~0xFFu) | label; }
  static void set_offset(uint32_t& unit, uint32_t offset) {
    if (offset >= 1u << 29) fail(ErrorCode::kCapacity, "vocabulary trie: too many nodes for a double array");
    unit &= (1u << 31) | (1u << 8) | 0xFFu;
    unit |= offset < (1u << 21) ? (offset << 10) : ((offset << 2) | (1u << 9));
  }

  // Window bits of a unit id (ids of the last 16 blocks map to distinct bits; a label XOR stays
  // inside the id's block, so id ^ label maps to bit (id % kNumExtras) ^ label).
  bool fixed(uint32_t id) const { return fixed_[id % kNumExtras / 64] >> (id % 64) & 1u; }
  bool used(uint32_t id) const { return used_[id % kNumExtras / 64] >> (id % 64) & 1u; }
  void set_used(uint32_t id) { used_[id % kNumExtras / 64] |= uint64_t{1} << (id % 64); }
  uint32_t num_blocks() const { return static_cast<uint32_t>(units_.size() / kBlockSize); }

  // Places the children of node dic_id (the keys [begin, end) share their first `depth` bytes):
  // labels_ gets their labels and starts_ the first key of each. Keys are sorted and unique, so a
  // key that ends here is the first one, and a child starts where lcp_ drops to `depth`.
  __attribute__((noinline)) uint32_t arrange(uint32_t begin, uint32_t end, uint32_t depth, uint32_t dic_id) {
    labels_.clear();
    starts_.clear();
    const std::string_view first = pieces_.at(ids_[begin]);
    const bool leaf = first.size() == depth;
    labels_.push_back(leaf ? 0 : static_cast<uint8_t>(first[depth]));
    starts_.push_back(begin);
    for (uint32_t i = begin + 1; i < end; ++i) {
      if (lcp_[i].common != depth) continue;
      labels_.push_back(static_cast<uint8_t>(lcp_[i].next));
      starts_.push_back(i);
    }
    const uint32_t offset = find_valid_offset(dic_id, labels_.data(), static_cast<uint32_t>(labels_.size()));
    set_offset(units_[dic_id], dic_id ^ offset);
    for (uint8_t label : labels_) {
      const uint32_t child = offset ^ label;
      reserve_id(child);
      if (label == 0) {
        set_has_leaf(units_[dic_id]);
        set_value(units_[child], ids_[begin]);
      } else {
        set_label(units_[child], label);
      }
    }
    set_used(offset);
    return offset;
  }

  // The rest of key `begin` below node dic_id when no other key shares it: a chain of one-child
  // nodes (most nodes of a big vocabulary), placed without arrange()'s bookkeeping.
  __attribute__((noinline)) void chain(uint32_t begin, uint32_t depth, uint32_t dic_id) {
    const std::string_view key = pieces_.at(ids_[begin]);
    for (;; ++depth) {
      const uint8_t label = depth < key.size() ? static_cast<uint8_t>(key[depth]) : 0;
      const uint32_t offset = find_valid_offset(dic_id, &label, 1);
      set_offset(units_[dic_id], dic_id ^ offset);
      const uint32_t child = offset ^ label;
      reserve_id(child);
      set_used(offset);
      if (label == 0) {
        set_has_leaf(units_[dic_id]);
        set_value(units_[child], ids_[begin]);
        return;
      }
      set_label(units_[child], label);
      dic_id = child;
    }
  }

  // The lowest offset in the window (oldest block with a free slot first) that is not already a
  // node's offset and whose child slots are all free; else one in a new block.
  uint32_t find_valid_offset(uint32_t id, const uint8_t* labels, uint32_t n) {
    const uint32_t blocks = num_blocks();
    const uint32_t window_begin = blocks > kNumExtraBlocks ? blocks - kNumExtraBlocks : 0;
    // The window's open blocks, oldest first: bit i of `open` is block window_begin + i.
    const uint32_t rot = window_begin % kNumExtraBlocks;
    uint32_t open = ((open_ >> rot) | (open_ << (kNumExtraBlocks - rot))) & ((1u << kNumExtraBlocks) - 1);
    for (; open; open &= open - 1) {
      const uint32_t block = window_begin + static_cast<uint32_t>(__builtin_ctz(open));
      const uint32_t slot = block % kNumExtraBlocks;
      if (n >= reject_[slot] || free_in_block_[slot] < n) continue;
      for (uint32_t w = block * (kBlockSize / 64), w_end = w + kBlockSize / 64; w != w_end; ++w) {
        // The free slots of the first label, lowest first, as darts-clone's free list.
        for (uint64_t free = ~fixed_[w % kWords]; free; free &= free - 1) {
          const uint32_t offset = (w * 64 + static_cast<uint32_t>(__builtin_ctzll(free))) ^ labels[0];
          if (used(offset)) continue;
          uint32_t k = 1;
          while (k < n && !fixed(offset ^ labels[k])) ++k;
          const uint32_t rel = id ^ offset;
          if (k == n && !((rel & kLowerMask) && (rel & kUpperMask))) return offset;
        }
      }
      // cedar's heuristic: a block where n > 1 labels did not fit is not tried again for n or
      // more, and one that failed kMaxTrials times is not tried again at all (it stays in the
      // window until fixed). This bounds the search; the array has ~0.3% more units than
      // darts-clone's (250k XLM-R pieces: 1,036,032 against 1,032,704).
      if (n > 1) reject_[slot] = n;
      if (++trials_[slot] >= kMaxTrials) reject_[slot] = 0;
      if (reject_[slot] <= 1) open_ &= ~(1u << slot);
    }
    return static_cast<uint32_t>(units_.size()) | (id & kLowerMask);
  }

  void reserve_id(uint32_t id) {
    while (id >= units_.size()) expand_units();
    fixed_[id % kNumExtras / 64] |= uint64_t{1} << (id % 64);
    const uint32_t slot = id / kBlockSize % kNumExtraBlocks;
    if (--free_in_block_[slot] == 0) open_ &= ~(1u << slot);
  }

  void expand_units() {
    const uint32_t src_blocks = num_blocks();
    // The block leaving the window is fixed, and its window bits start over for the new block.
    if (src_blocks >= kNumExtraBlocks) fix_block(src_blocks - kNumExtraBlocks);
    units_.resize(units_.size() + kBlockSize, 0);
    const uint32_t slot = src_blocks % kNumExtraBlocks;
    for (uint32_t w = 0; w < kBlockSize / 64; ++w) {
      fixed_[slot * (kBlockSize / 64) + w] = 0;
      used_[slot * (kBlockSize / 64) + w] = 0;
    }
    free_in_block_[slot] = kBlockSize;
    reject_[slot] = kBlockSize + 1;
    trials_[slot] = 0;
    open_ |= 1u << slot;
  }

  void fix_all_blocks() {
    const uint32_t end = num_blocks();
    const uint32_t begin = end > kNumExtraBlocks ? end - kNumExtraBlocks : 0;
    for (uint32_t block = begin; block != end; ++block) fix_block(block);
  }

  // Unused slots get a label that no node of the block can reach (id ^ an offset no node has), as
  // darts-clone does, so a lookup never mistakes an empty slot for a child.
  void fix_block(uint32_t block) {
    const uint32_t begin = block * kBlockSize, end = begin + kBlockSize;
    uint32_t unused_offset = 0;
    for (uint32_t offset = begin; offset != end; ++offset) {
      if (!used(offset)) {
        unused_offset = offset;
        break;
      }
    }
    for (uint32_t id = begin; id != end; ++id) {
      if (!fixed(id)) {
        reserve_id(id);
        set_label(units_[id], static_cast<uint8_t>(id ^ unused_offset));
      }
    }
  }

  const PieceTable& pieces_;
  const std::vector<uint32_t>& ids_;
  const std::vector<Lcp>& lcp_;
  std::vector<uint32_t>& units_;
  uint64_t fixed_[kWords] = {};
  uint64_t used_[kWords] = {};
  uint32_t free_in_block_[kNumExtraBlocks] = {};
  uint32_t reject_[kNumExtraBlocks] = {};  // labels counts >= this are not tried in the block
  uint32_t trials_[kNumExtraBlocks] = {};
  uint32_t open_ = 0;  // window slots of blocks still worth searching (free slots, not rejected)
  std::vector<uint8_t> labels_;
  std::vector<uint32_t> starts_;
};

}  // namespace

bool DoubleArrayTrie::build(const PieceTable& pieces) {
  units_.clear();
  for (size_t id = 0; id < pieces.size(); ++id) {
    const std::string_view piece = pieces.at(id);
    if (piece.size() >= kMaxPieceBytes || piece.find('\0') != std::string_view::npos) return false;
  }
  if (pieces.size() > 0x7FFFFFFFu) fail(ErrorCode::kCapacity, "vocabulary trie: more than 2^31 pieces");
  const std::vector<uint32_t> ids = sorted_unique_ids(pieces);
  // lcp[i]: the bytes key i shares with key i - 1 (sorted order) and its next byte, the label of
  // the child it starts. One unit per trie node plus one leaf
  // unit per key; the double array fills ~95% of its slots, so reserving a little over that count
  // avoids regrowing (and a peak of two arrays).
  std::vector<Lcp> lcp(ids.size());
  size_t nodes = 1 + ids.size();
  std::string_view prev;
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string_view k = pieces.at(ids[i]);
    size_t common = 0;
    const size_t n = std::min(prev.size(), k.size());
    while (common < n && prev[common] == k[common]) ++common;
    lcp[i] = Lcp{static_cast<uint32_t>(common), common < k.size() ? static_cast<uint8_t>(k[common]) : 0u};
    nodes += k.size() - common;
    prev = k;
  }
  units_.reserve((nodes + nodes / 16 + 1024) & ~size_t{255});
  Builder(pieces, ids, lcp, units_).build();
  return true;
}

int32_t DoubleArrayTrie::find(std::string_view key) const {
  if (units_.empty()) return -1;
  uint32_t pos = 0;
  uint32_t unit = units_[0];
  for (unsigned char c : key) {
    pos ^= offset(unit) ^ c;
    unit = units_[pos];
    if (label(unit) != c) return -1;
  }
  if (!has_leaf(unit)) return -1;
  return static_cast<int32_t>(units_[pos ^ offset(unit)] & 0x7FFFFFFFu);
}

void PieceTrie::build(const PieceTable& pieces) {
  if (da_.build(pieces)) {
    bytes_.reset();
    return;
  }
  bytes_ = std::make_unique<ByteTrie>();
  bytes_->reserve(pieces.size(), 0);
  empty_id_ = -1;
  for (size_t id = 0; id < pieces.size(); ++id) {
    bytes_->insert(pieces.at(id), static_cast<int32_t>(id));
    if (pieces.at(id).empty()) empty_id_ = static_cast<int32_t>(id);
  }
  bytes_->freeze();
}

}  // namespace wasmbed::tok
