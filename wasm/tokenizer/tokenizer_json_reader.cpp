#include "tokenizer/tokenizer_json_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include <fast_float/fast_float.h>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "common/error.h"
#include "tokenizer/json_chunk_stream.h"
#include "tokenizer/json_vocab_scanner.h"
#include "tokenizer/json_limits.h"

namespace wasmbed::tok {

namespace {

using nlohmann::json;

// RapidJSON's SAX events: every one goes to nlohmann's DOM builder (the pipeline factories read
// nlohmann values), except those of the model.vocab array, which fill `vocab` straight from the
// parser's buffer; and the vocab's plain entries never reach RapidJSON at all: json_vocab_scanner
// reads them (see scan_plain_entries). RapidJSON rather than nlohmann's own parser: for a 250k-piece XLM-R
// tokenizer.json (17 MB, nearly all of it model.vocab) nlohmann's lexer and strtod were ~40% of the
// load; RapidJSON's reader scans the same bytes several times faster. Numbers come as their text
// (kParseNumbersAsStringsFlag; RapidJSON has checked the grammar and the exponent's range) and are
// converted here: integers as RapidJSON would give them (Uint / Uint64 without '-', Int / Int64
// with, a double past 64 bits), anything with a fraction or an exponent by fast_float, correctly
// rounded as strtod does. RapidJSON's own full-precision path took ~1000 instructions for each
// 17-digit vocab score (big-integer arithmetic), more than scanning the rest of the file; and the
// text must be the parser's copy, since the document arrives in chunks (json_chunk_stream.h) and
// a number may straddle two.
class Reader {
 public:
  Reader(TokenizerJson& out, JsonChunkStream& stream, size_t text_size)
      : out_(out), dom_(out.json, true), text_size_(text_size), stream_(&stream) {}

  bool Null() { return value([&] { return dom_.null(); }); }
  bool Bool(bool v) { return value([&] { return dom_.boolean(v); }); }
  // Numbers arrive as RawNumber (kParseNumbersAsStringsFlag); these are never called.
  bool Int(int) { return false; }
  bool Int64(int64_t) { return false; }
  bool Uint(unsigned) { return false; }
  bool Uint64(uint64_t) { return false; }
  bool Double(double) { return false; }
  // The number's text, already checked against JSON's grammar by RapidJSON.
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    const char* const end = s + n;
    const bool negative = n && *s == '-';
    if (std::find_if(s, end, [](char c) { return c == '.' || c == 'e' || c == 'E'; }) == end) {
      // An integer: signed with '-' (nlohmann's number_integer), else unsigned, while it fits 64
      // bits, as RapidJSON reports it (Int / Int64, Uint / Uint64); past that a double.
      if (negative) {
        int64_t v = 0;
        const auto r = std::from_chars(s, end, v);
        if (r.ec == std::errc() && r.ptr == end) return integer(v);
      } else {
        uint64_t v = 0;
        const auto r = std::from_chars(s, end, v);
        if (r.ec == std::errc() && r.ptr == end) return unsigned_integer(v);
      }
    }
    double v = 0;
    const auto r = fast_float::from_chars(s, end, v);
    if (r.ec != std::errc() || r.ptr != end || !std::isfinite(v))
      fail(ErrorCode::kParse, "tokenizer.json: invalid JSON: the number " + std::string(s, std::min<size_t>(n, 40)) + " is out of range");
    if (in_vocab_) return vocab_score(v);
    return value([&] {
      const json::string_t unused;
      return dom_.number_float(v, unused);
    });
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    check_surrogates(s, n);
    if (in_vocab_) {
      if (depth_ != kEntryDepth || field_ != 0) bad_entry();
      // Copied: RapidJSON reuses this buffer for the number that follows (it copies the number's
      // text there). piece_ keeps its capacity, so this allocates ~never.
      piece_.assign(s, n);
      field_ = 1;
      return true;
    }
    return value([&] {
      json::string_t str(s, n);
      return dom_.string(str);
    });
  }
  bool StartObject() {
    if (in_vocab_) bad_entry();
    enter();
    flush_key();
    if (depth_ == 2 && model_key_) in_model_ = true;
    model_key_ = false;
    return dom_.start_object(static_cast<std::size_t>(-1));
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (in_vocab_) bad_entry();
    check_surrogates(s, n);
    const std::string_view k(s, n);
    model_key_ = depth_ == 1 && k == "model";
    if (in_model_ && depth_ == 2 && k == "vocab") {
      vocab_key_ = true;  // held back until we see whether the value is an array
      return true;
    }
    json::string_t key(s, n);
    return dom_.key(key);
  }
  bool EndObject(rapidjson::SizeType) {
    if (in_vocab_) bad_entry();
    if (depth_ == 2) in_model_ = false;
    --depth_;
    return dom_.end_object();
  }
  bool StartArray() {
    if (vocab_key_) {
      vocab_key_ = false;
      in_vocab_ = true;
      out_.unigram_vocab.emplace();
      pieces_ = &*out_.unigram_vocab;
      // The parser does not know the array's length: guess it from the document size (an
      // indented [piece, score] entry of XLM-R is ~60 bytes, ~9 of them the piece) so the arrays
      // rarely regrow.
      pieces_->reserve(text_size_ / 64, text_size_ / 7);
      vocab_depth_ = depth_ + 1;
      enter();
      scan_plain_entries(false);
      return true;
    }
    if (in_vocab_) {
      // One [piece, score] entry.
      if (depth_ != vocab_depth_) bad_entry();
      enter();
      field_ = 0;
      return true;
    }
    enter();
    flush_key();
    model_key_ = false;
    return dom_.start_array(static_cast<std::size_t>(-1));
  }
  bool EndArray(rapidjson::SizeType) {
    if (in_vocab_) {
      if (depth_ == vocab_depth_) {
        in_vocab_ = false;
        --depth_;
        return true;
      }
      if (field_ != 2) bad_entry();
      --depth_;
      scan_plain_entries(true);  // an entry the scanner left to us is done: back to the fast path
      return true;
    }
    --depth_;
    return dom_.end_array();
  }

 private:
  static constexpr int kEntryDepth = 4;  // top object, model, vocab, entry
  // scan_plain_entries() moves the stream's position during a callback: RapidJSON must parse the
  // caller's stream itself, not a local copy it writes back afterwards.
  static_assert(rapidjson::StreamTraits<JsonChunkStream>::copyOptimization == 0, "RapidJSON copies the stream");

  template <class F>
  bool value(F&& emit) {
    if (in_vocab_) bad_entry();
    flush_key();
    model_key_ = false;
    return emit();
  }
  bool integer(int64_t v) {
    if (in_vocab_) return vocab_score(static_cast<double>(v));
    return value([&] { return dom_.number_integer(v); });
  }
  bool unsigned_integer(uint64_t v) {
    if (in_vocab_) return vocab_score(static_cast<double>(v));
    return value([&] { return dom_.number_unsigned(v); });
  }
  void enter() {
    if (++depth_ > kMaxJsonDepth)
      fail(ErrorCode::kCapacity, "tokenizer.json: JSON nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  // A held-back "vocab" key whose value turned out not to be an array goes to the DOM after all.
  void flush_key() {
    if (!vocab_key_) return;
    vocab_key_ = false;
    json::string_t k = "vocab";
    dom_.key(k);
  }
  // Reads the vocab's plain entries straight from the text (json_vocab_scanner.h) and moves the
  // stream to where RapidJSON goes on: the array's ']' or the first entry the scanner left. The
  // stream is the caller's own (see the static_assert), so RapidJSON continues from there.
  // RapidJSON calls StartArray / EndArray with the stream still AT the '[' / ']' and takes that
  // one character after the call returns: the scan starts after it, and leaves the stream one
  // character before where RapidJSON must go on.
  void scan_plain_entries(bool after_element) {
    const char* bracket = stream_->position();
    if (bracket == stream_->chunk_end() || *bracket != (after_element ? ']' : '[')) return;  // not where RapidJSON 1.1 calls us
    stream_->seek(scan_vocab_entries(stream_->chunk_begin(), stream_->chunk_offset(), bracket + 1, stream_->chunk_end(),
                                     after_element, *pieces_, count_) -
                  1);
  }
  bool vocab_score(double v) {
    if (depth_ != kEntryDepth || field_ != 1) bad_entry();
    pieces_->push_back(piece_, v);
    ++count_;
    field_ = 2;
    return true;
  }
  // RapidJSON 1.1 decodes a lone "\udc00" escape into the UTF-8 of a surrogate (ED B0 80), which
  // JSON parsers that HF and we follow (serde_json, nlohmann) refuse: so do we.
  static void check_surrogates(const char* s, size_t n) {
    for (const void* p = std::memchr(s, 0xED, n); p; ) {
      const size_t i = static_cast<const char*>(p) - s;
      if (i + 1 < n && static_cast<unsigned char>(s[i + 1]) >= 0xA0)
        fail(ErrorCode::kParse, "tokenizer.json: invalid JSON: a string holds a lone UTF-16 surrogate escape");
      p = i + 1 < n ? std::memchr(s + i + 1, 0xED, n - i - 1) : nullptr;
    }
  }
  [[noreturn]] void bad_entry() const {
    fail(ErrorCode::kParse, "tokenizer.json: model.vocab[" + std::to_string(count_) + "] must be [string, number]");
  }

  TokenizerJson& out_;
  nlohmann::detail::json_sax_dom_parser<json> dom_;
  size_t text_size_;
  JsonChunkStream* stream_;
  UnigramVocab* pieces_ = nullptr;
  std::string piece_;       // the entry's piece, until its score comes
  size_t count_ = 0;        // entries complete so far
  int depth_ = 0;
  int vocab_depth_ = 0;
  int field_ = 0;  // inside an entry: 0 before the piece, 1 before the score, 2 after it
  bool model_key_ = false;
  bool in_model_ = false;
  bool vocab_key_ = false;
  bool in_vocab_ = false;
};

TokenizerJson read_tokenizer_json(JsonChunkStream& stream, size_t text_size) {
  TokenizerJson out;
  rapidjson::Reader reader;
  Reader handler(out, stream, text_size);
  // Iterative (no recursion whatever the nesting), strict UTF-8; numbers as text (Reader::RawNumber).
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag;
  const rapidjson::ParseResult r = reader.Parse<kFlags>(stream, handler);
  if (r.IsError())
    fail(ErrorCode::kParse, "tokenizer.json: invalid JSON at byte " + std::to_string(r.Offset()) + " (" +
                                rapidjson::GetParseError_En(r.Code()) + ")");
  return out;
}

}  // namespace

TokenizerJson read_tokenizer_json(std::string_view text) {
  JsonChunkStream stream(text);
  return read_tokenizer_json(stream, text.size());
}

TokenizerJson read_tokenizer_json(size_t text_size, size_t chunk_size, const JsonChunkSource& source) {
  if (chunk_size == 0) fail(ErrorCode::kInvalidArgument, "tokenizer.json: chunk size must be positive");
  const std::unique_ptr<char[]> buffer(new char[chunk_size]);
  JsonChunkStream stream(buffer.get(), chunk_size, &source);
  return read_tokenizer_json(stream, text_size);
}

}  // namespace wasmbed::tok
