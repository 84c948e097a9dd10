#pragma once
// A temporary directory removed with everything in it when the test ends.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace pulsarcpp::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "pulsarcpp-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Writes `content` to `relative` (creating folders) and returns the absolute path.
  std::filesystem::path write(std::string_view relative, std::string_view content) const {
    std::filesystem::path file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    return file;
  }

  /// The path of `absolute` relative to the working directory, which is how file() takes it
  /// (it drops a leading '/').
  static std::string from_cwd(const std::filesystem::path& absolute) {
    return std::filesystem::relative(absolute, std::filesystem::current_path()).string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace pulsarcpp::test
