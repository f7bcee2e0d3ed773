#include "tokenizer/models/double_array_trie.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/error.h"

namespace wasmbed::tok {

namespace {

// The ids of the pieces sorted by piece bytes (unsigned), a repeated piece kept once with its last
// id. Each piece sorts under its first 8 bytes as a big-endian integer (zero padded), so most
// comparisons end without touching the arena.
std::vector<uint32_t> sorted_unique_ids(const PieceTable& pieces) {
  struct Sortable {
    uint64_t prefix;
    uint32_t id;
  };
  const size_t n = pieces.size();
  std::vector<Sortable> sorted(n);
  for (uint32_t id = 0; id < n; ++id) {
    const std::string_view k = pieces.at(id);
    uint64_t prefix = 0;
    for (size_t b = 0; b < 8; ++b) prefix = (prefix << 8) | (b < k.size() ? static_cast<uint8_t>(k[b]) : 0u);
    sorted[id] = Sortable{prefix, id};
  }
  std::sort(sorted.begin(), sorted.end(), [&](const Sortable& a, const Sortable& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    const int c = pieces.at(a.id).compare(pieces.at(b.id));
    return c != 0 ? c < 0 : a.id < b.id;
  });
  std::vector<uint32_t> ids;
  ids.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    // Equal pieces are adjacent, in id order: keep the last of each run.
    if (i + 1 < n && sorted[i + 1].prefix == sorted[i].prefix && pieces.at(sorted[i + 1].id) == pieces.at(sorted[i].id)) continue;
    ids.push_back(sorted[i].id);
  }
  return ids;
}

// darts-clone's DoubleArrayBuilder (keyset variant), see the header.
class Builder {
 public:
  Builder(const PieceTable& pieces, const std::vector<uint32_t>& ids, std::vector<uint32_t>& units)
      : pieces_(pieces), ids_(ids), units_(units), extras_(kNumExtras) {}

  void build() {
    reserve_id(0);
    extras(0).used = true;
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
  static constexpr uint32_t kUpperMask = 0xFFu << 21;
  static constexpr uint32_t kLowerMask = 0xFFu;

  struct Extra {
    uint32_t prev = 0, next = 0;
    bool fixed = false, used = false;
  };

  static void set_has_leaf(uint32_t& unit) { unit |= 1u << 8; }
  static void set_value(uint32_t& unit, uint32_t value) { unit = value | (1u << 31); }
  static void set_label(uint32_t& unit, uint8_t label) { unit = (unit & ~0xFFu) | label; }
  static void set_offset(uint32_t& unit, uint32_t offset) {
    if (offset >= 1u << 29) fail(ErrorCode::kCapacity, "vocabulary trie: too many nodes for a double array");
    unit &= (1u << 31) | (1u << 8) | 0xFFu;
    unit |= offset < (1u << 21) ? (offset << 10) : ((offset << 2) | (1u << 9));
  }

  uint8_t key_byte(uint32_t i, uint32_t depth) const {
    const std::string_view k = pieces_.at(ids_[i]);
    return depth < k.size() ? static_cast<uint8_t>(k[depth]) : 0;
  }
  Extra& extras(uint32_t id) { return extras_[id % kNumExtras]; }
  uint32_t num_blocks() const { return static_cast<uint32_t>(units_.size() / kBlockSize); }

  // Places the children of node dic_id (the keys [begin, end) share their first `depth` bytes):
  // labels_ gets their labels and starts_ the first key of each.
  uint32_t arrange(uint32_t begin, uint32_t end, uint32_t depth, uint32_t dic_id) {
    labels_.clear();
    starts_.clear();
    int64_t value = -1;
    for (uint32_t i = begin; i < end; ++i) {
      const uint8_t label = key_byte(i, depth);
      if (label == 0 && value < 0) value = ids_[i];  // the key that ends here (keys are unique)
      if (labels_.empty() || label != labels_.back()) {
        labels_.push_back(label);
        starts_.push_back(i);
      }
    }
    const uint32_t offset = find_valid_offset(dic_id);
    set_offset(units_[dic_id], dic_id ^ offset);
    for (uint8_t label : labels_) {
      const uint32_t child = offset ^ label;
      reserve_id(child);
      if (label == 0) {
        set_has_leaf(units_[dic_id]);
        set_value(units_[child], static_cast<uint32_t>(value));
      } else {
        set_label(units_[child], label);
      }
    }
    extras(offset).used = true;
    return offset;
  }

  uint32_t find_valid_offset(uint32_t id) {
    const uint32_t size = static_cast<uint32_t>(units_.size());
    if (extras_head_ >= size) return size | (id & kLowerMask);
    uint32_t unfixed = extras_head_;
    do {
      const uint32_t offset = unfixed ^ labels_[0];
      if (is_valid_offset(id, offset)) return offset;
      unfixed = extras(unfixed).next;
    } while (unfixed != extras_head_);
    return size | (id & kLowerMask);
  }

  bool is_valid_offset(uint32_t id, uint32_t offset) {
    if (extras(offset).used) return false;
    const uint32_t rel = id ^ offset;
    if ((rel & kLowerMask) && (rel & kUpperMask)) return false;
    for (size_t i = 1; i < labels_.size(); ++i)
      if (extras(offset ^ labels_[i]).fixed) return false;
    return true;
  }

  void reserve_id(uint32_t id) {
    if (id >= units_.size()) expand_units();
    if (id == extras_head_) {
      extras_head_ = extras(id).next;
      if (extras_head_ == id) extras_head_ = static_cast<uint32_t>(units_.size());
    }
    extras(extras(id).prev).next = extras(id).next;
    extras(extras(id).next).prev = extras(id).prev;
    extras(id).fixed = true;
  }

  void expand_units() {
    const uint32_t src_units = static_cast<uint32_t>(units_.size());
    const uint32_t src_blocks = num_blocks();
    const uint32_t dest_units = src_units + kBlockSize;
    const uint32_t dest_blocks = src_blocks + 1;
    if (dest_blocks > kNumExtraBlocks) fix_block(src_blocks - kNumExtraBlocks);
    units_.resize(dest_units, 0);
    if (dest_blocks > kNumExtraBlocks) {
      for (uint32_t id = src_units; id < dest_units; ++id) {
        extras(id).used = false;
        extras(id).fixed = false;
      }
    }
    for (uint32_t i = src_units + 1; i < dest_units; ++i) {
      extras(i - 1).next = i;
      extras(i).prev = i - 1;
    }
    extras(src_units).prev = dest_units - 1;
    extras(dest_units - 1).next = src_units;
    extras(src_units).prev = extras(extras_head_).prev;
    extras(dest_units - 1).next = extras_head_;
    extras(extras(extras_head_).prev).next = src_units;
    extras(extras_head_).prev = dest_units - 1;
  }

  void fix_all_blocks() {
    const uint32_t end = num_blocks();
    const uint32_t begin = end > kNumExtraBlocks ? end - kNumExtraBlocks : 0;
    for (uint32_t block = begin; block != end; ++block) fix_block(block);
  }

  void fix_block(uint32_t block) {
    const uint32_t begin = block * kBlockSize, end = begin + kBlockSize;
    uint32_t unused_offset = 0;
    for (uint32_t offset = begin; offset != end; ++offset) {
      if (!extras(offset).used) {
        unused_offset = offset;
        break;
      }
    }
    for (uint32_t id = begin; id != end; ++id) {
      if (!extras(id).fixed) {
        reserve_id(id);
        set_label(units_[id], static_cast<uint8_t>(id ^ unused_offset));
      }
    }
  }

  const PieceTable& pieces_;
  const std::vector<uint32_t>& ids_;
  std::vector<uint32_t>& units_;
  std::vector<Extra> extras_;
  std::vector<uint8_t> labels_;
  std::vector<uint32_t> starts_;
  uint32_t extras_head_ = 0;
};

}  // namespace

bool DoubleArrayTrie::build(const PieceTable& pieces) {
  units_.clear();
  for (size_t id = 0; id < pieces.size(); ++id)
    if (pieces.at(id).find('\0') != std::string_view::npos) return false;
  if (pieces.size() > 0x7FFFFFFFu) fail(ErrorCode::kCapacity, "vocabulary trie: more than 2^31 pieces");
  const std::vector<uint32_t> ids = sorted_unique_ids(pieces);
  // One unit per trie node plus one leaf unit per key; the double array fills ~95% of its slots,
  // so reserving a little over that count avoids regrowing (and a peak of two arrays).
  size_t nodes = 1 + ids.size();
  std::string_view prev;
  for (uint32_t id : ids) {
    const std::string_view k = pieces.at(id);
    size_t common = 0;
    const size_t n = std::min(prev.size(), k.size());
    while (common < n && prev[common] == k[common]) ++common;
    nodes += k.size() - common;
    prev = k;
  }
  units_.reserve((nodes + nodes / 16 + 1024) & ~size_t{255});
  Builder(pieces, ids, units_).build();
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
