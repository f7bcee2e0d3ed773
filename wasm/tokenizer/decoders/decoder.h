// Decoders (HF decoders/*): turn the token strings of some ids back into text. Each works on
// the whole chain of token strings (decode_chain) so they can be sequenced; decode() joins.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wasmbed::tok {

class Regex;

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual std::vector<std::string> decode_chain(std::vector<std::string> tokens) const = 0;
  std::string decode(std::vector<std::string> tokens) const;
};

// Continuation pieces lose `prefix`, other pieces get a leading space; optional cleanup of
// spaces before punctuation / contractions.
class WordPieceDecoder : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  std::string prefix_;
  bool cleanup_;
};

// Replacement char -> ' '; in the first token every replacement char is dropped unless the
// prepend scheme is "never".
class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(char32_t replacement, bool prepend) : replacement_(replacement), prepend_(prepend) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  char32_t replacement_;
  bool prepend_;
};

// GPT-2 byte-to-unicode chars back to bytes, then lossy UTF-8.
class ByteLevelDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;
};

// Runs of <0xXX> tokens -> their bytes when valid UTF-8, else one U+FFFD per byte.
class ByteFallbackDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;
};

// Concatenates everything into one token.
class FuseDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;
};

// Removes up to `start` leading and `stop` trailing `content` chars of every token.
class StripDecoder : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop) : content_(content), start_(start), stop_(stop) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  char32_t content_;
  size_t start_, stop_;
};

// Replaces a literal string or regex in every token.
class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(std::string literal, std::string content);
  ReplaceDecoder(std::unique_ptr<Regex> regex, std::string content);
  ~ReplaceDecoder() override;
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  std::string literal_;
  std::unique_ptr<Regex> regex_;
  std::string content_;
};

// Original BPE: end-of-word `suffix` becomes a space (nothing on the last token).
class BPEDecoder : public Decoder {
 public:
  explicit BPEDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  std::string suffix_;
};

// CTC: collapse repeats, drop pad tokens, word delimiter -> space, optional WordPiece cleanup.
class CTCDecoder : public Decoder {
 public:
  CTCDecoder(std::string pad_token, std::string word_delimiter_token, bool cleanup)
      : pad_(std::move(pad_token)), delimiter_(std::move(word_delimiter_token)), cleanup_(cleanup) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  std::string pad_, delimiter_;
  bool cleanup_;
};

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> decoders) : decoders_(std::move(decoders)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  std::vector<std::unique_ptr<Decoder>> decoders_;
};

// HF wordpiece::cleanup (also used by CTC).
std::string wordpiece_cleanup(std::string s);

// From the "decoder" object of a tokenizer.json (null -> nullptr). Throws kParse / kUnsupported
// ("tokenizer.json: decoder type 'X' is not supported").
// depth: how many Sequences enclose j (a CapacityError past kMaxSectionNesting).
std::unique_ptr<Decoder> decoder_from_json(const nlohmann::json& j, int depth = 0);

}  // namespace wasmbed::tok
