#pragma once
// A message published to a topic, framed once for every subscriber on every loop.

#include <string>

#include "ws/frame.hpp"

namespace pulsarcpp::ws {

struct PublishedMessage {
  Opcode opcode = Opcode::text;
  std::string frame;           // the uncompressed frame, ready to write
  bool compress = false;       // the publisher asked for compression
  std::string deflated_frame;  // compress: the RSV1 frame compressed without context
  std::string payload;         // compress: the message, for subscribers with their own window
};

}  // namespace pulsarcpp::ws
