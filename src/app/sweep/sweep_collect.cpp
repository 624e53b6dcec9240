// `infrascape sweep collect`: the members' results merged into one CSV, percentiles and exceedance probabilities
// per output (per group of listed parameters), their distributions as PNG plots, and for each field the
// probability of exceeding its threshold per cell, as ESRI ASCII, GeoTIFF and PNG.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "app/plot.hpp"
#include "app/session.hpp"
#include "app/sweep/sweep.hpp"
#include "app/sweep/sweep_toml.hpp"
#include "core/raster.hpp"
#include "scene/csv.hpp"

namespace infrascape::sweep {

namespace {

// Empty for NaN: a member without the value.
std::string exact(double v) { return std::isnan(v) ? std::string() : detail::shortest(v); }

std::string short_num(double v) {
    if (std::isnan(v)) return "";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

using detail::csv_field;

// Percentile of sorted values by linear interpolation between order statistics (Hyndman and Fan's type 7,
// the default of R and NumPy).
double percentile(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) return NAN;
    const double h = (sorted.size() - 1) * q;
    const size_t lo = size_t(std::floor(h));
    const size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - double(lo)) * (sorted[hi] - sorted[lo]);
}

// The manifest's rows: member -> the labels of the listed (group) parameters and every parameter's label.
struct ManifestRow {
    std::string scene, group_label;
    std::vector<std::string> labels;
};

std::vector<ManifestRow> read_manifest(const Plan& plan) {
    const fs::path file = plan.dir / "manifest.csv";
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::string line;
    std::vector<csv::Field> f;
    int bad = 0;
    std::string why;
    std::getline(in, line);
    csv::split(line, f, bad, why);
    std::vector<size_t> group_cols;
    for (const std::string& g : plan.group_params)
        for (size_t k = 0; k < f.size(); ++k)
            if (f[k].text == g) group_cols.push_back(k);
    std::vector<ManifestRow> rows;
    while (std::getline(in, line)) {
        if (!csv::split(line, f, bad, why) || f.size() != 4 + plan.param_names.size())
            throw std::runtime_error(file.string() + ":" + std::to_string(rows.size() + 2) + ": damaged manifest row");
        ManifestRow r;
        r.scene = f[1].text;
        for (size_t k = 4; k < f.size(); ++k) r.labels.push_back(f[k].text);
        for (size_t k = 0; k < group_cols.size(); ++k)
            r.group_label += (k ? ", " : "") + plan.group_params[k] + " = " + f[group_cols[k]].text;
        rows.push_back(r);
    }
    if (rows.size() != plan.members) throw std::runtime_error(file.string() + " lists " + std::to_string(rows.size()) + " members, the plan " +
                                                              std::to_string(plan.members));
    return rows;
}

// view_<stem>.toml: member 0's scene with the field's `view` keys set, so `infrascape view` shows the map.
void write_view_scene(const Plan& plan, const fs::path& out, const std::string& stem, const std::string& label,
                      const std::vector<std::pair<std::string, std::string>>& view) {
    const fs::path member = member_scene(plan.dir, 0);
    toml::table scene = detail::parse_file(member, member.string());
    detail::rebase_paths(scene, all_block_specs(), member.parent_path(), out);
    auto substitute = [&](std::string v) {
        for (const auto& [from, to] : {std::pair<std::string, std::string>{"{map}", stem + ".asc"}, {"{label}", label}})
            for (size_t at; (at = v.find(from)) != std::string::npos;) v.replace(at, from.size(), to);
        return v;
    };
    for (const auto& [key, value] : view) {
        const size_t dot = key.find('.');
        const std::string block = key.substr(0, dot), k = key.substr(dot + 1);
        toml::node* b = scene.get(block);
        if (!b) b = &scene.insert_or_assign(block, toml::table{}).first->second;
        if (auto* t = b->as_table()) t->insert_or_assign(k, substitute(value));
    }
    std::ofstream f(out / ("view_" + stem + ".toml"));
    f << "# The map " << stem << ".asc (" << label << ") over member 0's scene of the sweep " << plan.name
      << ".\n# Written by `infrascape sweep collect`; open it with `infrascape view` (or `infrascape view` of the sweep's folder).\n"
      << toml::toml_formatter(scene) << '\n';
}

}  // namespace

int collect_command(const CollectOptions& o) {
    const Plan plan = read_plan(o.dir);
    const std::vector<ManifestRow> manifest = read_manifest(plan);
    const fs::path out = o.out.empty() ? o.dir / "collected" : o.out;
    fs::create_directories(out);

    std::vector<std::optional<MemberResult>> results(plan.members);
    std::vector<uint64_t> missing;
    for (uint64_t m = 0; m < plan.members; ++m) {
        std::error_code ec;
        if (!fs::exists(member_result(o.dir, m), ec)) {
            missing.push_back(m);
            continue;
        }
        results[m] = read_result(member_result(o.dir, m), plan);
        if (results[m]->member != m) throw InputError({member_result(o.dir, m).string(), 2, 8}, "the result is of member " +
                                                                                                std::to_string(results[m]->member));
    }
    if (!missing.empty()) {
        std::string list;
        for (size_t k = 0; k < missing.size() && k < 10; ++k) list += (k ? ", " : "") + std::to_string(missing[k]);
        if (missing.size() > 10) list += ", ...";
        std::fprintf(stderr, "%zu of %llu members have no result (%s); `infrascape sweep status %s` says why\n", missing.size(),
                     (unsigned long long)plan.members, list.c_str(), o.dir.c_str());
        if (!o.partial) {
            std::fprintf(stderr, "collect --partial summarises the members that finished\n");
            return 1;
        }
    }

    // members.csv: one row per member, its parameters and outputs.
    {
        std::ofstream f(out / "members.csv");
        f << "member";
        for (const std::string& p : plan.param_names) f << ',' << p;
        for (const Output& op : plan.outputs) f << ',' << op.name;
        f << '\n';
        for (uint64_t m = 0; m < plan.members; ++m) {
            if (!results[m]) continue;
            f << m;
            for (const std::string& l : manifest[m].labels) f << ',' << csv_field(l);
            for (double v : results[m]->outputs) f << ',' << exact(v);
            f << '\n';
        }
    }

    // Groups: the combinations of listed parameters, in member order.
    std::vector<std::string> groups;
    for (uint64_t m = 0; m < plan.members; ++m)
        if (std::find(groups.begin(), groups.end(), manifest[m].group_label) == groups.end()) groups.push_back(manifest[m].group_label);
    auto group_name = [](const std::string& g) { return g.empty() ? std::string("all members") : g; };

    std::ofstream summary(out / "summary.csv"), exceed(out / "exceedance.csv");
    summary << "group,output,members,with_value,mean,sd,min,p05,p10,p25,p50,p75,p90,p95,max\n";
    exceed << "group,output,threshold,members,exceeding,probability\n";
    // Figures: the outputs that share a `plot` name are drawn together, in the order they first appear.
    std::vector<std::string> figures;
    std::map<std::string, std::vector<plot::Series>> figure_series;
    std::map<std::string, std::vector<size_t>> figure_outputs;
    for (size_t k = 0; k < plan.outputs.size(); ++k) {
        const Output& op = plan.outputs[k];
        if (!figure_outputs.count(op.plot)) figures.push_back(op.plot);
        figure_outputs[op.plot].push_back(k);
        std::vector<plot::Series>& series = figure_series[op.plot];
        for (const std::string& g : groups) {
            std::vector<double> all, v;
            for (uint64_t m = 0; m < plan.members; ++m)
                if (results[m] && manifest[m].group_label == g) {
                    all.push_back(results[m]->outputs[k]);
                    if (!std::isnan(results[m]->outputs[k])) v.push_back(results[m]->outputs[k]);
                }
            std::sort(v.begin(), v.end());
            double mean = NAN, sd = NAN;
            if (!v.empty()) {
                mean = 0;
                for (double x : v) mean += x;
                mean /= double(v.size());
                if (v.size() > 1) {
                    double ss = 0;
                    for (double x : v) ss += (x - mean) * (x - mean);
                    sd = std::sqrt(ss / double(v.size() - 1));
                }
            }
            summary << csv_field(group_name(g)) << ',' << op.name << ',' << all.size() << ',' << v.size() << ',' << exact(mean) << ','
                    << exact(sd) << ',' << exact(v.empty() ? NAN : v.front());
            for (double q : {0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95}) summary << ',' << exact(percentile(v, q));
            summary << ',' << exact(v.empty() ? NAN : v.back()) << '\n';
            // P(X > t) over all members of the group; a member without a value does not exceed.
            for (double t : op.above) {
                const size_t n = size_t(std::count_if(v.begin(), v.end(), [&](double x) { return x > t; }));
                exceed << csv_field(group_name(g)) << ',' << op.name << ',' << exact(t) << ',' << all.size() << ',' << n << ','
                       << exact(all.empty() ? NAN : double(n) / double(all.size())) << '\n';
            }
            series.push_back({groups.size() > 1 ? op.name + ", " + group_name(g) : op.name, all});
        }
    }
    for (const std::string& fig : figures) {
        const std::vector<size_t>& ks = figure_outputs[fig];
        const Output& first = plan.outputs[ks.front()];
        const std::string x_label = ks.size() == 1 ? first.name + " (" + first.column + " of " + first.file + ")" : fig;
        std::vector<plot::Series> series = figure_series[fig];
        if (ks.size() == 1 && groups.size() > 1)  // one output: the lines are the groups
            for (plot::Series& se : series) se.label = se.label.substr(first.name.size() + 2);
        plot::write_cdf_png(out / (fig + ".png"), plan.title + ": " + fig, x_label, series);
    }

    // Probability maps.
    engine::ColormapTables maps;
    bool have_maps = true;
    try {
        maps = engine::load_colormaps(asset_dir() / "colormaps");
    } catch (const std::exception& e) {
        have_maps = false;
        std::fprintf(stderr, "infrascape: %s; the probability maps are written without their PNG pictures\n", e.what());
    }
    for (size_t k = 0; k < plan.fields.size(); ++k) {
        const Field& fd = plan.fields[k];
        for (size_t gi = 0; gi < groups.size(); ++gi) {
            const FieldMask* first = nullptr;
            uint64_t first_member = 0;
            std::vector<uint32_t> count, valid;
            uint32_t n = 0;
            for (uint64_t m = 0; m < plan.members; ++m) {
                if (!results[m] || manifest[m].group_label != groups[gi]) continue;
                const FieldMask& f = results[m]->fields[k];
                if (!first) {
                    first = &f;
                    first_member = m;
                    count.assign(f.above.size(), 0);
                    valid.assign(f.above.size(), 0);
                } else if (f.nx != first->nx || f.ny != first->ny || f.x0 != first->x0 || f.y0 != first->y0 || f.cell != first->cell) {
                    throw std::runtime_error("field '" + fd.name + "': member " + std::to_string(m) + "'s raster is not on the grid of member " +
                                             std::to_string(first_member) +
                                             " (probability maps need one grid)");
                }
                for (size_t c = 0; c < f.above.size(); ++c) {
                    count[c] += f.above[c];
                    valid[c] += f.valid[c];
                }
                ++n;
            }
            if (!first) continue;
            Raster r;
            r.nx = first->nx;
            r.ny = first->ny;
            r.geo.x0 = first->x0;
            r.geo.y0 = first->y0;
            r.geo.cell = first->cell;
            r.geo.wkt = first->wkt;
            r.v.resize(count.size());
            for (size_t c = 0; c < count.size(); ++c) r.v[c] = valid[c] ? float(double(count[c]) / n) : std::nanf("");
            const std::string stem = "p_" + fd.name + (groups.size() > 1 ? "_g" + std::to_string(gi + 1) : "");
            write_asc(out / (stem + ".asc"), r, 4);
            write_geotiff(out / (stem + ".tif"), r);
            const std::string label = "P(" + fd.file + " > " + short_num(fd.above) + "), " + std::to_string(n) + " members" +
                                      (groups.size() > 1 ? ", " + group_name(groups[gi]) : "");
            if (!fd.view.empty()) write_view_scene(plan, out, stem, label, fd.view);
            if (have_maps)
                plot::write_map_png(out / (stem + ".png"),
                                    "P(" + fd.name + ": " + fd.file + " > " + short_num(fd.above) + "), " + std::to_string(n) +
                                        " members" + (groups.size() > 1 ? ", " + group_name(groups[gi]) : ""),
                                    "probability", r.v, r.nx, r.ny, 0, 1, maps, engine::Colormap::Inferno);
        }
    }
    std::ofstream index(out / "groups.csv");
    index << "group,label\n";
    for (size_t gi = 0; gi < groups.size(); ++gi) index << "g" << gi + 1 << ',' << csv_field(group_name(groups[gi])) << '\n';
    std::printf("collected %llu of %llu members of %s into %s: members.csv, summary.csv, exceedance.csv, %zu plot%s, %zu map%s\n",
                (unsigned long long)(plan.members - missing.size()), (unsigned long long)plan.members, plan.name.c_str(), out.c_str(),
                figures.size(), figures.size() == 1 ? "" : "s", plan.fields.size() * groups.size(),
                plan.fields.size() * groups.size() == 1 ? "" : "s");
    return 0;
}

fs::path view_scene_of(const fs::path& dir) {
    std::error_code ec;
    for (const fs::path& d : {dir / "collected", dir}) {
        std::vector<fs::path> views;
        for (const auto& e : fs::directory_iterator(d, ec))
            if (e.path().filename().string().rfind("view_", 0) == 0 && e.path().extension() == ".toml") views.push_back(e.path());
        if (!views.empty()) return *std::min_element(views.begin(), views.end());
    }
    if (fs::exists(dir / "plan.toml", ec))
        throw std::invalid_argument(dir.string() + " is a sweep without view scenes: collect it (`infrascape sweep collect " +
                                    dir.string() + "`) with a [[field]] that has a 'view' table");
    throw std::invalid_argument(dir.string() + " is a folder: give a scene file, or a collected sweep");
}

}  // namespace infrascape::sweep
