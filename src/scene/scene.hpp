// Scene files (scenes/*.toml, parsed with toml++): one [block] per declared BlockSpec ("world" and
// each module), a [[timeline]] of events that set or ramp any parameter, [[camera]] keyframes and
// [[caption]] overlays. Bad input is reported as one line "file:line:col: what is wrong".
#pragma once

#include <filesystem>
#include <optional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "scene/params.hpp"

namespace infrascape {

struct SourcePos {
    std::string file;  // as given to load_scene (not made absolute)
    int line = 0;
    int col = 0;
};

// A user's bad input: "file:line:col: message". The CLI prints what() once and exits with code 2.
class InputError : public std::runtime_error {
public:
    InputError(SourcePos where, const std::string& message);
    const SourcePos& where() const { return where_; }
    const std::string& message() const { return message_; }

private:
    SourcePos where_;
    std::string message_;
};

enum class Ease { Linear, InOut };  // InOut: smoothstep-like ease in and out of a keyframe segment

struct TimelineEvent {
    double t_s = 0;        // simulation time of the event
    std::string param;     // dotted name, "block.key"
    ParamValue value;      // validated against the param's spec (type and range)
    double ramp_s = 0;     // 0: set at t_s; > 0: ramp linearly from the value held at t_s to `value`
    SourcePos where;
};

struct CameraKeyframe {
    double t_s = 0;
    double position[3] = {0, 0, 0};  // world metres
    double look_at[3] = {0, 0, 0};
    double fov_deg = 50;
    Ease ease = Ease::InOut;
    SourcePos where;
};

struct Caption {
    double t_s = 0;
    std::string text;
    double duration_s = 4;
    SourcePos where;
};

struct Scene {
    std::filesystem::path file;      // the scene file (absolute)
    std::set<std::string> blocks;    // blocks present in the file ("world" is always active), instances included
    // Module instances written as [[city]] entries with an `id`: "city:houston" -> "city", in file order.
    std::vector<std::pair<std::string, std::string>> instances;
    ParamStore params;               // every param of every present block (+ world), defaults filled in
    std::vector<TimelineEvent> timeline;   // sorted by t_s (stable)
    std::vector<CameraKeyframe> camera;    // sorted by t_s; two keys at the same time are an error
    std::vector<Caption> captions;         // sorted by t_s
    // Where each value set in the file, and each block header, is: "block.key" or "block" -> position.
    // Lets checks made after loading (a module's set-up) report file:line:col too.
    std::map<std::string, SourcePos> positions;

    // An InputError at the value of `dotted` (or its block's header, or the file's start).
    InputError error_at(const std::string& dotted, const std::string& message) const;
};

// Reads and validates a scene file against the given block specs. Throws InputError.
Scene load_scene(const std::filesystem::path& file, const std::vector<BlockSpec>& blocks);

// Text of `infrascape schema [BLOCK]`: every key with type, unit, range, default and help,
// plus the [[timeline]], [[camera]] and [[caption]] tables. Throws InputError-free std::invalid_argument
// naming the valid blocks when `only` is not one of them.
std::string schema_text(const std::vector<BlockSpec>& blocks, const std::string& only = "");

// The nearest candidate by edit distance, or "" when none is close enough to be a likely typo.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

// Applies timeline events to a ParamStore as the simulation clock advances. Set events take effect
// when the clock reaches them; a ramp interpolates linearly from the value the parameter holds when
// the ramp starts, so a value changed live in a panel is kept until a later event touches it.
class Timeline {
public:
    explicit Timeline(std::vector<TimelineEvent> events);
    // Advances from the last time given (initially 0, before any event) to t_s and updates `params`.
    // Events exactly at t_s are applied. t_s must not decrease; call reset() to go back.
    void advance(double t_s, ParamStore& params);
    void reset();  // back to before time 0; the caller restores the scene's initial values
    const std::vector<TimelineEvent>& events() const { return events_; }

private:
    std::vector<TimelineEvent> events_;
    // implementation state (next event index, active ramps with their start values)
    struct ActiveRamp {
        size_t event;
        double start_value;
    };
    size_t next_ = 0;
    double now_ = -1;
    std::vector<ActiveRamp> ramps_;
};

}  // namespace infrascape
