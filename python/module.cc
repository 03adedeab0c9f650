// The Python module claimx._claimx: the library's Extractor and Runner behind a small API that
// python/claimx/__init__.py wraps. Everything returns the CLI's JSON text (json.loads makes it a
// dict there), so Python results equal the CLI's by construction. The GIL is released while
// extracting: an Extractor is immutable and may be shared between threads.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "claimx/extract.h"
#include "claimx/extractor.h"
#include "claimx/ingest.h"
#include "claimx/runner.h"

namespace py = pybind11;

namespace {

// str (any code points, lone surrogates included) or bytes, as the bytes claimx reads: invalid
// UTF-8 is repaired and counted in document.warnings, as in the CLI.
std::string text_bytes(const py::handle& text) {
  if (py::isinstance<py::bytes>(text)) return text.cast<std::string>();
  if (!py::isinstance<py::str>(text)) throw py::type_error("text must be str or bytes");
  py::object encoded = py::reinterpret_steal<py::object>(
      PyUnicode_AsEncodedString(text.ptr(), "utf-8", "surrogatepass"));
  if (!encoded) throw py::error_already_set();
  return encoded.cast<std::string>();
}

// A document date as the JSONL reader takes it: the first ten characters, YYYY-MM-DD.
std::optional<std::string> checked_date(const std::optional<std::string>& date) {
  if (!date) return std::nullopt;
  std::string d = date->substr(0, 10);
  if (!claimx::parse_iso_date_public(d))
    throw py::value_error("date: expected YYYY-MM-DD, got '" + *date + "'");
  return d;
}

// One record for a stream (extract_many): (text, id, source, title, date).
using Record = std::tuple<py::object, std::string, std::string, std::optional<std::string>,
                          std::optional<std::string>>;
// What a stream and extract_files give for each item: (json or "", source, error or "").
using Outcome = std::tuple<std::string, std::string, std::string>;

// Records as the Runner's items (with the GIL held: the texts are Python objects).
std::vector<claimx::Item> make_items(const std::vector<Record>& records) {
  std::vector<claimx::Item> items;
  items.reserve(records.size());
  for (const auto& [text, id, source, title, date] : records) {
    claimx::Item item;
    item.source = source;
    item.doc = claimx::make_document(id, source, text_bytes(text));
    item.doc->title = title;
    item.doc->date = checked_date(date);
    item.bytes = item.doc->text.size();
    items.push_back(std::move(item));
  }
  return items;
}

class PyExtractor {
 public:
  PyExtractor(std::vector<std::string> patterns, const std::string& offsets,
              std::optional<std::string> anchor_date, std::optional<double> min_score,
              std::optional<size_t> top, bool sentences, bool include_text, bool all_sentences,
              bool explain, std::optional<std::string> only)
      : ex_(make_options(std::move(patterns), offsets, std::move(anchor_date), min_score, top,
                         sentences, include_text, all_sentences, explain, only)) {}

  std::string extract(const py::handle& text, const std::string& id,
                      const std::optional<std::string>& source,
                      const std::optional<std::string>& title,
                      const std::optional<std::string>& anchor_date,
                      const std::optional<std::string>& only) const {
    claimx::Document doc = claimx::make_document(id, source.value_or(id), text_bytes(text));
    if (title) doc.title = *title;
    claimx::WriteOptions write = ex_.options().write;
    if (only) claimx::set_only(*only, &write);
    claimx::ExtractOptions extract = ex_.options().extract;
    if (anchor_date) extract.anchor_date = *anchor_date;
    claimx::check_options(extract);
    py::gil_scoped_release unlocked;
    return ex_.to_json(doc, write, extract);
  }

  // Files, directories, archives, JSONL and WARC as the CLI reads them (claimx::ingest).
  std::vector<Outcome> extract_files(const std::vector<std::string>& paths, unsigned jobs,
                                     const std::string& input_format, bool recursive,
                                     const std::string& text_field, const std::string& id_field,
                                     const std::string& title_field, const std::string& date_field,
                                     size_t max_doc_bytes) const {
    claimx::IngestOptions in;
    in.format = input_format;
    in.recursive = recursive;
    in.fields.text = text_field;
    in.fields.id = id_field;
    in.fields.title = title_field;
    in.fields.date = date_field;
    in.max_doc_bytes = max_doc_bytes;
    py::gil_scoped_release unlocked;
    return run(
        [&](claimx::Runner& runner) {
          claimx::ingest(paths, in, [&](claimx::Item item) { return runner.add(std::move(item)); });
        },
        jobs);
  }

 private:
  static claimx::ExtractorOptions make_options(std::vector<std::string> patterns,
                                               const std::string& offsets,
                                               std::optional<std::string> anchor_date,
                                               std::optional<double> min_score,
                                               std::optional<size_t> top, bool sentences,
                                               bool include_text, bool all_sentences, bool explain,
                                               std::optional<std::string> only) {
    claimx::ExtractorOptions o;
    o.patterns = std::move(patterns);
    o.write.offsets = claimx::parse_offsets(offsets);
    o.extract.anchor_date = std::move(anchor_date);
    o.extract.min_score = min_score;
    if (top && *top > 0) o.extract.top = top;
    o.extract.keep_all_scored = all_sentences;
    o.write.sentences = sentences;
    o.write.include_text = include_text;
    o.write.all_sentences = all_sentences;
    o.write.explain = explain;
    if (only) claimx::set_only(*only, &o.write);
    return o;
  }

  template <class Feed>
  std::vector<Outcome> run(Feed feed, unsigned jobs) const {
    std::vector<Outcome> out;
    const claimx::WriteOptions& write = ex_.options().write;
    claimx::Runner runner(
        ex_.book(), ex_.options().extract, {std::max(1u, jobs)},
        [&](const claimx::Document& doc, claimx::Result& r) {
          return claimx::to_json(doc, r, write);
        },
        [&](claimx::Outcome& o) {
          out.emplace_back(std::move(o.rendered), std::move(o.source), std::move(o.error));
          return true;
        });
    feed(runner);
    runner.finish();
    return out;
  }

  claimx::Extractor ex_;

 public:
  const claimx::Extractor& extractor() const { return ex_; }
};

// One Runner fed chunk after chunk (extract_many): the workers never wait for Python between
// chunks, and finished outcomes are taken as they come, in input order. Even one job runs on
// its own thread, so that Python parses results while the next batch is extracted.
class PyStream {
 public:
  static claimx::RunnerOptions threaded(unsigned jobs) {
    claimx::RunnerOptions o;
    o.jobs = std::max(1u, jobs);
    o.threaded = true;
    return o;
  }

  PyStream(const claimx::Extractor& ex, unsigned jobs)
      : write_(ex.options().write),
        runner_(
            ex.book(), ex.options().extract, threaded(jobs),
            [this](const claimx::Document& doc, claimx::Result& r) {
              return claimx::to_json(doc, r, write_);
            },
            [this](claimx::Outcome& o) {
              std::lock_guard<std::mutex> lock(mu_);
              ready_.emplace_back(std::move(o.rendered), std::move(o.source), std::move(o.error));
              return true;
            }) {}
  ~PyStream() {
    py::gil_scoped_release unlocked;  // the workers finish their batches without Python
    runner_.cancel();
    try {
      runner_.finish();
    } catch (const std::exception&) {  // a destructor does not throw; the run is abandoned
    }
  }

  void add(const std::vector<Record>& records) {
    std::vector<claimx::Item> items = make_items(records);
    py::gil_scoped_release unlocked;
    for (auto& item : items) runner_.add(std::move(item));
  }
  std::vector<Outcome> take() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Outcome> out;
    out.swap(ready_);
    return out;
  }
  void finish() {
    py::gil_scoped_release unlocked;
    runner_.finish();
  }

 private:
  claimx::WriteOptions write_;
  std::mutex mu_;
  std::vector<Outcome> ready_;
  claimx::Runner runner_;
};

}  // namespace

PYBIND11_MODULE(_claimx, m) {
  m.doc() = "claimx: structured, checkable facts from news text (the compiled core)";
  m.attr("__version__") = CLAIMX_VERSION;
  auto error = py::register_exception<claimx::Error>(m, "Error", PyExc_ValueError);
  py::register_exception<claimx::RulePackError>(m, "RulePackError", error.ptr());
  py::class_<PyStream>(m, "_Stream")
      .def("add", &PyStream::add, py::arg("records"))
      .def("take", &PyStream::take)
      .def("finish", &PyStream::finish);
  py::class_<PyExtractor>(m, "_Extractor")
      .def(py::init<std::vector<std::string>, const std::string&, std::optional<std::string>,
                    std::optional<double>, std::optional<size_t>, bool, bool, bool, bool,
                    std::optional<std::string>>(),
           py::arg("patterns"), py::arg("offsets"), py::arg("anchor_date"), py::arg("min_score"),
           py::arg("top"), py::arg("sentences"), py::arg("include_text"), py::arg("all_sentences"),
           py::arg("explain"), py::arg("only"))
      .def("extract", &PyExtractor::extract, py::arg("text"), py::arg("id"), py::arg("source"),
           py::arg("title"), py::arg("date"), py::arg("only"))
      .def(
          "stream",
          [](const PyExtractor& self, unsigned jobs) {
            return std::make_unique<PyStream>(self.extractor(), jobs);
          },
          py::arg("jobs"), py::keep_alive<0, 1>())
      .def("extract_files", &PyExtractor::extract_files, py::arg("paths"), py::arg("jobs"),
           py::arg("input_format"), py::arg("recursive"), py::arg("text_field"),
           py::arg("id_field"), py::arg("title_field"), py::arg("date_field"),
           py::arg("max_doc_bytes"));
}
