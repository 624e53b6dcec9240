// The warning networks by size of place (warning_network.hpp): gauges and alert delay for a small town and a large
// city, by hand, the lead times of a hand-made flood, and that a larger place never gets less warning.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "modules/flood/warning_network.hpp"

using namespace infrascape::flood;

TEST_CASE("warning network: a river town and a metro, by hand", "[flood]") {
    const WarningScaling s;  // beta 0.15, one gauge at 20,000 people, alert 30 min after it
    // 25,000 people: (1.25)^1.15 = 1.2925 -> one gauge; delay 1800 s * 1.25^-0.15 = 1740.75 s.
    const WarningNetwork town = network_for("town", 25000, 3, s);
    CHECK(town.gauges == 1);
    CHECK(town.alert_delay_s == Approx(1800 * std::pow(1.25, -0.15)).epsilon(1e-12));
    CHECK(town.alert_delay_s == Approx(1740.75).margin(0.01));
    // 2.7 million: 135^1.15 = 281.6 -> every gauge of the river (3); delay 1800 s * 135^-0.15 = 862.4 s.
    const WarningNetwork metro = network_for("metro", 2.7e6, 3, s);
    CHECK(metro.gauges == 3);
    CHECK(metro.alert_delay_s == Approx(862.4).margin(0.05));
    // 30,000: 1.5^1.15 = 1.594 -> still one gauge; 60,000: 3^1.15 = 3.54 -> three.
    CHECK(network_for("a", 30000, 3, s).gauges == 1);
    CHECK(network_for("b", 60000, 5, s).gauges == 3);
    CHECK(network_for("c", 100, 0, s).gauges == 0);  // a river without gauges
    CHECK(network_for("d", 100, 4, s).gauges == 1);  // at least the nearest one
}

TEST_CASE("warning network: lead times of a hand-made flood", "[flood]") {
    const WarningScaling s;
    // Sirens nearest the sites first: the nearest gauge at 3010 s, the next at 2500 s, the farthest at 2000 s.
    const std::vector<double> sirens = {3010, 2500, 2000};
    const std::vector<double> arrivals = {5070, 4710, -1, -1, 7600};  // two sites stay dry
    const WarningOutcome town = warning_outcome(network_for("town", 25000, 3, s), sirens, arrivals, 8000);
    const double alert = 3010 + 1800 * std::pow(1.25, -0.15);  // 4750.75 s
    CHECK(town.detect_s == 3010);
    CHECK(town.alert_s == Approx(alert));
    CHECK(town.reached == 3);
    CHECK(town.warned_in_time == 2);  // the second site is reached 41 s before the alert
    CHECK(town.min_lead_s == Approx(4710 - alert));
    CHECK(town.mean_lead_s == Approx((5070 + 4710 + 7600 - 3 * alert) / 3));
    const WarningOutcome metro = warning_outcome(network_for("metro", 2.7e6, 3, s), sirens, arrivals, 8000);
    const double metro_alert = 2000 + 1800 * std::pow(135.0, -0.15);
    CHECK(metro.detect_s == 2000);
    CHECK(metro.alert_s == Approx(metro_alert));
    CHECK(metro.warned_in_time == 3);
    CHECK(metro.mean_lead_s == Approx((5070 + 4710 + 7600 - 3 * metro_alert) / 3));
    // Before the alert has gone out nobody has a lead time yet.
    const WarningOutcome early = warning_outcome(network_for("town", 25000, 3, s), sirens, arrivals, 4000);
    CHECK(early.alert_s < 0);
    CHECK(early.with_lead == 0);
    CHECK(early.reached == 3);
}

TEST_CASE("warning network: a larger place never gets less warning (random floods)", "[flood]") {
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> t(0, 10000);
    const WarningScaling s;
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<double> sirens(4), arrivals(6);
        for (double& v : sirens) v = t(rng) < 2000 ? -1 : t(rng);
        for (double& v : arrivals) v = t(rng) + 5000;
        double last_alert = 1e300;
        for (double n : {5e3, 2e4, 5e4, 2e5, 1e6, 8e6}) {
            const WarningOutcome o = warning_outcome(network_for("p", n, sirens.size(), s), sirens, arrivals, 1e9);
            const double alert = o.alert_s < 0 ? 1e300 : o.alert_s;
            CHECK(alert <= last_alert);
            last_alert = alert;
        }
    }
}
