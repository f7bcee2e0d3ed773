// All or nothing: every refused add / add_batch / update / set_tags leaves the index exactly as it
// was (size, slot order, vectors, tags, search results), non-finite vectors and queries are
// InvalidArgument errors that name the row and component.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "common/error.h"
#include "index/vector_index.h"
#include "index_test_util.h"

namespace wasmbed::index {
namespace {

using testing::clustered_rows;
using testing::snapshot;

// The error a call raises (code and message), or code 0 when it succeeds.
std::pair<ErrorCode, std::string> error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return {e.code(), e.what()};
  }
  return {ErrorCode(0), ""};
}

VectorIndex filled(Storage st, bool keep, size_t n) {
  VectorIndexConfig cfg;
  cfg.dims = 24;
  cfg.storage = st;
  cfg.keep_float = keep;
  VectorIndex idx(cfg);
  const uint32_t a = idx.intern_tag("a");
  idx.intern_tag("b");
  const auto rows = clustered_rows(n, 24, 9);
  for (uint32_t i = 0; i < n; ++i) idx.add(10 + i, rows.data() + i * 24, &a, i % 2);
  return idx;
}

struct Case {
  Storage storage;
  bool keep;
  size_t rows;  // below and above the int8 fit
};

class AllOrNothing : public ::testing::TestWithParam<Case> {};

TEST_P(AllOrNothing, RefusedOperationsLeaveTheIndexUnchanged) {
  const Case c = GetParam();
  VectorIndex idx = filled(c.storage, c.keep, c.rows);
  const auto before = snapshot(idx);
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  std::vector<float> good(24, 0.25f), with_nan(24, 0.25f), with_inf(24, 0.25f);
  with_nan[5] = nan;
  with_inf[23] = -inf;
  const uint32_t tag_a = 0, unknown_tag = 7;

  auto refused = [&](const std::function<void()>& f, const std::string& says) {
    const auto [code, msg] = error_of(f);
    EXPECT_EQ(code, ErrorCode::kInvalidArgument) << says;
    EXPECT_NE(msg.find(says), std::string::npos) << msg;
    EXPECT_TRUE(snapshot(idx) == before) << "changed by: " << says;
  };
  refused([&] { idx.add(100500, with_nan.data()); }, "component 5 is NaN");
  refused([&] { idx.add(100500, with_inf.data()); }, "component 23 is infinite");
  refused([&] { idx.add(100500, good.data(), &unknown_tag, 1); }, "unknown tag id 7");
  refused([&] { idx.add(10, good.data()); }, "id 10 already exists");
  refused([&] { idx.update(11, with_nan.data()); }, "component 5 is NaN");
  refused([&] { idx.update(11, good.data(), true, &unknown_tag, 1); }, "unknown tag id 7");
  refused([&] { idx.update(199999, good.data()); }, "no vector with id 199999");
  refused([&] { idx.set_tags(11, &unknown_tag, 1); }, "unknown tag id 7");

  // Batches: a bad last row refuses the whole batch, whatever the reason.
  const size_t n = 3;
  std::vector<float> rows(n * 24, 0.5f);
  std::vector<uint32_t> ids = {100600, 100601, 100602};  // far above the filled ids
  auto batch_refused = [&](std::vector<float> r, std::vector<uint32_t> i, const uint32_t* tags, const uint32_t* offsets,
                           const std::string& says) {
    refused([&] { idx.add_batch(i.data(), r.data(), i.size(), tags, offsets); }, says);
  };
  auto nan_rows = rows;
  nan_rows[2 * 24 + 4] = nan;
  batch_refused(nan_rows, ids, nullptr, nullptr, "row 2 (id 100602) component 4 is NaN");
  batch_refused(rows, {100600, 100601, 100600}, nullptr, nullptr, "id 100600 appears twice in the batch");
  batch_refused(rows, {100600, 100601, 12}, nullptr, nullptr, "id 12 already exists");
  const uint32_t tags[] = {tag_a, unknown_tag}, offsets[] = {0, 1, 1, 2};
  batch_refused(rows, ids, tags, offsets, "row 2: unknown tag id 7");
  const uint32_t bad_offsets[] = {0, 1, 0, 1};
  batch_refused(rows, ids, tags, bad_offsets, "tag offsets must not decrease");

  // A NaN query is refused too (even by an index with nothing in it).
  SearchParams p;
  EXPECT_EQ(error_of([&] { idx.search(with_nan.data(), p); }).first, ErrorCode::kInvalidArgument);
  VectorIndexConfig cfg;
  cfg.dims = 24;
  cfg.storage = c.storage;
  VectorIndex empty(cfg);
  EXPECT_NE(error_of([&] { empty.search(with_inf.data(), p); }).second.find("query component 23 is infinite"),
            std::string::npos);

  // The same batch with good tags goes in, tags included.
  const uint32_t good_offsets[] = {0, 1, 1, 1};
  idx.add_batch(ids.data(), rows.data(), n, tags, good_offsets);
  EXPECT_EQ(idx.size(), before.size + 3);
  EXPECT_EQ(idx.tags_of(100600), std::vector<uint32_t>{tag_a});
  EXPECT_TRUE(idx.tags_of(100601).empty());
  idx.update(100601, good.data(), true, &tag_a, 1);
  EXPECT_EQ(idx.tags_of(100601), std::vector<uint32_t>{tag_a});
}

INSTANTIATE_TEST_SUITE_P(EveryStorage, AllOrNothing,
                         ::testing::Values(Case{Storage::kFloat32, false, 30}, Case{Storage::kInt8, false, 30},
                                           Case{Storage::kInt8, false, 1100}, Case{Storage::kInt8, true, 30},
                                           Case{Storage::kBinary, true, 30}, Case{Storage::kBinary, false, 30}),
                         [](const auto& info) {
                           return std::string(storage_name(info.param.storage)) + (info.param.keep ? "_rescore_" : "_") +
                                  std::to_string(info.param.rows);
                         });

}  // namespace
}  // namespace wasmbed::index
