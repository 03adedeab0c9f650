// Currency symbols from CLDR (Debian's unicode-cldr-core) for claimx-embed.
#pragma once

#include <set>
#include <string>

// The lexicon `currency_symbols_cldr` as a JSON pack: every symbol CLDR gives a current currency
// (codes: those of iso-codes), with the currency whose countries' GDP is largest as `code` and
// the others as `ambiguous`. Forms a reader of English news would not take for money are left
// out: ISO codes and other short capitals ("TL", "FC"), single Latin letters, English words.
// Also `currency_names_cldr`, their English names ("Georgian laris", "laris"),
// `region_currencies`, each country's currency by its ISO 3166 code ("NO" NOK), and
// `dollar_codes`, the codes of the currencies written with "$", in both cases ("MXN", "mxn").
std::string currency_symbols_lexicon(const std::string& cldr_dir,
                                     const std::set<std::string>& codes,
                                     const std::set<std::string>& common_words);

// s with ASCII letters lower-cased (claimx-embed's generators compare forms with wamerican).
std::string lower_ascii(std::string s);
