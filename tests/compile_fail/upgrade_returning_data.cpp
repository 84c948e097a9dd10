// An upgrade callback that returns the data itself rather than an UpgradeResult.
// expect: options.upgrade is UpgradeResult<T>(Context&) or Task<UpgradeResult<T>>(Context&)
#include <pulsarcpp/pulsarcpp.hpp>

#include <string>

using namespace pulsarcpp;

int main() {
  return start<std::string>({.websocket = {.open = [](auto&) {},
                                           .options = {.upgrade = [](Context&) {
                                             return std::string("name");
                                           }}}});
}
