// A RapidJSON input stream over a document that arrives in chunks, so a 17 MB tokenizer.json
// never has to sit whole in the wasm heap: JS copies it piece by piece into one small buffer.
//
// Why: copying the whole file into fresh heap pages was a third of a first (cold) load of a
// 250k-piece XLM-R tokenizer.json (16 MB: ~4,000 first-touch page faults, 50-100 ms on the 2-core
// test machine, more under load), and the file was the load's peak heap. A reused 512 KiB buffer
// faults 128 pages once.
//
// The stream is RapidJSON's MemoryStream with a refill: Peek/Take past the chunk's end ask the
// source for the next chunk (overwriting the buffer) and return '\0' only at the document's end,
// as MemoryStream does at its end. Nothing RapidJSON keeps across a Peek/Take points into the
// buffer (it parses with copies: strings and numbers-as-strings go through its own stack), and
// the vocab scanner (json_vocab_scanner.h) reads only inside the current chunk, so a refill never
// pulls text from under a reader. Tell() is the offset in the whole document, for error messages.
#pragma once
#include <cstddef>
#include <string_view>

#include <rapidjson/rapidjson.h>

#include "tokenizer/json_chunk_source.h"

namespace wasmbed::tok {

class JsonChunkStream {
 public:
  typedef char Ch;  // RapidJSON's stream concept

  // The whole document as one chunk (no source).
  explicit JsonChunkStream(std::string_view text) : begin_(text.data()), src_(text.data()), end_(text.data() + text.size()) {}
  // Chunks read from `source` into `buffer` (capacity > 0) as the parser reaches them.
  JsonChunkStream(char* buffer, size_t capacity, const JsonChunkSource* source)
      : begin_(buffer), src_(buffer), end_(buffer), buffer_(buffer), capacity_(capacity), source_(source) {}

  Ch Peek() { return src_ != end_ || refill() ? *src_ : '\0'; }
  Ch Take() { return src_ != end_ || refill() ? *src_++ : '\0'; }
  size_t Tell() const { return base_ + static_cast<size_t>(src_ - begin_); }

  // Output side of the concept: never used for input streams (RapidJSON asserts the same).
  Ch* PutBegin() { RAPIDJSON_ASSERT(false); return nullptr; }
  void Put(Ch) { RAPIDJSON_ASSERT(false); }
  void Flush() { RAPIDJSON_ASSERT(false); }
  size_t PutEnd(Ch*) { RAPIDJSON_ASSERT(false); return 0; }

  // The current chunk, for readers that scan it directly (json_vocab_scanner): [begin, end), the
  // parser's position in it, and the document offset of its first byte.
  const char* chunk_begin() const { return begin_; }
  const char* chunk_end() const { return end_; }
  const char* position() const { return src_; }
  size_t chunk_offset() const { return base_; }
  // Moves the position inside the current chunk (chunk_begin() <= p <= chunk_end()).
  void seek(const char* p) { src_ = p; }

 private:
  // Out of line: RapidJSON inlines Peek/Take at every use, and V8 compiles its parse functions
  // with TurboFan in the background during a first load; kept small, that costs less.
  __attribute__((noinline)) bool refill() {
    if (!source_) return false;
    base_ += static_cast<size_t>(end_ - begin_);
    const size_t n = (*source_)(buffer_, capacity_);
    begin_ = src_ = buffer_;
    end_ = buffer_ + (n < capacity_ ? n : capacity_);
    if (n == 0) source_ = nullptr;  // the end: later calls answer '\0' without asking again
    return n != 0;
  }

  const char* begin_;
  const char* src_;
  const char* end_;
  size_t base_ = 0;
  char* buffer_ = nullptr;
  size_t capacity_ = 0;
  const JsonChunkSource* source_ = nullptr;
};

}  // namespace wasmbed::tok
