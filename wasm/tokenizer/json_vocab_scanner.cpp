#include "tokenizer/json_vocab_scanner.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include <fast_float/fast_float.h>

#include "common/error.h"

namespace wasmbed::tok {

namespace {

const char* skip_ws(const char* p, const char* end) {
  while (p != end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  return p;
}

bool continuation(const char* p, const char* end, int n) {
  for (int i = 0; i < n; ++i)
    if (p + i == end || (static_cast<uint8_t>(p[i]) & 0xC0) != 0x80) return false;
  return true;
}

// A string without escapes or control characters, valid UTF-8: `p` is after the opening quote;
// on success `p` is after the closing one.
bool plain_string(const char*& p, const char* end, std::string_view& out) {
  const char* s = p;
  while (s != end) {
    const uint8_t c = static_cast<uint8_t>(*s);
    if (c == '"') {
      out = std::string_view(p, static_cast<size_t>(s - p));
      p = s + 1;
      return true;
    }
    if (c < 0x80) {
      if (c < 0x20 || c == '\\') return false;
      ++s;
      continue;
    }
    // The second byte's range narrows for E0 (no overlong), ED (no surrogates), F0 (no overlong)
    // and F4 (nothing above U+10FFFF).
    int n;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if (c >= 0xE0 && c <= 0xEF) n = 2, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4) n = 3, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else return false;
    if (s + 1 == end || static_cast<uint8_t>(s[1]) < lo || static_cast<uint8_t>(s[1]) > hi) return false;
    if (!continuation(s + 2, end, n - 1)) return false;
    s += n + 1;
  }
  return false;
}

bool digit(const char* p, const char* end) { return p != end && *p >= '0' && *p <= '9'; }

// A number in JSON's grammar, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, finite as a double.
bool number(const char*& p, const char* end, double& out) {
  const char* s = p;
  if (s != end && *s == '-') ++s;
  if (!digit(s, end)) return false;
  if (*s == '0') ++s;
  else while (digit(s, end)) ++s;
  bool integer = true;
  if (s != end && *s == '.') {
    ++s;
    if (!digit(s, end)) return false;
    while (digit(s, end)) ++s;
    integer = false;
  }
  if (s != end && (*s == 'e' || *s == 'E')) {
    ++s;
    if (s != end && (*s == '+' || *s == '-')) ++s;
    if (!digit(s, end)) return false;
    while (digit(s, end)) ++s;
    integer = false;
  }
  double v = 0;
  const auto r = fast_float::from_chars(p, s, v);
  if (r.ec != std::errc() || r.ptr != s || !std::isfinite(v)) return false;
  out = integer && v == 0 ? 0.0 : v;  // RapidJSON gives an integer "-0" as the integer 0
  p = s;
  return true;
}

// One plain [piece, score] entry from `p` (at its '['); on success `p` is after its ']'. Not yet
// added to the vocabulary: the caller decides whether it takes it.
__attribute__((noinline)) bool entry(const char*& p, const char* end, std::string_view& piece, double& score) {
  const char* s = p;
  if (s == end || *s != '[') return false;
  s = skip_ws(s + 1, end);
  if (s == end || *s != '"') return false;
  ++s;
  if (!plain_string(s, end, piece)) return false;
  s = skip_ws(s, end);
  if (s == end || *s != ',') return false;
  s = skip_ws(s + 1, end);
  if (!number(s, end, score)) return false;
  s = skip_ws(s, end);
  if (s == end || *s != ']') return false;
  p = s + 1;
  return true;
}

}  // namespace

const char* scan_vocab_entries(const char* chunk, size_t chunk_offset, const char* at, const char* end, bool after_element,
                               UnigramVocab& vocab, size_t& entries) {
  // RapidJSON's state decides where it can take over: after an element it expects ',' or ']'
  // (hand it the text before the ','), right after '[' it expects a value (hand it the entry
  // itself, and report what it could not see: a missing or trailing comma).
  const auto invalid = [&](const char* p, const char* what) {
    fail(ErrorCode::kParse, "tokenizer.json: invalid JSON at byte " + std::to_string(chunk_offset + (p - chunk)) + " (" + what + ")");
  };
  // Right after '[', an entry is taken only when what follows it (',' or ']') is in this chunk
  // too: RapidJSON, still expecting a value, must go on at an entry's start, never after one.
  const auto followed = [&](const char* after) { return after_element || skip_ws(after, end) != end; };
  std::string_view piece;
  double score = 0;
  const char* p = skip_ws(at, end);
  if (!after_element) {
    if (p != end && *p == ']') return p;
    const char* first = p;
    if (!entry(p, end, piece, score) || !followed(p)) return first;
    vocab.push_back(piece, score);
    ++entries;
  }
  for (;;) {
    const char* before = p;  // right after a complete entry
    p = skip_ws(p, end);
    if (p != end && *p == ']') return p;
    if (p == end || *p != ',') {
      if (after_element) return before;
      invalid(p, "Missing a comma or ']' after an array element.");
    }
    const char* const next = skip_ws(p + 1, end);
    const char* after = next;
    if (!entry(after, end, piece, score) || !followed(after)) {
      if (after_element) return before;
      if (next != end && *next == ']') invalid(next, "Invalid value.");  // a trailing comma
      return next;
    }
    vocab.push_back(piece, score);
    ++entries;
    p = after;
  }
}

}  // namespace wasmbed::tok
