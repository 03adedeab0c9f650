// Currency symbols from CLDR (Debian's unicode-cldr-core) for claimx-embed. CLDR's XML is
// regular (one element a line, attributes in double quotes), so a few string searches read it;
// the build needs no XML library.
#include "cldr.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>
#include <vector>

namespace {

using nlohmann::ordered_json;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of attribute `name` in the tag text `tag` ("" when absent).
std::string attr(std::string_view tag, std::string_view name) {
  std::string key(" ");
  key.append(name).append("=\"");
  size_t a = tag.find(key);
  if (a == std::string_view::npos) return "";
  a += key.size();
  size_t b = tag.find('"', a);
  return b == std::string_view::npos ? "" : std::string(tag.substr(a, b - a));
}

std::string unescape(std::string s) {
  static const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : kEntities)
    for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + 1))
      s.replace(i, std::string_view(from).size(), to);
  return s;
}

// Drops the invisible marks CLDR keeps for bidirectional text (U+200B, U+200E, U+200F), and
// an abbreviation's closing dot ("kr." is "kr"): after an amount at a sentence's end the dot is
// the full stop ("a beer for 200 kr.").
std::string clean(std::string s) {
  for (const char* mark : {"\xE2\x80\x8B", "\xE2\x80\x8E", "\xE2\x80\x8F"})
    for (size_t i = s.find(mark); i != std::string::npos; i = s.find(mark)) s.erase(i, 3);
  if (s.size() > 1 && s.back() == '.') s.pop_back();
  return s;
}

// code -> the (tag, text) of each <element> inside <currency type="code"> ... </currency>.
using Elements = std::map<std::string, std::vector<std::pair<std::string, std::string>>>;
Elements currency_elements(const std::string& xml, const std::string& element) {
  Elements out;
  const std::string open = "<currency type=\"", start = "<" + element,
                    close_tag = "</" + element + ">";
  for (size_t a = xml.find(open); a != std::string::npos; a = xml.find(open, a + 1)) {
    std::string code = xml.substr(a + open.size(), 3);
    size_t end = xml.find("</currency>", a);
    if (end == std::string::npos) break;
    std::string_view block(xml.data() + a, end - a);
    for (size_t s = block.find(start); s != std::string_view::npos; s = block.find(start, s + 1)) {
      size_t gt = block.find('>', s), close = block.find(close_tag, s);
      if (gt == std::string_view::npos || close == std::string_view::npos || close < gt) break;
      out[code].emplace_back(std::string(block.substr(s, gt - s)),
                             unescape(std::string(block.substr(gt + 1, close - gt - 1))));
    }
  }
  return out;
}

// code -> the symbols a locale file gives it (<currency type="PLN"> ... <symbol>zł</symbol>).
std::map<std::string, std::vector<std::string>> symbols_of(const std::string& xml) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [code, elements] : currency_elements(xml, "symbol"))
    for (const auto& [tag, text] : elements) out[code].push_back(clean(text));
  return out;
}

// code -> the English names of a currency ("Georgian lari", "Georgian laris"; dated forms with
// brackets, "Ghanaian Cedi (1979–2007)", are left out).
std::map<std::string, std::vector<std::string>> names_of(const std::string& xml) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [code, elements] : currency_elements(xml, "displayName"))
    for (const auto& [tag, text] : elements) {
      std::string count = attr(tag, "count");
      bool plural_form = count.empty() || count == "one" || count == "other";
      if (plural_form && text.find('(') == std::string::npos) out[code].push_back(text);
    }
  return out;
}

struct Territory {
  std::string currency;  // the one in use now (no `to` date, legal tender)
  std::string language;  // the official language with the largest share
  double gdp = 0;
};

std::map<std::string, Territory> territories(const std::string& supplemental) {
  std::map<std::string, Territory> out;
  const std::string region = "<region iso3166=\"";
  for (size_t a = supplemental.find(region); a != std::string::npos;
       a = supplemental.find(region, a + 1)) {
    std::string id = supplemental.substr(a + region.size(), 2);
    size_t end = supplemental.find("</region>", a);
    std::string_view block(supplemental.data() + a, end - a);
    for (size_t c = block.find("<currency "); c != std::string_view::npos;
         c = block.find("<currency ", c + 1)) {
      std::string_view tag = block.substr(c, block.find('>', c) - c);
      if (attr(tag, "to").empty() && attr(tag, "tender") != "false") {
        out[id].currency = attr(tag, "iso4217");
        break;
      }
    }
  }
  const std::string territory = "<territory type=\"";
  for (size_t a = supplemental.find(territory); a != std::string::npos;
       a = supplemental.find(territory, a + 1)) {
    size_t gt = supplemental.find('>', a), end = supplemental.find("</territory>", a);
    if (gt == std::string::npos || end == std::string::npos || end < gt) continue;
    std::string_view tag(supplemental.data() + a, gt - a);
    std::string id = attr(tag, "type");
    if (id.size() != 2) continue;
    Territory& t = out[id];
    t.gdp = std::strtod(attr(tag, "gdp").c_str(), nullptr);
    double best = -1;
    std::string_view block(supplemental.data() + gt, end - gt);
    for (size_t l = block.find("<languagePopulation "); l != std::string_view::npos;
         l = block.find("<languagePopulation ", l + 1)) {
      std::string_view ltag = block.substr(l, block.find('>', l) - l);
      std::string status = attr(ltag, "officialStatus");
      double share = std::strtod(attr(ltag, "populationPercent").c_str(), nullptr);
      if ((status == "official" || status == "de_facto_official") && share > best)
        best = share, t.language = attr(ltag, "type");
    }
  }
  return out;
}

// UTF-8 code points of s.
std::vector<uint32_t> code_points(const std::string& s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = n == 1 ? c : c & (0xFF >> (n + 1));
    for (int k = 1; k < n && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += static_cast<size_t>(n);
  }
  return out;
}

bool ascii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// Whether a reader of English news would take the form, before or after a number, for money.
bool usable(const std::string& form, const std::set<std::string>& common_words) {
  if (form.empty() || form == "\xC2\xA4") return false;  // ¤: "a currency"
  for (char c : form)
    if (c == ' ' || c == '[' || c == ']') return false;
  for (uint32_t cp : code_points(form))
    if (cp == 0xA0 || cp == 0x202F) return false;  // spaced forms ("F CFA")
  if (!ascii(form)) return true;
  bool capitals = true;
  for (char c : form) capitals = capitals && c >= 'A' && c <= 'Z';
  if (capitals && form.size() <= 3) return false;  // codes and "TL", "FC", "R"
  if (form.size() == 1 && std::isalpha(static_cast<unsigned char>(form[0]))) return false;
  return !common_words.count(lower_ascii(form));
}

// A sign from a locale other than the currency's own is kept only when it is one currency's
// everywhere and cannot be a letter of running text: several characters, or one ideograph or
// currency sign ("元", "₾").
bool foreign_usable(const std::string& form) {
  if (ascii(form)) return false;
  auto cps = code_points(form);
  if (cps.size() > 1) return true;
  uint32_t cp = cps[0];
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x20A0 && cp <= 0x20CF);
}

// A lexicon entry for a form several currencies may share: the one of largest weight (the GDP
// of its countries) is `code`, the others `ambiguous`.
ordered_json entry_of(const std::string& form, const std::map<std::string, double>& by_code) {
  std::string first;
  double best = -1;
  for (const auto& [code, w] : by_code)
    if (w > best) best = w, first = code;
  ordered_json e{{"form", form}, {"code", first}};
  ordered_json others = ordered_json::array();
  for (const auto& [code, w] : by_code)
    if (code != first) others.push_back(code);
  if (!others.empty()) e["ambiguous"] = others;
  return e;
}

}  // namespace

std::string lower_ascii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string currency_symbols_lexicon(const std::string& cldr_dir,
                                     const std::set<std::string>& codes,
                                     const std::set<std::string>& common_words) {
  namespace fs = std::filesystem;
  const std::string main_dir = cldr_dir + "/main/";
  auto regions = territories(slurp(cldr_dir + "/supplemental/supplementalData.xml"));
  std::map<std::string, double> gdp_of_code;
  for (const auto& [id, t] : regions)
    if (!t.currency.empty()) gdp_of_code[t.currency] += t.gdp;
  // symbol -> code -> weight: the GDP of the code's countries, so "kr" is first Swedish.
  std::map<std::string, std::map<std::string, double>> weights;
  auto add = [&](const std::string& sym, const std::string& code, double w) {
    // A currency weighs its countries' GDP once, however many locales list the sign.
    if (codes.count(code) && usable(sym, common_words))
      weights[sym][code] = std::max(weights[sym][code], w);
  };
  for (const char* file : {"root.xml", "en.xml"})
    for (const auto& [code, syms] : symbols_of(slurp(main_dir + file)))
      for (const auto& s : syms) add(s, code, gdp_of_code[code] + 1);
  for (const auto& [id, t] : regions) {  // the currency's own country and language
    if (t.currency.empty() || t.language.empty()) continue;
    for (const std::string& file : {t.language + "_" + id + ".xml", t.language + ".xml"}) {
      auto syms = symbols_of(slurp(main_dir + file));
      if (!syms.count(t.currency)) continue;
      for (const auto& s : syms[t.currency]) add(s, t.currency, gdp_of_code[t.currency] + 1);
      break;
    }
  }
  // Every other locale: the signs it writes for any currency ("元" in Japanese for CNY).
  std::map<std::string, std::set<std::string>> elsewhere;
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(main_dir))
    if (f.path().extension() == ".xml") files.push_back(f.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files)
    for (const auto& [code, syms] : symbols_of(slurp(f.string())))
      for (const auto& s : syms) elsewhere[s].insert(code);
  for (const auto& [sym, in_codes] : elsewhere)
    if (in_codes.size() == 1 && foreign_usable(sym) && !weights.count(sym))
      add(sym, *in_codes.begin(), 1);

  ordered_json entries = ordered_json::array();
  for (const auto& [sym, by_code] : weights) entries.push_back(entry_of(sym, by_code));
  // English names, whole ("Georgian laris", "South African rand") and by their last word where
  // that is no English word ("laris", "rand" is one: left out), first by GDP like the signs.
  std::map<std::string, std::map<std::string, double>> names;
  for (const auto& [code, list] : names_of(slurp(main_dir + "en.xml"))) {
    if (!codes.count(code)) continue;
    for (const auto& name : list) {
      std::string low = lower_ascii(name);
      names[low][code] = gdp_of_code[code] + 1;
      size_t sp = low.rfind(' ');
      if (sp == std::string::npos) continue;
      std::string last = low.substr(sp + 1);
      if (!common_words.count(last)) names[last][code] = gdp_of_code[code] + 1;
    }
  }
  ordered_json name_entries = ordered_json::array();
  for (const auto& [name, by_code] : names)
    if (!common_words.count(name))  // "dollar", "yen", "real": the hand list decides
      name_entries.push_back(entry_of(name, by_code));
  // The currencies written with "$" ("MXN$ 15", "mxn$ 15", "NZD$ 40"): a code before a "$".
  ordered_json dollars = ordered_json::array();
  if (weights.count("$"))
    for (const auto& [code, w] : weights["$"]) {
      dollars.push_back(ordered_json{{"form", code}, {"code", code}});
      dollars.push_back(ordered_json{{"form", lower_ascii(code)}, {"code", code}});
    }
  // Each country's currency now ("NO" NOK), so a place named in a story can mark "kr" as
  // possibly Norwegian (mark_currency_context).
  ordered_json region_entries = ordered_json::array();
  for (const auto& [id, t] : regions)
    if (codes.count(t.currency))
      region_entries.push_back(ordered_json{{"form", id}, {"currency", t.currency}});
  ordered_json out{{"generated", "from CLDR (unicode-cldr-core) by claimx-embed"},
                   {"lexicons",
                    {{"currency_symbols_cldr", {{"entries", entries}}},
                     {"region_currencies", {{"entries", region_entries}}},
                     {"currency_names_cldr", {{"ignore_case", true}, {"entries", name_entries}}},
                     {"dollar_codes", {{"entries", dollars}}}}}};
  return out.dump(1);
}
