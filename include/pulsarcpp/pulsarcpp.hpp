#pragma once
// Pulsar for C++: everything a program needs in one include.

#include "pulsarcpp/app.hpp"
#include "pulsarcpp/async_generator.hpp"
#include "pulsarcpp/context.hpp"
#include "pulsarcpp/handler.hpp"
#include "pulsarcpp/http/cookie.hpp"
#include "pulsarcpp/http/method.hpp"
#include "pulsarcpp/http/status.hpp"
#include "pulsarcpp/middleware.hpp"
#include "pulsarcpp/offload.hpp"
#include "pulsarcpp/options.hpp"
#include "pulsarcpp/response.hpp"
#include "pulsarcpp/router.hpp"
#include "pulsarcpp/server.hpp"
#include "pulsarcpp/task.hpp"
#include "pulsarcpp/websocket.hpp"
