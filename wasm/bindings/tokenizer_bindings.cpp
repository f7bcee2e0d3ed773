// Embind surface of the tokenizer (js/tokenizer.js is its only caller).
//
// Text crosses the boundary as UTF-8 bytes that JS wrote into the wasm heap (TextEncoder.encodeInto,
// which turns lone surrogates into U+FFFD), or as raw bytes for the byte API (invalid UTF-8 is
// repaired here with U+FFFD, maximal-subpart rule = what TextDecoder does, so offsets index the
// string `new TextDecoder().decode(bytes)`). Results are written into buffers owned by the handle
// and described by a small table of uint32 words whose address is returned: JS reads the table and
// copies the results out with TypedArray.slice() (ONE slice for a single encoding: every array
// and the token strings sit in one block), so no per-element crossing happens. The buffers stay
// valid until the next call on the same handle.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cstring>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bindings/js_error.h"
#include "common/error.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

using namespace emscripten;
using wasmbed::ErrorCode;
using wasmbed::fail;
using wasmbed::bind::guard;
using wasmbed::bind::ptr;

namespace {

namespace tok = wasmbed::tok;

inline uint32_t addr(const void* p) { return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(p)); }

// Number of UTF-16 code units a UTF-8 sequence starting with `lead` encodes to (valid input).
inline uint32_t utf16_units(unsigned char lead) { return lead >= 0xF0 ? 2 : 1; }

inline size_t utf8_seq_len(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// Maps byte offsets of a valid UTF-8 string to UTF-16 code-unit indices of the same text. One per
// handle and sequence, reset per call, so its table is allocated once.
class Utf16Map {
 public:
  void reset(std::string_view s) {
    ascii_ = std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii_) return;
    map_.assign(s.size() + 1, 0);
    uint32_t units = 0;
    size_t i = 0;
    while (i < s.size()) {
      const auto lead = static_cast<unsigned char>(s[i]);
      const size_t len = std::min(utf8_seq_len(lead), s.size() - i);
      map_[i] = units;
      units += utf16_units(lead);
      // A byte inside a character maps to the character's end (never happens for HF offsets,
      // which sit on character boundaries; defined anyway).
      for (size_t k = 1; k < len; ++k) map_[i + k] = units;
      i += len;
    }
    map_[s.size()] = units;
  }
  uint32_t operator()(size_t byte) const {
    if (ascii_) return static_cast<uint32_t>(byte);
    return map_[std::min(byte, map_.size() - 1)];
  }

 private:
  bool ascii_ = true;
  std::vector<uint32_t> map_;
};

uint32_t utf16_length(std::string_view s) {
  uint32_t n = 0;
  for (size_t i = 0; i < s.size(); i += utf8_seq_len(static_cast<unsigned char>(s[i]))) {
    n += utf16_units(static_cast<unsigned char>(s[i]));
  }
  return n;
}

// Word layout of the table encode() returns (kept in sync with js/tokenizer.js). The block holds,
// for n tokens, int32 arrays of n entries each: ids, type ids, attention mask, special tokens
// mask, sequence ids (0 / 1, -1 for added specials), UTF-16 length of each token string; then
// int32[2n] offsets (UTF-16 [start, end) into the sequence the token is from); then the UTF-8
// bytes of all token strings, concatenated.
struct EncodeTable {
  uint32_t length;        // n
  uint32_t block;         // address of the block
  uint32_t block_bytes;   // its size in bytes (token bytes included)
  uint32_t tokens_bytes;  // size of the token bytes at the end
};

struct BatchTable {
  uint32_t batch;
  uint32_t seq_len;
  uint32_t ids;        // int32[batch * seq_len]
  uint32_t attention;  // int32[batch * seq_len]
  uint32_t type_ids;   // int32[batch * seq_len]
  uint32_t lengths;    // int32[batch]: tokens before padding
};

// The tokens of one embed() call, encoded once (BatchEncoder::encode_all) and then packed batch by
// batch, in the order a batch planner chose, straight into the layout ONNX Runtime takes: int64
// [rows, seq_len] row-major input_ids (padded with the pad id), attention_mask and token_type_ids,
// plus the int32 ids and mask the C++ pooling and BGE-M3 heads read. Only ids and type ids are
// kept per text (no token strings or offsets cross to JS). The object owns everything it returns;
// the pack block stays valid until the next pack() on the same object.
class BatchEncoder {
 public:
  // Encodes `count` texts whose UTF-8 bytes lie in `buffer` at the [offset, length] uint32 pairs
  // in `spans` (Tokenizer.encodeBatch's layout). max_length 0: the tokenizer's own truncation.
  BatchEncoder(const tok::Tokenizer& tokenizer, const char* buffer, const uint32_t* spans, size_t count,
               bool add_special, size_t max_length)
      : starts_(count + 1, 0), table_(2 * count, 0) {
    tok::EncodeOptions opts;
    opts.add_special_tokens = add_special;
    opts.max_length = max_length;
    for (size_t i = 0; i < count; ++i) {
      const tok::Encoding e = tokenizer.encode(std::string_view(buffer + spans[2 * i], spans[2 * i + 1]), opts);
      ids_.insert(ids_.end(), e.ids.begin(), e.ids.end());
      if (e.type_ids.size() == e.ids.size()) type_ids_.insert(type_ids_.end(), e.type_ids.begin(), e.type_ids.end());
      else type_ids_.resize(ids_.size(), 0);
      starts_[i + 1] = ids_.size();
      table_[i] = static_cast<int32_t>(e.size());
    }
  }

  // Address of int32[2 * count]: the token count of each text, then `count` slots where JS writes
  // the planned order of texts (pack() reads rows from there).
  uintptr_t table() { return reinterpret_cast<uintptr_t>(table_.data()); }

  // Packs the texts at order[start, start + rows) into [rows, seq_len] and returns the block's
  // address: int64 ids, int64 attention mask, int64 type ids, int32 ids, int32 attention mask,
  // each rows * seq_len long, in that order.
  uintptr_t pack(size_t start, size_t rows, size_t seq_len, int32_t pad_id) {
    return guard([&]() -> uintptr_t {
      const size_t count = starts_.size() - 1;
      if (start > count || rows > count - start) fail(ErrorCode::kInvalidArgument, "pack: rows outside the planned order");
      const size_t total = rows * seq_len;
      block_.assign(3 * total + (total + 1) / 2 * 2, 0);  // int32 arrays after, 8-byte aligned
      int64_t* ids = block_.data();
      int64_t* mask = ids + total;
      int64_t* types = mask + total;
      int32_t* ids32 = reinterpret_cast<int32_t*>(types + total);
      int32_t* mask32 = ids32 + total;
      std::fill_n(ids, total, static_cast<int64_t>(pad_id));
      std::fill_n(ids32, total, pad_id);
      const int32_t* order = table_.data() + count;
      for (size_t r = 0; r < rows; ++r) {
        const int32_t i = order[start + r];
        if (i < 0 || static_cast<size_t>(i) >= count) fail(ErrorCode::kInvalidArgument, "pack: text index out of range");
        const size_t from = starts_[i], n = starts_[i + 1] - from;
        if (n > seq_len) fail(ErrorCode::kInvalidArgument, "pack: a text is longer than seq_len");
        const size_t row = r * seq_len;
        for (size_t t = 0; t < n; ++t) {
          ids[row + t] = ids_[from + t];
          types[row + t] = type_ids_[from + t];
        }
        std::fill_n(mask + row, n, int64_t{1});
        std::copy_n(ids_.begin() + from, n, ids32 + row);
        std::fill_n(mask32 + row, n, 1);
      }
      return reinterpret_cast<uintptr_t>(block_.data());
    });
  }

 private:
  std::vector<int32_t> ids_, type_ids_;
  std::vector<size_t> starts_;   // text i's tokens: ids_[starts_[i], starts_[i + 1])
  std::vector<int32_t> table_;   // see table()
  std::vector<int64_t> block_;   // see pack()
};

class TokenizerHandle {
 public:
  // The tokenizer.json "padding" section makes HF pad every encode (all-MiniLM-L6-v2: Fixed 128).
  // Like transformers, which overrides it per call, the JS API keeps only its pad id / type id /
  // direction / multiple: encode() never pads and encodeBatch() pads to the batch (or padToLength).
  explicit TokenizerHandle(std::unique_ptr<tok::Tokenizer> t)
      : tok_(std::move(t)), pad_id_(tok_->pad_id()), pad_type_id_(tok_->pad_type_id()), padding_(tok_->padding()) {
    tok_->set_padding(std::nullopt);
  }

  // fromSentencePiece TAKES the file's malloc'd bytes and frees them, on success or error,
  // as soon as the loader stops reading them (before the vocabulary trie is built): the load's
  // peak then never holds the file and the trie together.
  class OwnedInput {
   public:
    explicit OwnedInput(uintptr_t data) : data_(data) {}
    ~OwnedInput() { release(); }
    void release() {
      if (data_) std::free(ptr<void>(data_));
      data_ = 0;
    }

   private:
    uintptr_t data_;
  };

  // fromJsonChunks reads a tokenizer.json of `size` bytes through one buffer of `chunk` bytes that
  // next(address, capacity), a JS function, fills with the document's following bytes, answering
  // how many (0 at its end): the file is never whole in the heap (json_chunk_stream.h).
  static TokenizerHandle* from_json_chunks(size_t size, size_t chunk, val next) {
    return guard([&] {
      const tok::JsonChunkSource source = [&](char* buffer, size_t capacity) {
        return next(reinterpret_cast<uintptr_t>(buffer), capacity).as<size_t>();
      };
      return new TokenizerHandle(tok::Tokenizer::from_json_chunks(size, chunk, source));
    });
  }

  static TokenizerHandle* from_sentencepiece(uintptr_t data, size_t len, int flavor) {
    OwnedInput input(data);
    return guard([&] {
      if (flavor != 0 && flavor != 1) fail(ErrorCode::kInvalidArgument, "fromSentencePiece: unknown flavor");
      const auto f = flavor == 0 ? tok::SentencePieceFlavor::kPlain : tok::SentencePieceFlavor::kXlmRoberta;
      return new TokenizerHandle(
          tok::Tokenizer::from_sentencepiece(std::string_view(ptr<const char>(data), len), f, [&] { input.release(); }));
    });
  }

  // Encodes one text (or a pair when has_pair). raw_bytes: input may be invalid UTF-8.
  uintptr_t encode(uintptr_t text, size_t len, uintptr_t pair, size_t pair_len, bool has_pair, bool add_special,
                   size_t max_length, bool raw_bytes) {
    return guard([&]() -> uintptr_t {
      std::string_view a(ptr<const char>(text), len);
      std::string_view b(ptr<const char>(pair), pair_len);
      std::string repaired_a, repaired_b;
      if (raw_bytes) {
        if (!tok::unicode::is_valid_utf8(a)) a = repaired_a = tok::unicode::sanitize_utf8(a);
        if (has_pair && !tok::unicode::is_valid_utf8(b)) b = repaired_b = tok::unicode::sanitize_utf8(b);
      }
      const tok::Encoding enc = has_pair ? tok_->encode_pair(a, b, options(add_special, max_length))
                                         : tok_->encode(a, options(add_special, max_length));
      fill_single(enc, a, has_pair ? b : std::string_view());
      return reinterpret_cast<uintptr_t>(&table_);
    });
  }

  // Encodes `count` texts whose UTF-8 bytes lie in `buffer` at the [offset, length] uint32 pairs in
  // `spans` (then `count` more pairs for the second sequences when has_pairs), padded to the
  // longest (or to pad_to when it is larger) with the tokenizer's pad id, right side unless the
  // tokenizer.json padding section says left.
  uintptr_t encode_batch(uintptr_t buffer, uintptr_t spans, size_t count, bool has_pairs, bool add_special,
                         size_t max_length, size_t pad_to) {
    return guard([&]() -> uintptr_t {
      const char* base = ptr<const char>(buffer);
      const uint32_t* sp = ptr<const uint32_t>(spans);
      // Checked before any encoding: the padded batch is count * padToLength int32s, three times.
      if (pad_to > tok::kMaxPaddedLength) {
        fail(ErrorCode::kCapacity, "encodeBatch: padToLength " + std::to_string(pad_to) + " is larger than the limit of " +
                                       std::to_string(tok::kMaxPaddedLength) + " tokens");
      }
      const tok::EncodeOptions opts = options(add_special, max_length);
      std::vector<tok::Encoding> encs;
      encs.reserve(count);
      size_t longest = 0;
      for (size_t i = 0; i < count; ++i) {
        std::string_view a(base + sp[2 * i], sp[2 * i + 1]);
        if (has_pairs) {
          std::string_view b(base + sp[2 * (count + i)], sp[2 * (count + i) + 1]);
          encs.push_back(tok_->encode_pair(a, b, opts));
        } else {
          encs.push_back(tok_->encode(a, opts));
        }
        longest = std::max(longest, encs.back().size());
      }
      size_t seq_len = longest;
      if (pad_to > 0) {
        if (pad_to < longest) {
          fail(ErrorCode::kInvalidArgument, "encodeBatch: padToLength " + std::to_string(pad_to) +
                                                " is shorter than the longest sequence (" + std::to_string(longest) +
                                                " tokens); set maxLength to truncate");
        }
        seq_len = pad_to;
      }
      if (padding_ && padding_->pad_to_multiple_of > 0 && seq_len % padding_->pad_to_multiple_of != 0) {
        seq_len += padding_->pad_to_multiple_of - seq_len % padding_->pad_to_multiple_of;
      }
      const bool left = padding_ && padding_->direction == tok::PaddingDirection::kLeft;
      const int32_t pad_id = pad_id_;
      const int32_t pad_type = pad_type_id_;
      // Three int32 arrays of count * seq_len: a size past what wasm32 can hold is a CapacityError
      // naming it, not std::length_error ("internal error: vector").
      constexpr size_t kMaxBatchTokens = size_t{1} << 27;
      if (seq_len > 0 && count > kMaxBatchTokens / seq_len) {
        fail(ErrorCode::kCapacity, "encodeBatch: " + std::to_string(count) + " rows of " + std::to_string(seq_len) +
                                       " tokens are more than the limit of " + std::to_string(kMaxBatchTokens) + " tokens");
      }
      const size_t total = count * seq_len;
      b_ids_.assign(total, pad_id);
      b_attention_.assign(total, 0);
      b_type_ids_.assign(total, pad_type);
      b_lengths_.resize(count);
      for (size_t i = 0; i < count; ++i) {
        const tok::Encoding& e = encs[i];
        const size_t n = e.size();
        const size_t row = i * seq_len + (left ? seq_len - n : 0);
        std::copy(e.ids.begin(), e.ids.end(), b_ids_.begin() + row);
        std::copy(e.type_ids.begin(), e.type_ids.end(), b_type_ids_.begin() + row);
        std::fill_n(b_attention_.begin() + row, n, 1);
        b_lengths_[i] = static_cast<int32_t>(n);
      }
      batch_table_ = {static_cast<uint32_t>(count), static_cast<uint32_t>(seq_len), addr(b_ids_.data()),
                      addr(b_attention_.data()), addr(b_type_ids_.data()), addr(b_lengths_.data())};
      return reinterpret_cast<uintptr_t>(&batch_table_);
    });
  }

  // Encodes every text of an embed() call into a new BatchEncoder (owned by JS: delete() it).
  BatchEncoder* encode_all(uintptr_t buffer, uintptr_t spans, size_t count, bool add_special, size_t max_length) {
    return guard([&] {
      return new BatchEncoder(*tok_, ptr<const char>(buffer), ptr<const uint32_t>(spans), count, add_special, max_length);
    });
  }

  std::string decode(uintptr_t ids, size_t n, bool skip_special) const {
    return guard([&] {
      const int32_t* p = ptr<const int32_t>(ids);
      return tok_->decode(std::vector<int32_t>(p, p + n), skip_special);
    });
  }

  // This object's address, for wasmbed_tokenizer_encode.
  uintptr_t address() const { return reinterpret_cast<uintptr_t>(this); }

  int32_t token_to_id(const std::string& token) const { return guard([&] { return tok_->token_to_id(token); }); }
  std::string id_to_token(int32_t id) const { return guard([&] { return tok_->id_to_token(id); }); }
  size_t vocab_size() const { return tok_->vocab_size(); }
  int32_t pad_id() const { return pad_id_; }
  size_t model_max_length() const { return tok_->model_max_length(); }
  size_t num_special_tokens(bool is_pair) const {
    return guard([&] { return tok_->num_special_tokens_to_add(is_pair); });
  }

 private:
  static tok::EncodeOptions options(bool add_special, size_t max_length) {
    tok::EncodeOptions o;
    o.add_special_tokens = add_special;
    o.max_length = max_length;
    return o;
  }

  void fill_single(const tok::Encoding& enc, std::string_view a, std::string_view b) {
    const size_t n = enc.size();
    size_t token_bytes = 0;
    for (const std::string& t : enc.tokens) token_bytes += t.size();
    block_.resize(8 * n + (token_bytes + 3) / 4);
    int32_t* ids = block_.data();
    int32_t* type_ids = ids + n;
    int32_t* attention = type_ids + n;
    int32_t* special = attention + n;
    int32_t* sequence = special + n;
    int32_t* units = sequence + n;
    int32_t* offsets = units + n;
    char* bytes = reinterpret_cast<char*>(offsets + 2 * n);
    // Encodings from the pipeline always have every field; defaults guard hand-built ones.
    const auto field = [n](const std::vector<int32_t>& v, int32_t* out, int32_t dflt) {
      if (v.size() == n) std::copy(v.begin(), v.end(), out);
      else std::fill_n(out, n, dflt);
    };
    std::copy(enc.ids.begin(), enc.ids.end(), ids);
    field(enc.type_ids, type_ids, 0);
    field(enc.attention_mask, attention, 1);
    field(enc.special_tokens_mask, special, 0);
    field(enc.sequence_ids, sequence, 0);
    map_a_.reset(a);
    map_b_.reset(b);
    const Utf16Map& map_a = map_a_;
    const Utf16Map& map_b = map_b_;
    for (size_t i = 0; i < n; ++i) {
      const Utf16Map& m = sequence[i] == 1 ? map_b : map_a;
      offsets[2 * i] = static_cast<int32_t>(m(enc.offsets[i].first));
      offsets[2 * i + 1] = static_cast<int32_t>(m(enc.offsets[i].second));
      const std::string& t = enc.tokens[i];
      units[i] = static_cast<int32_t>(utf16_length(t));
      std::memcpy(bytes, t.data(), t.size());
      bytes += t.size();
    }
    table_ = {static_cast<uint32_t>(n), addr(block_.data()), static_cast<uint32_t>(32 * n + token_bytes),
              static_cast<uint32_t>(token_bytes)};
  }

  std::unique_ptr<tok::Tokenizer> tok_;
  int32_t pad_id_;
  int32_t pad_type_id_;
  std::optional<tok::PaddingParams> padding_;
  std::vector<int32_t> block_;  // see EncodeTable
  Utf16Map map_a_, map_b_;
  EncodeTable table_{};
  std::vector<int32_t> b_ids_, b_attention_, b_type_ids_, b_lengths_;
  BatchTable batch_table_{};
};

}  // namespace

// The single-text encode as a plain wasm export: one direct call from JS, without Embind's
// per-call argument marshalling (the hot path of Tokenizer.encode; `handle` comes from
// TokenizerHandle.address()). Errors still reach JS as Errors carrying wasmbedCode (guard()).
extern "C" EMSCRIPTEN_KEEPALIVE uintptr_t wasmbed_tokenizer_encode(uintptr_t handle, uintptr_t text, size_t len,
                                                                   uintptr_t pair, size_t pair_len, int has_pair,
                                                                   int add_special, size_t max_length, int raw_bytes) {
  return ptr<TokenizerHandle>(handle)->encode(text, len, pair, pair_len, has_pair != 0, add_special != 0, max_length,
                                              raw_bytes != 0);
}

EMSCRIPTEN_BINDINGS(wasmbed_tokenizer) {
  class_<BatchEncoder>("BatchEncoder")
      .function("table", &BatchEncoder::table)
      .function("pack", &BatchEncoder::pack);
  class_<TokenizerHandle>("TokenizerHandle")
      .class_function("fromJsonChunks", &TokenizerHandle::from_json_chunks, allow_raw_pointers())
      .class_function("fromSentencePiece", &TokenizerHandle::from_sentencepiece, allow_raw_pointers())
      .function("encode", &TokenizerHandle::encode)
      .function("address", &TokenizerHandle::address)
      .function("encodeBatch", &TokenizerHandle::encode_batch)
      .function("encodeAll", &TokenizerHandle::encode_all, allow_raw_pointers())
      .function("decode", &TokenizerHandle::decode)
      .function("tokenToId", &TokenizerHandle::token_to_id)
      .function("idToToken", &TokenizerHandle::id_to_token)
      .function("vocabSize", &TokenizerHandle::vocab_size)
      .function("padId", &TokenizerHandle::pad_id)
      .function("modelMaxLength", &TokenizerHandle::model_max_length)
      .function("numSpecialTokens", &TokenizerHandle::num_special_tokens);
}
