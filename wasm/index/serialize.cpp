#include "index/serialize.h"

#include <cmath>
#include <cstring>

#include "common/error.h"

namespace wasmbed::index {

namespace {

struct CrcTables {
  uint32_t t[8][256];
  CrcTables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
};

const CrcTables& tables() {
  static const CrcTables tables;
  return tables;
}

uint32_t load_u32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint64_t load_u64(const uint8_t* p) { return uint64_t(load_u32(p)) | uint64_t(load_u32(p + 4)) << 32; }
void store_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
void store_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}

[[noreturn]] void corrupt(const std::string& msg) { fail(ErrorCode::kCorrupt, "index bytes are corrupt: " + msg); }

}  // namespace

uint32_t crc32(const uint8_t* p, size_t n, uint32_t crc) {
  const auto& T = tables().t;
  crc = ~crc;
  while (n >= 8) {
    const uint32_t a = crc ^ load_u32(p);
    const uint32_t b = load_u32(p + 4);
    crc = T[7][a & 0xFF] ^ T[6][(a >> 8) & 0xFF] ^ T[5][(a >> 16) & 0xFF] ^ T[4][a >> 24] ^ T[3][b & 0xFF] ^
          T[2][(b >> 8) & 0xFF] ^ T[1][(b >> 16) & 0xFF] ^ T[0][b >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) crc = T[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void ByteWriter::begin(uint32_t kind, uint32_t dims, uint32_t count) {
  buf_.clear();
  bytes("WBIX", 4);
  u32(kFormatVersion);
  u32(kind);
  u32(dims);
  u32(count);
  u32(0);
  u64(0);  // payload length, patched by finish()
}

void ByteWriter::u32(uint32_t v) {
  uint8_t b[4];
  store_u32(b, v);
  bytes(b, 4);
}
void ByteWriter::u64(uint64_t v) {
  uint8_t b[8];
  store_u64(b, v);
  bytes(b, 8);
}
void ByteWriter::f32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  u32(bits);
}
void ByteWriter::bytes(const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  buf_.insert(buf_.end(), b, b + n);
}
void ByteWriter::str(const std::string& s) {
  u32(uint32_t(s.size()));
  bytes(s.data(), s.size());
}

std::vector<uint8_t> ByteWriter::finish() {
  store_u64(buf_.data() + 24, uint64_t(buf_.size() - kHeaderBytes));
  const uint32_t crc = crc32(buf_.data(), buf_.size());
  u32(crc);
  return std::move(buf_);
}

void ByteReader::need(size_t n, const char* what) const {
  if (n > remaining())
    corrupt(std::string(what) + " needs " + std::to_string(n) + " bytes but only " + std::to_string(remaining()) +
            " remain in the payload");
}
uint8_t ByteReader::u8(const char* what) {
  need(1, what);
  return *p_++;
}
uint32_t ByteReader::u32(const char* what) {
  need(4, what);
  const uint32_t v = load_u32(p_);
  p_ += 4;
  return v;
}
uint64_t ByteReader::u64(const char* what) {
  need(8, what);
  const uint64_t v = load_u64(p_);
  p_ += 8;
  return v;
}
float ByteReader::f32(const char* what) {
  const uint32_t bits = u32(what);
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}
float ByteReader::finite_f32(const char* what) {
  const float v = f32(what);
  if (!std::isfinite(v)) corrupt(std::string(what) + " holds a non-finite value");
  return v;
}
const uint8_t* ByteReader::bytes(size_t n, const char* what) {
  need(n, what);
  const uint8_t* p = p_;
  p_ += n;
  return p;
}
std::string ByteReader::str(const char* what) {
  const uint32_t n = u32(what);
  const uint8_t* p = bytes(n, what);
  return std::string(reinterpret_cast<const char*>(p), n);
}
void ByteReader::expect_end(const char* what) const {
  if (remaining() != 0) corrupt(std::to_string(remaining()) + " unexpected bytes after the " + what);
}

Container open_container(const uint8_t* data, size_t size, uint32_t expected_kind) {
  if (data == nullptr && size != 0) fail(ErrorCode::kInvalidArgument, "index bytes: null data");
  if (size < kHeaderBytes + kTrailerBytes)
    corrupt("truncated: " + std::to_string(size) + " bytes is shorter than the " +
            std::to_string(kHeaderBytes + kTrailerBytes) + "-byte header and checksum");
  if (std::memcmp(data, "WBIX", 4) != 0) corrupt("bad magic (not a saved wasmbed index)");
  const uint64_t payload = load_u64(data + 24);
  const uint64_t expected = uint64_t(kHeaderBytes) + payload + kTrailerBytes;
  if (payload > size || expected != size) {
    if (payload > size || expected > size)
      corrupt("truncated: header declares " + std::to_string(expected) + " bytes but only " + std::to_string(size) +
              " are present");
    corrupt("size mismatch: header declares " + std::to_string(expected) + " bytes but " + std::to_string(size) +
            " are present (trailing data)");
  }
  const uint32_t stored = load_u32(data + size - kTrailerBytes);
  const uint32_t actual = crc32(data, size - kTrailerBytes);
  if (stored != actual) corrupt("checksum mismatch (CRC-32 stored " + std::to_string(stored) + ", computed " +
                                std::to_string(actual) + ")");
  const uint32_t version = load_u32(data + 4);
  if (version == 0 || version > kFormatVersion)
    fail(ErrorCode::kUnsupported, "index bytes use format version " + std::to_string(version) +
                                      "; this wasmbed reads versions 1.." + std::to_string(kFormatVersion));
  if (load_u32(data + 20) != 0) corrupt("reserved header field is not zero");
  Container c;
  c.version = version;
  c.kind = load_u32(data + 8);
  if (c.kind != expected_kind) {
    // A valid file of the other kind: a usage error, not corruption.
    auto name = [](uint32_t k) {
      return std::string(k == kKindVector ? "a vector index" : k == kKindLexical ? "a lexical index" : "kind " + std::to_string(k));
    };
    fail(ErrorCode::kInvalidArgument, "index bytes hold " + name(c.kind) + ", not " + name(expected_kind));
  }
  c.dims = load_u32(data + 12);
  c.count = load_u32(data + 16);
  c.payload = ByteReader(data + kHeaderBytes, size_t(payload));
  return c;
}

}  // namespace wasmbed::index
