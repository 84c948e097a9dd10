// WebSocketBase: the public face of a WsConnection.
#include "pulsarcpp/websocket.hpp"

#include "server/valid_text.hpp"
#include "server/ws_connection.hpp"
#include "ws/utf8.hpp"

namespace pulsarcpp {

using detail::WsConnection;
using ws::Opcode;

bool is_valid_utf8(std::string_view text) noexcept { return ws::is_valid_utf8(text); }

int WebSocketBase::send_text(std::string_view text, bool compress) {
  detail::valid_text(text);
  return connection_ ? connection_->send(Opcode::text, text, compress) : 0;
}
int WebSocketBase::send_binary(std::string_view bytes, bool compress) {
  return connection_ ? connection_->send(Opcode::binary, bytes, compress) : 0;
}
int WebSocketBase::publish_text(std::string_view topic, std::string_view text, bool compress) {
  detail::valid_text(text);
  return connection_ ? connection_->publish(topic, Opcode::text, text, compress) : 0;
}
int WebSocketBase::publish_binary(std::string_view topic, std::string_view bytes,
                                  bool compress) {
  return connection_ ? connection_->publish(topic, Opcode::binary, bytes, compress) : 0;
}
bool WebSocketBase::subscribe(std::string_view topic) {
  return connection_ && connection_->subscribe(topic);
}
bool WebSocketBase::unsubscribe(std::string_view topic) {
  return connection_ && connection_->unsubscribe(topic);
}
bool WebSocketBase::is_subscribed(std::string_view topic) const {
  return connection_ && connection_->is_subscribed(topic);
}
std::vector<std::string> WebSocketBase::subscriptions() const {
  return connection_ ? connection_->topics() : std::vector<std::string>{};
}
void WebSocketBase::close(int code, std::string_view reason) {
  if (connection_) connection_->close(code, reason);
}
void WebSocketBase::terminate() {
  if (connection_) connection_->terminate();
}
int WebSocketBase::ping(std::string_view data) {
  return connection_ ? connection_->control(Opcode::ping, data) : 0;
}
int WebSocketBase::pong(std::string_view data) {
  return connection_ ? connection_->control(Opcode::pong, data) : 0;
}
ReadyState WebSocketBase::ready_state() const noexcept {
  return connection_ ? connection_->ready_state() : ReadyState::closed;
}
std::string_view WebSocketBase::remote_address() const noexcept {
  return connection_ ? connection_->remote_address() : std::string_view{};
}
std::size_t WebSocketBase::buffered_amount() const noexcept {
  return connection_ ? connection_->buffered_amount() : 0;
}
std::string_view WebSocketBase::subprotocol() const noexcept {
  return connection_ ? connection_->subprotocol() : std::string_view{};
}
Server& WebSocketBase::server() const noexcept { return connection_->server(); }

WebSocketBase::CorkScope::CorkScope(WebSocketBase& s) : socket(s) {
  if (socket.connection_) socket.connection_->cork_begin();
}
WebSocketBase::CorkScope::~CorkScope() {
  if (socket.connection_) socket.connection_->cork_end();
}

}  // namespace pulsarcpp
