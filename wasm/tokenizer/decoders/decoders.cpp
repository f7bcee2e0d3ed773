#include <string_view>

#include "common/error.h"
#include "tokenizer/decoders/decoder.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

namespace {

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  if (from.empty()) return s;
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  for (;;) {
    const size_t hit = s.find(from, pos);
    if (hit == std::string::npos) break;
    out.append(s, pos, hit - pos);
    out.append(to);
    pos = hit + from.size();
  }
  out.append(s, pos, std::string::npos);
  return out;
}

std::vector<char32_t> chars_of(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t p = 0; p < s.size();) {
    size_t len = 0;
    out.push_back(unicode::decode(s, p, len));
    p += len;
  }
  return out;
}

// GPT-2's bytes_to_unicode, inverted: printable bytes map to themselves, the others to 256+n.
const std::vector<int>& char_to_byte() {
  static const std::vector<int> table = [] {
    std::vector<int> t(512, -1);
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      if (printable) t[b] = b;
      else t[256 + n++] = b;
    }
    return t;
  }();
  return table;
}

}  // namespace

std::string Decoder::decode(std::vector<std::string> tokens) const {
  std::string out;
  for (const std::string& t : decode_chain(std::move(tokens))) out += t;
  return out;
}

std::string wordpiece_cleanup(std::string s) {
  s = replace_all(std::move(s), " .", ".");
  s = replace_all(std::move(s), " ?", "?");
  s = replace_all(std::move(s), " !", "!");
  s = replace_all(std::move(s), " ,", ",");
  s = replace_all(std::move(s), " ' ", "'");
  s = replace_all(std::move(s), " n't", "n't");
  s = replace_all(std::move(s), " 'm", "'m");
  s = replace_all(std::move(s), " do not", " don't");
  s = replace_all(std::move(s), " 's", "'s");
  s = replace_all(std::move(s), " 've", "'ve");
  s = replace_all(std::move(s), " 're", "'re");
  return s;
}

std::vector<std::string> WordPieceDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string& t = tokens[i];
    if (i != 0) {
      if (t.compare(0, prefix_.size(), prefix_) == 0) t.erase(0, prefix_.size());
      else t.insert(0, " ");
    }
    if (cleanup_) t = wordpiece_cleanup(std::move(t));
  }
  return tokens;
}

std::vector<std::string> MetaspaceDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string out;
    for (char32_t c : chars_of(tokens[i])) {
      if (c == replacement_) {
        if (i == 0 && prepend_) continue;
        out += ' ';
      } else {
        unicode::append_utf8(out, c);
      }
    }
    tokens[i] = std::move(out);
  }
  return tokens;
}

std::vector<std::string> ByteLevelDecoder::decode_chain(std::vector<std::string> tokens) const {
  const std::vector<int>& table = char_to_byte();
  std::string bytes;
  for (const std::string& t : tokens) {
    std::string mine;
    bool ok = true;
    for (char32_t c : chars_of(t)) {
      if (c >= table.size() || table[c] < 0) {
        ok = false;
        break;
      }
      mine.push_back(static_cast<char>(table[c]));
    }
    bytes += ok ? mine : t;
  }
  return {unicode::sanitize_utf8(bytes)};
}

std::vector<std::string> ByteFallbackDecoder::decode_chain(std::vector<std::string> tokens) const {
  std::vector<std::string> out;
  std::string pending;
  auto flush = [&] {
    if (pending.empty()) return;
    if (unicode::is_valid_utf8(pending)) {
      out.push_back(pending);
    } else {
      for (size_t k = 0; k < pending.size(); ++k) out.push_back("\xEF\xBF\xBD");
    }
    pending.clear();
  };
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::string& t : tokens) {
    if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>' && hex(t[3]) >= 0 && hex(t[4]) >= 0) {
      pending.push_back(static_cast<char>(hex(t[3]) * 16 + hex(t[4])));
    } else {
      flush();
      out.push_back(std::move(t));
    }
  }
  flush();
  return out;
}

std::vector<std::string> FuseDecoder::decode_chain(std::vector<std::string> tokens) const {
  std::string all;
  for (const std::string& t : tokens) all += t;
  return {all};
}

std::vector<std::string> StripDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (std::string& t : tokens) {
    const std::vector<char32_t> chars = chars_of(t);
    size_t start_cut = 0;
    for (size_t i = 0; i < std::min(start_, chars.size()); ++i) {
      if (chars[i] != content_) break;
      start_cut = i + 1;
    }
    size_t stop_cut = chars.size();
    for (size_t i = 0; i < std::min(stop_, chars.size() - start_cut); ++i) {
      const size_t index = chars.size() - i - 1;
      if (chars[index] != content_) break;
      stop_cut = index;
    }
    std::string out;
    for (size_t i = start_cut; i < stop_cut; ++i) unicode::append_utf8(out, chars[i]);
    t = std::move(out);
  }
  return tokens;
}

ReplaceDecoder::ReplaceDecoder(std::string literal, std::string content)
    : literal_(std::move(literal)), content_(std::move(content)) {}
ReplaceDecoder::ReplaceDecoder(std::unique_ptr<Regex> regex, std::string content)
    : regex_(std::move(regex)), content_(std::move(content)) {}
ReplaceDecoder::~ReplaceDecoder() = default;

std::vector<std::string> ReplaceDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (std::string& t : tokens) {
    if (!regex_) {
      t = replace_all(std::move(t), literal_, content_);
      continue;
    }
    std::string out;
    size_t pos = 0;
    for (const Range& m : regex_->find_all(t)) {
      if (m.first == m.second) continue;
      out.append(t, pos, m.first - pos);
      out += content_;
      pos = m.second;
    }
    out.append(t, pos, std::string::npos);
    t = std::move(out);
  }
  return tokens;
}

std::vector<std::string> BPEDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i)
    tokens[i] = replace_all(std::move(tokens[i]), suffix_, i + 1 == tokens.size() ? "" : " ");
  return tokens;
}

std::vector<std::string> CTCDecoder::decode_chain(std::vector<std::string> tokens) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0 && tokens[i] == tokens[i - 1]) continue;  // collapse repeats first, as HF's dedup()
    std::string t = replace_all(tokens[i], pad_, "");
    if (cleanup_) t = replace_all(wordpiece_cleanup(std::move(t)), delimiter_, " ");
    if (!t.empty()) out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> SequenceDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (const auto& d : decoders_) tokens = d->decode_chain(std::move(tokens));
  return tokens;
}

}  // namespace wasmbed::tok
