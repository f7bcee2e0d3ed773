// Basic value types shared by every stage of the tokenizer pipeline.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace wasmbed::tok {

// Half-open byte range [first, second) into a UTF-8 string.
using Range = std::pair<size_t, size_t>;

// One token as a model produces it. `offsets` are byte offsets: relative to the piece the model
// was given while inside the model, then mapped by the pipeline to the original input text.
struct Token {
  int32_t id = 0;
  std::string value;
  Range offsets{0, 0};
};

}  // namespace wasmbed::tok
