// PNG and video capture; see capture.hpp.
#include "capture.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO_UNUSED
#include <stb_image_write.h>
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb_image.h>

namespace engine {

void write_png(const std::filesystem::path& path, const uint8_t* rgba, uint32_t width, uint32_t height) {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    if (!stbi_write_png(path.c_str(), int(width), int(height), 4, rgba, int(width * 4)))
        throw std::runtime_error(path.string() + ": cannot write PNG");
}

std::vector<uint8_t> read_png(const std::filesystem::path& path, uint32_t& width, uint32_t& height) {
    int w = 0, h = 0, n = 0;
    uint8_t* data = stbi_load(path.c_str(), &w, &h, &n, 4);
    if (!data) throw std::runtime_error(path.string() + ": cannot read PNG: " + stbi_failure_reason());
    std::vector<uint8_t> out(data, data + size_t(w) * h * 4);
    stbi_image_free(data);
    width = uint32_t(w);
    height = uint32_t(h);
    return out;
}

std::string find_ffmpeg() {
    const char* env = std::getenv("INFRASCAPE_FFMPEG");  // lets tests simulate a missing ffmpeg
    if (env) return access(env, X_OK) == 0 ? std::string(env) : std::string();
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        std::string candidate = (dir.empty() ? "." : dir) + "/ffmpeg";
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return {};
}

namespace {
std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}
}  // namespace

VideoWriter::VideoWriter(const std::filesystem::path& path, uint32_t width, uint32_t height, uint32_t fps)
    : path_(path), frame_bytes_(size_t(width) * height * 4) {
    std::string ffmpeg = find_ffmpeg();
    if (ffmpeg.empty())
        throw std::runtime_error(
            "ffmpeg not found: install the Debian package ffmpeg to write MP4, or render a PNG sequence with "
            "-o DIR");
    if (width % 2 || height % 2)
        throw std::runtime_error("MP4 (H.264, yuv420p) needs an even width and height, got " +
                                 std::to_string(width) + "x" + std::to_string(height));
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    log_ = path;
    log_ += ".ffmpeg.log";
    std::string cmd = shell_quote(ffmpeg) + " -y -loglevel error -f rawvideo -pix_fmt rgba -s " +
                      std::to_string(width) + "x" + std::to_string(height) + " -r " + std::to_string(fps) +
                      " -i - -an -c:v libx264 -preset medium -crf 18 -pix_fmt yuv420p -movflags +faststart " +
                      shell_quote(path.string()) + " 2>" + shell_quote(log_.string());
    pipe_ = popen(cmd.c_str(), "w");
    if (!pipe_) throw std::runtime_error("cannot start ffmpeg");
}

VideoWriter::~VideoWriter() {
    if (pipe_) pclose(pipe_);
}

void VideoWriter::write(const uint8_t* rgba) {
    if (std::fwrite(rgba, 1, frame_bytes_, pipe_) != frame_bytes_)
        throw std::runtime_error("ffmpeg stopped accepting frames; see " + log_.string());
}

void VideoWriter::finish() {
    if (!pipe_) return;
    int status = pclose(pipe_);
    pipe_ = nullptr;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::ifstream log(log_);
        std::stringstream text;
        text << log.rdbuf();
        throw std::runtime_error("ffmpeg failed writing " + path_.string() + ": " + text.str());
    }
    std::filesystem::remove(log_);
}

}  // namespace engine
