#include "pss/stats/mann_whitney.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace pss::stats {

MannWhitneyResult mann_whitney_u(std::span<const double> a, std::span<const double> b) {
    MannWhitneyResult r;
    const double n1 = static_cast<double>(a.size()), n2 = static_cast<double>(b.size());
    if (a.empty() || b.empty()) return r;

    struct Item {
        double value;
        bool first;
    };
    std::vector<Item> all;
    all.reserve(a.size() + b.size());
    for (double v : a) all.push_back({v, true});
    for (double v : b) all.push_back({v, false});
    std::sort(all.begin(), all.end(), [](const Item& x, const Item& y) { return x.value < y.value; });

    // Average ranks over ties; the tie term corrects the variance.
    double rank_sum_a = 0, tie_term = 0;
    for (std::size_t i = 0; i < all.size();) {
        std::size_t j = i;
        while (j < all.size() && all[j].value == all[i].value) ++j;
        const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
        const double t = static_cast<double>(j - i);
        tie_term += t * t * t - t;
        for (std::size_t k = i; k < j; ++k)
            if (all[k].first) rank_sum_a += avg_rank;
        i = j;
    }
    const double n = n1 + n2;
    r.u = rank_sum_a - n1 * (n1 + 1) / 2.0;
    const double mean_u = n1 * n2 / 2.0;
    const double var_u = n1 * n2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
    if (var_u <= 0) return r;  // every value tied: no evidence either way
    const double diff = r.u - mean_u;
    const double corrected = diff == 0 ? 0.0 : (std::fabs(diff) - 0.5) * (diff > 0 ? 1 : -1);
    r.z = corrected / std::sqrt(var_u);
    r.p_value = std::min(1.0, std::erfc(std::fabs(r.z) / std::sqrt(2.0)));
    r.valid = true;
    return r;
}

}  // namespace pss::stats
