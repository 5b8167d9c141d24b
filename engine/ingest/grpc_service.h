// The gRPC transport of the remote-write receiver: prometheus.RemoteWrite/
// Write (proto/remote.proto) with the same decoding, limits and outcomes as
// the HTTP endpoint, and a small server wrapper for `ruler serve`.
//
//   Receiver receiver(head, limits, RealClock::Get());
//   GrpcServerOptions options;
//   options.listen_address = "0.0.0.0:9098";      // port 0: pick a free one
//   FR_ASSIGN_OR_RETURN(auto server,
//                       RemoteWriteGrpcServer::Start(receiver, options));
//   ... server->port() ...
//   server->Shutdown();                            // also on destruction
//
// The method is registered in raw form (WithRawCallbackMethod_Write): the
// request arrives as the serialized bytes, which go straight to
// Receiver::WriteProto's zero-copy walk; no WriteRequest message is ever
// parsed. The calls are handed to the service's own worker threads, since
// appending may wait on a WAL fsync and gRPC's callback threads must not
// block.
#ifndef ENGINE_INGEST_GRPC_SERVICE_H_
#define ENGINE_INGEST_GRPC_SERVICE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/ingest/receiver.h"
#include "grpcpp/grpcpp.h"
#include "proto/remote.grpc.pb.h"

namespace fraisier::ingest {

// kOk: OK; kBadRequest: INVALID_ARGUMENT; kPayloadTooLarge and
// kTooManyRequests: RESOURCE_EXHAUSTED (what gRPC itself answers for a
// message over the receive limit); kUnavailable: UNAVAILABLE; kInternal:
// INTERNAL.
grpc::StatusCode GrpcCode(WriteCode code);

struct GrpcServiceOptions {
  // Threads running Receiver::WriteProto. Commits of concurrent calls share
  // WAL fsyncs, so a few threads keep the disk busy.
  int worker_threads = 4;
  // Calls waiting for a worker beyond this are refused at once with
  // RESOURCE_EXHAUSTED, so overload turns into sender back-off rather
  // than unbounded memory.
  int max_queued_calls = 256;
};

// Every answer carries trailing metadata `fraisier-write-code` (the
// WriteCodeName), `fraisier-samples-stored` and
// `fraisier-samples-rejected`, so a client can tell 413 from 429 and see
// partial acceptance even on error statuses.
//
// Thread-safety: thread-safe; gRPC calls Write concurrently.
// Invariants: every call accepted by Write is finished exactly once (by a
// worker, or at once when refused); after Stop() no worker runs and new
// calls are answered UNAVAILABLE. The Receiver outlives the service, and
// the grpc::Server using the service is shut down before it is destroyed.
class RemoteWriteService final
    : public prometheus::RemoteWrite::WithRawCallbackMethod_Write<
          prometheus::RemoteWrite::Service> {
 public:
  explicit RemoteWriteService(Receiver& receiver,
                              const GrpcServiceOptions& options = {});
  ~RemoteWriteService() override;
  RemoteWriteService(const RemoteWriteService&) = delete;
  RemoteWriteService& operator=(const RemoteWriteService&) = delete;

  using WithRawCallbackMethod_Write::Write;
  grpc::ServerUnaryReactor* Write(grpc::CallbackServerContext* context,
                                  const grpc::ByteBuffer* request,
                                  grpc::ByteBuffer* response) override;

  // Finishes queued calls, then stops the workers. Idempotent. Call after
  // the server's Shutdown() (which waits for in-flight calls).
  void Stop();

 private:
  struct Call {
    grpc::CallbackServerContext* context;
    const grpc::ByteBuffer* request;
    grpc::ByteBuffer* response;
    grpc::ServerUnaryReactor* reactor;
  };

  void WorkerLoop();
  // Runs one call on a worker; `buffer` is that worker's reusable copy
  // space for requests that arrive in several slices.
  void Handle(const Call& call, std::string* buffer);

  Receiver& receiver_;
  const GrpcServiceOptions options_;
  std::mutex mu_;  // std::mutex: TSan sees it (DESIGN §4)
  std::condition_variable wake_;
  std::deque<Call> queue_;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  std::vector<std::thread> workers_;
};

struct GrpcServerOptions {
  // host:port; port 0 picks a free port (see RemoteWriteGrpcServer::port).
  std::string listen_address = "0.0.0.0:9098";
  // gRPC's max receive message size; 0 means the receiver's max_body_bytes.
  int64_t max_receive_message_bytes = 0;
  GrpcServiceOptions service;
};

// A grpc::Server serving only RemoteWriteService.
// Thread-safety: thread-safe. Invariant: the server is shut down before the
// service is stopped and before either is destroyed.
class RemoteWriteGrpcServer {
 public:
  // Binds and starts serving; an error when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<RemoteWriteGrpcServer>> Start(
      Receiver& receiver, const GrpcServerOptions& options);
  ~RemoteWriteGrpcServer();
  RemoteWriteGrpcServer(const RemoteWriteGrpcServer&) = delete;
  RemoteWriteGrpcServer& operator=(const RemoteWriteGrpcServer&) = delete;

  // The bound port and "host:port" with it.
  int port() const { return port_; }
  const std::string& address() const { return address_; }

  // Stops accepting calls, lets in-flight ones finish for up to `grace`
  // (then cancels them), and stops the workers. Idempotent.
  void Shutdown(absl::Duration grace = absl::Seconds(5));

 private:
  RemoteWriteGrpcServer() = default;

  // Declared before server_ so the server is destroyed first.
  std::unique_ptr<RemoteWriteService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string address_;
  std::mutex shutdown_mu_;
  bool shut_down_ = false;  // guarded by shutdown_mu_
};

}  // namespace fraisier::ingest

#endif  // ENGINE_INGEST_GRPC_SERVICE_H_
