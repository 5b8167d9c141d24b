#include "engine/ingest/grpc_service.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "proto/remote.pb.h"

namespace fraisier::ingest {
namespace {

void AddTrailers(grpc::CallbackServerContext* context, const WriteResult& r) {
  context->AddTrailingMetadata("fraisier-write-code",
                               std::string(WriteCodeName(r.code)));
  context->AddTrailingMetadata("fraisier-samples-stored",
                               absl::StrCat(r.samples_stored));
  context->AddTrailingMetadata("fraisier-samples-rejected",
                               absl::StrCat(r.samples_rejected));
}

}  // namespace

grpc::StatusCode GrpcCode(WriteCode code) {
  switch (code) {
    case WriteCode::kOk:
      return grpc::StatusCode::OK;
    case WriteCode::kBadRequest:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case WriteCode::kPayloadTooLarge:
    case WriteCode::kTooManyRequests:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case WriteCode::kUnavailable:
      return grpc::StatusCode::UNAVAILABLE;
    case WriteCode::kInternal:
      return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::INTERNAL;
}

RemoteWriteService::RemoteWriteService(Receiver& receiver,
                                       const GrpcServiceOptions& options)
    : receiver_(receiver), options_(options) {
  const int threads = std::max(1, options_.worker_threads);
  workers_.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

RemoteWriteService::~RemoteWriteService() { Stop(); }

grpc::ServerUnaryReactor* RemoteWriteService::Write(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status refused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      refused = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                             "remote-write service is shutting down");
    } else if (static_cast<int>(queue_.size()) >=
               std::max(1, options_.max_queued_calls)) {
      refused =
          grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                       absl::StrCat("too many remote-write calls waiting (",
                                    queue_.size(), "); retry later"));
    } else {
      queue_.push_back(Call{context, request, response, reactor});
    }
  }
  if (refused.ok()) {
    wake_.notify_one();
  } else {
    reactor->Finish(refused);
  }
  return reactor;
}

void RemoteWriteService::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void RemoteWriteService::WorkerLoop() {
  std::string buffer;
  for (;;) {
    Call call;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Queued calls are finished even when stopping: each must be
      // answered exactly once.
      if (queue_.empty()) return;
      call = queue_.front();
      queue_.pop_front();
    }
    Handle(call, &buffer);
  }
}

void RemoteWriteService::Handle(const Call& call, std::string* buffer) {
  if (call.context->IsCancelled()) {
    // The client gave up while the call waited; storing now would only
    // race its retry.
    call.reactor->Finish(
        grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
    return;
  }
  std::vector<grpc::Slice> slices;
  if (grpc::Status dumped = call.request->Dump(&slices); !dumped.ok()) {
    call.reactor->Finish(dumped);
    return;
  }
  absl::string_view bytes;
  if (slices.size() == 1) {
    bytes = absl::string_view(reinterpret_cast<const char*>(slices[0].begin()),
                              slices[0].size());
  } else {
    // Large messages arrive in several slices; the walker wants one span.
    buffer->clear();
    for (const grpc::Slice& s : slices) {
      buffer->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    bytes = *buffer;
  }
  const WriteResult result = receiver_.WriteProto(bytes);
  AddTrailers(call.context, result);
  if (!result.ok()) {
    call.reactor->Finish(grpc::Status(GrpcCode(result.code), result.message));
    return;
  }
  prometheus::WriteResponse reply;
  reply.set_samples_written(result.samples_stored);
  const std::string serialized = reply.SerializeAsString();
  grpc::Slice slice(serialized);
  *call.response = grpc::ByteBuffer(&slice, 1);
  call.reactor->Finish(grpc::Status::OK);
}

absl::StatusOr<std::unique_ptr<RemoteWriteGrpcServer>>
RemoteWriteGrpcServer::Start(Receiver& receiver,
                             const GrpcServerOptions& options) {
  const size_t colon = options.listen_address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("grpc: listen address \"",
                                                   options.listen_address,
                                                   "\" is not host:port"));
  }
  std::unique_ptr<RemoteWriteGrpcServer> server(new RemoteWriteGrpcServer());
  server->service_ =
      std::make_unique<RemoteWriteService>(receiver, options.service);
  int64_t max_message = options.max_receive_message_bytes > 0
                            ? options.max_receive_message_bytes
                            : receiver.limits().max_body_bytes;
  max_message = std::min<int64_t>(max_message, INT_MAX);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address,
                           grpc::InsecureServerCredentials(), &server->port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(max_message));
  // gRPC sets SO_REUSEPORT by default, which would let a second `ruler
  // serve` bind the same port and silently take half the traffic.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    server->service_->Stop();
    return absl::UnavailableError(
        absl::StrCat("grpc: cannot listen on ", options.listen_address,
                     " (address in use or not available)"));
  }
  server->address_ =
      absl::StrCat(options.listen_address.substr(0, colon), ":", server->port_);
  return server;
}

RemoteWriteGrpcServer::~RemoteWriteGrpcServer() { Shutdown(); }

void RemoteWriteGrpcServer::Shutdown(absl::Duration grace) {
  std::lock_guard<std::mutex> lock(shutdown_mu_);
  if (shut_down_) return;
  shut_down_ = true;
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(grace));
    server_->Wait();
  }
  if (service_ != nullptr) service_->Stop();
}

}  // namespace fraisier::ingest
