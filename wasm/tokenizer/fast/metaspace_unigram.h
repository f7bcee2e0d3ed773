// Fast path for [Precompiled, Strip, Replace(" {2,}")] -> Metaspace -> Unigram (see fast_path.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/fast/fast_path.h"

namespace wasmbed::tok {

class Metaspace;
class Precompiled;
class Unigram;

class MetaspaceUnigramFast : public FastPath {
 public:
  // One normalizer step, applied in order.
  struct Step {
    enum Kind { kPrecompiled, kStrip, kCollapseSpaces } kind = kPrecompiled;
    const Precompiled* precompiled = nullptr;  // kPrecompiled
    bool left = false, right = false;          // kStrip
    std::string content;                       // kCollapseSpaces: what a run of 2+ spaces becomes
    std::vector<uint8_t> chars;                // kPrecompiled: per BMP char, see char_table()
    const Normalizer* normalizer = nullptr;    // the pipeline part this step stands for
  };
  MetaspaceUnigramFast(std::vector<Step> steps, const Metaspace& metaspace, const Unigram& model,
                       const AddedVocabulary& added);
  bool encode(std::string_view text, int32_t type_id, size_t reserve_extra, Encoding& out) const override;

 private:
  static std::vector<uint8_t> char_table(const Precompiled& p);
  static bool precompiled_is_identity(const Step& step, const std::string& text);

  std::vector<Step> steps_;
  const Metaspace& metaspace_;
  std::string replacement_;  // the Metaspace replacement char, UTF-8
  const Unigram& model_;
  const AddedVocabulary& added_;
};

}  // namespace wasmbed::tok
