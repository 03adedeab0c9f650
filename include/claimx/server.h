// claimx serve: an HTTP JSON service over one Extractor (the packs compiled once for every
// request). Endpoints, limits and errors: README "As a service"; the OpenAPI description is
// served at GET /v1/openapi.json.
//
//   claimx::Extractor ex(opts);
//   claimx::Server server(ex, {.port = 0});
//   int port = server.bind();   // throws claimx::Error when the address is taken
//   std::thread t([&] { server.run(); });
//   ...
//   server.stop();               // from any thread: stop accepting, finish what is in flight
//   t.join();
#pragma once

#include <memory>
#include <string>

#include "claimx/extractor.h"

namespace claimx {

struct ServeOptions {
  std::string host = "127.0.0.1";           // loopback unless asked
  int port = 8080;                          // 0: an ephemeral port (bind() returns it)
  unsigned jobs = 2;                        // requests extracting at once
  size_t queue = 64;                        // requests that may wait for a slot; more get 503
  size_t max_doc_bytes = size_t{64} << 20;  // a larger body gets 413
  int read_timeout_s = 5;                   // a client that sends nothing for this long is cut
  int write_timeout_s = 5;
};

class Server {
 public:
  Server(const Extractor& extractor, ServeOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port. Throws Error when it cannot.
  int bind();
  // Serves until stop(); returns once the requests in flight are answered.
  void run();
  // Stops accepting; safe from any thread (not from a signal handler: see the CLI's).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace claimx
