// The one documented interface through which modules read each other's outputs: named scalars (a
// datacenter's facility power in kW) and named fields sampled at map points (a flood's depth in m at a
// substation). A module publishes readers for its outputs once; another module looks them up by name
// and never reaches into the publisher's internals. Names are "<module>.<output>".
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace infrascape {

class OutputBus {
public:
    using ScalarReader = std::function<double()>;
    using FieldReader = std::function<double(double x_m, double y_m)>;  // NaN outside the field

    void publish_scalar(const std::string& name, const std::string& unit, const std::string& help, ScalarReader r);
    void publish_field(const std::string& name, const std::string& unit, const std::string& help, FieldReader r);

    std::optional<double> scalar(const std::string& name) const;
    std::optional<double> sample(const std::string& name, double x_m, double y_m) const;

    struct Entry {
        std::string name, unit, help;
        bool is_field;
    };
    std::vector<Entry> list() const;
    std::string unit(const std::string& name) const;  // empty when nothing of that name is published

    // Adds every output of `from` to this bus, with the prefix `from_prefix` ("city.") replaced by `to_prefix`
    // ("city:houston."): how an instance's outputs reach the shared bus under the instance's name.
    void merge_renamed(const OutputBus& from, const std::string& from_prefix, const std::string& to_prefix);

private:
    struct Scalar {
        std::string unit, help;
        ScalarReader read;
    };
    struct Field {
        std::string unit, help;
        FieldReader read;
    };
    std::map<std::string, Scalar> scalars_;
    std::map<std::string, Field> fields_;
};

}  // namespace infrascape
