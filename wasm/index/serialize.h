// Byte format shared by the saved indexes (vector and lexical):
//
//   offset  size  field
//   0       4     magic "WBIX"
//   4       4     format version (kFormatVersion)
//   8       4     kind (1 = vector index, 2 = lexical / inverted index)
//   12      4     dims (0 for a lexical index)
//   16      4     count (live entries)
//   20      4     reserved, 0
//   24      8     payload length P in bytes
//   32      P     payload (kind-specific, little-endian)
//   32+P    4     CRC-32 (IEEE, as zlib) of bytes [0, 32+P)
//
// Everything is little-endian. Loading checks, in this order: minimum size, magic, declared
// length vs actual length (truncated / trailing bytes), checksum, version, kind; then the payload
// is read through a bounds-checked reader, so no byte string can make the loader read out of
// bounds. Each failure is a CorruptDataError (kCorrupt) whose message names the problem; a newer
// format version is UnsupportedError.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace wasmbed::index {

// Version history: 1 = first format; 2 = int8 vector indexes carry their per-dimension transform
// (or, before the fit, their float32 rows). Lexical payloads are the same in both. Every version
// up to kFormatVersion loads.
constexpr uint32_t kFormatVersion = 2;
constexpr uint32_t kKindVector = 1;
constexpr uint32_t kKindLexical = 2;
constexpr size_t kHeaderBytes = 32;
constexpr size_t kTrailerBytes = 4;

// CRC-32 (polynomial 0xEDB88320, slicing-by-8). `crc` chains calls; start with 0.
uint32_t crc32(const uint8_t* data, size_t n, uint32_t crc = 0);

// Appends little-endian values; begin() writes the header, finish() patches the payload length
// and appends the checksum.
class ByteWriter {
 public:
  void begin(uint32_t kind, uint32_t dims, uint32_t count);
  void u8(uint8_t v) { buf_.push_back(v); }
  void u32(uint32_t v);
  void u64(uint64_t v);
  void f32(float v);
  void bytes(const void* p, size_t n);
  // Length-prefixed (u32) UTF-8 string.
  void str(const std::string& s);
  // Reserves room up front when the caller knows the final size (avoids regrowth copies).
  void reserve(size_t n) { buf_.reserve(n); }
  std::vector<uint8_t> finish();

 private:
  std::vector<uint8_t> buf_;
};

// Bounds-checked little-endian reader over a payload. Every read that would pass the end throws
// CorruptDataError naming `what`.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  uint8_t u8(const char* what);
  uint32_t u32(const char* what);
  uint64_t u64(const char* what);
  float f32(const char* what);
  // A float that must be finite (CorruptDataError naming `what` otherwise).
  float finite_f32(const char* what);
  // Returns a pointer to n bytes in place and advances.
  const uint8_t* bytes(size_t n, const char* what);
  std::string str(const char* what);
  size_t remaining() const { return size_t(end_ - p_); }
  // Fails when bytes are left over (a payload longer than its content is corrupt too).
  void expect_end(const char* what) const;

 private:
  void need(size_t n, const char* what) const;
  const uint8_t* p_;
  const uint8_t* end_;
};

struct Container {
  uint32_t version = 0;
  uint32_t kind = 0;
  uint32_t dims = 0;
  uint32_t count = 0;
  ByteReader payload{nullptr, 0};
};

// Validates the envelope (size, magic, length, checksum, version, kind == expected_kind).
Container open_container(const uint8_t* data, size_t size, uint32_t expected_kind);

}  // namespace wasmbed::index
