// Builds a Model from the "model" object of a HF tokenizer.json.
#pragma once
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenizer/models/model.h"
#include "tokenizer/models/unigram.h"

namespace wasmbed::tok {

// Throws wasmbed::Error kParse (missing / ill-typed fields, named in the message) or
// kUnsupported ("tokenizer.json: model type 'X' is not supported"). unigram_vocab: model.vocab
// when read_tokenizer_json took it out of `j` (an array of [piece, score]); it is consumed.
std::unique_ptr<Model> model_from_json(const nlohmann::json& j, UnigramVocab* unigram_vocab = nullptr);

}  // namespace wasmbed::tok
