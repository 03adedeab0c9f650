// claimx-embed: turns the rule packs in patterns/ and the lexicons generated from Debian's
// iso-codes, tzdata, wamerican and miscfiles into one C++ source, so the binary needs no
// run-time file lookup.
//
//   claimx-embed --out embedded_packs.cc --iso-codes /usr/share/iso-codes/json
//                --zone-tab /usr/share/zoneinfo/zone.tab --words /usr/share/dict/american-english
//                --given-names propernames.txt patterns/en/figures.yaml ...
//
// Generated lexicons are written as JSON documents (JSON is YAML), named generated/<name>.yaml.
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cldr.h"

using nlohmann::ordered_json;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "claimx-embed: cannot read " << path << "\n";
    std::exit(1);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ordered_json entry(const std::string& form, const std::string& name, const std::string& code,
                   const std::string& subtype) {
  return ordered_json{{"form", form}, {"name", name}, {"code", code}, {"subtype", subtype}};
}

// Names such as "Korea, Republic of" never appear in running text: skip inverted forms.
bool usable_name(const std::string& s) {
  return !s.empty() && s.find(", ") == std::string::npos;
}

std::string countries_lexicon(const std::string& iso_dir) {
  auto doc = nlohmann::json::parse(read_file(iso_dir + "/iso_3166-1.json"));
  ordered_json entries = ordered_json::array();
  for (const auto& c : doc["3166-1"]) {
    std::string code = c.value("alpha_2", "");
    std::string name = c.value("name", "");
    std::string common = c.value("common_name", "");
    std::string canonical = !common.empty() ? common : name;
    if (!usable_name(canonical)) continue;
    std::set<std::string> forms{canonical};
    if (usable_name(name)) forms.insert(name);
    std::string official = c.value("official_name", "");
    if (usable_name(official)) forms.insert(official);
    for (const auto& f : forms) entries.push_back(entry(f, canonical, code, "country"));
  }
  ordered_json out{{"generated", "from iso-codes iso_3166-1.json by claimx-embed"},
                   {"lexicons", {{"countries", {{"entries", entries}}}}}};
  return out.dump(1);
}

// iso_3166-3: countries that were ("Yugoslavia", "Zaire", "USSR"): news archives name them.
// "Zaire, Republic of" gives "Zaire"; a name still in use is left to the countries lexicon.
std::string former_countries_lexicon(const std::string& iso_dir) {
  auto doc = nlohmann::json::parse(read_file(iso_dir + "/iso_3166-3.json"));
  ordered_json entries = ordered_json::array();
  std::set<std::string> seen;
  for (const auto& c : doc["3166-3"]) {
    std::string name = c.value("name", "");
    name = name.substr(0, name.find(", "));
    if (name.empty() || name.find('(') != std::string::npos || !seen.insert(name).second) continue;
    entries.push_back(entry(name, name, c.value("alpha_4", ""), "country"));
  }
  ordered_json out{{"generated", "from iso-codes iso_3166-3.json by claimx-embed"},
                   {"lexicons", {{"former_countries", {{"entries", entries}}}}}};
  return out.dump(1);
}

// A lexicon of bare forms (no attributes) as `words`, one string of a form a line: the rule book
// splits it without a JSON value per form (common_words alone has 64,000 forms).
template <typename Words>
std::string word_list(const std::string& name, const std::string& origin, const Words& words) {
  std::string lines;
  for (const auto& w : words)
    if (!w.empty() && w.find('\n') == std::string::npos) lines += w + "\n";
  ordered_json out{{"generated", "from " + origin + " by claimx-embed"},
                   {"lexicons", {{name, {{"words", lines}}}}}};
  return out.dump();
}

// iso_639-2 language names of one word ("Tajik", "Kurdish", "Chechen"): a language or people,
// no person, place or organization.
std::string languages_lexicon(const std::string& iso_dir) {
  auto doc = nlohmann::json::parse(read_file(iso_dir + "/iso_639-2.json"));
  std::set<std::string> names;
  for (const auto& l : doc["639-2"]) {
    std::string all = l.value("name", "");
    for (size_t b = 0; b <= all.size();) {
      size_t e = all.find("; ", b);
      if (e == std::string::npos) e = all.size();
      std::string n = all.substr(b, e - b);
      if (n.size() >= 4 && n.find_first_of(" ,()-") == std::string::npos) names.insert(n);
      b = e + 2;
    }
  }
  return word_list("languages", "iso-codes iso_639-2.json", names);
}

std::string subdivisions_lexicon(const std::string& iso_dir) {
  // Only the first-level units news names on their own: states, provinces, territories.
  static const std::set<std::string> kTypes{"State",
                                            "Province",
                                            "Territory",
                                            "Federal district",
                                            "Federal territory",
                                            "Capital territory"};
  auto doc = nlohmann::json::parse(read_file(iso_dir + "/iso_3166-2.json"));
  ordered_json entries = ordered_json::array();
  std::set<std::string> seen;
  for (const auto& s : doc["3166-2"]) {
    std::string name = s.value("name", "");
    if (!kTypes.count(s.value("type", "")) || !usable_name(name)) continue;
    if (name.find('(') != std::string::npos || !seen.insert(name).second) continue;
    entries.push_back(entry(name, name, s.value("code", ""), "subdivision"));
  }
  ordered_json out{{"generated", "from iso-codes iso_3166-2.json by claimx-embed"},
                   {"lexicons", {{"subdivisions", {{"entries", entries}}}}}};
  return out.dump(1);
}

std::set<std::string> word_set(const std::string& path, bool lowercase);

// ISO 4217 codes (`currency_codes`, "USD"), and in lower case those that are no English word
// (`currency_codes_lower`, "usd 20", "mxn$ 15"; not "all", "top", "cup"), by wamerican.
// The current ISO 4217 codes (no X.. metals, test and fund codes).
std::set<std::string> iso_currency_codes(const std::string& iso_dir) {
  std::set<std::string> out;
  auto doc = nlohmann::json::parse(read_file(iso_dir + "/iso_4217.json"));
  for (const auto& c : doc["4217"]) {
    std::string code = c.value("alpha_3", "");
    if (code.size() == 3 && code[0] != 'X') out.insert(code);
  }
  return out;
}

std::string currencies_lexicon(const std::string& iso_dir, const std::string& words) {
  auto doc = nlohmann::json::parse(read_file(iso_dir + "/iso_4217.json"));
  std::set<std::string> common = word_set(words, true);
  ordered_json entries = ordered_json::array(), lower = ordered_json::array();
  for (const auto& c : doc["4217"]) {
    std::string code = c.value("alpha_3", "");
    if (code.size() != 3 || code[0] == 'X') continue;  // X..: metals, test and fund codes
    entries.push_back(ordered_json{{"form", code}, {"code", code}, {"name", c.value("name", "")}});
    if (std::string low = lower_ascii(code); !common.count(low))
      lower.push_back(ordered_json{{"form", low}, {"code", code}});
  }
  ordered_json out{{"generated", "from iso-codes iso_4217.json and wamerican by claimx-embed"},
                   {"lexicons",
                    {{"currency_codes", {{"entries", entries}}},
                     {"currency_codes_lower", {{"entries", lower}}}}}};
  return out.dump(1);
}

std::set<std::string> word_set(const std::string& path, bool lowercase) {
  std::set<std::string> out;
  if (path.empty()) return out;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && (line[0] >= 'a' && line[0] <= 'z') == lowercase) out.insert(line);
  return out;
}

// More cities from miscfiles (evidence for name.capitalised, not a lexicon rule): cities.dat ("Name
// : Aberdeen") and the cities an airport serves (airport: "ABE:...:US:PA:Allentown, PA|Bethlehem,
// PA"). A name that is also a common word or a given name ("Split", "Victoria") is left out: it is
// more often that.
std::set<std::string> miscfiles_cities(const std::string& cities_dat, const std::string& airports,
                                       const std::string& words, const std::string& given) {
  std::set<std::string> common = word_set(words, true), names = word_set(given, false);
  std::set<std::string> out;
  auto add = [&](std::string c) {
    while (!c.empty() && c.back() == ' ') c.pop_back();
    if (c.size() >= 3 && !common.count(lower_ascii(c)) && !names.count(c) &&
        c.find_first_of("(),/") == std::string::npos)
      out.insert(c);
  };
  std::istringstream in(read_file(cities_dat));
  for (std::string line; std::getline(in, line);)
    if (line.rfind("Name", 0) == 0 && line.find(": ") != std::string::npos)
      add(line.substr(line.find(": ") + 2));
  std::istringstream ap(read_file(airports));
  for (std::string line; std::getline(ap, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::string served = line.substr(line.rfind(':') + 1);
    std::stringstream ss(served);
    for (std::string c; std::getline(ss, c, '|');) add(c.substr(0, c.find(',')));
  }
  return out;
}

// zone.tab: "CC<TAB>coords<TAB>Area/City_Name[/...]": the last part names a city.
std::string cities_lexicon(const std::string& zone_tab) {
  std::istringstream in(read_file(zone_tab));
  std::map<std::string, std::string> cities;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ls(line);
    for (std::string col; std::getline(ls, col, '\t');) cols.push_back(col);
    if (cols.size() < 3) continue;
    std::string zone = cols[2];
    std::string city = zone.substr(zone.rfind('/') + 1);
    for (auto& ch : city)
      if (ch == '_') ch = ' ';
    if (city.size() < 3) continue;
    cities.emplace(city, cols[0]);
  }
  ordered_json entries = ordered_json::array();
  for (const auto& [city, cc] : cities) entries.push_back(entry(city, city, cc, "city"));
  ordered_json out{{"generated", "from tzdata zone.tab by claimx-embed"},
                   {"lexicons", {{"cities", {{"entries", entries}}}}}};
  return out.dump(1);
}

// A word list, one word a line (wamerican's american-english): the lowercase words are the
// common words of English. A capitalised word that is one of them ("Trailing", "Their") is no
// name at a sentence's start or in a shouting line unless other evidence says so.
std::string common_words_lexicon(const std::string& words) {
  std::istringstream in(read_file(words));
  std::set<std::string> seen;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] < 'a' || line[0] > 'z') continue;
    if (line.size() > 2 && line.compare(line.size() - 2, 2, "'s") == 0) continue;
    seen.insert(line);
  }
  return word_list("common_words", "wamerican american-english", seen);
}

// wamerican's capitalised words whose lowercase is a common word too ("Khan", "Smith", "Bush",
// "Baker"): surnames, places and brands spelt like words. A name that ends in one may be a
// person's ("Jansher Khan") as well as a company's ("Sierra Semiconductor" ends in no such word).
std::string proper_common_words_lexicon(const std::string& words) {
  std::istringstream in(read_file(words));
  std::set<std::string> lower, capital;
  std::string line;
  auto letters = [](const std::string& w) {
    return std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isalpha(c); });
  };
  while (std::getline(in, line)) {
    if (line.size() < 2 || !letters(line)) continue;
    if (line[0] >= 'a' && line[0] <= 'z') lower.insert(line);
    if (line[0] >= 'A' && line[0] <= 'Z' &&
        std::all_of(line.begin() + 1, line.end(), [](unsigned char c) { return std::islower(c); }))
      capital.insert(line);
  }
  std::set<std::string> both;
  for (const auto& w : capital) {
    std::string low = w;
    low[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(low[0])));
    if (lower.count(low)) both.insert(w);
  }
  return word_list("proper_common_words", "wamerican american-english", both);
}

// miscfiles' propernames: given names, one a line. Evidence that "Phil Simmons" is a person.
std::string given_names_lexicon(const std::string& names) {
  std::istringstream in(read_file(names));
  std::set<std::string> seen;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line.size() >= 2 && line[0] >= 'A' && line[0] <= 'Z') seen.insert(line);
  }
  return word_list("given_names", "miscfiles propernames", seen);
}

void write_literal(std::ostream& out, const std::string& text) {
  // Raw string literals have a length limit on some compilers; split into chunks.
  const std::string delim = "CLAIMX_EMBED";
  if (text.find(")" + delim + "\"") != std::string::npos) {
    std::cerr << "claimx-embed: text contains the raw-string delimiter\n";
    std::exit(1);
  }
  const size_t kChunk = 8000;
  for (size_t i = 0; i < text.size(); i += kChunk)
    out << "R\"" << delim << "(" << text.substr(i, kChunk) << ")" << delim << "\"\n";
  if (text.empty()) out << "\"\"";
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_path, iso_dir, zone_tab, words, given_names, cities_dat, airports, cldr;
  std::vector<std::string> packs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--out" && i + 1 < argc)
      out_path = argv[++i];
    else if (a == "--iso-codes" && i + 1 < argc)
      iso_dir = argv[++i];
    else if (a == "--zone-tab" && i + 1 < argc)
      zone_tab = argv[++i];
    else if (a == "--words" && i + 1 < argc)
      words = argv[++i];
    else if (a == "--given-names" && i + 1 < argc)
      given_names = argv[++i];
    else if (a == "--cities-dat" && i + 1 < argc)
      cities_dat = argv[++i];
    else if (a == "--airports" && i + 1 < argc)
      airports = argv[++i];
    else if (a == "--cldr" && i + 1 < argc)
      cldr = argv[++i];
    else
      packs.push_back(a);
  }
  if (out_path.empty() || iso_dir.empty() || zone_tab.empty() || words.empty() ||
      given_names.empty() || cities_dat.empty() || airports.empty() || cldr.empty()) {
    std::cerr << "usage: claimx-embed --out FILE --iso-codes DIR --zone-tab FILE --words FILE "
                 "--given-names FILE --cities-dat FILE --airports FILE --cldr DIR PACK...\n";
    return 2;
  }
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& p : packs) files.emplace_back(p, read_file(p));
  files.emplace_back("generated/countries.yaml", countries_lexicon(iso_dir));
  files.emplace_back("generated/subdivisions.yaml", subdivisions_lexicon(iso_dir));
  files.emplace_back("generated/former_countries.yaml", former_countries_lexicon(iso_dir));
  files.emplace_back("generated/languages.yaml", languages_lexicon(iso_dir));
  files.emplace_back("generated/currency_codes.yaml", currencies_lexicon(iso_dir, words));
  files.emplace_back(
      "generated/currency_symbols_cldr.yaml",
      currency_symbols_lexicon(cldr, iso_currency_codes(iso_dir), word_set(words, true)));
  files.emplace_back("generated/cities.yaml", cities_lexicon(zone_tab));
  files.emplace_back("generated/more_cities.yaml",
                     word_list("more_cities", "miscfiles cities.dat and airport",
                               miscfiles_cities(cities_dat, airports, words, given_names)));
  files.emplace_back("generated/common_words.yaml", common_words_lexicon(words));
  files.emplace_back("generated/proper_common_words.yaml", proper_common_words_lexicon(words));
  files.emplace_back("generated/given_names.yaml", given_names_lexicon(given_names));

  std::ostringstream out;
  out << "// Generated by claimx-embed. Do not edit.\n#include \"rules/embedded.h\"\n\n"
      << "namespace claimx {\n\nstd::vector<SourceFile> embedded_pack_sources() {\n"
      << "  std::vector<SourceFile> files;\n";
  for (const auto& [name, text] : files) {
    out << "  files.push_back({\"" << name << "\", std::string(\n";
    write_literal(out, text);
    out << ")});\n";
  }
  out << "  return files;\n}\n\n}  // namespace claimx\n";
  std::string tmp = out_path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    f << out.str();
    if (!f) {
      std::cerr << "claimx-embed: cannot write " << tmp << "\n";
      return 1;
    }
  }
  if (std::rename(tmp.c_str(), out_path.c_str()) != 0) {
    std::cerr << "claimx-embed: cannot rename to " << out_path << "\n";
    return 1;
  }
  return 0;
}
