// The chat of Pulsar's WebSocket page: a welcome for the newcomer, join and leave notices to the
// "chat" topic, and every message echoed to its sender and published to everyone else. The page
// at / connects to /ws; until sign-in exists, the name comes from ?name= or is "Someone".
#include <pulsarcpp/pulsarcpp.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "page.hpp"

using namespace pulsarcpp;

namespace {

struct ChatUser {
  std::string name = "Someone";
};

// The first `count` characters of valid UTF-8 `text` (a character starts at every byte that is
// not a continuation byte, 10xxxxxx).
std::string first_characters(std::string_view text, std::size_t count) {
  std::size_t end = 0;
  for (std::size_t starts = 0; end < text.size(); ++end) {
    const bool starts_character = (static_cast<unsigned char>(text[end]) & 0xC0) != 0x80;
    if (starts_character && starts++ == count) break;
  }
  return std::string(text.substr(0, end));
}

}  // namespace

int main() {
  return start<ChatUser>({
      .routes =
          {
              router::get("/", [](Context&) { return html(std::string(kChatPage)); }),
              router::get("/hello", [](Context&) { return json({{"message", "Hello, world!"}}); }),
          },
      .middlewares = {logger()},
      .websocket =
          {
              .open =
                  [](auto& ws) {
                    ws.send("Welcome to the chat!");
                    ws.subscribe("chat");
                    ws.publish("chat", ws.data().name + " joined the chat!");
                  },
              .message =
                  [](auto& ws, Message message) {
                    std::string line = ws.data().name + ": " + std::string(message.data);
                    ws.send(line);              // the sender sees its own line...
                    ws.publish("chat", line);  // ...and publish skips the sender
                  },
              .close =
                  [](auto& ws, int, std::string_view) {
                    ws.publish("chat", ws.data().name + " left the chat!");
                  },
              .options =
                  {
                      .upgrade =
                          [](Context& ctx) {
                            UpgradeResult<ChatUser> result;
                            // The name goes into text messages, so it must be UTF-8.
                            const std::string name = ctx.query("name").value_or("");
                            if (!name.empty() && is_valid_utf8(name)) {
                              result.data.name = first_characters(name, 40);
                            }
                            return result;
                          },
                  },
          },
  });
}
