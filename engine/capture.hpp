// Frame capture: PNG files through stb_image_write, and H.264 video by piping raw RGBA frames into the
// ffmpeg program (yuv420p, so every player opens it). A missing ffmpeg is a clear error, not a crash.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace engine {

// Writes RGBA8 pixels (rows top to bottom) as a PNG. Throws std::runtime_error naming the path on failure.
void write_png(const std::filesystem::path& path, const uint8_t* rgba, uint32_t width, uint32_t height);
// Reads a PNG as RGBA8. Throws std::runtime_error naming the path on failure.
std::vector<uint8_t> read_png(const std::filesystem::path& path, uint32_t& width, uint32_t& height);

// The ffmpeg program on PATH, or empty when there is none.
std::string find_ffmpeg();

class VideoWriter {
public:
    // Starts ffmpeg writing `path` (MP4, H.264, yuv420p). Width and height must be even.
    VideoWriter(const std::filesystem::path& path, uint32_t width, uint32_t height, uint32_t fps);
    ~VideoWriter();
    VideoWriter(const VideoWriter&) = delete;
    VideoWriter& operator=(const VideoWriter&) = delete;
    void write(const uint8_t* rgba);  // one frame, rows top to bottom
    void finish();                    // closes the pipe and checks ffmpeg's exit status

private:
    FILE* pipe_ = nullptr;
    std::filesystem::path path_, log_;
    size_t frame_bytes_;
};

}  // namespace engine
