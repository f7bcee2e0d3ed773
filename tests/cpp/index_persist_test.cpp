// Save/load of the vector and lexical indexes: round trips, and every corruption or truncation of
// a small saved index is reported as an error (never a crash or an out-of-bounds read: run under
// ASan in scripts/test-native.sh).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "index/inverted_index.h"
#include "index/serialize.h"
#include "index/vector_index.h"
#include "index_test_util.h"
#include "test_files.h"

namespace wasmbed::index {
namespace {

using testing::clustered_rows;

VectorIndex small_index(Storage st, bool keep) {
  VectorIndexConfig cfg;
  cfg.dims = 70;  // not a multiple of 64: exercises the binary padding check
  cfg.storage = st;
  cfg.keep_float = keep;
  VectorIndex idx(cfg);
  const uint32_t a = idx.intern_tag("alpha"), b = idx.intern_tag("βeta");
  const auto rows = clustered_rows(12, 70, 21);
  for (uint32_t i = 0; i < 12; ++i) {
    const uint32_t tags[] = {a, b};
    idx.add(100 + i * 3, rows.data() + i * 70, tags + (i % 2), i % 3 == 0 ? 0 : 2 - (i % 2));
  }
  idx.remove(103);
  return idx;
}

void expect_same(const VectorIndex& x, const VectorIndex& y) {
  ASSERT_EQ(x.size(), y.size());
  const auto queries = clustered_rows(4, x.config().dims, 77);
  for (size_t qi = 0; qi < 4; ++qi) {
    SearchParams p;
    p.k = 5;
    p.oversample = 3;
    const auto a = x.search(queries.data() + qi * x.config().dims, p);
    const auto b = y.search(queries.data() + qi * y.config().dims, p);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].id, b[i].id);
      EXPECT_EQ(a[i].score, b[i].score);
    }
  }
  for (size_t s = 0; s < x.size(); ++s) {
    const uint32_t id = x.ids()[s];
    ASSERT_TRUE(y.contains(id));
    const auto& ta = x.tags_of(id);
    const auto& tb = y.tags_of(id);
    ASSERT_EQ(ta.size(), tb.size());
    for (size_t i = 0; i < ta.size(); ++i) EXPECT_EQ(x.tag_name(ta[i]), y.tag_name(tb[i]));
  }
}

ErrorCode load_code(const std::vector<uint8_t>& bytes, bool lexical = false) {
  try {
    if (lexical) InvertedIndex::load(bytes.data(), bytes.size());
    else VectorIndex::load(bytes.data(), bytes.size());
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode(0);
}

TEST(IndexPersist, Crc32MatchesZlibCheckValue) {
  const char* s = "123456789";
  EXPECT_EQ(crc32(reinterpret_cast<const uint8_t*>(s), 9), 0xCBF43926u);
  EXPECT_EQ(crc32(reinterpret_cast<const uint8_t*>(s) + 4, 5, crc32(reinterpret_cast<const uint8_t*>(s), 4)), 0xCBF43926u);
}

TEST(IndexPersist, VectorRoundTripEveryStorage) {
  for (Storage st : {Storage::kFloat32, Storage::kInt8, Storage::kBinary}) {
    for (bool keep : {false, true}) {
      const VectorIndex idx = small_index(st, keep);
      const auto bytes = idx.save();
      const VectorIndex back = VectorIndex::load(bytes.data(), bytes.size());
      EXPECT_EQ(back.config().storage, st);
      EXPECT_EQ(back.config().keep_float, st != Storage::kFloat32 && keep);
      expect_same(idx, back);
      EXPECT_EQ(back.save(), bytes);  // deterministic bytes
    }
  }
}

TEST(IndexPersist, EveryFlippedByteIsDetected) {
  for (Storage st : {Storage::kFloat32, Storage::kInt8, Storage::kBinary}) {
    const auto bytes = small_index(st, st != Storage::kFloat32).save();
    for (size_t i = 0; i < bytes.size(); ++i) {
      auto bad = bytes;
      bad[i] ^= 0x5A;
      EXPECT_EQ(load_code(bad), ErrorCode::kCorrupt) << storage_name(st) << " byte " << i;
    }
  }
}

TEST(IndexPersist, EveryTruncationIsDetected) {
  const auto bytes = small_index(Storage::kInt8, true).save();
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + n);
    EXPECT_EQ(load_code(prefix), ErrorCode::kCorrupt) << "length " << n;
  }
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(load_code(longer), ErrorCode::kCorrupt);
}

TEST(IndexPersist, MessagesNameTheProblem) {
  auto bytes = small_index(Storage::kFloat32, false).save();
  auto message = [](const std::vector<uint8_t>& b) {
    try {
      VectorIndex::load(b.data(), b.size());
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 10)).find("truncated"), std::string::npos);
  EXPECT_NE(message(std::vector<uint8_t>(bytes.begin(), bytes.end() - 9)).find("truncated"), std::string::npos);
  auto flipped = bytes;
  flipped[40] ^= 1;
  EXPECT_NE(message(flipped).find("checksum"), std::string::npos);
  auto magic = bytes;
  magic[0] = 'X';
  EXPECT_NE(message(magic).find("magic"), std::string::npos);
  // A lexical index is not a vector index: a usage error.
  InvertedIndex lex;
  const auto lb = lex.save();
  try {
    VectorIndex::load(lb.data(), lb.size());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("lexical"), std::string::npos);
  }
}

TEST(IndexPersist, NewerVersionIsUnsupported) {
  auto bytes = small_index(Storage::kFloat32, false).save();
  bytes[4] = 9;  // version 9, with a checksum recomputed as a future writer would
  const uint32_t crc = crc32(bytes.data(), bytes.size() - 4);
  for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = uint8_t(crc >> (8 * i));
  EXPECT_EQ(load_code(bytes), ErrorCode::kUnsupported);
}

TEST(IndexPersist, LexicalRoundTripAndCorruption) {
  InvertedIndex idx;
  const int32_t d1[] = {5, 9, 5, 100}, d2[] = {9, 7}, d3[] = {100, 100, 100};
  idx.add_tokens(1, d1, 4);
  idx.add_tokens(2, d2, 2);
  idx.add_tokens(3, d3, 3);
  idx.remove(2);
  const auto bytes = idx.save();
  const InvertedIndex back = InvertedIndex::load(bytes.data(), bytes.size());
  ASSERT_EQ(back.size(), 2u);
  const int32_t q[] = {100, 5};
  const auto a = idx.search_tokens(q, 2, 5), b = back.search_tokens(q, 2, 5);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].score, b[i].score);
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto bad = bytes;
    bad[i] ^= 0xFF;
    EXPECT_EQ(load_code(bad, true), ErrorCode::kCorrupt) << "byte " << i;
  }
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_EQ(load_code(std::vector<uint8_t>(bytes.begin(), bytes.begin() + n), true), ErrorCode::kCorrupt) << n;
}

// ---------------------------------------------------------------- format version 2

TEST(IndexPersist, Int8RoundTripBeforeAndAfterTheFit) {
  for (size_t n : {40u, 1100u}) {
    VectorIndexConfig cfg;
    cfg.dims = 16;
    cfg.storage = Storage::kInt8;
    VectorIndex idx(cfg);
    const auto data = testing::embedding_like(n, 0, 16, 2);
    for (uint32_t i = 0; i < n; ++i) idx.add(i * 2, data.rows.data() + i * 16);
    idx.remove(6);
    ASSERT_EQ(idx.int8_fitted(), n > idx.fit_rows());
    const auto bytes = idx.save();
    EXPECT_EQ(bytes[4], 2);  // format version
    VectorIndex back = VectorIndex::load(bytes.data(), bytes.size());
    EXPECT_EQ(back.int8_fitted(), idx.int8_fitted());
    EXPECT_TRUE(testing::snapshot(back) == testing::snapshot(idx)) << n;
    EXPECT_EQ(back.save(), bytes);
    if (n < idx.fit_rows()) {
      // The loaded index keeps the float rows and fits when it reaches fit_rows(), as the original.
      for (uint32_t i = n; i < idx.fit_rows() + 1; ++i) {
        std::vector<float> v(16, std::sin(float(i)));
        v[i % 16] = 1.0f;
        idx.add(i * 2, v.data());
        back.add(i * 2, v.data());
      }
      EXPECT_TRUE(back.int8_fitted());
      EXPECT_EQ(back.save(), idx.save());
    }
  }
}

// Bytes whose stored floats are NaN or infinite are corrupt even when the checksum matches (a
// writer bug, or a deliberate edit): one such value would poison every later search.
void put_f32_fix_crc(std::vector<uint8_t>& bytes, size_t offset, float v) {
  std::memcpy(bytes.data() + offset, &v, 4);
  const uint32_t crc = crc32(bytes.data(), bytes.size() - 4);
  for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = uint8_t(crc >> (8 * i));
}

TEST(IndexPersist, NonFiniteStoredValuesAreCorruptEvenWithAValidChecksum) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const size_t dims = 16;
  auto make = [&](Storage st, bool keep, size_t n) {
    VectorIndexConfig cfg;
    cfg.dims = dims;
    cfg.storage = st;
    cfg.keep_float = keep;
    VectorIndex idx(cfg);
    const auto data = testing::embedding_like(n, 0, dims, 4);
    std::vector<uint32_t> ids(n);
    for (uint32_t i = 0; i < n; ++i) ids[i] = i;
    idx.add_batch(ids.data(), data.rows.data(), n);
    return idx.save();
  };
  struct Spot {
    const char* what;
    std::vector<uint8_t> bytes;
    size_t offset;  // from the end of the payload (before the 4-byte CRC)
  };
  const size_t n = 20, fitted_n = 1100;
  const std::vector<Spot> spots = {
      {"float32 rows", make(Storage::kFloat32, false, n), n * dims * 4 - 7 * 4},
      {"int8 pending float32 rows", make(Storage::kInt8, false, n), n * dims * 4 - 3 * 4},
      {"int8 row scales (before the fit)", make(Storage::kInt8, false, n), n * dims * 4 + 4 + 2 * 4},
      {"int8 center", make(Storage::kInt8, false, fitted_n), 2 * dims * 4 - 4},
      {"int8 row scales", make(Storage::kInt8, false, fitted_n), 2 * dims * 4 + 4 + 4},
      {"keep_float rows", make(Storage::kInt8, true, n), 4},
      {"binary keep_float rows", make(Storage::kBinary, true, n), n * dims * 4},
  };
  for (const Spot& s : spots) {
    ASSERT_EQ(load_code(s.bytes), ErrorCode(0)) << s.what;
    for (float bad : {nan, inf, -inf}) {
      auto b = s.bytes;
      put_f32_fix_crc(b, b.size() - 4 - s.offset, bad);
      EXPECT_EQ(load_code(b), ErrorCode::kCorrupt) << s.what << " = " << bad;
    }
  }
  // A rotation that is not a signed permutation (two entries equal) is corrupt too.
  auto bad_perm = make(Storage::kInt8, false, fitted_n);
  std::memcpy(bad_perm.data() + bad_perm.size() - 4 - 4, bad_perm.data() + bad_perm.size() - 4 - 8, 4);
  const uint32_t crc = crc32(bad_perm.data(), bad_perm.size() - 4);
  for (int i = 0; i < 4; ++i) bad_perm[bad_perm.size() - 4 + i] = uint8_t(crc >> (8 * i));
  EXPECT_EQ(load_code(bad_perm), ErrorCode::kCorrupt);
  // The same for a lexical index's weights and lengths.
  InvertedIndex lex(LexicalScoring::kDot);
  const int32_t terms[] = {3, 8};
  const float weights[] = {0.5f, 1.25f};
  lex.add_weighted(1, terms, weights, 2);
  auto lb = lex.save();
  put_f32_fix_crc(lb, lb.size() - 4 - 4, nan);  // the last term weight
  EXPECT_EQ(load_code(lb, true), ErrorCode::kCorrupt);
}

// ---------------------------------------------------------------- format version 1 files

// tests/fixtures/index-v1: files written by the format-1 core, and what it returned for them.
TEST(IndexPersist, LoadsFormatVersion1Files) {
  const std::string dir = wasmbed::testing::source_dir() + "/tests/fixtures/index-v1/";
  std::string text;
  ASSERT_TRUE(wasmbed::testing::read_file(dir + "expected.json", text));
  const auto fixture = nlohmann::json::parse(text);
  const size_t dims = fixture["dims"];
  for (const auto& [name, want] : fixture["expected"].items()) {
    std::string raw;
    ASSERT_TRUE(wasmbed::testing::read_file(dir + "vector-" + name + ".wbix", raw)) << name;
    ASSERT_EQ(raw[4], 1) << name << ": not a version-1 file";
    VectorIndex idx = VectorIndex::load(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
    ASSERT_EQ(idx.size(), size_t(want["size"])) << name;
    EXPECT_TRUE(idx.int8_fitted() || idx.config().storage != Storage::kInt8);
    std::vector<float> got(dims);
    for (size_t s = 0; s < idx.size(); ++s) {
      const uint32_t id = want["ids"][s];
      EXPECT_EQ(idx.ids()[s], id) << name;
      idx.get(id, got.data());
      const auto& v = want["get"][std::to_string(id)];
      for (size_t d = 0; d < dims; ++d) ASSERT_NEAR(got[d], float(v[d]), 1e-7) << name << " id " << id << " d " << d;
      EXPECT_EQ(idx.tags_of(id).size(), want["tags"][std::to_string(id)].size()) << name;
    }
    for (size_t qi = 0; qi < fixture["queries"].size(); ++qi) {
      std::vector<float> q;
      for (double x : fixture["queries"][qi]) q.push_back(float(x));
      for (const char* mode : {"rescored", "raw"}) {
        SearchParams p;
        p.k = 5;
        const bool rescored = std::string(mode) == "rescored";
        p.oversample = rescored ? (idx.config().storage == Storage::kBinary ? 20 : 4) : 0;
        if (idx.config().storage == Storage::kFloat32) p.oversample = 0;
        const auto hits = idx.search(q.data(), p);
        const auto& w = want["search"][qi][mode];
        ASSERT_EQ(hits.size(), w.size()) << name;
        for (size_t i = 0; i < hits.size(); ++i) {
          EXPECT_EQ(hits[i].id, uint32_t(w[i]["id"])) << name << " " << mode << " q" << qi << " #" << i;
          EXPECT_NEAR(hits[i].score, float(w[i]["score"]), 2e-6) << name << " " << mode;
        }
      }
    }
    // Saved again, it is a version-2 file that loads to the same index.
    const auto again = idx.save();
    EXPECT_EQ(again[4], 2);
    EXPECT_TRUE(testing::snapshot(VectorIndex::load(again.data(), again.size())) == testing::snapshot(idx)) << name;
  }
}

}  // namespace
}  // namespace wasmbed::index
