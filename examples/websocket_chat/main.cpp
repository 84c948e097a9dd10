// The chat of Pulsar's WebSocket page: a welcome for the newcomer, join and leave notices to the
// "chat" topic, and every message echoed to its sender and published to everyone else. The page
// at / connects to /ws; until sign-in exists, the name comes from ?name= or is "Someone".
#include <pulsarcpp/pulsarcpp.hpp>

#include <string>

#include "page.hpp"

using namespace pulsarcpp;

namespace {

struct ChatUser {
  std::string name = "Someone";
};

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
                            std::string name = ctx.query("name").value_or("");
                            if (!name.empty()) result.data.name = name.substr(0, 40);
                            return result;
                          },
                  },
          },
  });
}
