// The grid module's stepping: operating points, the operator's dispatch (SCED), islands and the cascade.
#include "modules/grid/grid_module_impl.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>

namespace infrascape::grid {

void lower_thread_priority() { setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), 10); }


// [SECTION] Stepping
void GridModule::step(StepContext& ctx) {
    const ParamStore& p = ctx.params;
    const int request = int(p.number("grid.trip_branch"));
    if (request != last_trip_request_) {
        last_trip_request_ = request;
        if (request >= 1 && size_t(request) <= base_.branches.size()) cascade_->trip(request - 1, ctx.t_s);
    }
    while (next_t_s_ <= ctx.t_s + ctx.dt_s + 1e-9) {
        grid_step(next_t_s_, p);
        next_t_s_ += step_s_;
    }
    if (async_sced_) poll_sced(p);
    sced_params_ = &p;  // the session's store for this module: before_draw polls the worker with it
}

// One operating point at simulation time t: weather and load, dispatch, flows and trips.
void GridModule::grid_step(double t_s, const ParamStore& p) {
    const ScenarioParams sp = scenario_params(p, info_);
    if (sp.utility_pv_mw != scenario_.utility_pv_mw || sp.battery_mw != scenario_.battery_mw ||
        sp.battery_mwh != scenario_.battery_mwh) {
        prepared_ = base_;
        prepare_case(prepared_, sp);
        battery_.soc_mwh = std::clamp(battery_.soc_mwh, 0.0, sp.battery_mwh);
    }
    scenario_ = sp;
    cascade_->set_params(cascade_params(p));
    const double epoch = info_.start_epoch_s + t_s;
    // The weather coupling's temperature (now and cooling_lag_h ago) and sunshine, else the scenario's day.
    WeatherOverride weather;
    if (ports_.air_temp_c && ports_.ghi_w_m2) {
        weather.ambient_c = *ports_.air_temp_c;
        weather.lagged_ambient_c = temp_history_.empty() ? weather.ambient_c : temp_history_.front().second;
        weather.ghi_w_m2 = *ports_.ghi_w_m2;
    }
    cond_ = conditions_at(scenario_, prepared_, epoch, ports_.air_temp_c && ports_.ghi_w_m2 ? &weather : nullptr);
    // The demand coupling: cities set the demand at their buses, campuses add theirs.
    BusLoads loads;
    ports_.bus_loads(prepared_.buses.size(), loads.fixed_mw, loads.added_mw);
    double fixed_base = 0, coupled_mw = 0;
    for (size_t b = 0; b < prepared_.buses.size(); ++b) {
        if (!std::isnan(loads.fixed_mw[b])) fixed_base += prepared_.buses[b].pd_mw, coupled_mw += loads.fixed_mw[b];
        coupled_mw += loads.added_mw[b];
    }
    const double base_total = total_demand_mw(prepared_);
    if (base_total > 0 && (coupled_mw > 0 || fixed_base > 0)) {
        // The scenario's demand model keeps the buses no city has taken.
        const double outside = (base_total - fixed_base) / base_total;
        const double modelled = cond_.demand_mw * outside;
        cond_.cooling_mw *= outside;
        cond_.demand_mw = modelled + coupled_mw;
        cond_.net_load_mw = cond_.demand_mw - cond_.utility_pv_mw - cond_.rooftop_pv_mw - cond_.wind_mw;
    }
    inj_ = dispatch(prepared_, scenario_, cond_, battery_, step_s_, &loads);
    Case op = prepared_;
    apply(op, inj_);
    if (p.text("grid.dispatch") == "sced") {
        if (async_sced_) {  // the viewer: solved on the worker, finished when it is done (poll_sced)
            sced_next_ = PendingPoint{t_s, cond_, inj_, std::move(op)};
            if (has_finished_) cond_ = finished_cond_, inj_ = finished_inj_;  // what is shown: the last finished point
            poll_sced(p);
            return;
        }
        operate(op, p);
    }
    finish_step(t_s, op, step_s_);
    maybe_start_hosting(p);
}

// The operating point's flows, trips and record, once its dispatch is known.
void GridModule::finish_step(double t_s, Case& op, double dt_s) {
    const size_t events_before = cascade_->events().size();
    flows_ = cascade_->step(op, t_s, dt_s, cond_.rating_factor);
    Injections recorded = inj_;
    recorded.shed_mw = inj_.shed_mw + flows_.shed_mw;
    record_.add(t_s, cond_, recorded);
    const auto& events = cascade_->events();
    for (size_t e = events_before; e < events.size(); ++e) trip_playback_s_[events[e].branch] = float(playback_s_);
    for (size_t l = 0; l < flows_.loading_pct.size(); ++l) {
        max_loading_pct_[l] = std::max(max_loading_pct_[l], flows_.loading_pct[l]);
        if (flows_.loading_pct[l] > kOverloadPct) overload_s_[l] += dt_s;
    }
    last_t_s_ = t_s;
    finished_cond_ = cond_, finished_inj_ = inj_, has_finished_ = true;
    update_states();
}

// The solve in flight and the point waiting after it, finished.
void GridModule::settle() {
    while (async_sced_ && sced_params_ && (sced_job_.valid() || sced_next_)) {
        wait_sced_job();
        poll_sced(*sced_params_);
    }
}

// The viewer's operator (async_sced_): the worker solves one operating point at a time, exactly as `run` would,
// and the point is finished (flows, trips, record) when its solve is in, so the grid's clock trails the world's
// by the solve. Points that come while the worker is busy are dropped but the newest, which it solves next; the
// cascade then integrates over the time since the last finished point.
void GridModule::poll_sced(const ParamStore& p) {
    if (sced_job_.valid() && sced_job_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        const OpfResult r = sced_job_.get();
        cond_ = sced_running_.cond;
        inj_ = sced_running_.inj;
        if (r.solved) {
            apply_sced(r, sced_running_.op, p);
        } else {
            sced_note_ = r.message;
        }
        finish_step(sced_running_.t_s, sced_running_.op, since_finished(sced_running_.t_s));
        maybe_start_hosting(p);
    }
    if (sced_job_.valid() || !sced_next_) return;
    sced_running_ = std::move(*sced_next_);
    sced_next_.reset();
    cond_ = sced_running_.cond;
    inj_ = sced_running_.inj;
    Case point;
    const bool shown_ok = sced_ok_;  // the finished point's operator stays on screen while this one is solved
    if (!sced_point(sced_running_.op, p, point)) {  // no operator on this network: the scenario's dispatch stands
        finish_step(sced_running_.t_s, sced_running_.op, since_finished(sced_running_.t_s));
        maybe_start_hosting(p);
        return;
    }
    sced_ok_ = shown_ok;
    if (has_finished_) cond_ = finished_cond_, inj_ = finished_inj_;
    DcOpf* opf = opf_.get();
    const double rating = sced_running_.cond.rating_factor;
    sced_job_ = std::async(std::launch::async, [opf, point = std::move(point), rating] {
        lower_thread_priority();
        return opf->solve(point, rating);
    });
}

// The operator: a security-constrained economic dispatch on the network as it stands (tripped lines out),
// with the lines' ratings derated by the heat; the renewables, batteries and loads stay as the scenario
// set them, the dispatchable units move within their limits, and load is shed at VOLL where the network
// cannot carry it. The solver is rebuilt when the topology changes; on an islanded network (after trips)
// the pro-rata dispatch stands and the cascade model balances each island.
void GridModule::operate(Case& op, const ParamStore& p) {
    Case point;
    if (!sced_point(op, p, point)) return;
    const OpfResult r = opf_->solve(point, cond_.rating_factor);
    if (!r.solved) {
        sced_note_ = r.message;
        return;
    }
    apply_sced(r, op, p);
}

// The operator's problem for this operating point (false when there is none: the solver cannot be built).
bool GridModule::sced_point(const Case& op, const ParamStore& p, Case& point) {
    sced_ok_ = false;
    std::vector<char> out = cascade_->out();
    if (!opf_ || out != opf_out_ || p.flag("grid.sced_n_1") != opf_n_1_ || p.number("grid.voll_per_mwh") != opf_voll_) {
        opf_.reset();
        opf_out_ = out;
        opf_n_1_ = p.flag("grid.sced_n_1");
        opf_voll_ = p.number("grid.voll_per_mwh");
        Case topo = op;
        for (size_t l = 0; l < out.size(); ++l)
            if (out[l]) topo.branches[l].status = 0;
        pad_costs(topo);
        isolate_islands(topo);
        island_types_.clear();
        for (const Bus& b : topo.buses) island_types_.push_back(b.type);
        OpfOptions o;
        o.allow_shedding = true;
        o.voll_per_mwh = opf_voll_;
        o.n_minus_1 = opf_n_1_;
        try {
            opf_ = std::make_unique<DcOpf>(topo, o);
        } catch (const std::exception& e) {
            sced_note_ = e.what();
            return false;
        }
    }
    // Renewables and batteries at the scenario's output (fixed); dispatchable units free within limits.
    point = op;
    for (size_t l = 0; l < out.size(); ++l)
        if (out[l]) point.branches[l].status = 0;
    pad_costs(point);
    for (size_t b = 0; b < point.buses.size() && b < island_types_.size(); ++b) point.buses[b].type = island_types_[b];
    units_for_operator(point);
    return true;
}

// The solved dispatch into this operating point: units' outputs, shedding, prices.
void GridModule::apply_sced(const OpfResult& r, Case& op, const ParamStore& p) {
    sced_ok_ = true;
    substations_dirty_ = true;  // the yards' price colours
    price_max_ = p.number("grid.price_max_mwh");
    ++sced_steps_;
    sced_note_.clear();
    double shed = 0, weighted = 0, load = 0;
    for (size_t g = 0; g < op.gens.size(); ++g) inj_.gen_pg_mw[g] = r.pg_mw[g];
    for (size_t b = 0; b < op.buses.size(); ++b) {
        inj_.bus_pd_mw[b] -= r.shed_mw[b];
        shed += r.shed_mw[b];
        weighted += r.lmp[b] * std::max(0.0, inj_.bus_pd_mw[b]);
        load += std::max(0.0, inj_.bus_pd_mw[b]);
    }
    inj_.shed_mw += shed;
    inj_.served_mw -= shed;
    lmp_ = r.lmp;
    mean_price_ = load > 0 ? weighted / load : 0;
    sced_cost_ = r.objective;
    apply(op, inj_);
}

// Buses cut off from the reference bus's island by trips are left out of the dispatch (type 4, as MATPOWER
// marks isolated buses); the cascade model balances or darkens those islands on its own.
void GridModule::isolate_islands(Case& c) {
    std::vector<std::vector<int>> adj(c.buses.size());
    for (const Branch& br : c.branches) {
        if (br.status <= 0) continue;
        const int a = c.bus_index(br.from), b = c.bus_index(br.to);
        if (a >= 0 && b >= 0) adj[size_t(a)].push_back(b), adj[size_t(b)].push_back(a);
    }
    std::vector<char> seen(c.buses.size(), 0);
    std::vector<int> stack;
    for (size_t b = 0; b < c.buses.size(); ++b)
        if (c.buses[b].type == BusType::Ref) stack.push_back(int(b)), seen[b] = 1;
    while (!stack.empty()) {
        const int b = stack.back();
        stack.pop_back();
        for (int n : adj[size_t(b)])
            if (!seen[size_t(n)]) seen[size_t(n)] = 1, stack.push_back(n);
    }
    for (size_t b = 0; b < c.buses.size(); ++b)
        if (!seen[b]) c.buses[b].type = BusType::Isolated;
}

// Units the scenario added (utility PV, batteries) cost nothing to run; a case without costs gets a flat
// 30 $/MWh for every unit, so that the dispatch still respects the network.
// Quadratic costs become piecewise linear (10 equal segments from 0 to PMAX, through the curve's points):
// the dispatch is then a linear program, which CLP's simplex solves in milliseconds from the last basis
// whatever the state, where its QP can crawl on a congested network of hundreds of units. The dispatch is
// within one segment of the quadratic optimum and the prices are the segments' slopes.
void GridModule::pad_costs(Case& c) {
    const bool none = c.gencost.empty();
    while (c.gencost.size() < c.gens.size()) c.gencost.push_back(GenCost{2, 0, 0, {none ? 30.0 : 0.0, 0}});
    for (size_t g = 0; g < c.gens.size(); ++g) {
        GenCost& gc = c.gencost[g];
        const size_t n = gc.coeffs.size();
        if (gc.model != 2 || n < 3 || gc.coeffs[n - 3] == 0 || !(c.gens[g].pmax_mw > 0)) continue;
        const double c2 = gc.coeffs[n - 3], c1 = gc.coeffs[n - 2], c0 = gc.coeffs[n - 1];
        constexpr int kSegments = 10;
        std::vector<double> pts;
        for (int k = 0; k <= kSegments; ++k) {
            const double x = c.gens[g].pmax_mw * k / kSegments;
            pts.push_back(x);
            pts.push_back(c2 * x * x + c1 * x + c0);
        }
        gc = GenCost{1, gc.startup, gc.shutdown, pts};
    }
}

double GridModule::bus_served_fraction(size_t b) const {
    if (flows_.island_of_bus.empty()) return 1.0;
    const int island = flows_.island_of_bus[b];
    if (island < 0 || size_t(island) >= flows_.islands.size()) return 1.0;
    const Island& is = flows_.islands[island];
    if (!is.energised) return 0.0;
    return is.demand_mw > 0 ? std::clamp(1.0 - is.shed_mw / is.demand_mw, 0.0, 1.0) : 1.0;
}

// The per-branch state the shaders read, from the current flows (or a replayed stage's).
void GridModule::update_states() {
    const FlowState& f = replay_stage_ >= 0 && size_t(replay_stage_) < cascade_->stages().size()
                             ? cascade_->stages()[replay_stage_].flows
                             : flows_;
    const std::vector<char> out = replay_stage_ >= 0 ? out_at_stage(replay_stage_) : cascade_->out();
    for (size_t l = 0; l < base_.branches.size(); ++l) {
        const Branch& br = base_.branches[l];
        const bool in = br.status > 0 && !(l < out.size() && out[l]);
        float energised = 1.0f;
        if (in && !f.island_of_bus.empty()) {
            const int a = base_.bus_index(br.from);
            const int island = a >= 0 ? f.island_of_bus[a] : -1;
            if (island >= 0 && size_t(island) < f.islands.size() && !f.islands[island].energised) energised = 0.5f;
        }
        const float pf = l < f.pf_mw.size() ? float(f.pf_mw[l]) : 0.0f;
        const float loading = l < f.loading_pct.size() ? float(f.loading_pct[l] / 100.0) : 0.0f;
        states_host_[l].flow = glm::vec4(pf, loading, in ? energised : 0.0f, trip_playback_s_[l]);
    }
    states_dirty_ = true;
    substations_dirty_ = true;
}

std::vector<char> GridModule::out_at_stage(int stage) const {
    std::vector<char> out(base_.branches.size(), 0);
    const auto& stages = cascade_->stages();
    for (int s = 0; s <= stage && size_t(s) < stages.size(); ++s)
        for (int b : stages[s].tripped) out[b] = 1;
    return out;
}

}  // namespace infrascape::grid
