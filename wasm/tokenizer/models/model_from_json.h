// Builds a Model from the "model" object of a HF tokenizer.json.
#pragma once
#include <memory>

#include <nlohmann/json.hpp>

#include "tokenizer/models/model.h"

namespace wasmbed::tok {

// Throws wasmbed::Error kParse (missing / ill-typed fields, named in the message) or
// kUnsupported ("tokenizer.json: model type 'X' is not supported").
std::unique_ptr<Model> model_from_json(const nlohmann::json& j);

}  // namespace wasmbed::tok
