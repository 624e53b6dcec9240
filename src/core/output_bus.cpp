// Module outputs by name; see output_bus.hpp.
#include "core/output_bus.hpp"

#include <stdexcept>

namespace infrascape {

void OutputBus::publish_scalar(const std::string& name, const std::string& unit, const std::string& help,
                               ScalarReader r) {
    if (scalars_.count(name) || fields_.count(name)) throw std::logic_error("output published twice: " + name);
    scalars_[name] = {unit, help, std::move(r)};
}

void OutputBus::publish_field(const std::string& name, const std::string& unit, const std::string& help,
                              FieldReader r) {
    if (scalars_.count(name) || fields_.count(name)) throw std::logic_error("output published twice: " + name);
    fields_[name] = {unit, help, std::move(r)};
}

std::optional<double> OutputBus::scalar(const std::string& name) const {
    auto it = scalars_.find(name);
    if (it == scalars_.end()) return std::nullopt;
    return it->second.read();
}

std::optional<double> OutputBus::sample(const std::string& name, double x, double y) const {
    auto it = fields_.find(name);
    if (it == fields_.end()) return std::nullopt;
    return it->second.read(x, y);
}

std::vector<OutputBus::Entry> OutputBus::list() const {
    std::vector<Entry> out;
    for (const auto& [n, s] : scalars_) out.push_back({n, s.unit, s.help, false});
    for (const auto& [n, f] : fields_) out.push_back({n, f.unit, f.help, true});
    return out;
}

std::string OutputBus::unit(const std::string& name) const {
    if (auto it = scalars_.find(name); it != scalars_.end()) return it->second.unit;
    if (auto it = fields_.find(name); it != fields_.end()) return it->second.unit;
    return {};
}

void OutputBus::merge_renamed(const OutputBus& from, const std::string& from_prefix, const std::string& to_prefix) {
    auto rename = [&](const std::string& name) {
        return name.compare(0, from_prefix.size(), from_prefix) == 0 ? to_prefix + name.substr(from_prefix.size()) : name;
    };
    for (const auto& [name, s] : from.scalars_) scalars_[rename(name)] = s;
    for (const auto& [name, f] : from.fields_) fields_[rename(name)] = f;
}

}  // namespace infrascape
