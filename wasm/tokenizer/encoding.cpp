#include "tokenizer/encoding.h"

#include <algorithm>
#include <iterator>

#include "common/error.h"

namespace wasmbed::tok {

Encoding Encoding::from_tokens(const std::vector<Token>& tokens, int32_t type_id, const std::vector<int32_t>& word_ids) {
  Encoding e;
  const size_t n = tokens.size();
  e.ids.reserve(n);
  e.tokens.reserve(n);
  e.offsets.reserve(n);
  for (const Token& t : tokens) {
    e.ids.push_back(t.id);
    e.tokens.push_back(t.value);
    e.offsets.push_back(t.offsets);
  }
  e.type_ids.assign(n, type_id);
  e.special_tokens_mask.assign(n, 0);
  e.attention_mask.assign(n, 1);
  e.word_ids = word_ids;
  e.word_ids.resize(n, -1);
  e.sequence_ids.assign(n, 0);
  return e;
}

void Encoding::set_sequence_id(int32_t id) { std::fill(sequence_ids.begin(), sequence_ids.end(), id); }

namespace {

// Calls f(a's field, b's field) for every per-token field: the one list of them that slicing,
// appending and reserving share, so a new field cannot be forgotten in one of them.
template <typename F>
void zip_fields(Encoding& a, const Encoding& b, F&& f) {
  f(a.ids, b.ids);
  f(a.type_ids, b.type_ids);
  f(a.tokens, b.tokens);
  f(a.offsets, b.offsets);
  f(a.special_tokens_mask, b.special_tokens_mask);
  f(a.attention_mask, b.attention_mask);
  f(a.word_ids, b.word_ids);
  f(a.sequence_ids, b.sequence_ids);
}

void append_fields(Encoding& a, const Encoding& b) {
  zip_fields(a, b, [](auto& x, const auto& y) { x.insert(x.end(), y.begin(), y.end()); });
}

}  // namespace

Encoding Encoding::slice(const Encoding& src, size_t start, size_t stop) {
  Encoding e;
  zip_fields(e, src, [&](auto& out, const auto& v) { out.assign(v.begin() + start, v.begin() + stop); });
  return e;
}

void Encoding::reserve(size_t n) {
  zip_fields(*this, *this, [n](auto& x, const auto&) { x.reserve(n); });
}

void Encoding::merge_with(Encoding&& other) {
  if (!overflowing.empty() || !other.overflowing.empty()) return merge_with(static_cast<const Encoding&>(other));
  if (empty() && tokens.capacity() < other.size()) {
    *this = std::move(other);  // nothing to keep here: take the other's buffers
    return;
  }
  auto cat = [](auto& x, const auto& y) { x.insert(x.end(), y.begin(), y.end()); };
  cat(ids, other.ids);
  cat(type_ids, other.type_ids);
  tokens.insert(tokens.end(), std::make_move_iterator(other.tokens.begin()), std::make_move_iterator(other.tokens.end()));
  cat(offsets, other.offsets);
  cat(special_tokens_mask, other.special_tokens_mask);
  cat(attention_mask, other.attention_mask);
  cat(word_ids, other.word_ids);
  cat(sequence_ids, other.sequence_ids);
}

void Encoding::merge_with(const Encoding& other) {
  // HF pairs every overflowing window of one sequence with every window of the other: with a
  // tiny max_length and long texts that is quadratic. Refuse beyond a generous bound instead of
  // exhausting memory.
  constexpr size_t kMaxWindows = size_t{1} << 16;
  const size_t n = overflowing.size(), m = other.overflowing.size();
  if (n * (m + 1) + m > kMaxWindows)
    fail(ErrorCode::kCapacity, "truncation: " + std::to_string(n + 1) + " x " + std::to_string(m + 1) +
                                   " overflowing windows of a pair are too many combinations (max " +
                                   std::to_string(kMaxWindows) + ")");
  std::vector<Encoding> combined;
  combined.reserve(n * (m + 1) + m);
  for (const Encoding& mine : overflowing) {
    Encoding n = mine;
    n.merge_with(other);
    combined.push_back(std::move(n));
    for (const Encoding& theirs : other.overflowing) {
      Encoding m = mine;
      m.merge_with(theirs);
      combined.push_back(std::move(m));
    }
  }
  for (const Encoding& theirs : other.overflowing) {
    Encoding n = *this;
    n.merge_with(theirs);
    combined.push_back(std::move(n));
  }
  append_fields(*this, other);
  overflowing = std::move(combined);
}

void Encoding::truncate(size_t max_length, size_t stride, TruncationDirection direction) {
  const size_t len = ids.size();
  if (max_length >= len) return;
  if (max_length == 0) {
    Encoding all = std::move(*this);
    *this = Encoding();
    overflowing.push_back(std::move(all));
    return;
  }
  if (stride >= max_length)
    fail(ErrorCode::kInvalidArgument, "truncation: stride (" + std::to_string(stride) +
                                          ") must be smaller than the length left for the sequence (" +
                                          std::to_string(max_length) + ")");
  const size_t step = max_length - stride;
  std::vector<std::pair<size_t, size_t>> parts;
  if (direction == TruncationDirection::kRight) {
    for (size_t start = 0; start < len; start += step) {
      const size_t stop = std::min(start + max_length, len);
      parts.emplace_back(start, stop);
      if (stop == len) break;
    }
  } else {
    // HF walks stop positions len-1, len-1-step, ... and stops after the window reaching 0.
    for (size_t s = len; s-- > 0;) {
      const size_t stop = s + 1;
      const size_t start = stop < max_length ? 0 : stop - max_length;
      parts.emplace_back(start, stop);
      if (start == 0) break;
      if (s < step) break;
      s -= step - 1;
    }
  }
  Encoding head = slice(*this, parts[0].first, parts[0].second);
  for (size_t i = 1; i < parts.size(); ++i) head.overflowing.push_back(slice(*this, parts[i].first, parts[i].second));
  *this = std::move(head);
}

void Encoding::pad(size_t target, int32_t pad_id, int32_t pad_type_id, const std::string& pad_token,
                   PaddingDirection direction) {
  for (Encoding& o : overflowing) o.pad(target, pad_id, pad_type_id, pad_token, direction);
  if (ids.size() >= target) return;
  const size_t n = target - ids.size();
  auto grow = [&](auto& v, auto value) {
    if (direction == PaddingDirection::kRight) v.insert(v.end(), n, value);
    else v.insert(v.begin(), n, value);
  };
  grow(ids, pad_id);
  grow(type_ids, pad_type_id);
  grow(tokens, pad_token);
  grow(offsets, Range{0, 0});
  grow(special_tokens_mask, 1);
  grow(attention_mask, 0);
  grow(word_ids, -1);
  grow(sequence_ids, -1);
}

void truncate_encodings(Encoding& first, Encoding* second, const TruncationParams& p, size_t n_added_tokens) {
  if (p.max_length < n_added_tokens)
    fail(ErrorCode::kInvalidArgument, "truncation: max_length " + std::to_string(p.max_length) +
                                          " is smaller than the " + std::to_string(n_added_tokens) +
                                          " special tokens the post-processor adds");
  const size_t max_length = p.max_length - n_added_tokens;
  if (max_length == 0) {
    // HF rejects a stride that does not fit the remaining length before truncating.
    first.truncate(0, p.stride, p.direction);
    if (second) second->truncate(0, p.stride, p.direction);
    return;
  }
  const size_t total = first.size() + (second ? second->size() : 0);
  if (total <= max_length) return;
  const size_t to_remove = total - max_length;
  switch (p.strategy) {
    case TruncationStrategy::kLongestFirst: {
      if (!second) {
        first.truncate(total - to_remove, p.stride, p.direction);
        return;
      }
      size_t n1 = first.size(), n2 = second->size();
      const bool swap = n1 > n2;
      if (swap) std::swap(n1, n2);
      if (n1 > max_length) n2 = n1;
      else n2 = std::max(n1, max_length - n1);
      if (n1 + n2 > max_length) {
        n1 = max_length / 2;
        n2 = n1 + max_length % 2;
      }
      if (swap) std::swap(n1, n2);
      first.truncate(n1, p.stride, p.direction);
      second->truncate(n2, p.stride, p.direction);
      return;
    }
    case TruncationStrategy::kOnlyFirst:
    case TruncationStrategy::kOnlySecond: {
      Encoding* target = p.strategy == TruncationStrategy::kOnlyFirst ? &first : second;
      if (!target) fail(ErrorCode::kInvalidArgument, "truncation: only_second needs a pair of sequences");
      if (target->size() <= to_remove)
        fail(ErrorCode::kInvalidArgument, "truncation: the sequence to truncate is too short to fit max_length");
      target->truncate(target->size() - to_remove, p.stride, p.direction);
      return;
    }
  }
}

}  // namespace wasmbed::tok
